"""The pipeline's last step when `LIPUTAN6_PUBLISH_DIR` is set: bring the changes site up to date.

A failed publication never fails the run (the data is safe in the warehouse and the next run
publishes again); it is logged and shown as a warning in the run's artifact.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect.logging import get_run_logger

from config.settings import Settings
from publishing import PublishOptions, publish_site, site_behind
from publishing import paths as site_paths
from warehouse import ChangeSummary
from warehouse.kinds import ChangeKind
from warehouse.site_source import PUBLIC_KINDS


def publish_after_run(settings: Settings, changes: Sequence[ChangeSummary]) -> str | None:
    """Publish when the run found a change the site shows, or the site is behind (a change an
    earlier publication failed to show, a new day, changed options); returns a warning if it
    failed."""
    if settings.publish_dir is None:
        return None
    logger = get_run_logger()
    try:
        options = PublishOptions.from_settings(settings)
        found = any(c.kind in PUBLIC_KINDS for c in changes)
        if not found and not site_behind(settings.db_path, settings.publish_dir, options):
            return None
        report = publish_site(settings.db_path, settings.publish_dir, options)
    except Exception as error:  # reported in the run's artifact; the next run publishes again
        logger.exception("publishing the site to %s failed", settings.publish_dir)
        return f"publishing the site to {settings.publish_dir} failed: {error}"
    logger.info("published %s: %s", settings.publish_dir, report.line())
    return None


def change_page_url(settings: Settings, change: ChangeSummary) -> str | None:
    """The public page of a change's article history, when the site has a public URL."""
    if not settings.public_url or change.kind not in tuple(ChangeKind):
        return None
    return settings.public_url.rstrip("/") + "/" + site_paths.article(change.article_id)

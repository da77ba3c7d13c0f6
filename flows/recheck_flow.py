"""`recheck`: select due articles → conditional fetch → parse → load changes → report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prefect import flow
from prefect.logging import get_run_logger
from prefect.states import State

from flows.fetching import Fetcher
from flows.observe import Target
from flows.rate_limit import GlobalPacer
from flows.run_context import begin, finish, make_settings, process_targets
from flows.settings import Settings
from warehouse import DatabaseLocked, due_for_recheck


def due_targets(settings: Settings, limit: int | None, ahead_minutes: int = 0) -> list[Target]:
    if not settings.db_path.exists():
        return []
    as_of = datetime.now(UTC) + timedelta(minutes=ahead_minutes)
    try:
        due = due_for_recheck(settings.db_path, as_of, limit=limit)
    except DatabaseLocked as exc:
        get_run_logger().warning("recheck skipped, the database is busy: %s", exc)
        return []
    return [Target(d.article_id, d.url, d.etag, d.last_modified) for d in due]


@flow(name="recheck", log_prints=True)
async def recheck(
    base_url: str | None = None,
    db_path: str | None = None,
    limit: int | None = None,
    ahead_minutes: int = 0,
) -> dict[str, int] | State:
    """Re-fetch what the age ladder says is due (or will be within `ahead_minutes`); unchanged
    pages cost a 304."""
    settings = make_settings(base_url=base_url, db_path=db_path)
    state = await begin("recheck", settings)
    targets = due_targets(settings, limit, ahead_minutes)
    get_run_logger().info("recheck: %d article(s) due", len(targets))
    state.summary.sources["due"] = (len(targets), 0)
    async with Fetcher(settings, before_request=GlobalPacer(settings)) as fetcher:
        await process_targets(state, fetcher, targets)
    return await finish(state)

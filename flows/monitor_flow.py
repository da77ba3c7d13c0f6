"""`monitor`: discover → skip known ids → fetch new → parse → tag → load → report."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger
from prefect.states import State

from config.settings import Settings
from flows.discovery import DiscoveryReport, discover
from flows.fetching import Fetcher
from flows.observe import Target
from flows.run_context import RunState, begin, finish, make_settings, process_targets
from flows.run_verdict import listing_tally
from parsers.models import ArticleRef
from parsers.urls import article_id, canonical_url, is_allowed_url
from warehouse import known_article_ids
from warehouse.kinds import Count


@task(name="discover", retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
async def discover_refs(fetcher: Fetcher, settings: Settings) -> DiscoveryReport:
    return await discover(fetcher, settings)


def url_problem(url: str, settings: Settings) -> str | None:
    """Why `url` cannot be checked (None: it can): it must be an article URL on an allowed host."""
    if article_id(url) is None or canonical_url(url) is None:
        return f"not a Liputan6 article URL (…/read/<id>/<slug>): {url}"
    if not is_allowed_url(url, settings.allowed_hosts):
        return f"host not allowed (not liputan6.com nor the base URL's host): {url}"
    return None


def refs_from_urls(urls: list[str], settings: Settings) -> list[ArticleRef]:
    """Explicit article URLs; anything that is not one is an error, not a silent skip."""
    problems = [p for url in urls if (p := url_problem(url, settings))]
    if problems:
        raise ValueError("; ".join(problems))
    return [ArticleRef(url=url, article_id=article_id(url) or 0) for url in urls]


def known_ids(settings: Settings, ids: list[int]) -> set[int]:
    """Ids already in the warehouse; when the file is busy, none, since loading is idempotent."""
    try:
        return known_article_ids(settings.db_path, ids, settings.lock_timeout)
    except Exception as exc:  # a busy or missing file only costs extra fetches; it is logged
        get_run_logger().warning("could not read known ids (%s); fetching all discovered", exc)
        return set()


def unseen_targets(state: RunState, report: DiscoveryReport) -> list[Target]:
    """The discovered articles not in the warehouse yet; per-source counts go to the summary."""
    known = known_ids(state.settings, [r.article_id for r in report.refs])
    for name, source in report.sources.items():
        state.summary.sources[name] = (source.found, len(source.article_ids - known))
        state.summary.warnings.extend(f"{name}: {e}" for e in source.errors[:5])
    state.summary.counts[Count.discovered] = len(report.refs)
    state.sources_ok = {name: s.listings_read for name, s in report.sources.items()}
    state.listings = listing_tally(f for s in report.sources.values() for f in s.fetches)
    state.side_attempts.extend(a for s in report.sources.values() for a in s.attempts)
    return [Target(r.article_id, r.url) for r in report.refs if r.article_id not in known]


# A stuck run must not hold the deployment's only concurrency slot for ever.
MONITOR_TIMEOUT_SECONDS = 60 * 60


@flow(name="monitor", log_prints=True, timeout_seconds=MONITOR_TIMEOUT_SECONDS)
async def monitor(
    base_url: str | None = None,
    db_path: str | None = None,
    urls: list[str] | None = None,
    limit: int | None = None,
) -> dict[str, int] | State:
    """One discovery pass; with `urls`, check exactly those articles (known or not) instead."""
    settings = make_settings(base_url=base_url, db_path=db_path)
    state = await begin("monitor", settings)
    async with Fetcher(settings, before_request=state.pacer) as fetcher:
        if urls:
            refs = refs_from_urls(urls, settings)
            state.summary.sources["url"] = (len(refs), len(refs))
            targets = [Target(r.article_id, r.url) for r in refs]
        else:
            targets = unseen_targets(state, await discover_refs(fetcher, settings))[:limit]
        await process_targets(state, fetcher, targets)
    return await finish(state)

"""`recheck`: select what is worth checking → conditional fetch → parse → load changes → report.

With `recheck_run_seconds` > 0 one run keeps making passes (every `recheck_pass_seconds`) until
its time is up, so the schedule, not the deployment's cadence, sets how soon an edit is seen.
Each pass spends `recheck_ladder_share` of what the age ladder would spend on the warehouse, and
never more than `recheck_budget_share` of the politeness budget; the global rate limit paces
every request in any case.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from prefect import flow
from prefect.logging import get_run_logger
from prefect.states import State

from config.settings import Settings
from flows.fetching import Fetcher, FetchRequest
from flows.observe import Target
from flows.run_context import (
    RunState,
    begin,
    current_run_id,
    finish,
    make_settings,
    process_targets,
)
from flows.writer_lock import WriterBusy, writer_lock
from parsers.listings import parse_rss, parse_sitemap, sitemap_lastmods
from parsers.models import ArticleRef
from warehouse import DatabaseLocked, Ladder, due_for_recheck, known_article_ids, open_readonly
from warehouse.allocation import PolicySettings
from warehouse.freshness import today_line
from warehouse.hints import Hint
from warehouse.kinds import Count
from warehouse.recheck_planner import Planner, PlannerSettings, store_hints


def due_targets(settings: Settings, limit: int | None, ahead_minutes: int = 0) -> list[Target]:
    """What the age ladder says is due (or will be within `ahead_minutes`)."""
    if not settings.db_path.exists():
        return []
    as_of = datetime.now(UTC) + timedelta(minutes=ahead_minutes)
    try:
        due = due_for_recheck(settings.db_path, as_of, limit, settings.lock_timeout)
    except DatabaseLocked as exc:
        get_run_logger().warning("recheck skipped, the database is busy: %s", exc)
        return []
    return [Target(d.article_id, d.url, d.etag, d.last_modified) for d in due]


def pass_budget(settings: Settings, limit: int | None) -> int:
    """Requests one pass may spend: its share of the politeness budget over the pass."""
    budget = int(settings.recheck_budget_share * settings.rate_per_second * _pass_seconds(settings))
    return max(1, min(budget, limit) if limit is not None else budget)


def _pass_seconds(settings: Settings) -> int:
    return settings.recheck_pass_seconds if settings.recheck_run_seconds else 900


def make_planner(settings: Settings) -> Planner:
    policy = PolicySettings(
        min_utility=settings.recheck_min_utility,
        min_reliability=settings.recheck_hint_reliability,
        on_time_minutes=settings.recheck_on_time_minutes,
        on_time_hours=settings.recheck_on_time_hours,
        max_gap_hours=settings.recheck_max_gap_hours,
        max_gap_days=settings.recheck_max_gap_days,
    )
    return Planner(
        PlannerSettings(policy=policy, ladder_share=settings.recheck_ladder_share or None),
        Ladder.from_steps(settings.recheck_ladder),
    )


def planned_targets(
    settings: Settings, planner: Planner, budget: int, state: RunState
) -> list[Target]:
    """The checks worth most now under the budget; how many more wait goes to the summary."""
    if not settings.db_path.exists():
        return []
    try:
        with open_readonly(settings.db_path, settings.lock_timeout) as con:
            plan = planner.plan(con, datetime.now(UTC), budget, _pass_seconds(settings))
    except DatabaseLocked as exc:
        get_run_logger().warning("recheck pass skipped, the database is busy: %s", exc)
        return []
    state.summary.counts[Count.backlog] = plan.waiting
    state.summary.counts[Count.hinted] = state.summary.counts.get(Count.hinted, 0) + sum(
        c.hinted for c in plan.checks
    )
    return [Target(c.article_id, c.url, c.etag, c.last_modified) for c in plan.checks]


async def read_hints(fetcher: Fetcher, settings: Settings, state: RunState) -> list[Target]:
    """Store the news sitemap's `<lastmod>`s and the main feed's `pubDate`s as change hints;
    returns the articles they list that were never fetched, so a long recheck run (or a drain
    after downtime) keeps new articles within minutes of publication."""
    base, feed = settings.base_url.rstrip("/"), settings.feed_base
    sitemap, rss = await fetcher.fetch_many(
        [FetchRequest(f"{base}/sitemap-news.xml", kind="listing"),
         FetchRequest(f"{feed}/rss", kind="listing")]
    )  # fmt: skip
    hints: list[Hint] = []
    refs: list[ArticleRef] = []
    if sitemap.outcome == "ok" and sitemap.text is not None:
        hints += [Hint(i, "sitemap", t) for i, t in sitemap_lastmods(sitemap.text).items()]
        refs += parse_sitemap(sitemap.text, base)
    if rss.outcome == "ok" and rss.text is not None:
        feed_refs = parse_rss(rss.text, feed)
        hints += [Hint(r.article_id, "rss", r.published_at) for r in feed_refs if r.published_at]
        refs += feed_refs
    for result in (sitemap, rss):
        if result.outcome != "ok":
            state.summary.warnings.append(f"hints: {result.url}: {result.outcome}")
    if not settings.db_path.exists():
        return []
    try:
        known = known_article_ids(
            settings.db_path, [r.article_id for r in refs], settings.lock_timeout
        )
        with writer_lock(settings.db_path):
            stored = store_hints(
                settings.db_path, hints, datetime.now(UTC), current_run_id(), settings.lock_timeout
            )
    except (DatabaseLocked, WriterBusy) as exc:
        get_run_logger().warning("hints not read, the database is busy: %s", exc)
        return []
    state.summary.counts[Count.hints] = state.summary.counts.get(Count.hints, 0) + stored
    unseen = {r.article_id: r for r in refs if r.article_id not in known}
    return [Target(r.article_id, r.url) for r in unseen.values()]


async def allocation_pass(
    fetcher: Fetcher,
    settings: Settings,
    planner: Planner,
    state: RunState,
    limit: int | None,
    read: bool,
) -> list[Target]:
    """Never-fetched articles from the hint sources first (when `read`), then the planned
    checks with what is left of the pass's budget."""
    targets = (await read_hints(fetcher, settings, state))[: limit or None] if read else []
    if read:
        planner.charge(HINT_REQUESTS)
    return targets + planned_targets(
        settings, planner, pass_budget(settings, limit) - len(targets), state
    )


HINT_REQUESTS = 2  # the news sitemap and the main feed, charged to the recheck's budget

# A stuck run must not hold the deployment's only concurrency slot for ever.
RECHECK_TIMEOUT_SECONDS = 60 * 60


@flow(name="recheck", log_prints=True, timeout_seconds=RECHECK_TIMEOUT_SECONDS)
async def recheck(
    base_url: str | None = None,
    db_path: str | None = None,
    limit: int | None = None,
    ahead_minutes: int = 0,
    run_seconds: int | None = None,
) -> dict[str, int] | State:
    """Re-fetch the articles most worth checking (`recheck_policy`); unchanged pages cost a 304.

    `ahead_minutes` > 0 uses the ladder: everything due within that many minutes (a catch-up).
    """
    settings = make_settings(base_url=base_url, db_path=db_path, recheck_run_seconds=run_seconds)
    state = await begin("recheck", settings)
    ladder = settings.recheck_policy == "ladder" or ahead_minutes > 0
    planner = make_planner(settings)
    deadline = time.monotonic() + settings.recheck_run_seconds
    last_hints = -float("inf")
    async with Fetcher(settings, before_request=state.pacer) as fetcher:
        while True:
            started = time.monotonic()
            if ladder:
                targets = due_targets(settings, limit, ahead_minutes)
            else:
                read = started - last_hints >= settings.recheck_hint_seconds
                last_hints = started if read else last_hints
                targets = await allocation_pass(fetcher, settings, planner, state, limit, read)
            get_run_logger().info("recheck: %d article(s) to check", len(targets))
            due, _ = state.summary.sources.get("due", (0, 0))
            state.summary.sources["due"] = (due + len(targets), 0)
            await process_targets(state, fetcher, targets)
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(
                max(0.0, settings.recheck_pass_seconds - time.monotonic() + started)
            )
    try:
        state.summary.freshness = today_line(
            settings.db_path, datetime.now(UTC), settings.lock_timeout
        )
    except DatabaseLocked as exc:
        state.summary.warnings.append(f"freshness line skipped, the database is busy: {exc}")
    return await finish(state)

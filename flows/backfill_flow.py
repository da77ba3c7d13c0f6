"""`backfill`: load a date range through the date-index pages (manual runs)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from prefect import flow
from prefect.states import State

from flows.discovery import backfill as backfill_refs
from flows.fetching import Fetcher
from flows.monitor_flow import unseen_targets
from flows.run_context import begin, finish, make_settings, process_targets

BACKFILL_TIMEOUT_SECONDS = 6 * 60 * 60  # a long date range at the polite rate limit


@flow(name="backfill", log_prints=True, timeout_seconds=BACKFILL_TIMEOUT_SECONDS)
async def backfill(
    start: date | None = None,
    end: date | None = None,
    base_url: str | None = None,
    db_path: str | None = None,
    channels: list[str] | None = None,
) -> dict[str, int] | State:
    """Articles published from `start` to `end` inclusive (default: the last 7 days)."""
    today = datetime.now(UTC).date()
    end = end or today
    start = start or end - timedelta(days=6)
    if start > end:
        raise ValueError(f"backfill start {start} is after end {end}")
    settings = make_settings(base_url=base_url, db_path=db_path)
    state = await begin("backfill", settings)
    async with Fetcher(settings, before_request=state.pacer) as fetcher:
        report = await backfill_refs(fetcher, settings, start, end, channels)
        await process_targets(state, fetcher, unseen_targets(state, report))
    return await finish(state)

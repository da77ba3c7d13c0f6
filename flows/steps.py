"""The Prefect tasks the flows are built from: each one a thin wrapper over plain functions.

Work is batched (settings.batch_size URLs per task): a task run costs ~70 ms of client and server
time, so one task per article would back up the schedule. Tasks take live objects (the fetcher),
so they opt out of input caching. Parsed batches go to the spool before any database write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.logging import get_run_logger
from prefect.states import State

from config.settings import Settings
from flows import spool
from flows.fetching import Fetcher
from flows.fetching.client import FetchAborted
from flows.health import HealthReport, assess
from flows.observe import Target, observe
from flows.run_verdict import ArticleFetches
from flows.writer_lock import WriterBusy, writer_lock
from warehouse import ChangeSummary, DatabaseLocked, Ladder, LoadReport, load_batches
from warehouse.kinds import MERGED_LOAD_COUNTS, Count, ObservationOutcome
from warehouse.records import Batch, FetchAttempt, Observation
from warehouse.snapshot import needs_publication, publish_after_load


@dataclass
class BatchResult:
    """What one fetch task reports back: small, so nothing heavy passes through Prefect."""

    batch_id: str
    outcomes: dict[ObservationOutcome, int]
    health: HealthReport
    fetches: ArticleFetches = field(default_factory=ArticleFetches)


@dataclass
class LoadOutcome:
    counts: dict[Count, int] = field(default_factory=dict)
    changes: list[ChangeSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    loaded_batches: int = 0
    spooled_batches: int = 0


def chunks(items: Sequence[Target], size: int) -> Iterator[list[Target]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def spool_observations(
    observations: list[Observation], settings: Settings, run_id: str
) -> BatchResult:
    """Make a batch durable in the spool and summarise it; failures are logged one by one."""
    logger = get_run_logger()
    batch = Batch(run_id=run_id, created_at=datetime.now(UTC), observations=observations)
    spooled = spool.write(settings.spool_dir, batch)
    outcomes: dict[ObservationOutcome, int] = {}
    for obs in observations:
        outcomes[obs.outcome] = outcomes.get(obs.outcome, 0) + 1
        if obs.outcome in (ObservationOutcome.failed, ObservationOutcome.parse_error):
            logger.warning("%s %s: %s", obs.outcome, obs.url, obs.error)
    fetches = ArticleFetches()
    fetches.add(observations)
    return BatchResult(spooled.batch_id, outcomes, assess(observations), fetches)


def spool_fetch_log(attempts: list[FetchAttempt], settings: Settings, run_id: str) -> None:
    """Listing and robots.txt attempts belong to no article; they reach fetch_log all the same."""
    if attempts:
        now = datetime.now(UTC)
        batch = Batch(run_id=run_id, created_at=now, observations=[], fetches=attempts)
        spool.write(settings.spool_dir, batch)


def _unless_aborted(task: Task, task_run: TaskRun, state: State) -> bool:
    """No retry for a fetch aborted for the whole run: its cause (the Prefect API gone) outlasts
    the retry delay, and the retry would wait out Prefect's own retries once more."""
    return not isinstance(state.data, FetchAborted)


@task(
    name="fetch-parse-spool",
    retries=1,
    retry_delay_seconds=5,
    retry_condition_fn=_unless_aborted,
    cache_policy=NO_CACHE,
)
async def fetch_parse_spool(
    fetcher: Fetcher, targets: list[Target], settings: Settings, run_id: str
) -> BatchResult:
    """Fetch, parse and tag one batch, then make it durable in the spool."""
    return spool_observations(await observe(fetcher, targets), settings, run_id)


SPOOL_BATCHES_PER_TRANSACTION_GROUP = 10


@task(name="load-spool", retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE)
def load_spool(settings: Settings) -> LoadOutcome:
    """Load every spooled batch, oldest first. A locked database leaves the rest spooled.

    Batches are listed, read, quarantined, loaded and removed under the writer lock, a few at a
    time over one connection (one transaction each): another run cannot load or move a file
    between our listing and our read, and the database lock stays short.
    """
    logger = get_run_logger()
    outcome = LoadOutcome()
    ladder = Ladder.from_steps(settings.recheck_ladder)
    while True:
        try:
            with writer_lock(settings.db_path):
                items = spool.pending(settings.spool_dir)[:SPOOL_BATCHES_PER_TRANSACTION_GROUP]
                group = _readable(items, outcome)
                batches = [batch for _, batch in group]
                reports = (
                    load_batches(
                        settings.db_path, batches, ladder=ladder, lock_timeout=settings.lock_timeout
                    )
                    if batches
                    else []
                )
                for (item, _), report in zip(group, reports, strict=True):
                    spool.remove(item)
                    outcome.loaded_batches += 1
                    _merge_report(outcome, report)
        except (DatabaseLocked, WriterBusy) as exc:
            outcome.spooled_batches = len(spool.pending(settings.spool_dir))
            message = (
                f"database busy, {outcome.spooled_batches} batch(es) left in {settings.spool_dir} "
                f"for the next run: {exc}"
            )
            logger.warning(message)
            outcome.warnings.append(message)
            return outcome
        if len(items) < SPOOL_BATCHES_PER_TRANSACTION_GROUP:
            break
    return outcome


def load_spool_if_pending(settings: Settings) -> LoadOutcome:
    """The load-spool task when the spool holds batches. An empty spool is not a step: it gets
    no task run in the UI, and costs none of the Prefect server work (~40 ms) a task run does."""
    if not spool.pending(settings.spool_dir):
        return LoadOutcome()
    return load_spool(settings)


def publish_snapshot(settings: Settings, loaded_batches: int) -> str | None:
    """Publish the read snapshot once the run's loads are done; its line for the run summary.

    Once per run rather than per batch: a publication costs seconds at a year's size, and the
    run's loads are all behind the writer lock by now, so none of them waits for it.
    """
    if not needs_publication(settings.db_path, loaded_batches):
        return None
    return publish_after_load(settings.db_path).line()


def _readable(
    items: Sequence[spool.SpooledBatch], outcome: LoadOutcome
) -> list[tuple[spool.SpooledBatch, Batch]]:
    """The batches that can be read; the others are quarantined (kept, never retried blindly).

    Called under the writer lock, so a file cannot vanish between listing and reading.
    """
    readable = []
    for item in items:
        try:
            readable.append((item, spool.read(item)))
        except (OSError, EOFError, ValueError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            spool.quarantine(item, reason)
            outcome.warnings.append(
                f"spooled batch {item.batch_id} unreadable, quarantined: {reason}"
            )
    return readable


def _merge_report(outcome: LoadOutcome, report: LoadReport) -> None:
    """Fold a batch's load report in; fetch-side counts (failed, 304) come from the batch itself."""
    for key in MERGED_LOAD_COUNTS:
        outcome.counts[key] = outcome.counts.get(key, 0) + report[key]
    outcome.changes.extend(report.changes)

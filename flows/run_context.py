"""The shared skeleton of every flow run: settings, spool first, batches with progress, report last.

Each flow (monitor, recheck, backfill, reparse) differs only in how it picks its targets; the
order of the rest is fixed here so no flow can forget to load the spool, report, or raise the
extraction-health alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from prefect.artifacts import acreate_progress_artifact, aupdate_progress_artifact
from prefect.logging import get_run_logger
from prefect.runtime import flow_run
from prefect.states import Failed, State

from config.settings import Settings
from flows import health as health_mod
from flows import run_history
from flows.fetch_records import fetch_attempts
from flows.fetching import Fetcher
from flows.observe import Target
from flows.publish_step import change_page_url, publish_after_run
from flows.rate_limit import GlobalPacer, ensure_rate_limit
from flows.reporting import RunSummary, publish
from flows.run_verdict import ArticleFetches, FailureTally, RunFailed, verdict
from flows.steps import (
    BatchResult,
    LoadOutcome,
    chunks,
    fetch_parse_spool,
    load_spool,
    load_spool_if_pending,
    publish_snapshot,
    spool_fetch_log,
)
from parsers.urls import host_of
from warehouse import RunRecord
from warehouse.kinds import Count, ObservationOutcome
from warehouse.records import FetchAttempt


def make_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the flow's non-empty parameters on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def current_run_id() -> str:
    return str(flow_run.id or "local")


@dataclass
class RunState:
    """Accumulates one flow run's results as batches complete."""

    summary: RunSummary
    settings: Settings
    record: RunRecord
    pacer: GlobalPacer  # the run's share of the global request budget, for its fetcher
    batch_health: list[health_mod.HealthReport] = field(default_factory=list)
    fetches: ArticleFetches = field(default_factory=ArticleFetches)
    targets: int = 0
    sources_ok: dict[str, int] | None = None
    listings: FailureTally | None = None
    side_attempts: list[FetchAttempt] = field(default_factory=list)
    robots_causes: dict[str, str] = field(default_factory=dict)
    loaded_batches: int = 0

    def absorb_load(self, outcome: LoadOutcome) -> None:
        self.summary.add(outcome.counts)
        self.summary.changes.extend(outcome.changes)
        self.summary.warnings.extend(outcome.warnings)
        self.summary.counts[Count.spooled] = outcome.spooled_batches
        self.loaded_batches += outcome.loaded_batches

    def absorb_batch(self, result: BatchResult) -> None:
        counts = self.summary.counts
        for outcome, n in result.outcomes.items():
            key = Count.of_outcome(outcome)
            counts[key] = counts.get(key, 0) + n
        counts[Count.fetched] += result.outcomes.get(ObservationOutcome.not_modified, 0)
        self.batch_health.append(result.health)
        self.fetches.merge(result.fetches)
        counts[Count.failed] -= result.fetches.disallowed
        counts[Count.disallowed] += result.fetches.disallowed

    def absorb_fetcher(self, fetcher: Fetcher) -> None:
        """What the fetcher did outside article fetches: robots.txt attempts and their causes."""
        self.side_attempts.extend(fetch_attempts(fetcher.robots_attempts))
        for attempt in fetcher.robots_attempts:
            cause = fetcher.robots_cause(attempt.url)
            if cause is not None:
                self.robots_causes[host_of(attempt.url)] = cause


async def begin(flow: str, settings: Settings, network: bool = True) -> RunState:
    """Record the run, set up the shared rate limit, and load what earlier runs left spooled."""
    record = run_history.started(current_run_id(), flow)
    state = RunState(RunSummary(flow), settings, record, GlobalPacer(settings))
    for warning in (run_history.mark_dead_runs(settings), run_history.save(settings, state.record)):
        if warning:
            get_run_logger().warning(warning)
            state.summary.warnings.append(warning)
    if network:
        await ensure_rate_limit(settings)
        await state.pacer.prime()
    state.absorb_load(load_spool_if_pending(settings))
    return state


async def process_targets(state: RunState, fetcher: Fetcher, targets: Sequence[Target]) -> None:
    """Fetch → parse → tag → spool → load, one batch at a time, with a progress artifact; then
    the run's listing and robots.txt attempts go to the fetch log."""
    state.targets += len(targets)
    if targets:
        await _process(state, fetcher, targets)
    state.absorb_fetcher(fetcher)
    spool_fetch_log(state.side_attempts, state.settings, current_run_id())
    state.side_attempts = []
    state.absorb_load(load_spool_if_pending(state.settings))


async def _process(state: RunState, fetcher: Fetcher, targets: Sequence[Target]) -> None:
    logger = get_run_logger()
    settings = state.settings
    flow = state.summary.flow
    progress_id = await acreate_progress_artifact(
        0.0, key=f"{flow}-progress", description=f"{flow}: share of {len(targets)} URLs done"
    )
    done = 0
    run_id = current_run_id()
    for chunk in chunks(targets, settings.batch_size):
        result = await fetch_parse_spool(fetcher, chunk, settings, run_id)
        state.absorb_batch(result)
        state.absorb_load(load_spool(settings))
        done += len(chunk)
        await aupdate_progress_artifact(progress_id, 100.0 * done / len(targets))
        logger.info("%s: %d/%d URLs processed", flow, done, len(targets))


async def finish(state: RunState) -> dict[str, int] | State:
    """Report to the UI, then fail the run loudly if it reached too little of the site or if
    extraction health is below the threshold. Whatever was loaded stays loaded.

    A failure is returned as a Failed state holding the exception: the run ends Failed with the
    one-line reason as its message (no traceback: nothing crashed), and calling the flow raises
    that exception, counts attached, for the CLI to print.
    """
    summary = state.summary
    usual_rules = run_history.usual_rule_shares(state.settings, summary.flow)
    summary.health = health_mod.merge(state.batch_health, usual_rules)
    threshold = state.settings.health_threshold
    if summary.health.pages:
        get_run_logger().info(summary.health.message(threshold))
    if summary.health.rules_silent:
        summary.warnings.append(
            "boilerplate rules stopped firing: " + ", ".join(summary.health.rules_silent)
        )
    failure = verdict(
        state.fetches,
        sources_ok=state.sources_ok,
        listings=state.listings,
        targets=state.targets,
        max_failure_share=state.settings.max_failure_share,
        robots_causes=state.robots_causes,
    )
    error: type[RunFailed] = RunFailed
    if failure is None and summary.health.failed(threshold):
        error = health_mod.ExtractionHealthError
        failure = (
            summary.health.message(threshold)
            + ". The site's layout has probably changed: see README, 'When the site changes'."
        )
    counts = {str(key): n for key, n in summary.counts.items()}
    final = state.record.model_copy(
        update={
            "finished_at": datetime.now(UTC),
            "state": "failed" if failure else "completed",
            "counts": run_history.with_health(counts, summary.health),
            "message": failure or "; ".join(summary.warnings)[:2000] or None,
        }
    )
    warning = run_history.save(state.settings, final)
    if warning:
        summary.warnings.append(warning)
    # The read snapshot first: the site built next reads from it.
    summary.snapshot = publish_snapshot(state.settings, state.loaded_batches)
    if summary.flow in ("monitor", "recheck"):
        warning = publish_after_run(state.settings, summary.changes)
        if warning:
            summary.warnings.append(warning)
    await publish(summary, partial(change_page_url, state.settings))
    if failure:
        return Failed(message=failure, data=error(failure, counts))
    return counts


def counts_of(outcome: dict[str, int] | State) -> dict[str, int]:
    """The counts from calling a flow that ends in `finish`.

    Prefect raises the exception of a Failed state that a flow returns, so a call only ever gives
    counts; this tells the type checker so, and fails loudly should Prefect stop doing it.
    """
    if isinstance(outcome, State):
        raise TypeError(f"the flow call gave a {outcome.type.value} state instead of counts")
    return outcome

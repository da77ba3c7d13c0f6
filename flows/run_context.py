"""The shared skeleton of every flow run: settings, spool first, batches with progress, report last.

Each flow (monitor, recheck, backfill, reparse) differs only in how it picks its targets; the
order of the rest is fixed here so no flow can forget to load the spool, report, or raise the
extraction-health alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect.artifacts import acreate_progress_artifact, aupdate_progress_artifact
from prefect.logging import get_run_logger
from prefect.runtime import flow_run

from flows import health as health_mod
from flows import run_history
from flows.fetching import Fetcher
from flows.observe import Target
from flows.rate_limit import ensure_rate_limit
from flows.reporting import RunSummary, publish
from flows.settings import Settings
from flows.steps import (
    BatchResult,
    LoadOutcome,
    chunks,
    fetch_parse_spool,
    load_spool,
    publish_snapshot,
)
from warehouse import RunRecord

_COUNT_FOR_OUTCOME = {
    "ok": "fetched",
    "not_modified": "not_modified",
    "removed": "fetched",
    "failed": "failed",
    "parse_error": "parse_error",
}


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
    batch_health: list[health_mod.HealthReport] = field(default_factory=list)
    loaded_batches: int = 0

    def absorb_load(self, outcome: LoadOutcome) -> None:
        self.summary.add(outcome.counts)
        self.summary.changes.extend(outcome.changes)
        self.summary.warnings.extend(outcome.warnings)
        self.summary.counts["spooled"] = outcome.spooled_batches
        self.loaded_batches += outcome.loaded_batches

    def absorb_batch(self, result: BatchResult) -> None:
        for outcome, n in result.outcomes.items():
            key = _COUNT_FOR_OUTCOME[outcome]
            self.summary.counts[key] = self.summary.counts.get(key, 0) + n
        if result.outcomes.get("not_modified"):
            self.summary.counts["fetched"] += result.outcomes["not_modified"]
        self.batch_health.append(result.health)


async def begin(flow: str, settings: Settings, network: bool = True) -> RunState:
    """Record the run, set up the shared rate limit, and load what earlier runs left spooled."""
    state = RunState(RunSummary(flow), settings, run_history.started(current_run_id(), flow))
    warning = run_history.save(settings, state.record)
    if warning:
        state.summary.warnings.append(warning)
    if network:
        await ensure_rate_limit(settings)
    state.absorb_load(load_spool(settings))
    return state


async def process_targets(state: RunState, fetcher: Fetcher, targets: Sequence[Target]) -> None:
    """Fetch → parse → tag → spool → load, one batch at a time, with a progress artifact."""
    if not targets:
        return
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


async def finish(state: RunState) -> dict[str, int]:
    """Report to the UI, then fail the run loudly if extraction health is below the threshold."""
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
    failure = None
    if summary.health.failed(threshold):
        failure = (
            summary.health.message(threshold)
            + ". The site's layout has probably changed: see README, 'When the site changes'."
        )
    final = state.record.model_copy(
        update={
            "finished_at": datetime.now(UTC),
            "state": "failed" if failure else "completed",
            "counts": run_history.with_health(summary.counts, summary.health),
            "message": failure or "; ".join(summary.warnings)[:2000] or None,
        }
    )
    warning = run_history.save(state.settings, final)
    if warning:
        summary.warnings.append(warning)
    summary.snapshot = publish_snapshot(state.settings, state.loaded_batches)
    await publish(summary)
    if failure:
        raise health_mod.ExtractionHealthError(failure)
    return dict(summary.counts)

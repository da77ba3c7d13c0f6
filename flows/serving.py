"""`serve`: every deployment with its schedule, in one long-running process.

The lightest way to run the monitor unattended: no work pool or worker needed. The deployments,
their schedules and concurrency limits are read from prefect.yaml, the file `prefect deploy` uses
to run the same flows on a worker, so both ways run the same schedule.

`monitor` runs once at start, then on its interval (anchored at the start); the console shows
when each deployment runs next and one line per finished run with its counts, its health and
the address of its page in the UI.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from prefect import Flow, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import ConcurrencyLimitConfig, FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.deployments.runner import RunnerDeployment
from prefect.runner import Runner
from prefect.schedules import Cron, Interval, Schedule
from prefect.states import Crashed

from flows import lifecycle
from flows.backfill_flow import backfill
from flows.local_server import prefect_api
from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from flows.reparse_flow import reparse

PREFECT_YAML = Path(__file__).resolve().parent.parent / "prefect.yaml"
FLOWS: dict[str, Flow[..., Any]] = {
    "monitor": monitor,
    "recheck": recheck,
    "reparse": reparse,
    "backfill": backfill,
}
RUN_AT_START = "monitor"
POLL_SECONDS = 3.0
SCHEDULED_WAIT_SECONDS = 20.0
NEXT_RUNS_SHOWN = 3
_UNFINISHED = [StateType.PENDING, StateType.RUNNING, StateType.CANCELLING]
_FINAL = [
    StateType.COMPLETED,
    StateType.FAILED,
    StateType.CRASHED,
    StateType.CANCELLED,
]
_CHANGES_HEADER = re.compile(r"(\d+) change\(s\)")

Say = Callable[[str], None]


def deployment_specs(path: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The `deployments:` entries of prefect.yaml, the one place the schedules are defined."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]


def schedule_from_spec(spec: dict[str, Any], anchor: datetime) -> Schedule:
    if "interval" in spec:
        return Interval(timedelta(seconds=spec["interval"]), anchor_date=anchor)
    if "cron" in spec:
        return Cron(spec["cron"], timezone=spec.get("timezone"))
    raise ValueError(f"prefect.yaml: serve understands interval and cron schedules, got {spec}")


async def deployments(anchor: datetime, path: Path = PREFECT_YAML) -> list[RunnerDeployment]:
    """prefect.yaml's deployments for this process; interval schedules count from `anchor`."""
    built = []
    for spec in deployment_specs(path):
        limit = spec.get("concurrency_limit")
        built.append(
            await FLOWS[spec["name"]].ato_deployment(
                name=spec["name"],
                description=spec.get("description"),
                schedules=[schedule_from_spec(s, anchor) for s in spec.get("schedules") or []],
                parameters=spec.get("parameters") or {},
                tags=spec.get("tags") or [],
                concurrency_limit=ConcurrencyLimitConfig(**limit) if limit else None,
            )
        )
    return built


def ui_url(api_url: str) -> str:
    return api_url.removesuffix("/").removesuffix("/api")


def flow_run_url(ui: str, flow_run_id: UUID) -> str:
    return f"{ui}/runs/flow-run/{flow_run_id}"


def serve_forever(log_dir: Path, say: Say, port: int | None = None) -> None:
    """Serve until Ctrl-C/SIGTERM; a server we started ourselves is stopped on the way out."""
    with prefect_api(log_dir / "prefect-server.log", port=port, advertise=True) as api_url:
        ui = ui_url(api_url)
        say(f"Prefect UI: {ui}")
        try:
            asyncio.run(_serve(ui, say))
        except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C; SIGTERM, SIGHUP: a
            pass  # requested stop, exit status 0
        finally:
            say("serve stopping: shutting the Prefect server down")


async def _serve(ui: str, say: Say) -> None:
    main = asyncio.current_task()
    assert main is not None
    lifecycle.cancel_on_stop_signals(main)
    started = datetime.now(UTC)
    runner = Runner(pause_on_shutdown=True)
    ids: dict[UUID, str] = {}
    say("registering deployments from prefect.yaml…")
    for deployment in await deployments(started):
        ids[await runner.aadd_deployment(deployment)] = deployment.name
    async with get_client() as client:
        for line in await release_orphans(client, ids):
            say(line)
        already_final = {run.id for run in await _final_runs(client, ids)}
        name_to_id = {name: i for i, name in ids.items()}
        first = await client.create_flow_run_from_deployment(name_to_id[RUN_AT_START])
        say(f"{RUN_AT_START}: first run now → {flow_run_url(ui, first.id)}")
    side = asyncio.create_task(_watch(ui, ids, already_final, say, main))
    try:
        await runner.start()
    finally:
        side.cancel()
        with suppress(asyncio.CancelledError):
            await side


async def release_orphans(client, ids: dict[UUID, str]) -> list[str]:
    """Free the concurrency slots that an earlier serve, killed or stopped mid-run, left taken.

    Its unfinished run keeps its deployment's only slot, and the local server keeps no lease
    across a restart, so every new run would be cancelled (CANCEL_NEW) for good. serve runs its
    deployments itself, so at its start no unfinished run of them has a process behind it.
    """
    lines = []
    for run in await client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(ids))),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=_UNFINISHED))
        ),
    ):
        message = "the serve process running it is gone (found at the next serve's start)"
        await client.set_flow_run_state(run.id, Crashed(message=message), force=True)
        lines.append(
            f"{ids.get(run.deployment_id, run.name)}: run {run.name} marked Crashed: {message}"
        )
    for deployment_id, name in ids.items():
        limit = (await client.read_deployment(deployment_id)).global_concurrency_limit
        if limit is not None and limit.active_slots:
            update = GlobalConcurrencyLimitUpdate(active_slots=0)
            await client.update_global_concurrency_limit(limit.name, update)
            lines.append(
                f"{name}: released {limit.active_slots} concurrency slot(s) held by no run"
            )
    return lines


async def _watch(
    ui: str, ids: dict[UUID, str], seen: set[UUID], say: Say, main: asyncio.Task[None]
) -> None:
    """Print when each deployment runs next, then one line per run that finishes."""
    lifecycle.cancel_on_stop_signals(main)  # over the SIGTERM handler the runner set as it started
    async with get_client() as client:
        for line in await _next_runs_lines(client, ids):
            say(line)
        while True:
            for run in reversed(await _final_runs(client, ids)):
                if run.id not in seen:
                    seen.add(run.id)
                    say(await _finished_line(client, ui, ids, run))
            await asyncio.sleep(POLL_SECONDS)


async def _next_runs_lines(client, ids: dict[UUID, str]) -> list[str]:
    """From the server's own scheduled runs, once the scheduler has created them."""
    scheduled = {i for i in ids if (await client.read_deployment(i)).schedules}
    runs: dict[UUID, list[FlowRun]] = {}
    deadline = asyncio.get_running_loop().time() + SCHEDULED_WAIT_SECONDS
    while True:
        runs = {i: await _scheduled_runs(client, i) for i in ids}
        if all(runs[i] for i in scheduled) or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(1)
    lines = []
    for deployment_id, name in ids.items():
        times = [_clock(r.expected_start_time) for r in runs[deployment_id][:NEXT_RUNS_SHOWN]]
        if times:
            lines.append(f"{name}: next runs at {', '.join(times)} UTC")
        elif deployment_id in scheduled:
            lines.append(f"{name}: scheduled, no run planned yet (see the UI)")
        else:
            lines.append(f"{name}: on demand (no schedule; Run from the UI or the CLI)")
    return lines


async def _scheduled_runs(client, deployment_id: UUID) -> list[FlowRun]:
    return await client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
        ),
        sort=FlowRunSort.EXPECTED_START_TIME_ASC,
        limit=NEXT_RUNS_SHOWN + 1,
    )


async def _final_runs(client, ids: dict[UUID, str]) -> list[FlowRun]:
    return await client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(ids))),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=_FINAL))
        ),
        sort=FlowRunSort.END_TIME_DESC,
        limit=50,
    )


async def _finished_line(client, ui: str, ids: dict[UUID, str], run: FlowRun) -> str:
    """`monitor Completed: new 3, fetched 3; 3 change(s); health 100.0% of 3 → <url>`."""
    name = ids.get(run.deployment_id, run.name) if run.deployment_id else run.name
    state = run.state.name if run.state else "?"
    parts = [f"{name} {state}"]
    artifacts = await client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
    )
    by_type = {a.type: a for a in artifacts if a.key}
    if table := by_type.get("table"):
        parts.append(summary_text(table.data))
    markdown = by_type.get("markdown")
    if markdown and isinstance(markdown.data, str) and (m := _CHANGES_HEADER.search(markdown.data)):
        parts.append(f"{m.group(1)} change(s)")
    if run.state and run.state.message and state != "Completed":
        parts.append(run.state.message.splitlines()[0][:200])
    return f"{' · '.join(parts)} → {flow_run_url(ui, run.id)}"


def summary_text(data: object) -> str:
    """Non-zero counts and the health row of the run's summary table artifact."""
    rows = json.loads(data) if isinstance(data, str) else data
    counts, health = [], ""
    for row in rows if isinstance(rows, list) else []:
        item, count = row.get("item", ""), row.get("count", "")
        if item == "extraction health":
            health = f"health {count} of {row.get('found')} pages"
        elif not item.startswith("source:") and isinstance(count, int) and count:
            counts.append(f"{item} {count}")
    return "; ".join(part for part in (", ".join(counts) or "nothing to do", health) if part)


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S") if moment else "?"

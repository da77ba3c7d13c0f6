"""`serve`: every deployment with its schedule, in one long-running process.

The lightest way to run the monitor unattended: no work pool or worker needed. The schedules match
prefect.yaml, which is the way to run the same flows on a worker instead.
"""

from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from flows.backfill_flow import backfill
from flows.local_server import prefect_api
from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from flows.reparse_flow import reparse

MONITOR_EVERY_SECONDS = 600
RECHECK_EVERY_SECONDS = 900


def deployments() -> list[RunnerDeployment]:
    return [
        monitor.to_deployment(name="monitor", interval=MONITOR_EVERY_SECONDS, tags=["liputan6"]),
        recheck.to_deployment(name="recheck", interval=RECHECK_EVERY_SECONDS, tags=["liputan6"]),
        reparse.to_deployment(name="reparse", tags=["liputan6"]),
        backfill.to_deployment(name="backfill", tags=["liputan6"]),
    ]


def ui_url(api_url: str) -> str:
    return api_url.removesuffix("/").removesuffix("/api")


def serve_forever(log_dir: Path, announce) -> None:
    """Serve until Ctrl-C/SIGTERM; a server we started ourselves is stopped on the way out."""
    with prefect_api(log_dir / "prefect-server.log") as api_url:
        announce(ui_url(api_url))
        serve(*deployments(), print_starting_message=False)

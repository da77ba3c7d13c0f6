"""Run records for the `runs` view: a row at the start of a flow run, updated at its end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from warehouse.locking import connect
from warehouse.records import RunRecord
from warehouse.schema import apply_migrations

RUN_COLUMNS = [
    "run_id",
    "flow",
    "started_at",
    "finished_at",
    "state",
    "counts",
    "message",
    "pid",
    "hostname",
]


def record_run(path: Path | str, run: RunRecord, lock_timeout: float = 10.0) -> None:
    """Insert or update the run's row (same run_id: the later record wins)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with connect(path, read_only=False, lock_timeout=lock_timeout) as con:
        apply_migrations(con)
        row = (
            run.run_id,
            run.flow,
            run.started_at,
            run.finished_at,
            run.state,
            json.dumps(run.counts),
            run.message,
            run.pid,
            run.hostname,
        )
        with con.appender("run_records", columns=RUN_COLUMNS, action="upsert") as appender:
            appender.append_row(*row)


def mark_crashed(
    path: Path | str, hostname: str, is_alive: Callable[[int], bool], lock_timeout: float = 10.0
) -> list[str]:
    """Mark `running` rows of this host whose process is gone as `crashed`; returns their ids.

    A run killed with SIGKILL never writes its end, so without this it would stay `running`
    forever. The end time stays unknown (NULL): nobody saw the process die.
    """
    if not Path(path).is_file():
        return []
    with connect(path, read_only=False, lock_timeout=lock_timeout) as con:
        apply_migrations(con)
        rows = con.execute(
            "SELECT run_id, pid FROM run_records "
            "WHERE state = 'running' AND hostname = ? AND pid IS NOT NULL",
            [hostname],
        ).fetchall()
        dead = [run_id for run_id, pid in rows if not is_alive(pid)]
        if dead:
            con.execute(
                "UPDATE run_records SET state = 'crashed', finished_at = NULL, "
                "message = 'process ' || pid || ' on ' || hostname || ' ended without "
                "recording an end (killed?); end time unknown' "
                "WHERE run_id IN (SELECT unnest(?::VARCHAR[]))",
                [dead],
            )
        return dead

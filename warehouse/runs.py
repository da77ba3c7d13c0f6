"""Run records for the `runs` view: a row at the start of a flow run, updated at its end."""

from __future__ import annotations

import json
from pathlib import Path

from warehouse.locking import connect
from warehouse.records import RunRecord
from warehouse.schema import apply_migrations

RUN_COLUMNS = ["run_id", "flow", "started_at", "finished_at", "state", "counts", "message"]


def record_run(path: Path | str, run: RunRecord, lock_timeout: float = 10.0) -> None:
    """Insert or update the run's row (same run_id: the later record wins)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=False, lock_timeout=lock_timeout)
    try:
        apply_migrations(con)
        row = (
            run.run_id,
            run.flow,
            run.started_at,
            run.finished_at,
            run.state,
            json.dumps(run.counts),
            run.message,
        )
        with con.appender("run_records", columns=RUN_COLUMNS, action="upsert") as appender:
            appender.append_row(*row)
    finally:
        con.close()

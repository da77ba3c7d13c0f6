"""Run records in the warehouse's `runs` view, and what earlier runs say is normal.

The run record is metadata: when the database is busy it is skipped with a warning (the Prefect
UI keeps the run anyway), while article data always goes through the spool.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import UTC, datetime

from config.settings import Settings
from flows.health import HealthReport
from flows.writer_lock import WriterBusy, writer_lock
from warehouse import DatabaseLocked, RunRecord, WarehouseMissing, open_readonly, record_run
from warehouse.runs import mark_crashed

log = logging.getLogger(__name__)

RULE_PREFIX = "rule:"
HISTORY_RUNS = 5


def save(settings: Settings, record: RunRecord) -> str | None:
    """Write the run record; returns a warning instead of raising when the database is busy."""
    try:
        with writer_lock(settings.db_path, timeout=settings.lock_timeout):
            record_run(settings.db_path, record, lock_timeout=settings.lock_timeout)
    except (DatabaseLocked, WriterBusy) as exc:
        return f"run record not saved, database busy: {exc}"
    return None


def started(run_id: str, flow: str) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        flow=flow,
        started_at=datetime.now(UTC),
        pid=os.getpid(),
        hostname=socket.gethostname(),
    )


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def mark_dead_runs(settings: Settings) -> str | None:
    """Runs of this machine left `running` by a killed process become `crashed`; returns a
    warning naming them, or the reason they could not be checked (a busy database)."""
    try:
        with writer_lock(settings.db_path, timeout=settings.lock_timeout):
            dead = mark_crashed(
                settings.db_path,
                socket.gethostname(),
                process_alive,
                lock_timeout=settings.lock_timeout,
            )
    except (DatabaseLocked, WriterBusy) as exc:
        return f"could not check for crashed runs, database busy: {exc}"
    if dead:
        names = ", ".join(dead)
        return f"{len(dead)} earlier run(s) died unfinished, marked crashed: {names}"
    return None


def with_health(counts: dict[str, int], health: HealthReport | None) -> dict[str, int]:
    """Counts plus per-rule page counts, the baseline the next runs compare against."""
    if health is None:
        return dict(counts)
    rules = {f"{RULE_PREFIX}{name}": n for name, n in health.rules_fired.items()}
    return {**counts, "pages": health.pages, **rules}


def usual_rule_shares(settings: Settings, flow: str) -> dict[str, float]:
    """Average share of pages each rule fired on over the last completed runs of `flow`."""
    try:
        with open_readonly(settings.db_path, settings.lock_timeout) as con:
            rows = con.execute(
                "SELECT counts FROM runs WHERE flow = ? AND state = 'completed' "
                "ORDER BY started_at DESC LIMIT ?",
                [flow, HISTORY_RUNS],
            ).fetchall()
    except (WarehouseMissing, DatabaseLocked) as exc:
        log.info("no rule history available: %s", exc)
        return {}
    shares: dict[str, list[float]] = {}
    for (raw,) in rows:
        counts = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
        pages = counts.get("pages") or 0
        if pages < 10:
            continue
        for key, value in counts.items():
            if key.startswith(RULE_PREFIX):
                shares.setdefault(key[len(RULE_PREFIX) :], []).append(value / pages)
    return {name: sum(v) / len(v) for name, v in shares.items()}

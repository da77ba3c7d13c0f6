"""The recheck planner: learned hazards and hint quality, refreshed now and then, and the
allocation over them. One object per long-running recheck (or simulation), so the learning
queries run every `relearn_every`, not on every pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from warehouse.allocation import Plan, PolicySettings, select_checks
from warehouse.hazards import HazardTable, ladder_prior, learn
from warehouse.hints import Hint, SourceQuality, record_hints, source_quality
from warehouse.locking import connect
from warehouse.scheduling import Ladder
from warehouse.schema import apply_migrations


@dataclass(frozen=True)
class PlannerSettings:
    policy: PolicySettings = field(default_factory=PolicySettings)
    relearn_every: timedelta = timedelta(minutes=30)
    prior_scale: float = 0.05  # expected changes per ladder interval, while history is thin


class Planner:
    def __init__(self, settings: PlannerSettings, ladder: Ladder) -> None:
        self.settings = settings
        self.prior = ladder_prior(ladder, settings.prior_scale)
        self.hazards: HazardTable | None = None
        self.quality: dict[str, SourceQuality] = {}
        self.learned_at: datetime | None = None

    def relearn(self, con: duckdb.DuckDBPyConnection, now: datetime) -> None:
        self.hazards = learn(con, now, self.prior)
        self.quality = source_quality(con, now)
        self.learned_at = now

    def plan(self, con: duckdb.DuckDBPyConnection, now: datetime, budget: int) -> Plan:
        """The checks worth most now (at most `budget`), and what waits."""
        stale = self.learned_at is None or now - self.learned_at >= self.settings.relearn_every
        if stale or self.hazards is None:
            self.relearn(con, now)
        assert self.hazards is not None
        return select_checks(con, now, budget, self.hazards, self.quality, self.settings.policy)


def record_site_hints(
    con: duckdb.DuckDBPyConnection,
    hints: Sequence[Hint],
    seen_at: datetime,
    run_id: str | None = None,
) -> int:
    """Store hints in one transaction (they are only ever appended)."""
    con.execute("BEGIN TRANSACTION")
    try:
        stored = record_hints(con, hints, seen_at, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return stored


def store_hints(
    path: Path | str,
    hints: Sequence[Hint],
    seen_at: datetime,
    run_id: str | None = None,
    lock_timeout: float = 10.0,
) -> int:
    """`record_site_hints` on the file: its own short write connection, migrated first."""
    con = connect(path, read_only=False, lock_timeout=lock_timeout)
    try:
        apply_migrations(con)
        return record_site_hints(con, hints, seen_at, run_id)
    finally:
        con.close()

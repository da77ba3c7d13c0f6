"""The recheck planner: learned hazards and hint quality, refreshed now and then, and the
allocation over them. One object per long-running recheck (or simulation), so the learning
queries run every `relearn_every`, not on every pass.

The request budget follows the archive: the ladder's spend grows with every article it still
watches (about 100 checks each over a year), so a fixed budget is too large for a young
warehouse and, as a share of the ladder, shrinks as the archive grows. `ladder_share` sets the
budget to that share of what the ladder would spend now on the warehouse's own articles
(`ladder_rate`), accrued pass by pass as credit: a pass that finds too little worth checking
saves at most one pass's worth for the next, and time the recheck did not run (downtime) earns
nothing, so a drain never spends faster than the budget."""

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
    ladder_share: float | None = None  # budget: this share of the ladder's spend (None: off)
    ladder_cadence: timedelta = timedelta(minutes=15)  # how often the ladder's recheck ran


class Planner:
    def __init__(self, settings: PlannerSettings, ladder: Ladder) -> None:
        self.settings = settings
        self.ladder = ladder
        self.prior = ladder_prior(ladder, settings.prior_scale)
        self.hazards: HazardTable | None = None
        self.quality: dict[str, SourceQuality] = {}
        self.learned_at: datetime | None = None
        self.ladder_rate = 0.0  # requests per second the ladder would spend now
        self.credit = 0.0  # requests the ladder share has earned and not spent
        self.earned = 0.0  # all the ladder share has earned (accounting)
        self.charged = 0  # all requests charged against it

    def relearn(self, con: duckdb.DuckDBPyConnection, now: datetime) -> None:
        self.hazards = learn(con, now, self.prior)
        self.quality = source_quality(con, now)
        self.ladder_rate = ladder_rate(con, now, self.ladder, self.settings.ladder_cadence)
        self.learned_at = now

    def accrue(self, seconds: float) -> None:
        """Earn one pass's budget (`seconds` long) at the ladder share; keep at most one
        pass's worth of savings."""
        if self.settings.ladder_share is None:
            return
        earned = self.settings.ladder_share * self.ladder_rate * seconds
        self.earned += earned
        self.credit = min(self.credit + earned, 2 * earned + 1)

    def charge(self, requests: int) -> None:
        """Count requests made for the recheck outside the plan (hint polls) against the
        budget."""
        if self.settings.ladder_share is not None:
            self.credit -= requests
            self.charged += requests

    def plan(
        self,
        con: duckdb.DuckDBPyConnection,
        now: datetime,
        budget: int,
        seconds: float | None = None,
    ) -> Plan:
        """The checks worth most now (at most `budget`, the politeness cap), and what waits.

        With `ladder_share` set, a pass of `seconds` also earns and spends the ladder-share
        credit, and the plan stays within it."""
        stale = self.learned_at is None or now - self.learned_at >= self.settings.relearn_every
        if stale or self.hazards is None:
            self.relearn(con, now)
        assert self.hazards is not None
        if seconds is not None and self.settings.ladder_share is not None:
            self.accrue(seconds)
            budget = max(0, min(budget, int(self.credit)))
        plan = select_checks(
            con, now, budget, self.hazards, self.quality, self.settings.policy, seconds or 0.0
        )
        if seconds is not None:
            self.charge(len(plan.checks))
        return plan


def ladder_rate(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    ladder: Ladder,
    cadence: timedelta = timedelta(minutes=15),
) -> float:
    """Requests per second the age ladder would spend on the warehouse's articles now: one
    check per ladder interval for every article it still watches, its age counted (as the
    ladder does) from the last change.

    The ladder's recheck runs every `cadence`, and a check falls due just after the run that
    made the last one (its fetch is a little later than the run's start), so it waits for the
    following run: the ladder really checks once per interval plus one cadence. Leaving that
    out counts 15-minute steps at twice what the ladder spends and overstates its whole spend by
    about a sixth, which a share of it inherits."""
    steps = [
        (age.total_seconds(), (interval + cadence).total_seconds())
        for age, interval in ladder.steps
    ]
    lows = [0.0] + [age for age, _ in steps[:-1]]
    found = con.execute(
        """
        SELECT sum(1.0 / s.interval) FROM articles a
        JOIN (SELECT unnest(?::DOUBLE[]) AS lo, unnest(?::DOUBLE[]) AS hi,
                     unnest(?::DOUBLE[]) AS interval) s
          ON epoch(?::TIMESTAMPTZ) - epoch(a.last_changed) >= s.lo
         AND epoch(?::TIMESTAMPTZ) - epoch(a.last_changed) < s.hi
        WHERE a.next_check_at IS NOT NULL
        """,
        [lows, [age for age, _ in steps], [interval for _, interval in steps], now, now],
    ).fetchall()
    return float(found[0][0] or 0.0)


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
    with connect(path, read_only=False, lock_timeout=lock_timeout) as con:
        apply_migrations(con)
        return record_site_hints(con, hints, seen_at, run_id)

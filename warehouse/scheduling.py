"""When to look at an article again: NewsDiffs' age-based ladder.

Fresh or recently edited stories change most, so they are rechecked often; old stories almost
never change, so checking them on a fixed loop only grows the backlog (diffengine's 8-hour
rechecks). Age is measured from the last real change (edit, revert, removal, restoration) or, for
an article never seen to change, from its publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

NEWSDIFFS_STEPS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(hours=3), timedelta(minutes=15)),
    (timedelta(days=1), timedelta(hours=1)),
    (timedelta(days=7), timedelta(hours=3)),
    (timedelta(days=30), timedelta(days=3)),
    (timedelta(days=365), timedelta(days=30)),
)


@dataclass(frozen=True)
class Ladder:
    """`(max_age, interval)` steps in increasing age; past the last step an article is done."""

    steps: tuple[tuple[timedelta, timedelta], ...] = NEWSDIFFS_STEPS

    def __post_init__(self) -> None:
        ages = [age for age, _ in self.steps]
        if ages != sorted(ages) or any(interval <= timedelta(0) for _, interval in self.steps):
            raise ValueError("ladder steps need increasing ages and positive intervals")

    @classmethod
    def from_steps(cls, steps: Sequence[tuple[timedelta, timedelta]]) -> Ladder:
        """From Settings.recheck_ladder."""
        return cls(steps=tuple((age, interval) for age, interval in steps))

    def interval(self, age: timedelta) -> timedelta | None:
        for max_age, interval in self.steps:
            if age < max_age:
                return interval
        return None

    def next_check(self, checked_at: datetime, changed_at: datetime) -> datetime | None:
        """The next recheck after a check at `checked_at`, or None when the article is done."""
        interval = self.interval(max(checked_at - changed_at, timedelta(0)))
        return checked_at + interval if interval is not None else None

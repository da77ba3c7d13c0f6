"""What loading a batch did: counts per outcome and one summary per change, for the run report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from warehouse.kinds import LOAD_COUNTS, Count, EventKind


@dataclass(frozen=True)
class ChangeSummary:
    """One change for the run report: the `article_changes` kinds, plus `new` for a first
    sighting (which has a version but no change row)."""

    article_id: int
    kind: EventKind
    url: str
    title_before: str | None
    title_after: str | None
    changed_fields: list[str]
    words_added: int
    words_removed: int
    version_from: int | None
    version_to: int | None


@dataclass
class LoadReport:
    """What a batch did; `already_loaded` is True (and every count 0) for a repeated batch.
    `report[Count.changed]` reads one count."""

    batch_id: str
    already_loaded: bool = False
    tally: Counter[Count] = field(default_factory=Counter)
    changes: list[ChangeSummary] = field(default_factory=list)

    def record(self, kind: EventKind) -> None:
        self.tally[Count.of_event(kind)] += 1

    def __getitem__(self, count: Count) -> int:
        if count not in LOAD_COUNTS:
            raise KeyError(f"{count} is not a load count")
        return self.tally[count]

    def counts(self) -> dict[str, int]:
        """Every load count, zero or not, in event-kind order (stored in `loaded_batches`)."""
        return {count.value: self.tally[count] for count in LOAD_COUNTS}

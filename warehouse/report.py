"""What loading a batch did: counts per outcome and one summary per change, for the run report."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class ChangeSummary:
    """One change for the run report: the `article_changes` kinds, plus `new` for a first
    sighting (which has a version but no change row)."""

    article_id: int
    kind: str
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
    """What a batch did; `already_loaded` is True (and every count 0) for a repeated batch."""

    batch_id: str
    already_loaded: bool = False
    new: int = 0
    changed: int = 0
    cosmetic: int = 0
    unchanged: int = 0
    not_modified: int = 0
    removed: int = 0
    restored: int = 0
    revert: int = 0
    parser_change: int = 0
    flip_flop_suppressed: int = 0
    failed: int = 0
    parse_error: int = 0
    skipped: int = 0
    changes: list[ChangeSummary] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type == "int"}

"""The closed vocabularies of the warehouse, one StrEnum each.

Everything that lists them is derived from these: the load report's counts, the run summary's
rows, the SQL CHECK constraints on `kind`, `status` and `outcome`, and the CLI's `--kind`
choices. A member added here shows up everywhere at once; only a database created by an older
release keeps its old CHECK constraint until a migration rebuilds the table (see schema.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ChangeKind(StrEnum):
    """A row of `changes` (the `article_changes` view's `kind`)."""

    edit = "edit"
    removed = "removed"
    restored = "restored"
    revert = "revert"
    parser_change = "parser_change"


class EventKind(StrEnum):
    """What one observation meant to change detection; the change kinds are among them."""

    new = "new"
    edit = "edit"
    cosmetic = "cosmetic"
    unchanged = "unchanged"
    not_modified = "not_modified"
    removed = "removed"
    restored = "restored"
    revert = "revert"
    parser_change = "parser_change"
    flip_flop = "flip_flop"
    failed = "failed"
    parse_error = "parse_error"
    skipped = "skipped"


ERROR_EVENTS = (EventKind.failed, EventKind.parse_error, EventKind.skipped)
"""The events recorded in `observation_errors` (its `outcome` column)."""


class ArticleStatus(StrEnum):
    """`articles.status`."""

    live = "live"
    removed = "removed"


class FetchOutcome(StrEnum):
    """How one HTTP attempt ended (`fetches.outcome`, the fetch log)."""

    ok = "ok"
    not_modified = "not_modified"
    removed = "removed"
    not_article = "not_article"
    blocked_by_robots = "blocked_by_robots"
    robots_unreachable = "robots_unreachable"
    too_large = "too_large"
    http_error = "http_error"
    network_error = "network_error"


class ObservationOutcome(StrEnum):
    """What one check of one article found, as the flows hand it to the warehouse."""

    ok = "ok"  # fetched and parsed: `article` is set
    not_modified = "not_modified"  # 304: content unchanged since the stored validators
    removed = "removed"  # 404/410 or a redirect to the home page
    parse_error = "parse_error"  # fetched, but the parser could not extract it: `error` says why
    failed = "failed"  # could not be fetched this time (network, 5xx, too large, robots)


class Count(StrEnum):
    """The counts a run reports, in the order its summary lists them."""

    discovered = "discovered"
    fetched = "fetched"
    not_modified = "not_modified"
    new = "new"
    changed = "changed"
    cosmetic = "cosmetic"
    unchanged = "unchanged"
    removed = "removed"
    restored = "restored"
    revert = "revert"
    parser_change = "parser_change"
    flip_flop_suppressed = "flip_flop_suppressed"
    failed = "failed"
    disallowed = "disallowed"  # skipped because robots.txt disallows them: not counted as failed
    parse_error = "parse_error"
    skipped = "skipped"
    spooled = "spooled"
    backlog = "backlog"  # recheck: articles due but left for the next run
    hinted = "hinted"  # recheck: targets picked because the site hinted at a change
    hints = "hints"  # recheck: change hints stored

    @classmethod
    def of_event(cls, kind: EventKind) -> Count:
        """The count an event adds to: its own name, but for two read better in a summary."""
        return _EVENT_COUNTS.get(kind) or cls(kind.value)

    @classmethod
    def of_outcome(cls, outcome: ObservationOutcome) -> Count:
        """The fetch-side count an observation adds to, before it is loaded."""
        return _OUTCOME_COUNTS[outcome]


_EVENT_COUNTS = {EventKind.edit: Count.changed, EventKind.flip_flop: Count.flip_flop_suppressed}
_OUTCOME_COUNTS = {
    ObservationOutcome.ok: Count.fetched,
    ObservationOutcome.not_modified: Count.not_modified,
    ObservationOutcome.removed: Count.fetched,
    ObservationOutcome.failed: Count.failed,
    ObservationOutcome.parse_error: Count.parse_error,
}

LOAD_COUNTS = tuple(dict.fromkeys(Count.of_event(kind) for kind in EventKind))
"""What loading a batch counts: one count per event kind."""

FETCH_COUNTS = (*dict.fromkeys(_OUTCOME_COUNTS.values()), Count.disallowed)
"""What a run counts from its fetches, before loading."""

RECHECK_COUNTS = (Count.backlog, Count.hinted, Count.hints)
"""Counts only the recheck flow reports."""

RUN_COUNTS = tuple(c for c in Count if c not in RECHECK_COUNTS)
"""The rows of every run's summary, zero or not."""

MERGED_LOAD_COUNTS = tuple(c for c in LOAD_COUNTS if c not in FETCH_COUNTS)
"""The load counts a run summary takes from its load reports; the fetch-side ones (304s,
failures) are counted from the batches themselves, so a spooled batch is not counted twice."""


def sql_in(column: str, vocabulary: Iterable[StrEnum]) -> str:
    """`column IN ('a', 'b', ...)` for a CHECK constraint: an enum class or some members."""
    values = ", ".join("'" + member.value.replace("'", "''") + "'" for member in vocabulary)
    return f"{column} IN ({values})"

"""What the read-only CLI shows: one article's versions and changes, recent changes, diffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.diffing import VersionDiff, diff_snapshots
from warehouse.kinds import ChangeKind
from warehouse.queries import version_snapshots


class NotFound(LookupError):
    """The article or version asked for is not in the warehouse."""


@dataclass(frozen=True)
class DiffRequest:
    article_id: int
    version_from: int
    version_to: int
    diff: VersionDiff

    @property
    def header(self) -> str:
        return f"article {self.article_id}: version {self.version_from} -> {self.version_to}"


@dataclass(frozen=True)
class VersionRow:
    version: int
    fetched_at: datetime
    title: str
    parser_version: str
    content_hash: str  # its first 12 hex digits, enough to tell versions apart on screen
    is_current: bool


@dataclass(frozen=True)
class ChangeRow:
    detected_at: datetime
    kind: str
    from_version: int | None
    to_version: int | None
    changed_fields: list[str]
    words_added: int
    words_removed: int


@dataclass(frozen=True)
class RecentChange:
    detected_at: datetime
    article_id: int
    kind: str
    from_version: int | None
    to_version: int | None
    changed_fields: list[str]
    words_added: int
    words_removed: int
    title: str | None
    url: str


def article_versions(con: duckdb.DuckDBPyConnection, article_id: int) -> list[VersionRow]:
    found = con.execute(
        """SELECT version, fetched_at, title, parser_version, left(content_hash, 12), is_current
           FROM article_versions WHERE article_id = ? ORDER BY version""",
        [article_id],
    ).fetchall()
    if not found:
        raise NotFound(f"article {article_id} is not in the warehouse")
    return [VersionRow(*row) for row in found]


def article_change_rows(con: duckdb.DuckDBPyConnection, article_id: int) -> list[ChangeRow]:
    found = con.execute(
        """SELECT detected_at, kind, from_version, to_version, changed_fields, words_added,
                  words_removed
           FROM article_changes WHERE article_id = ? ORDER BY detected_at, change_id""",
        [article_id],
    ).fetchall()
    return [ChangeRow(*row) for row in found]


def recent_changes(
    con: duckdb.DuckDBPyConnection, since: datetime, kinds: list[ChangeKind], limit: int
) -> list[RecentChange]:
    found = con.execute(
        """SELECT detected_at, article_id, kind, from_version, to_version, changed_fields,
                  words_added, words_removed, coalesce(title_after, title_before), url
           FROM article_changes
           WHERE detected_at >= ? AND (len(?::VARCHAR[]) = 0 OR kind IN (SELECT unnest(?)))
           ORDER BY detected_at DESC, change_id DESC LIMIT ?""",
        [since, kinds, kinds, limit],
    ).fetchall()
    return [RecentChange(*row) for row in found]


def version_diff(
    con: duckdb.DuckDBPyConnection,
    article_id: int,
    version_from: int | None = None,
    version_to: int | None = None,
) -> DiffRequest:
    """The diff between two versions; by default the latest change between two versions."""
    snapshots = version_snapshots(con, article_id)
    if not snapshots:
        raise NotFound(f"article {article_id} is not in the warehouse")
    if version_from is None and version_to is None:
        version_from, version_to = _latest_pair(con, article_id)
    elif version_to is None:
        version_to = max(snapshots)
    elif version_from is None:
        version_from = version_to - 1
    assert version_from is not None and version_to is not None
    for number in (version_from, version_to):
        if number not in snapshots:
            known = ", ".join(map(str, snapshots))
            raise NotFound(f"article {article_id} has no version {number} (it has {known})")
    before, after = snapshots[version_from], snapshots[version_to]
    diff = diff_snapshots(before.snapshot, after.snapshot, before.topics, after.topics)
    return DiffRequest(article_id, version_from, version_to, diff)


def _latest_pair(con: duckdb.DuckDBPyConnection, article_id: int) -> tuple[int, int]:
    found = con.execute(
        """SELECT version_from, version_to FROM changes
           WHERE article_id = ? AND version_from IS NOT NULL AND version_to IS NOT NULL
             AND version_from <> version_to
           ORDER BY detected_at DESC, change_id DESC LIMIT 1""",
        [article_id],
    ).fetchall()
    if not found:
        raise NotFound(f"article {article_id} has a single version: nothing to compare")
    return found[0]

"""The window's changes as the last publication read them, kept in the manifest's SQLite file.

The list pages show every public change of the last 30 days, ~45,000 on a year of Liputan6. An
incremental publication reads from the warehouse only the window rows of the articles touched
since the last one (their changes, URL and topics are the only ones that can differ) and takes
the rest from here, instead of reading and converting the whole window every run.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from warehouse.site_source import ChangeRecord

SCHEMA = """
CREATE TABLE window_changes (
    change_id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    version_from INTEGER,
    version_to INTEGER,
    detected_us INTEGER NOT NULL,
    changed_fields TEXT NOT NULL,
    title_before TEXT,
    title_after TEXT,
    words_added INTEGER NOT NULL,
    words_removed INTEGER NOT NULL,
    topics TEXT NOT NULL
);
CREATE INDEX window_changes_article ON window_changes (article_id);
"""
_INSERT = "INSERT INTO window_changes VALUES (" + ", ".join("?" * 13) + ")"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _row(c: ChangeRecord) -> tuple:
    return (
        c.change_id,
        c.article_id,
        c.url,
        c.kind,
        c.version_from,
        c.version_to,
        (c.detected_at - _EPOCH) // _MICROSECOND,
        json.dumps(c.changed_fields),
        c.title_before,
        c.title_after,
        c.words_added,
        c.words_removed,
        json.dumps(c.topics),
    )


def _record(row: tuple) -> ChangeRecord:
    change_id, article_id, url, kind, version_from, version_to = row[:6]
    detected, fields, before, after, added, removed, topics = row[6:]
    return ChangeRecord(
        change_id,
        article_id,
        url,
        kind,
        version_from,
        version_to,
        _EPOCH + timedelta(microseconds=detected),
        _names(fields),
        before,
        after,
        added,
        removed,
        _names(topics),
    )


@functools.lru_cache(maxsize=8192)
def _names(text: str) -> tuple[str, ...]:
    """Decoded once per distinct list: a window holds a few hundred distinct field and topic
    lists in ~90,000 cells, and decoding each cell was half the cost of reading the window."""
    return tuple(json.loads(text))


def replace(con: sqlite3.Connection, records: Iterable[ChangeRecord]) -> None:
    """Keep exactly `records` (a whole window read from the warehouse)."""
    con.execute("DELETE FROM window_changes")
    con.executemany(
        f"INSERT INTO window_changes VALUES ({', '.join('?' * 13)})", map(_row, records)
    )


def refresh(
    con: sqlite3.Connection, article_ids: list[int], records: Iterable[ChangeRecord]
) -> list[ChangeRecord]:
    """Replace the rows of `article_ids` with `records` (their window rows now), leaving the file
    untouched when they are the same; returns the whole window, newest first."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS refreshed (article_id INTEGER PRIMARY KEY)")
    con.execute("DELETE FROM refreshed")
    con.executemany("INSERT INTO refreshed VALUES (?)", ((a,) for a in article_ids))
    mine = "FROM window_changes WHERE article_id IN (SELECT article_id FROM refreshed)"
    rows = sorted(map(_row, records))
    if sorted(con.execute(f"SELECT * {mine}")) != rows:
        con.execute(f"DELETE {mine}")
        con.executemany(_INSERT, rows)
    found = con.execute("SELECT * FROM window_changes ORDER BY detected_us DESC, change_id DESC")
    return [_record(row) for row in found]

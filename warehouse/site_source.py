"""The read side behind the published site: every change, and each changed article's history.

The site is rebuilt from these records alone, read from the published read snapshot (the live
file only before the first publication, or when asked), so a long build never keeps loads out.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from warehouse.diffing import VersionDiff, diff_snapshots
from warehouse.kinds import ChangeKind, sql_in
from warehouse.normalize import DIFFED_TOPIC_SQL, Snapshot, snapshot_from_row
from warehouse.snapshot import open_read

# Kinds a reader of the site cares about; `parser_change` is our own re-parse, shown only in an
# article's history.
PUBLIC_KINDS = (ChangeKind.edit, ChangeKind.revert, ChangeKind.removed, ChangeKind.restored)
_CHUNK = 500
_WIB = timezone(timedelta(hours=7), "WIB")  # Asia/Jakarta has had no DST since 1964


def open_site_source(
    path: Path | str, live: bool = False
) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A read-only connection to the data the site is built from: the read snapshot, or the
    live file when `live` or when no snapshot has been published yet."""
    return open_read(path, live=live, fallback_to_live=True)


@dataclass(frozen=True)
class Marks:
    """How far the warehouse had got: its newest change and its latest check of an article."""

    change_id: int
    checked: datetime | None


@dataclass(frozen=True)
class ChangeRecord:
    change_id: int
    article_id: int
    url: str
    kind: str
    version_from: int | None
    version_to: int | None
    detected_at: datetime
    changed_fields: tuple[str, ...]
    title_before: str | None
    title_after: str | None
    words_added: int
    words_removed: int
    topics: tuple[str, ...]

    @property
    def headline_changed(self) -> bool:
        return "title" in self.changed_fields and self.kind in (ChangeKind.edit, ChangeKind.revert)

    @property
    def diff_versions(self) -> tuple[int, int] | None:
        """The two versions a diff compares; None when there is no pair (a capture, a deletion)."""
        if self.version_from is None or self.version_to is None:
            return None
        if self.version_from == self.version_to:
            return None
        return self.version_from, self.version_to


@dataclass(frozen=True)
class VersionRecord:
    version: int
    fetched_at: datetime
    title: str
    parser_version: str
    is_current: bool


@dataclass(frozen=True)
class ArticleHistory:
    """One article's page: its versions, every change (parser changes included), their diffs."""

    article_id: int
    url: str
    status: str
    versions: tuple[VersionRecord, ...]
    changes: tuple[ChangeRecord, ...]
    diffs: dict[int, VersionDiff]  # change_id -> diff, for changes between two versions


# Current topics straight from the tables: the `article_topics` view also joins every version's
# text, which costs seconds on a year of data.
_CURRENT_TOPICS = f"""
    SELECT t.article_id, t.topic FROM version_topics t
    JOIN articles a ON a.article_id = t.article_id AND t.version = a.current_version
    WHERE t.source IN {DIFFED_TOPIC_SQL}
"""
_COLUMNS = """c.change_id, c.article_id, c.url, c.kind, c.from_version, c.to_version,
    c.detected_at, c.changed_fields, c.title_before, c.title_after, c.words_added,
    c.words_removed"""
_PUBLIC = sql_in("c.kind", PUBLIC_KINDS)
_IDS = "article_id IN (SELECT unnest($ids::BIGINT[]))"
# `article_changes` (and the article's status) for the articles in $ids, both tables filtered to
# them before the join: through the view, every article (~550,000 a year) is scanned and hashed
# first, ten times slower for a few hundred articles.
_CHANGES_OF = f"""(
    SELECT c.change_id, c.article_id, a.url, c.kind, c.version_from AS from_version,
           c.version_to AS to_version, c.detected_at, c.changed_fields, c.title_before,
           c.title_after, c.words_added, c.words_removed, a.status
    FROM (SELECT * FROM changes WHERE {_IDS}) c
    JOIN (SELECT article_id, url, status FROM articles WHERE {_IDS}) a USING (article_id)
) c"""
# The window's public changes (of every article, or `_CHANGES_OF` some) with their articles'
# current topics, newest first: what the list pages show.
_WINDOW = f"""
    WITH recent AS (
        SELECT * FROM {{changes}} WHERE c.detected_at >= $since AND {_PUBLIC}
    ),
    topics AS (
        SELECT article_id, list(DISTINCT topic ORDER BY topic) AS topics
        FROM ({_CURRENT_TOPICS}) WHERE article_id IN (SELECT article_id FROM recent)
        GROUP BY article_id
    )
    SELECT {_COLUMNS}, coalesce(t.topics, []) AS topics
    FROM recent c LEFT JOIN topics t USING (article_id)
    ORDER BY c.detected_at DESC, c.change_id DESC
"""
# Every change, for the queries that do not need topics.
_ALL = f"(SELECT {_COLUMNS}, {_PUBLIC} AS public FROM article_changes c) c"
_TOPIC_SET = f"""
    SELECT DISTINCT topic FROM ({_CURRENT_TOPICS})
    WHERE article_id IN (SELECT article_id FROM changes c WHERE {_PUBLIC}) {{only}} ORDER BY topic
"""
# Every topic some version of these articles (those with a public change) had, and whether
# their current versions have it.
_TOUCHED_TOPICS = f"""
    SELECT t.topic, bool_or(t.version = a.current_version)
    FROM version_topics t
    JOIN (SELECT article_id, current_version FROM articles WHERE {_IDS}) a USING (article_id)
    WHERE t.{_IDS} AND t.source IN {DIFFED_TOPIC_SQL}
      AND t.article_id IN (SELECT article_id FROM changes c WHERE {_PUBLIC} AND c.{_IDS})
    GROUP BY t.topic
"""
_NEWEST = " ORDER BY c.detected_at DESC, c.change_id DESC"
_HEADLINE = (
    sql_in("c.kind", (ChangeKind.edit, ChangeKind.revert))
    + " AND list_contains(c.changed_fields, 'title')"
)
_MONTH = "strftime(c.detected_at AT TIME ZONE 'Asia/Jakarta', '%Y-%m')"
_REMOVAL = sql_in("c.kind", (ChangeKind.removed, ChangeKind.restored))
# What can make a published change look different later: its row is never updated, but the
# article's URL can move.
_DIGEST_ITEM = "c.change_id::VARCHAR || c.url"


def _change(row: tuple) -> ChangeRecord:
    change_id, article_id, url, kind, version_from, version_to, detected_at, *rest = row
    fields, before, after, added, removed, topics = rest
    return ChangeRecord(
        change_id,
        article_id,
        url,
        kind,
        version_from,
        version_to,
        detected_at,
        tuple(fields),
        before,
        after,
        added,
        removed,
        tuple(topics),
    )


@dataclass(frozen=True)
class MonthDigest:
    month: str  # YYYY-MM in WIB
    changes: int
    digest: str
    headlines: int  # of `changes`, headline changes
    removals: int  # and removals and restorations


@dataclass(frozen=True)
class OlderCounts:
    """How many public changes a list had before a moment: where its fixed page cuts fall."""

    all: int
    headlines: int
    removals: int


@dataclass(frozen=True)
class FeedSelection:
    """The newest public changes per feed; `topics` holds every topic with a public change."""

    all: list[ChangeRecord]
    headlines: list[ChangeRecord]
    removals: list[ChangeRecord]
    topics: dict[str, list[ChangeRecord]]


def newest_public_change(con: duckdb.DuckDBPyConnection) -> int:
    """The id of the newest change the site shows, 0 before the first."""
    found = con.execute(f"SELECT coalesce(max(change_id), 0) FROM changes c WHERE {_PUBLIC}")
    row = found.fetchone()
    return int(row[0]) if row else 0


class SiteChanges:
    """The site's queries about the changes, for a window starting at `since`; those taking
    article ids read only those articles' rows, which is what keeps an incremental publication
    small on a year of data."""

    def __init__(self, con: duckdb.DuckDBPyConnection, since: datetime) -> None:
        self.con = con
        self.since = since

    def window(self, article_ids: list[int] | None = None) -> list[ChangeRecord]:
        """Public changes detected at or after `since` (of `article_ids` only, when given),
        with their articles' current topics, newest first."""
        source = "article_changes c" if article_ids is None else _CHANGES_OF
        found = self.con.execute(
            _WINDOW.format(changes=source),
            {"since": self.since} | ({} if article_ids is None else {"ids": article_ids}),
        )
        return [_change(row) for row in found.fetchall()]

    def marks(self) -> Marks:
        found = self.con.execute(
            """SELECT (SELECT coalesce(max(change_id), 0) FROM changes),
                      (SELECT max(last_checked) FROM articles)"""
        ).fetchone()
        assert found is not None  # scalar subqueries only: always one row
        return Marks(*found)

    def touched(self, since: Marks) -> list[int]:
        """Articles that gained a change after `since`, or were checked at or after its last
        check (a check can move an article's URL without a change): the only articles whose
        pages, or whose entries in other pages, can differ from that publication's."""
        rows = self.con.execute(
            """SELECT article_id FROM changes WHERE change_id > ?
               UNION SELECT article_id FROM articles WHERE last_checked >= ?""",
            [since.change_id, since.checked],
        ).fetchall()
        return sorted(article_id for (article_id,) in rows)

    def topics(self) -> list[str]:
        """Every topic an article with a public change is on now."""
        return [topic for (topic,) in self.con.execute(_TOPIC_SET.format(only="")).fetchall()]

    def topics_after(self, saved: list[str], article_ids: list[int]) -> list[str]:
        """`topics()`, from the last publication's and what changed since: only `article_ids`
        can have gained or lost a topic, and a topic one of them lost is looked up again."""
        found = self.con.execute(_TOUCHED_TOPICS, {"ids": article_ids}).fetchall()
        held = {topic for topic, current in found if current}
        lost = sorted({topic for topic, _ in found} & set(saved) - held)
        if lost:
            only = "AND topic IN (SELECT unnest($lost::VARCHAR[]))"
            rows = self.con.execute(_TOPIC_SET.format(only=only), {"lost": lost}).fetchall()
            held |= {topic for (topic,) in rows}
        return sorted(set(saved) - set(lost) | held)

    def months_of(self, article_ids: list[int], before: datetime) -> list[str]:
        """The archive months holding a public change of one of these articles."""
        rows = self.con.execute(
            f"""SELECT DISTINCT {_MONTH} FROM changes c
                WHERE {_PUBLIC} AND c.detected_at < ?
                  AND c.article_id IN (SELECT unnest(?::BIGINT[]))""",
            [before, article_ids],
        ).fetchall()
        return [month for (month,) in rows]

    def archive_digests(
        self, before: datetime, months: list[str] | None = None
    ) -> list[MonthDigest]:
        """Per WIB month (every one, or only `months`), the public changes detected before
        `before`: counts and a digest, so an unchanged month is neither read nor rendered
        again. Given months are read by their time range, not by formatting every row's date."""
        only = " OR ".join("(c.detected_at >= ? AND c.detected_at < ?)" for _ in months or [])
        bounds = [moment for month in months or [] for moment in _month_range(month)]
        rows = self.con.execute(
            f"""SELECT {_MONTH} AS month, count(*),
                       md5(string_agg({_DIGEST_ITEM}, ',' ORDER BY c.change_id)),
                       count(*) FILTER ({_HEADLINE}), count(*) FILTER ({_REMOVAL})
                FROM {_ALL} WHERE public AND c.detected_at < ? {f"AND ({only})" if only else ""}
                GROUP BY month ORDER BY month DESC""",
            [before, *bounds],
        ).fetchall()
        return [MonthDigest(*row) for row in rows]

    def feeds(self, recent: list[ChangeRecord], topics: list[str], size: int) -> FeedSelection:
        """The newest `size` public changes of each feed: taken from the window's `recent`
        changes (newest first), and only for a feed the window does not fill, from before it."""
        by_feed = {
            "all": recent,
            "headlines": [c for c in recent if c.headline_changed],
            "removals": [c for c in recent if c.kind == ChangeKind.removed],
        }
        by_feed |= {f"topic:{t}": [c for c in recent if t in c.topics] for t in topics}
        short = [feed for feed, found in by_feed.items() if len(found) < size]
        older = self._older_feeds(short, size) if short else {}
        chosen = {feed: (found + older.get(feed, []))[:size] for feed, found in by_feed.items()}
        topic_feeds = {t: chosen[f"topic:{t}"] for t in topics}
        return FeedSelection(chosen["all"], chosen["headlines"], chosen["removals"], topic_feeds)

    def _older_feeds(self, feeds: list[str], size: int) -> dict[str, list[ChangeRecord]]:
        """The newest `size` public changes before the window of each of `feeds`: ids picked
        per feed by a top-N aggregate (no sort of every row), then those rows read once."""
        picked = self.con.execute(
            f"""WITH public AS (SELECT * FROM changes c WHERE {_PUBLIC} AND detected_at < $since),
                feeds AS (
                    SELECT 'all' AS feed, change_id, detected_at FROM public
                    UNION ALL SELECT 'headlines', change_id, detected_at FROM public c
                              WHERE {_HEADLINE}
                    UNION ALL SELECT 'removals', change_id, detected_at FROM public
                              WHERE kind = 'removed'
                    UNION ALL SELECT 'topic:' || t.topic, change_id, detected_at
                              FROM public JOIN ({_CURRENT_TOPICS}) t USING (article_id)
                )
                SELECT feed, arg_max(change_id, (detected_at, change_id), $size) FROM feeds
                WHERE feed IN (SELECT unnest($feeds::VARCHAR[])) GROUP BY feed""",
            {"since": self.since, "size": size, "feeds": feeds},
        ).fetchall()
        wanted = sorted({change_id for _, ids in picked for change_id in ids})
        records = {
            row[0]: _change(row)
            for row in self.con.execute(
                f"""SELECT {_COLUMNS}, [] FROM article_changes c
                    WHERE change_id IN (SELECT unnest(?::BIGINT[]))""",
                [wanted],
            ).fetchall()
        }
        return {
            feed: sorted(
                (records[change_id] for change_id in ids),
                key=lambda c: (c.detected_at, c.change_id),
                reverse=True,
            )
            for feed, ids in picked
        }

    def article_digests(self, article_ids: list[int] | None = None) -> dict[int, str]:
        """Per article with a public change (every one, or only `article_ids`), a digest of
        everything its history page shows."""
        source = "article_changes c JOIN articles a USING (article_id)"
        rows = self.con.execute(
            f"""SELECT c.article_id, md5(string_agg({_DIGEST_ITEM}, ',' ORDER BY c.change_id)
                                         || any_value({"a" if article_ids is None else "c"}.status))
                FROM {source if article_ids is None else _CHANGES_OF}
                GROUP BY c.article_id HAVING bool_or({_PUBLIC})""",
            {} if article_ids is None else {"ids": article_ids},
        ).fetchall()
        return dict(rows)


def _month_range(month: str) -> tuple[datetime, datetime]:
    """A WIB month (YYYY-MM) as [start, end) moments."""
    year, number = (int(part) for part in month.split("-"))
    after = (year + number // 12, number % 12 + 1)
    return datetime(year, number, 1, tzinfo=_WIB), datetime(*after, 1, tzinfo=_WIB)


def month_changes(
    con: duckdb.DuckDBPyConnection, month: str, before: datetime
) -> list[ChangeRecord]:
    """One archive month's public changes, newest first (topics are not needed there)."""
    rows = con.execute(
        f"""SELECT {_COLUMNS}, [] FROM article_changes c
            WHERE {_PUBLIC} AND c.detected_at < ? AND c.detected_at >= ? AND c.detected_at < ?"""
        + _NEWEST,
        [before, *_month_range(month)],
    ).fetchall()
    return [_change(row) for row in rows]


def article_histories(
    con: duckdb.DuckDBPyConnection, article_ids: Iterable[int]
) -> Iterable[ArticleHistory]:
    """Histories of the given articles, read a chunk of articles per query."""
    wanted = sorted(set(article_ids))
    for start in range(0, len(wanted), _CHUNK):
        yield from _histories(con, wanted[start : start + _CHUNK])


def _histories(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[ArticleHistory]:
    args = {"ids": ids}
    articles = dict(
        (row[0], row[1:])
        for row in con.execute(
            f"SELECT article_id, url, status, current_version FROM articles WHERE {_IDS}", args
        ).fetchall()
    )
    changes: dict[int, list[ChangeRecord]] = {}
    for row in con.execute(
        f"SELECT {_COLUMNS}, [] FROM {_CHANGES_OF} ORDER BY c.detected_at, c.change_id", args
    ).fetchall():
        record = _change(row)
        changes.setdefault(record.article_id, []).append(record)
    versions: dict[int, list[VersionRecord]] = {}
    snapshots: dict[tuple[int, int], Snapshot] = {}
    # No join here: joined to articles, DuckDB reads every version's text before filtering
    # (13 s instead of 0.2 s for 200 articles of a year).
    for article_id, version, fetched, title, parser, *text in con.execute(
        f"""SELECT article_id, version, fetched_at, title, parser_version, title, description,
                   body, pages, tags, authors, published_at
            FROM versions WHERE {_IDS} ORDER BY article_id, version""",
        args,
    ).fetchall():
        current = article_id in articles and version == articles[article_id][2]
        versions.setdefault(article_id, []).append(
            VersionRecord(version, fetched, title, parser, current)
        )
        snapshots[(article_id, version)] = snapshot_from_row(*text)
    topics: dict[tuple[int, int], tuple[str, ...]] = {
        (article_id, version): tuple(names)
        for article_id, version, names in con.execute(
            f"""SELECT article_id, version, list(DISTINCT topic ORDER BY topic)
                FROM version_topics WHERE {_IDS} AND source IN {DIFFED_TOPIC_SQL}
                GROUP BY article_id, version""",
            args,
        ).fetchall()
    }
    histories = []
    for article_id in ids:
        if article_id not in articles:
            continue
        found = changes.get(article_id, [])
        diffs = {
            c.change_id: diff_snapshots(
                snapshots[(article_id, pair[0])],
                snapshots[(article_id, pair[1])],
                topics.get((article_id, pair[0]), ()),
                topics.get((article_id, pair[1]), ()),
            )
            for c in found
            if (pair := c.diff_versions) is not None
        }
        url, status, _ = articles[article_id]
        histories.append(
            ArticleHistory(
                article_id,
                url,
                status,
                tuple(versions.get(article_id, [])),
                tuple(found),
                diffs,
            )
        )
    return histories

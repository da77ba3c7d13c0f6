"""`topic_trends` held as a table in the read snapshot, recomputed only for the weeks touched.

The live file's `topic_trends` view aggregates the current topics of every article ever seen:
3.2 s on a year, too slow for the README's trends query (1 s at most). The snapshot stores the
view's result as a table of the same name and columns instead.

The rows of one WIB week (the week itself and its seven days) depend only on the articles whose
current version was published in that week, on the edits detected in it, and on the current
topics of the articles edited in it. So when a publication brings new versions, changes or
topics of some articles, the weeks to recompute are those of their current versions' publication
dates, before and after, and of every edit of theirs (a new version may change the topics its old
edits count under). Those weeks are
recomputed with the view's own query (`schema.topic_trends_sql`) over the rows of those weeks.

The table is kept only while the live file's view is the query this module knows: a live file
with another definition (another release) gets the live view itself, so the snapshot never
answers differently from the live file.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import duckdb

from warehouse.kinds import ChangeKind
from warehouse.schema import VIEWS, topic_trends_sql

log = logging.getLogger(__name__)

NAME = "topic_trends"
# An article's trend rows depend on its current version, that version's topics and publication
# date, and its edits. Each of these moves only with a new row in one of these tables: a version
# becomes current only with a new `versions` row or a `changes` row (edit, revert, restore,
# parser change). Rechecks that find nothing new (most of the rows of `fetches`) move none.
EVIDENCE = ("versions", "changes", "version_topics")
WEEKS = "trend_weeks"  # a temporary table of the WIB weeks to recompute
ROW_WEEK = "date_trunc('week', period_start)::DATE"  # a week's row, or the week of a day's row


def week_of(column: str) -> str:
    """The WIB week (its Monday) a timestamp falls in, as the view truncates it."""
    return f"date_trunc('week', {column} AT TIME ZONE 'Asia/Jakarta')::DATE"


def is_materialised(con: duckdb.DuckDBPyConnection, name: str = NAME) -> bool:
    """Whether the copy attached as `snap` holds the view `name` as a table."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'snap' AND table_name = ?",
        [name],
    ).fetchone()
    return bool(found and found[0])


def note_weeks_before(con: duckdb.DuckDBPyConnection, touched: str) -> None:
    """Before the `touched` articles' rows are replaced: the weeks they were published in.

    `touched` is a query of article ids. Their old rows are about to go, so the weeks they
    counted in have to be noted now; everything else needed is still there afterwards (versions
    and changes only grow).
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {WEEKS} AS
            SELECT DISTINCT {week_of("v.published_at")} AS week
            FROM snap.articles a
            JOIN snap.versions v ON v.article_id = a.article_id AND v.version = a.current_version
            WHERE a.article_id IN ({touched})"""
    )


def publish_trends(con: duckdb.DuckDBPyConnection, live_view_sql: str, touched: str | None) -> str:
    """Bring `snap.topic_trends` up to date after the tables were; returns what it did.

    `touched` names the articles with new rows in EVIDENCE (`note_weeks_before` ran for them), or
    is None to recompute everything. The connection's default database is `snap`. Returns "view"
    when the live file's view is not this release's and the live definition was created as a view.
    """
    try:
        return _publish(con, live_view_sql, touched)
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.{WEEKS}")


def _publish(con: duckdb.DuckDBPyConnection, live_view_sql: str, touched: str | None) -> str:
    if not is_this_release(con, live_view_sql):
        log.warning("topic_trends in the live file differs from this release's: kept as a view")
        drop(con)
        con.execute(live_view_sql)
        return "view"
    if touched is None or not is_materialised(con):
        drop(con)
        con.execute(f"CREATE TABLE snap.{NAME} AS {topic_trends_sql()}")
        return "full"
    con.execute(
        f"""INSERT INTO {WEEKS}
            SELECT {week_of("v.published_at")}
            FROM snap.articles a
            JOIN snap.versions v ON v.article_id = a.article_id AND v.version = a.current_version
            WHERE a.article_id IN ({touched})
            UNION
            SELECT {week_of("detected_at")} FROM snap.changes
            WHERE kind = '{ChangeKind.edit}' AND article_id IN ({touched})"""
    )
    weeks = [row[0] for row in con.execute(f"SELECT DISTINCT week FROM {WEEKS}").fetchall()]
    if not weeks:
        return "0 weeks"
    in_weeks = f"IN (SELECT week FROM {WEEKS})"
    changes = f"""(SELECT * FROM snap.changes
                   WHERE {_near(weeks, "detected_at")} AND {week_of("detected_at")} {in_weeks})"""
    # The versions the view reads (it uses these three columns): those published in the weeks,
    # and every version of the articles edited in them, for their current topics.
    versions = f"""(SELECT article_id, version, published_at FROM snap.versions
                    WHERE {_near(weeks, "published_at")} AND {week_of("published_at")} {in_weeks}
                    UNION
                    SELECT article_id, version, published_at FROM snap.versions
                    WHERE article_id IN (SELECT article_id FROM {changes}
                                         WHERE kind = '{ChangeKind.edit}'))"""
    articles = (
        f"(SELECT * FROM snap.articles WHERE article_id IN (SELECT article_id FROM {versions}))"
    )
    con.execute(f"DELETE FROM snap.{NAME} WHERE {ROW_WEEK} {in_weeks}")
    con.execute(
        f"""INSERT INTO snap.{NAME}
            SELECT * FROM ({topic_trends_sql(versions, changes, articles)})
            WHERE {ROW_WEEK} {in_weeks}"""
    )
    return f"{len(weeks)} weeks"


def _near(weeks: list[date], column: str) -> str:
    """A plain range filter around each week (a day's margin either side of WIB), which the scan
    prunes row groups by; the exact WIB week test then runs only on the rows it keeps."""
    ranges = (
        f"({column} >= '{week - timedelta(days=1)}'::TIMESTAMPTZ "
        f"AND {column} < '{week + timedelta(days=8)}'::TIMESTAMPTZ)"
        for week in sorted(weeks)
    )
    return f"({' OR '.join(ranges)})"


def drop(con: duckdb.DuckDBPyConnection, name: str = NAME) -> None:
    """Whatever `snap.<name>` is now, table or view."""
    kind = con.execute(
        """SELECT 'TABLE' FROM duckdb_tables() WHERE database_name = 'snap' AND table_name = $n
           UNION ALL
           SELECT 'VIEW' FROM duckdb_views() WHERE database_name = 'snap' AND view_name = $n""",
        {"n": name},
    ).fetchone()
    if kind:
        con.execute(f"DROP {kind[0]} snap.{name}")


def is_this_release(con: duckdb.DuckDBPyConnection, live_view_sql: str, name: str = NAME) -> bool:
    """Whether the live view is this release's query, compared as DuckDB prints both back."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {VIEWS[name]}")
    try:
        found = con.execute(
            "SELECT sql FROM duckdb_views() WHERE temporary AND view_name = ?", [name]
        ).fetchone()
    finally:
        con.execute(f"DROP VIEW temp.{name}")
    ours = found[0] if found else ""
    return _body(ours) == _body(live_view_sql)


def _body(create_view: str) -> str:
    """The query of a `CREATE [TEMP] VIEW name AS query;` statement."""
    return create_view.split(" AS ", 1)[-1].strip().rstrip(";")

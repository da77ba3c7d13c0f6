"""`freshness` held as a table in the read snapshot, recomputed only for the days new rows fall on.

The live file's `freshness` view counts every request ever made per WIB day: 22 s over the 55
million fetches of a year, too slow for the README's query (1 s at most). The snapshot stores the
view's result as a table of the same name and columns instead.

A day's row depends only on the edits detected that day (with the versions they lead to) and
the fetches attempted that day. Changes, versions and fetches only ever grow, so the only days
that can change are those of the new `changes` and `fetches` rows; they are recomputed with the
view's own query (`schema.freshness_sql`) over those days' rows. As for `topic_trends`, a live
file whose view is another release's gets that view itself.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import duckdb

from warehouse.schema import freshness_sql
from warehouse.snapshot_trends import drop, is_materialised, is_this_release

log = logging.getLogger(__name__)

NAME = "freshness"
DAYS = "freshness_days"  # a temporary table of the WIB days to recompute


def day_of(column: str) -> str:
    """The WIB day a timestamp falls on, as the view casts it."""
    return f"({column} AT TIME ZONE 'Asia/Jakarta')::DATE"


def publish_freshness(
    con: duckdb.DuckDBPyConnection, live_view_sql: str, new_rows: dict[str, str] | None
) -> str:
    """Bring `snap.freshness` up to date after the tables were; returns what it did.

    `new_rows` maps `changes` and `fetches` to a relation of the rows just added (None:
    recompute everything). The connection's default database is `snap`.
    """
    if not is_this_release(con, live_view_sql, NAME):
        log.warning("freshness in the live file differs from this release's: kept as a view")
        drop(con, NAME)
        con.execute(live_view_sql)
        return "view"
    if new_rows is None or not is_materialised(con, NAME):
        drop(con, NAME)
        con.execute(f"CREATE TABLE snap.{NAME} AS {freshness_sql()}")
        return "full"
    found = con.execute(
        f"""SELECT DISTINCT {day_of("detected_at")} FROM {new_rows["changes"]}
            UNION SELECT DISTINCT {day_of("attempted_at")} FROM {new_rows["fetches"]}"""
    ).fetchall()
    days = sorted(row[0] for row in found)
    if not days:
        return "0 days"
    dates = ", ".join(f"DATE '{day}'" for day in days)
    listed = f"IN ({dates})"
    changes = f"""(SELECT * FROM snap.changes
                   WHERE {_near(days, "detected_at")} AND {day_of("detected_at")} {listed})"""
    versions = f"""(SELECT * FROM snap.versions
                    WHERE article_id IN (SELECT article_id FROM {changes}))"""
    fetches = f"""(SELECT attempted_at FROM snap.fetches
                   WHERE {_near(days, "attempted_at")} AND {day_of("attempted_at")} {listed})"""
    con.execute(f"DELETE FROM snap.{NAME} WHERE day {listed}")
    con.execute(
        f"""INSERT INTO snap.{NAME}
            SELECT * FROM ({freshness_sql(changes, versions, fetches)}) WHERE day {listed}"""
    )
    return f"{len(days)} days"


def _near(days: list[date], column: str) -> str:
    """A plain range filter around each day (a day's margin either side of WIB), which the scan
    prunes row groups by; the exact WIB day test then runs only on the rows it keeps."""
    ranges = (
        f"({column} >= '{day - timedelta(days=1)}'::TIMESTAMPTZ "
        f"AND {column} < '{day + timedelta(days=2)}'::TIMESTAMPTZ)"
        for day in days
    )
    return f"({' OR '.join(ranges)})"

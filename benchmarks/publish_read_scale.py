"""The publish's database reads at the full Liputan6 rate, without a day of loading.

Building a year at 1,500 articles a day with the real loader takes hours here, so a year built
at a small rate (publish_bench.py --keep) is replicated K times by SQL: each copy's article and
change ids are offset, timestamps kept, so the window and the archive both hold K times the rows,
as at K times the rate. The text is repeated, which the reads below never look at. Prints each
read an incremental publish makes (after a run touching 10 articles per copy), and, as the
baseline in the same run, the two whole-archive digests the publish computed before the manifest
kept a high-water mark.

    python benchmarks/publish_read_scale.py YEAR.duckdb OUT.duckdb [--copies 30]
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import duckdb
from year_data import END

from publishing.build import window_start
from warehouse.site_source import Marks, SiteChanges, open_site_source

OFFSET = 10_000_000


def replicate(source: Path, target: Path, copies: int) -> tuple[int, int, int]:
    shutil.copy(source, target)
    with closing(duckdb.connect(str(target))) as con:
        for copy in range(1, copies):
            off = copy * OFFSET
            ids = f"article_id + {off} AS article_id"
            mine = f"WHERE article_id < {OFFSET}"
            con.execute(
                f"INSERT INTO articles SELECT * REPLACE ({ids}, url || '?copy={copy}' AS url)"
                f" FROM articles {mine}"
            )
            for table in ("versions", "version_topics"):
                con.execute(f"INSERT INTO {table} SELECT * REPLACE ({ids}) FROM {table} {mine}")
            con.execute(
                f"INSERT INTO changes SELECT * REPLACE ({ids}, change_id + {off} AS change_id)"
                f" FROM changes {mine}"
            )
        return con.execute(
            """SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM versions),
                      (SELECT count(*) FROM changes)"""
        ).fetchone()  # type: ignore[return-value]


def timed(rows: list[tuple[str, float]], name: str, step: Callable[[], object]) -> object:
    started = time.perf_counter()
    found = step()
    rows.append((name, time.perf_counter() - started))
    return found


def reads(db: Path) -> list[tuple[str, float]]:
    since = window_start(END + timedelta(minutes=15), 30)
    rows: list[tuple[str, float]] = []
    with closing(open_site_source(db, live=True)) as con:
        changes: SiteChanges = timed(
            rows, "stage the window with topics", lambda: SiteChanges(con, since)
        )  # type: ignore[assignment]
        marks: Marks = timed(rows, "marks", changes.marks)  # type: ignore[assignment]
        recent = timed(rows, "recent (window rows)", changes.recent)
        timed(rows, "older_counts", lambda: changes.older_counts(since))
        timed(rows, "feeds", lambda: changes.feeds(recent, 100))
        last = Marks(marks.change_id - 10, marks.checked)
        touched: list[int] = timed(rows, "touched", lambda: changes.touched(last))  # type: ignore[assignment]
        stale: list[str] = timed(rows, "months_of", lambda: changes.months_of(touched, since))  # type: ignore[assignment]
        timed(rows, "archive_digests(stale months)", lambda: changes.archive_digests(since, stale))
        timed(rows, "article_digests(touched)", lambda: changes.article_digests(touched))
        timed(rows, "BASELINE archive_digests(all)", lambda: changes.archive_digests(since))
        timed(rows, "BASELINE article_digests(all)", changes.article_digests)
    print(f"window rows: {len(recent)}, touched articles: {len(touched)}")  # type: ignore[arg-type]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("year", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=30)
    args = parser.parse_args()
    if not args.out.exists():
        articles, versions, changes = replicate(args.year, args.out, args.copies)
        print(f"x{args.copies}: {articles:,} articles, {versions:,} versions, {changes:,} changes")
    found = reads(args.out)
    print("\n| read | seconds |\n|---|---|")
    for name, seconds in found:
        print(f"| {name} | {seconds:.3f} |")
    after = sum(seconds for name, seconds in found if not name.startswith("BASELINE"))
    print(f"| incremental reads, with the high-water mark | {after:.3f} |")


if __name__ == "__main__":
    main()

"""Secondary-index benchmark: do the ART indexes on `articles(next_check_at)` and
`changes(detected_at)` serve the queries they were made for, and what do they cost at ingest?

1. Plans: on an archive built in bulk SQL (warehouse_bench.build_archive: `--archive` articles,
   as many changes, 1,000 due, 2,700 changes in the last 24 h), the scan operator DuckDB picks
   (EXPLAIN), and from EXPLAIN ANALYZE the time (cold: first query after opening the file;
   warm: median of 5 more) and the rows and row groups read, of every query that filters on an
   indexed column, with the index and after dropping it. DuckDB 2.0 shows an ART lookup inside
   its SEQ_SCAN operator: the rows scanned tell whether the index served the filter.
2. Ingest: `--versions` new text versions then as many edits, loaded with `load_batches` into
   copies of a smaller archive (`--ingest-archive` articles), with the indexes and without,
   alternated `--rounds` times so both see the same machine; versions/s and the ratio.
3. The writes alone (change detection dominates a load, hiding index upkeep): one load's
   upsert of 500 articles and append of 500 changes into the `--archive` archive, with both
   indexes, each dropped alone, and neither, in a shuffled order each round.

    python benchmarks/index_bench.py [--archive 1000000] [--versions 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
from warehouse_bench import (
    NOW,
    SINCE,
    _article,
    _batches,
    _observation,
    _paragraphs,
    _settle,
    build_archive,
)

from parsers.models import Page
from warehouse import load_batches
from warehouse.history import recent_changes
from warehouse.queries import DUE_SQL
from warehouse.records import Observation

INDEXES = {
    "articles_next_check": "articles (next_check_at)",
    "changes_detected_at": "changes (detected_at)",
}
_RECENT_CHANGES = """SELECT detected_at, article_id, kind FROM article_changes
    WHERE detected_at >= $since AND (len($kinds::VARCHAR[]) = 0 OR kind IN (SELECT unnest($kinds)))
    ORDER BY detected_at DESC, change_id DESC LIMIT 200"""
# The queries each index was made for (the SQL of warehouse/queries.py, history.py,
# site_source.py, hints.py and state.py), with the parameters a run passes.
QUERIES: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "articles_next_check": [
        ("due_for_recheck", DUE_SQL.replace("?", "$now"), {"now": NOW}),
    ],
    "changes_detected_at": [
        (
            "article_changes last 24h",
            "SELECT * FROM article_changes WHERE detected_at >= $since ORDER BY detected_at DESC",
            {"since": SINCE},
        ),
        ("changes --since 24h", _RECENT_CHANGES, {"since": SINCE, "kinds": []}),
        (
            "hints: edits since",
            "SELECT count(*) FROM changes WHERE kind IN ('edit', 'revert') "
            "AND detected_at >= $since",
            {"since": SINCE},
        ),
        (
            "state: reverts of a batch",
            "SELECT article_id, version_from, version_to, detected_at FROM changes "
            "WHERE kind = 'revert' AND detected_at >= $since AND article_id IN (5, 500, 50000)",
            {"since": SINCE - timedelta(days=1)},
        ),
    ],
}


def _operators(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("children", []):
        yield from _operators(child)


def scans(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[str]:
    """The scan operators of the plan, one line each: operator, type, table, filters."""
    plan = json.loads(con.execute(f"EXPLAIN (FORMAT JSON) {sql}", params).fetchall()[0][1])
    lines = []
    for node in (op for root in plan for op in _operators(root)):
        if "SCAN" not in node["name"]:
            continue
        info = node.get("extra_info", {})
        table = info.get("Table", "")
        if not table:
            continue
        lines.append(
            f"{node['name']} ({info.get('Type', '')}) {table.split('.')[-1]}"
            + (f" filters: {info['Filters']}" if "Filters" in info else "")
        )
    return lines


def _profile(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    found = con.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).fetchall()[0][1]
    return json.loads(found)["query"]


def analyzed(db: Path, sql: str, params: dict[str, Any]) -> str:
    """EXPLAIN ANALYZE on a freshly opened file (cold: what one CLI call or one recheck pays,
    index loading included), then the median of 5 more runs (warm); rows and row groups read."""
    with duckdb.connect(str(db), read_only=True) as con:
        cold = _profile(con, sql, params)
        warm = [_profile(con, sql, params) for _ in range(5)]
    median = statistics.median(q["total_time"] for q in warm) * 1000
    return (
        f"cold {cold['total_time'] * 1000:.1f} ms, warm {median:.1f} ms, "
        f"rows scanned {cold['total_rows_scanned']:,}, "
        f"row groups {cold['total_row_groups_scanned']:,}/{cold['total_row_groups_to_scan']:,}"
    )


def archive(db: Path, articles: int) -> None:
    """The benchmark archive, with both indexes whatever the schema version creates."""
    build_archive(db, articles, 1_000, 2_700)
    with duckdb.connect(str(db)) as con:
        for index, target in INDEXES.items():
            con.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {target}")


def bench_plans(workdir: Path, articles: int) -> None:
    db = workdir / "plans.duckdb"
    archive(db, articles)
    with duckdb.connect(str(db), read_only=True) as con:  # the SQL the CLI runs finds rows
        assert len(recent_changes(con, SINCE, [], 200)) == 200
    for state in ("with index", "without index"):
        print(f"### {state} ({articles:,} articles + {articles:,} changes)")
        for index, queries in QUERIES.items():
            for label, sql, params in queries:
                print(f"  [{index}] {label}: {analyzed(db, sql, params)}")
                with duckdb.connect(str(db), read_only=True) as con:
                    for line in scans(con, sql, params):
                        print(f"      {line}")
        with duckdb.connect(str(db)) as con:
            for index in INDEXES:
                con.execute(f"DROP INDEX IF EXISTS {index}")


def _edits(count: int, offset: int) -> tuple[list[Observation], list[Observation]]:
    rng = random.Random(5)
    firsts, edits = [], []
    for i in range(count):
        paragraphs = _paragraphs(rng, rng.randint(3000, 10000))
        article = _article(offset + i, rng, paragraphs, f"Judul berita nomor {i}")
        firsts.append(_observation(article, NOW, None))
        changed = [*paragraphs[:-1], paragraphs[-1] + " Pembaruan: " + rng.choice(paragraphs)]
        edited = article.model_copy(update={"pages": [Page(paragraphs=changed)]})
        edits.append(_observation(edited, NOW + timedelta(minutes=30), None))
    return firsts, edits


def bench_ingest(workdir: Path, articles: int, versions: int, rounds: int) -> None:
    template = workdir / "ingest-template.duckdb"
    archive(template, articles)
    firsts, edits = _edits(versions, articles + 1)
    rates: dict[str, list[tuple[float, float]]] = {"with indexes": [], "without indexes": []}
    for n in range(rounds):
        for state in rates:
            db = workdir / f"ingest-{n}-{state.replace(' ', '-')}.duckdb"
            shutil.copy(template, db)
            if state == "without indexes":
                with duckdb.connect(str(db)) as con:
                    for index in INDEXES:
                        con.execute(f"DROP INDEX {index}")
            _settle()
            started = time.perf_counter()
            load_batches(db, _batches(firsts, f"first-{n}", 500))
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            load_batches(db, _batches(edits, f"edit-{n}", 500))
            edit_s = time.perf_counter() - started
            rates[state].append((versions / first_s, versions / edit_s))
            db.unlink()
    print(
        f"### ingest into a {articles:,}-article archive: {versions:,} new versions, then "
        f"{versions:,} edits (median of {rounds} alternated rounds)"
    )
    base_new = statistics.median(r[0] for r in rates["with indexes"])
    base_edit = statistics.median(r[1] for r in rates["with indexes"])
    for state, values in rates.items():
        new = statistics.median(r[0] for r in values)
        edit = statistics.median(r[1] for r in values)
        print(
            f"  {state:<16}: new {new:8,.0f} versions/s ({new / base_new:.2f}x), "
            f"edits {edit:8,.0f} versions/s ({edit / base_edit:.2f}x)"
        )


def _write_ms(db: Path, ids: list[int], round_: int) -> float:
    """The writes the indexes maintain: one load's upsert of `articles` (a new next_check_at per
    article) and append of `changes`, in one transaction, as `batch_rows.write` does them."""
    at = NOW + timedelta(minutes=round_)
    articles = [
        (i, f"https://www.liputan6.com/news/read/{i}/x", "live", 1, NOW, at, at, 2, 0, at)
        for i in ids
    ]
    changes = [(i, "edit", 1, 2, at, ["title"], 1, 1) for i in ids]
    with duckdb.connect(str(db)) as con:
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        columns = [
            "article_id",
            "url",
            "status",
            "current_version",
            "first_seen",
            "last_checked",
            "last_changed",
            "check_count",
            "cosmetic_count",
            "next_check_at",
        ]
        with con.appender("articles", columns=columns, action="upsert") as appender:
            appender.append_rows(articles)
        columns = [
            "article_id",
            "kind",
            "version_from",
            "version_to",
            "detected_at",
            "changed_fields",
            "words_added",
            "words_removed",
        ]
        with con.appender("changes", columns=columns) as appender:
            appender.append_rows(changes)
        con.execute("COMMIT")
        return (time.perf_counter() - started) * 1000


def bench_writes(workdir: Path, articles: int, batch: int, rounds: int) -> None:
    """Each index dropped alone and both, against both kept, in a shuffled order per round."""
    template = workdir / "writes-template.duckdb"
    archive(template, articles)
    variants = {
        "both indexes": (),
        "no articles_next_check": ("articles_next_check",),
        "no changes_detected_at": ("changes_detected_at",),
        "neither": tuple(INDEXES),
    }
    dbs = {}
    for name, dropped in variants.items():
        dbs[name] = workdir / f"writes-{len(dbs)}.duckdb"
        shutil.copy(template, dbs[name])
        with duckdb.connect(str(dbs[name])) as con:
            for index in dropped:
                con.execute(f"DROP INDEX {index}")
    rng = random.Random(7)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for n in range(rounds):
        ids = rng.sample(range(1, articles + 1), batch)
        order = list(dbs.items())
        rng.shuffle(order)
        for name, db in order:
            times[name].append(_write_ms(db, ids, n))
    print(
        f"### one load's writes into a {articles:,}-article archive: upsert {batch} articles, "
        f"append {batch} changes (median of {rounds} rounds, variants in shuffled order)"
    )
    base = statistics.median(times["both indexes"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<24}: {median:7.1f} ms ({median / base:.2f}x the time with both)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=int, default=1_000_000)
    parser.add_argument("--ingest-archive", type=int, default=200_000)
    parser.add_argument("--versions", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print("## 1. plans and EXPLAIN ANALYZE latency (median of 5)")
        bench_plans(workdir, args.archive)
        print("## 2. ingest rate (baseline: with indexes, same run)")
        bench_ingest(workdir, args.ingest_archive, args.versions, args.rounds)
        print("## 3. the writes the indexes maintain (baseline: both indexes, same run)")
        bench_writes(workdir, args.archive, 500, 3 * args.rounds)


if __name__ == "__main__":
    main()

"""Hazard-learning benchmark: what dating undated changes from the fetch log costs on a year.

`warehouse.hazards.learn` runs every `relearn_every` (30 min) in a long recheck run. A change the
site dated (`article:modified_time`) is counted at that time; an undated one midway between the
look that saw it and the look before, which takes a window over the fetch log of the changed
articles. Both are timed on the same synthetic year (`--days` x `--per-day` articles, a third
of them changed once, `--looks` fetches each, built in bulk SQL): first with every version
dated by the site (the baseline: no change needs the fetch log), then with no version dated
(every change does), alternated `--rounds` times. Prints the medians and their ratio.

    python benchmarks/hazard_learn_bench.py [--days 365] [--per-day 1500] [--looks 40]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse.hazards import ladder_prior, learn
from warehouse.scheduling import Ladder
from warehouse.schema import migrate

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def build(db: Path, articles: int, days: int, looks: int) -> None:
    """Articles published evenly over `days`, each fetched `looks` times over its first week
    (then its age, if younger), one in three edited once, detected at its 10th look."""
    migrate(db)
    con = duckdb.connect(str(db))
    p = {"n": articles, "span": days * 86400, "now": NOW, "looks": looks}

    def run(sql: str) -> None:
        con.execute(sql, {k: v for k, v in p.items() if re.search(rf"\${k}\b", sql)})

    run(
        """CREATE TEMP TABLE pub AS
           SELECT i, $now - to_seconds($span - (i * $span) // $n) AS pub_at
           FROM range(1, $n + 1) t(i)""",
    )
    run(
        """INSERT INTO articles (article_id, url, channel, status, current_version, first_seen,
               last_checked, last_changed, check_count)
           SELECT i, 'https://www.liputan6.com/news/read/' || i || '/x', 'news', 'live',
                  CASE WHEN i % 3 = 0 THEN 2 ELSE 1 END, pub_at,
                  least(pub_at + to_seconds(604800 * ($looks - 1) // $looks), $now),
                  CASE WHEN i % 3 = 0 THEN pub_at + to_seconds(604800 * 9 // $looks) END, $looks
           FROM pub"""
    )
    run(
        """INSERT INTO versions (article_id, version, content_hash, title, description, body,
               pages, tags, authors, published_at, modified_at, parser_version, fetched_at)
           SELECT i, v, md5(i || '-' || v), 'Judul ' || i, 'Ringkasan', 'Isi ' || i, '[]',
                  ['berita'], ['Penulis'], pub_at,
                  pub_at + to_seconds(CASE WHEN v = 2 THEN 604800 * 17 // (2 * $looks) ELSE 0 END),
                  '1.0.0', pub_at
           FROM pub, range(1, 3) r(v) WHERE v = 1 OR i % 3 = 0"""
    )
    run(
        """INSERT INTO changes (article_id, kind, version_from, version_to, detected_at,
               changed_fields, words_added, words_removed)
           SELECT i, 'edit', 1, 2, pub_at + to_seconds(604800 * 9 // $looks), ['body'], 3, 1
           FROM pub WHERE i % 3 = 0 AND pub_at + to_seconds(604800 * 9 // $looks) <= $now"""
    )
    run(
        """INSERT INTO fetches (article_id, url, status, outcome, bytes, elapsed_ms,
               attempted_at, attempt)
           SELECT i, 'u', 200, 'ok', 4000, 50.0, pub_at + to_seconds(604800 * k // $looks), 1
           FROM pub, range($looks) r(k) WHERE pub_at + to_seconds(604800 * k // $looks) <= $now"""
    )
    con.close()


def timed_learn(db: Path) -> float:
    con = duckdb.connect(str(db), read_only=True)
    try:
        started = time.perf_counter()
        learn(con, NOW, ladder_prior(Ladder(), 0.05))
        return time.perf_counter() - started
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=1500)
    parser.add_argument("--looks", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        dated, undated = Path(folder) / "dated.duckdb", Path(folder) / "undated.duckdb"
        started = time.perf_counter()
        build(dated, args.days * args.per_day, args.days, args.looks)
        built = time.perf_counter() - started
        undated.write_bytes(dated.read_bytes())
        with duckdb.connect(str(undated)) as con:
            con.execute("UPDATE versions SET modified_at = NULL")
            sizes = {
                t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in ("articles", "changes", "fetches")
            }
        times: dict[str, list[float]] = {"dated by the site": [], "undated (fetch log)": []}
        for _ in range(args.rounds):
            times["dated by the site"].append(timed_learn(dated))
            times["undated (fetch log)"].append(timed_learn(undated))
    print(
        f"hazard learning on {sizes['articles']:,} articles, {sizes['changes']:,} changes, "
        f"{sizes['fetches']:,} fetches (built in {built:.0f} s), {args.rounds} rounds alternated"
    )
    medians = {label: statistics.median(ts) for label, ts in times.items()}
    for label, median in medians.items():
        spread = ", ".join(f"{t:.2f}" for t in times[label])
        print(f"  {label:<22} median {median:6.2f} s   ({spread})")
    ratio = medians["undated (fetch log)"] / medians["dated by the site"]
    print(f"  undated / dated: {ratio:.2f}x")


if __name__ == "__main__":
    main()

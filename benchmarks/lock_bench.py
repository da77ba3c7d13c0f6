"""Lock-hold benchmark: how long one batch keeps the DuckDB file locked for everyone else.

While `load_batch` runs, its read-write connection locks the file against every other process,
readers included (a user's `duckdb -readonly` session cannot open it), so its duration is the
write lock's hold time. Measured per 50-article batch of realistic pages (replica articles
rendered and parsed offline, raw HTML included) for the three batch shapes the flows produce:

- new:       first sightings (versions, topics, raw pages, fetch log);
- edited:    the same articles, every one with a new headline and a reworded paragraph (state
             read, diffs, new versions, change rows);
- unchanged: a recheck where every page answered 304 (fetch log and schedule only).

The loader compresses raw pages before it opens the file (readers are not locked out while xz
runs), so the hold is the load's time minus the time spent in `compress_pages`, which is printed
apart (`xz ms`, outside the lock).

Baseline, same run: a bare DuckDB connect + appender insert of the same version rows (title, body,
tags, raw HTML) in one transaction + close: about the least any write of that data holds the lock.

    python benchmarks/lock_bench.py [--rounds 15] [--batch 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

import warehouse.loading
from flows.writer_lock import writer_lock
from parsers.article import parse_article
from parsers.topics import tag_topics
from sample_site import SampleSite, timeline
from warehouse import load_batch
from warehouse.batch_rows import CompressedPages
from warehouse.records import Batch, FetchAttempt, Observation

TARGET_MS = 1000.0  # a reader kept waiting for more than a second per batch would notice


def observations(site: SampleSite, ids: list[int], at: datetime) -> list[Observation]:
    """What the fetch step would hand over for `ids`: parsed, tagged, raw HTML kept."""
    urls = {a["article_id"]: a["url"] for a in site.truth()["articles"]}
    out = []
    for article_id in ids:
        html = site.render_article(site.states[article_id]).decode()
        article = parse_article(html, urls[article_id])
        url = article.canonical_url or urls[article_id]
        attempt = FetchAttempt(
            url=url, status=200, outcome="ok", bytes=len(html), attempted_at=at, elapsed_ms=40.0
        )
        out.append(
            Observation(
                article_id=article_id,
                url=url,
                observed_at=at,
                outcome="ok",
                article=article,
                raw_html=html,
                topics=tag_topics(article),
                etag=f'"{article_id}-{at.timestamp():.0f}"',
                attempts=[attempt],
            )
        )
    return out


def not_modified(batch: list[Observation], at: datetime) -> list[Observation]:
    return [
        Observation(
            article_id=o.article_id,
            url=o.url,
            observed_at=at,
            outcome="not_modified",
            etag=o.etag,
            attempts=[FetchAttempt(url=o.url, status=304, outcome="not_modified", attempted_at=at)],
        )
        for o in batch
    ]


def timed_ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


class CompressionClock:
    """Times the loader's `compress_pages`, which runs before the file is opened."""

    def __init__(self) -> None:
        self.spent_ms = 0.0
        self._compress = warehouse.loading.compress_pages

    def __enter__(self) -> CompressionClock:
        def timed(batches: Sequence[Batch]) -> CompressedPages:
            started = time.perf_counter()
            try:
                return self._compress(batches)
            finally:
                self.spent_ms += (time.perf_counter() - started) * 1000

        warehouse.loading.compress_pages = timed
        return self

    def __exit__(self, *exc: object) -> None:
        warehouse.loading.compress_pages = self._compress


def hold_ms(db: Path, batch: Batch, expect: str) -> tuple[float, float]:
    """The time the file is locked for one batch, writer lock included (as the flows take it),
    and the time spent compressing before the file was opened; `expect` is the count every
    observation of the batch must land in, so the shape is real."""

    def load() -> None:
        with writer_lock(db):
            report = load_batch(db, batch)
        counts = report.counts()
        if counts[expect] != len(batch.observations):
            raise RuntimeError(f"batch did not load as {expect!r}: {counts}")

    with CompressionClock() as clock:
        total = timed_ms(load)
    return total - clock.spent_ms, clock.spent_ms


def baseline_ms(db: Path, batch: list[Observation]) -> float:
    rows = [
        (o.article_id, o.article.title, o.article.body, o.article.tags, o.raw_html)
        for o in batch
        if o.article is not None
    ]

    def insert() -> None:
        con = duckdb.connect(str(db))
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS v (id BIGINT, title VARCHAR, body VARCHAR, "
                "tags VARCHAR[], raw VARCHAR)"
            )
            con.execute("BEGIN TRANSACTION")
            with con.appender("v") as appender:
                appender.append_rows(rows)
            con.execute("COMMIT")
        finally:
            con.close()

    return timed_ms(insert)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(
    rounds: int, size: int, workdir: Path
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Lock hold per batch shape (and the baseline), and compression time per shape."""
    site = SampleSite(articles=rounds * size, seed=13)
    ids = sorted(site.states)
    now = datetime.now(UTC)
    db, base = workdir / "bench.duckdb", workdir / "baseline.duckdb"
    chunks = [ids[i * size : (i + 1) * size] for i in range(rounds)]
    parsed = [observations(site, chunk, now) for chunk in chunks]
    for article_id in ids:  # every article edited: headline and a reworded paragraph
        state = site.states[article_id]
        site.states[article_id] = timeline.edit(site.seed, state, ("title", "reword"), article_id)
    edited_at = now + timedelta(hours=1)
    edited = [observations(site, chunk, edited_at) for chunk in chunks]
    recheck_at = now + timedelta(hours=2)
    figures: dict[str, list[float]] = {"new": [], "edited": [], "unchanged": [], "baseline": []}
    xz: dict[str, list[float]] = {"new": [], "edited": [], "unchanged": []}

    def record(shape: str, batch: Batch, expect: str) -> None:
        hold, compressing = hold_ms(db, batch, expect)
        figures[shape].append(hold)
        xz[shape].append(compressing)

    for n, chunk in enumerate(parsed):
        figures["baseline"].append(baseline_ms(base, chunk))
        record("new", Batch(run_id=f"n{n}", created_at=now, observations=chunk), "new")
    for n, chunk in enumerate(edited):
        record("edited", Batch(run_id=f"e{n}", created_at=edited_at, observations=chunk), "changed")
    for n, chunk in enumerate(edited):
        batch = Batch(
            run_id=f"u{n}", created_at=recheck_at, observations=not_modified(chunk, recheck_at)
        )
        record("unchanged", batch, "not_modified")
    return figures, xz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="batches per shape")
    parser.add_argument("--batch", type=int, default=50, help="articles per batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures, xz = measure(args.rounds, args.batch, Path(tmp))
    base = statistics.median(figures["baseline"])
    print(f"write-lock hold per {args.batch}-article batch, {args.rounds} batches each")
    print(
        f"{'batch':<22}{'median ms':>10}{'p95 ms':>10}{'x baseline':>12}{'target ms':>11}"
        f"{'xz ms':>9}"
    )
    for name, values in figures.items():
        median = statistics.median(values)
        label = "bare insert (baseline)" if name == "baseline" else name
        target = "" if name == "baseline" else f"< {TARGET_MS:.0f}"
        outside = f"{statistics.median(xz[name]):>9.1f}" if name in xz else ""
        print(
            f"{label:<22}{median:>10.1f}{p95(values):>10.1f}{median / base:>12.1f}{target:>11}"
            f"{outside}"
        )


if __name__ == "__main__":
    main()

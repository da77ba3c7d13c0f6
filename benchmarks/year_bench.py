"""A year of Liputan6 in the warehouse: file sizes, load rate, snapshot, export and queries.

Liputan6 publishes about 1,500 articles a day (550,000 a year). This builds a synthetic year:

1. **Loaded** (the real loader, `load_batches` as `load_spool` calls it: groups of up to ten
   50-observation batches per connection): `--hours` hours at the site's rate. Articles come from
   the sample site's text generator (`sample_site.content`), edits from its timeline (`edit`),
   so there is about one edit per article; a share of the first sightings (`--raw-share`) carries
   the replica's rendered page as raw HTML; every article is rechecked on the default recheck
   ladder, i.e. about 100 conditional fetches (HTTP 304) per article over its first year.
2. **Tiled** to 365 days (`--span-days`): the loaded hours are copied back in time with bulk
   SQL (new ids, dates shifted by whole loaded periods), except raw HTML, which stays at the
   loaded share and is extrapolated to a full year from its measured stored size. Next checks
   of the tiled articles are spread over their ladder interval, as after a year of running.
3. On the year: snapshot publication (full, then incremental after one more monitor-sized load),
   Parquet export (full, then incremental), each README example query on the snapshot and the
   due-for-recheck query on the live file, the lock hold per batch group of loads into the
   year-sized file. Baselines, same run: the same queries on the loaded hours before tiling, the
   full publication and the full export.

    python benchmarks/year_bench.py [--hours 6] [--raw-share 0.05] [--span-days 365] [--workdir D]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from figures import Figure

from parsers.models import Article, Page, TopicTag
from sample_site import SampleSite
from sample_site.content import ArticleState, expected, new_state
from sample_site.timeline import EDIT_KINDS, edit
from warehouse import Ladder, load_batches, open_readonly
from warehouse.export import export
from warehouse.queries import DUE_SQL
from warehouse.records import Batch, FetchAttempt, Observation
from warehouse.snapshot import copy_path, open_read, publish, snapshot_path

README = Path(__file__).resolve().parent.parent / "README.md"
QUERIES = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
PER_DAY = 1_500
YEAR = 365
SEED = 17
BATCH = 50  # URLs per Prefect task (settings.batch_size)
GROUP = 10  # batches per writer connection (flows.steps.SPOOL_BATCHES_PER_TRANSACTION_GROUP)
RUN_MINUTES = 10  # the monitor's schedule
ID_STRIDE = 10_000_000
REAL_PAGE_BYTES = 300_000  # a real Liputan6 article page (see warehouse_bench)


def checks_per_article(ladder: Ladder) -> float:
    """Rechecks an article gets over its first year on the ladder if it never changes again."""
    total, start = 0.0, timedelta(0)
    for max_age, interval in ladder.steps:
        total += (max_age - start) / interval
        start = max_age
    return total


def to_article(state: ArticleState) -> Article:
    data = expected(SEED, state)
    return Article(
        article_id=state.article_id,
        canonical_url=f"https://www.liputan6.com/{state.channel}/read/{state.article_id}/x",
        channel=data["channel"],
        category=data["category"],
        type=data["type"],
        title=data["title"],
        description=data["description"],
        authors=data["authors"],
        editors=data["editors"],
        published_at=state.published_at,
        modified_at=state.modified_at,
        tags=data["tags"],
        pages=[Page(title=p["title"], paragraphs=p["paragraphs"]) for p in data["pages"]],
    )


def observation(
    state: ArticleState, at: datetime, outcome: str, raw_html: str | None = None
) -> Observation:
    url = f"https://www.liputan6.com/{state.channel}/read/{state.article_id}/x"
    status = {"ok": 200, "not_modified": 304, "removed": 404}[outcome]
    article = to_article(state) if outcome == "ok" else None
    topics = [TopicTag(topic=t, source="taxonomy", score=1.0, evidence=[t]) for t in state.topics]
    return Observation(
        article_id=state.article_id,
        url=url,
        observed_at=at,
        outcome=outcome,  # type: ignore[arg-type]
        article=article,
        raw_html=raw_html,
        etag=f'"{state.article_id}-{state.title_rev}-{len(state.body_ops)}"',
        topics=topics if article else [],
        attempts=[
            FetchAttempt(
                url=url,
                status=status,
                outcome=outcome,  # type: ignore[arg-type]
                bytes=len(raw_html or "") if outcome == "ok" else 0,
                attempted_at=at,
                elapsed_ms=80.0,
            )
        ],
    )


class Simulator:
    """The site over simulated days: new articles, edits, removals and recheck fetches."""

    def __init__(self, start: datetime, raw_share: float, rechecks_per_day: int) -> None:
        self.rng = random.Random(SEED)
        self.clock = start
        self.states: dict[int, ArticleState] = {}
        self.next_id = 5_000_001
        self.raw_share = raw_share
        self.rechecks_per_run = rechecks_per_day * RUN_MINUTES // (24 * 60)
        self.site = SampleSite(articles=0, seed=SEED)
        self.edit_salt = 0

    def run(self) -> list[Observation]:
        """What one 10-minute monitor + recheck pass observes."""
        self.clock += timedelta(minutes=RUN_MINUTES)
        per_run = PER_DAY * RUN_MINUTES / (24 * 60)
        new = int(per_run) + (self.rng.random() < per_run % 1)
        found: list[Observation] = []
        for _ in range(new):
            published = self.clock - timedelta(minutes=self.rng.randint(1, RUN_MINUTES))
            state = new_state(self.rng, self.next_id, published)
            state.published_at = state.modified_at = published
            self.states[state.article_id] = state
            self.next_id += 1
            raw = None
            if self.rng.random() < self.raw_share:
                raw = self.site.render_article(state).decode("utf-8")
            found.append(observation(state, self.clock, "ok", raw))
        recent = [s for s in list(self.states.values())[-PER_DAY:] if s.status == "live"]
        for state in self.rng.sample(recent, k=min(len(recent), new)):
            self.edit_salt += 1
            kinds = EDIT_KINDS[self.edit_salt % len(EDIT_KINDS)]
            changed = edit(SEED, state, kinds, salt=self.edit_salt)
            changed.modified_at = self.clock
            self.states[state.article_id] = changed
            found.append(observation(changed, self.clock, "ok"))
        if self.rng.random() < 0.2 and recent:
            gone = self.rng.choice(recent)
            gone.status = "removed"
            found.append(observation(gone, self.clock, "removed"))
        pool = list(self.states.values())
        for state in self.rng.choices(pool, k=min(self.rechecks_per_run, 50 * len(pool))):
            if state.status == "live":
                found.append(observation(state, self.clock, "not_modified"))
        return found


def batches(observations: list[Observation], run: str) -> Iterator[list[Batch]]:
    """Groups of up to GROUP batches of BATCH observations, as `load_spool` loads them."""
    made = [
        Batch(
            run_id=run,
            created_at=observations[0].observed_at,
            observations=observations[i : i + BATCH],
        )
        for i in range(0, len(observations), BATCH)
    ]
    for start in range(0, len(made), GROUP):
        yield made[start : start + GROUP]


def load_runs(db: Path, sim: Simulator, runs: int, holds: list[float]) -> tuple[int, float]:
    """Load `runs` monitor passes with the real loader; returns observations and seconds."""
    total, spent = 0, 0.0
    ladder = Ladder()
    for number in range(runs):
        observations = sim.run()
        for group in batches(observations, f"run-{sim.clock:%Y%m%d%H%M}-{number}"):
            started = time.perf_counter()
            load_batches(db, group, ladder=ladder, lock_timeout=30)
            held = time.perf_counter() - started
            holds.append(held / len(group))
            spent += held
        total += len(observations)
    return total, spent


TILED = {
    "articles": "article_id + k * {stride}, replace(url, '/read/', '/read/t' || k || '-'), "
    "channel, category, status, current_version, first_seen - {shift}, last_checked - {shift}, "
    "last_changed - {shift}, check_count, {next_check}, etag, last_modified, page_fingerprint, "
    "cosmetic_count",
    "versions": "article_id + k * {stride}, version, content_hash, title, description, body, "
    "pages, tags, authors, editors, published_at - {shift}, modified_at - {shift}, channel, "
    "category, type, parser_version, fetched_at - {shift}, NULL, run_id || '-t' || k",
    "version_topics": "article_id + k * {stride}, version, topic, source, score, evidence",
    "fetches": "article_id + k * {stride}, replace(url, '/read/', '/read/t' || k || '-'), "
    "replace(final_url, '/read/', '/read/t' || k || '-'), status, outcome, bytes, etag, "
    "last_modified, elapsed_ms, error, attempted_at - {shift}, attempt, run_id || '-t' || k, "
    "batch_id || '-t' || k, cause",
    "changes": "nextval('change_ids'), article_id + k * {stride}, kind, version_from, version_to, "
    "detected_at - {shift}, changed_fields, title_before, title_after, words_added, "
    "words_removed, diff, run_id || '-t' || k, batch_id || '-t' || k",
    "observation_errors": "article_id + k * {stride}, url, observed_at - {shift}, outcome, error, "
    "run_id || '-t' || k, batch_id || '-t' || k",
    "loaded_batches": "batch_id || '-t' || k, run_id || '-t' || k, loaded_at - {shift}, "
    "observations, counts",
}


def tile(db: Path, hours: int, span_days: int, now: datetime, ladder: Ladder) -> int:
    """Copy the loaded hours back in time until they cover `span_days`; returns the copies.

    One bulk INSERT per table (the loaded rows crossed with the copy number k): copy k gets ids
    shifted by k * ID_STRIDE and times shifted back by k loaded periods. Its next checks are
    spread over the ladder interval for its age, as in a warehouse that has run for a year.
    """
    copies = max(0, span_days * 24 // hours - 1)
    stamp = f"TIMESTAMPTZ '{now.isoformat()}'"
    age = f"({stamp} - (last_changed - {{shift}}))"
    cases = " ".join(
        f"WHEN {age} < INTERVAL {int(limit.total_seconds())} SECOND "
        f"THEN {stamp} + random() * INTERVAL {int(interval.total_seconds())} SECOND"
        for limit, interval in ladder.steps
    )
    next_check = f"CASE {cases} ELSE NULL END"
    con = duckdb.connect(str(db))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    for table, columns in TILED.items():
        shift = f"to_hours(k * {hours})"
        select = columns.replace("{next_check}", next_check.replace("{shift}", shift))
        select = select.replace("{stride}", str(ID_STRIDE)).replace("{shift}", shift)
        started = time.perf_counter()
        con.execute(
            f"INSERT INTO {table} SELECT {select} FROM {table}, range(1, {copies + 1}) AS r(k)"
        )
        print(f"  tiled {table} in {time.perf_counter() - started:.1f} s", flush=True)
    con.execute("CHECKPOINT")
    con.close()
    return copies


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def query_times(path: Path, queries: list[str]) -> list[float]:
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    times = [timed(lambda q=q: con.execute(q).fetchall(), repeat=3)[0] for q in queries]
    con.close()
    return times


def due_time(db: Path, now: datetime) -> tuple[float, int]:
    with open_readonly(db) as con:
        seconds, rows = timed(lambda: con.execute(DUE_SQL, [now]).fetchall(), repeat=3)
    return seconds, len(rows)  # type: ignore[arg-type]


def size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def measure(
    hours: int = 6,
    raw_share: float = 0.05,
    span_days: int = YEAR,
    workdir: Path | None = None,
) -> list[Figure]:
    root = Path(workdir or tempfile.mkdtemp(prefix="year-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    db = root / "liputan6.duckdb"
    for stale in root.glob("liputan6*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    ladder = Ladder()
    per_day_checks = int(PER_DAY * checks_per_article(ladder))
    now = datetime.now(UTC).replace(microsecond=0)
    sim = Simulator(now - timedelta(hours=hours), raw_share, per_day_checks)
    runs = hours * 60 // RUN_MINUTES
    holds: list[float] = []
    observed, load_seconds = load_runs(db, sim, runs, holds)
    figures: list[Figure] = []

    def add(name: str, value: float, unit: str, **kw: object) -> None:
        figures.append(Figure(name, value, unit, **kw))  # type: ignore[arg-type]
        print(f"  {name}: {value:,.3f} {unit}", flush=True)

    print(f"loaded {hours} h: {observed:,} observations in {load_seconds:.1f} s", flush=True)
    add("load rate, real loader", observed / load_seconds, "obs/s")
    add("lock hold per batch, p95", statistics.quantiles(holds, n=20)[18], "s", target="< 1 s")
    publish(db)
    small = query_times(snapshot_path(db), QUERIES)
    with duckdb.connect(str(db), read_only=True) as con:
        raw_pages, raw_stored, raw_bytes = con.execute(
            "SELECT count(*), sum(stored_bytes), sum(size_bytes) FROM raw_pages"
        ).fetchone()
    copies = tile(db, hours, span_days, now, ladder)
    print(f"tiled {copies} copies of {hours} h to {(copies + 1) * hours / 24:.0f} days", flush=True)
    with duckdb.connect(str(db), read_only=True) as con:
        articles, versions, fetches, changes = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM versions), "
            "(SELECT count(*) FROM fetches), (SELECT count(*) FROM changes)"
        ).fetchone()
    add("articles in the year", articles, "rows")
    add("versions in the year", versions, "rows")
    add("fetch_log rows in the year", fetches, "rows")
    add("changes in the year", changes, "rows")
    for stale in root.glob("liputan6.read*"):
        stale.unlink()  # the year's first publication is a full build
    full_seconds, full = timed(lambda: publish(db))
    add("publish, full (baseline)", full_seconds, "s")
    add("  live file held by it", full.live_hold_seconds, "s")  # type: ignore[union-attr]
    year_holds: list[float] = []
    load_runs(db, sim, 1, year_holds)
    second, _ = timed(lambda: publish(db))
    add("publish, second (copies the first, then incremental)", second, "s")
    incremental: list[float] = []
    held: list[float] = []
    for _ in range(3):
        load_runs(db, sim, 1, year_holds)
        seconds, done = timed(lambda: publish(db))
        incremental.append(seconds)
        held.append(done.live_hold_seconds)  # type: ignore[union-attr]
    worst = max(incremental)
    add(
        "publish, incremental (worst of 3)",
        worst,
        "s",
        baseline=full_seconds,
        ratio=full_seconds / worst,
        target="<= 5 s",
        met=worst <= 5,
    )
    add("  live file held by it (worst)", max(held), "s")
    hold = max(year_holds)
    add("lock hold per batch on the year file, max", hold, "s", target="< 1 s", met=hold < 1)
    out = root / "parquet"
    shutil.rmtree(out, ignore_errors=True)
    with open_read(db) as con:
        export_full, report = timed(lambda: export(con, str(out)))
    add("export, full (baseline)", export_full, "s")
    load_runs(db, sim, 1, year_holds)
    publish(db)
    with open_read(db) as con:
        export_incr, report = timed(lambda: export(con, str(out)))
    add(
        "export, incremental after one run",
        export_incr,
        "s",
        baseline=export_full,
        ratio=export_full / export_incr,
    )
    add("  partitions rewritten", report.partitions_written, "")  # type: ignore[union-attr]
    for number, (seconds, before) in enumerate(
        zip(query_times(snapshot_path(db), QUERIES), small, strict=True), start=1
    ):
        add(
            f"README query {number} on the snapshot",
            seconds * 1000,
            "ms",
            baseline=before * 1000,
            ratio=before / seconds,
            target="<= 1000 ms",
            met=seconds <= 1,
        )
    due_seconds, due_rows = due_time(db, datetime.now(UTC))
    add(f"due-for-recheck query ({due_rows:,} due)", due_seconds * 1000, "ms")
    add("live file", size(db) / 1e9, "GB")
    add("snapshot (each of 2 copies)", size(copy_path(db, "a")) / 1e9, "GB")
    add("Parquet export", size(out) / 1e9, "GB")
    year_versions = versions
    stored_per_page = (raw_stored or 0) / max(raw_pages, 1)
    ratio = (raw_stored or 0) / max(raw_bytes or 1, 1)
    add(f"raw pages loaded ({raw_pages:,}, replica pages)", (raw_stored or 0) / 1e6, "MB stored")
    add(
        "raw HTML for a year, extrapolated: replica page size",
        stored_per_page * year_versions / 1e9,
        "GB",
    )
    add(
        "raw HTML for a year, extrapolated: 300 KB real pages at the same ratio",
        REAL_PAGE_BYTES * ratio * year_versions / 1e9,
        "GB",
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=6, help="hours loaded by the real loader")
    parser.add_argument("--raw-share", type=float, default=0.05)
    parser.add_argument("--span-days", type=int, default=YEAR, help="days after tiling")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    figures = measure(args.hours, args.raw_share, args.span_days, args.workdir)
    print()
    header = ["figure", "value", "baseline", "ratio", "target", "met"]
    rows = [header] + [f.cells() for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()

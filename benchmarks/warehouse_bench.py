"""Warehouse benchmark: ingest rate, bytes on disk, and query latency on a large archive.

All figures come from one run, each next to a baseline measured in the same run:

1. Ingest, text only: synthetic articles of 3-10 KB of text loaded with `load_batch` (first
   sightings, then edits of the same articles, which read state and compute diffs), against a
   bare appender insert of the same version rows into a plain table (the floor). Target >= 5,000
   versions/s.
2. Ingest with 300 KB raw HTML per version, and raw page storage: stored bytes / uncompressed
   (target <= 20%), also on the real saved pages in ../shared/pages when present.
3. Bytes on disk per version (text only) and per raw page.
4. Query latency on 1,000,000 articles + 1,000,000 changes built with bulk SQL: `article_changes`
   for the last 24 h and the due-for-recheck selection (target < 200 ms), against the same
   queries on a 10,000-article archive with the same number of due articles and recent changes,
   so the ratio shows how much the archive size costs.

    python benchmarks/warehouse_bench.py [--text-versions 20000] [--raw-versions 200]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from figures import Figure

from parsers.models import Article, Page, TopicTag
from warehouse import due_for_recheck, load_batch, load_batches, migrate, open_readonly
from warehouse.queries import DUE_SQL
from warehouse.records import Batch, FetchAttempt, Observation

PAGES = Path(__file__).parent.parent.parent / "shared" / "pages"
# A small Indonesian vocabulary; the synthetic text is random words drawn from it.
_VOCABULARY = """
pemerintah warga jakarta banjir harga naik turun presiden menteri rapat kebijakan
ekonomi pasar saham rupiah dolar polisi kasus korupsi sidang hakim putusan pemilu
partai calon suara rakyat daerah kota provinsi sekolah siswa guru rumah sakit dokter
pasien vaksin gempa bumi tsunami hujan angin jalan tol kereta pesawat bandara laut
nelayan petani beras cabai bawang minyak gas listrik air bersih banyak sedikit akan
sudah belum sedang dengan untuk dari pada oleh dalam kepada bahwa yang ini itu juga
"""
WORDS = _VOCABULARY.split()
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BATCH = 500


def _paragraphs(rng: random.Random, target_bytes: int) -> list[str]:
    paragraphs, size = [], 0
    while size < target_bytes:
        text = " ".join(rng.choices(WORDS, k=rng.randint(25, 60))).capitalize() + "."
        paragraphs.append(text)
        size += len(text) + 2
    return paragraphs


def _article(article_id: int, rng: random.Random, paragraphs: list[str], title: str) -> Article:
    return Article(
        article_id=article_id,
        canonical_url=f"https://www.liputan6.com/news/read/{article_id}/berita-{article_id}",
        channel="news",
        title=title,
        description=" ".join(rng.choices(WORDS, k=20)),
        authors=["Penulis Uji"],
        published_at=NOW - timedelta(hours=2),
        tags=rng.sample(WORDS, 4),
        pages=[Page(paragraphs=paragraphs)],
    )


def _observation(article: Article, at: datetime, raw_html: str | None) -> Observation:
    attempt = FetchAttempt(
        url=article.canonical_url,
        status=200,
        outcome="ok",
        bytes=len(raw_html or ""),
        attempted_at=at,
    )
    topic = TopicTag(topic="nasional", source="channel", score=1.0, evidence=["news"])
    return Observation(
        article_id=article.article_id,
        url=article.canonical_url,
        observed_at=at,
        outcome="ok",
        article=article,
        raw_html=raw_html,
        topics=[topic],
        attempts=[attempt],
    )


_JS_SOURCE = """
function var return if else for window document this new typeof null true false
push length prototype call apply getElementById querySelector addEventListener
googletag cmd defineSlot pubads enableServices display kmklabs gtm dataLayer
( ) { } ; , . = == + - [ ] : ! && ||
"""
_JS_TOKENS = _JS_SOURCE.split()
_CHANNELS = ("news", "bisnis", "bola", "showbiz", "tekno", "global", "regional", "health")


def _slug(rng: random.Random, words: int) -> str:
    return "-".join(rng.choices(WORDS, k=words))


def _raw_html(rng: random.Random, article: Article) -> str:
    """A page of about 300 KB shaped like the site's: head full of meta and inline scripts,
    navigation, ad slots, lists of related articles, then the article itself.

    Everything but the article is generated per page (ids, links, titles, script tokens), so the
    compressor cannot lean on one repeated block.
    """
    head = [f'<meta property="og:title" content="{article.title}">']
    head += [
        f"<script>window.kmklabs.{rng.choice(WORDS)}{i}="
        + " ".join(rng.choices(_JS_TOKENS + WORDS, k=400))
        + "</script>"
        for i in range(12)
    ]
    nav = [
        f'<li class="navbar--menu--item"><a class="navbar--menu--item--link" '
        f'href="https://www.liputan6.com/{channel}/{_slug(rng, 2)}" data-track="nav-{i}">'
        f"{' '.join(rng.choices(WORDS, k=2)).title()}</a></li>"
        for channel in _CHANNELS
        for i in range(25)
    ]
    related = []
    while sum(map(len, related)) < 240_000:
        ident, channel, slug = (
            rng.randint(4_000_000, 5_999_999),
            rng.choice(_CHANNELS),
            _slug(rng, 7),
        )
        title = " ".join(rng.choices(WORDS, k=8)).capitalize()
        related.append(
            f'<article class="articles--iridescent-list--item" data-article-id="{ident}">'
            f'<a href="https://www.liputan6.com/{channel}/read/{ident}/{slug}" title="{title}">'
            f'<img src="https://cdn1-production-images-kly.akamaized.net/'
            f'{rng.getrandbits(96):x}/640x360/{slug}.jpg" alt="{title}" loading="lazy">'
            f'<h4 class="articles--iridescent-list--text-item__title">{title}</h4></a>'
            f'<div id="div-gpt-ad-{rng.getrandbits(48):x}" class="advertisement"></div>'
            f'<time datetime="2026-11-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:'
            f'{rng.randint(0, 59):02d}:00">{rng.randint(1, 28)} Nov 2026</time></article>'
        )
    body = "".join(f"<p>{p}</p>" for p in article.pages[0].paragraphs)
    return (
        f'<!DOCTYPE html><html lang="id"><head>{"".join(head)}</head><body>'
        f"<nav><ul>{''.join(nav)}</ul></nav>"
        f'<article class="hentry main read-page--core-article" data-article-id="'
        f'{article.article_id}"><h1 class="read-page--header--title">{article.title}</h1>'
        f'<div class="article-content-body__item-content">{body}</div></article>'
        f"<aside>{''.join(related)}</aside></body></html>"
    )


def _batches(observations: list[Observation], run: str, size: int) -> list[Batch]:
    return [
        Batch(
            run_id=f"{run}-{start}", created_at=NOW, observations=observations[start : start + size]
        )
        for start in range(0, len(observations), size)
    ]


def _settle() -> None:
    """Keep the benchmark's own input data out of the garbage collector's scans, so the
    timings measure the warehouse and not a heap of a hundred thousand synthetic objects."""
    gc.collect()
    gc.freeze()


def _load_all(db: Path, observations: list[Observation], run: str, size: int = BATCH) -> float:
    """One connection for all batches (`load_batches`, as when draining a spool)."""
    batches = _batches(observations, run, size)
    _settle()
    started = time.perf_counter()
    load_batches(db, batches)
    return time.perf_counter() - started


def _load_each(db: Path, observations: list[Observation], run: str, size: int) -> float:
    """A connection per batch (`load_batch`), as a flow loading each batch as it is made."""
    batches = _batches(observations, run, size)
    _settle()
    started = time.perf_counter()
    for batch in batches:
        load_batch(db, batch)
    return time.perf_counter() - started


def _baseline_append(db: Path, observations: list[Observation]) -> float:
    """The floor: the same version rows appended to a plain table, no logic, no indexes.

    One connection for all batches, closed (checkpointed) once at the end."""
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE plain (article_id BIGINT, title VARCHAR, description VARCHAR, "
        "body VARCHAR, tags VARCHAR[], published_at TIMESTAMPTZ)"
    )
    _settle()
    started = time.perf_counter()
    for start in range(0, len(observations), BATCH):
        rows = [
            (o.article_id, a.title, a.description, a.body, a.tags, a.published_at)
            for o in observations[start : start + BATCH]
            if (a := o.article) is not None
        ]
        con.execute("BEGIN TRANSACTION")
        with con.appender("plain") as appender:
            appender.append_rows(rows)
        con.execute("COMMIT")
    con.close()
    return time.perf_counter() - started


def _size(db: Path) -> int:
    con = duckdb.connect(str(db))
    con.execute("CHECKPOINT")
    con.close()
    wal = db.with_name(db.name + ".wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def bench_text(workdir: Path, count: int) -> tuple[float, float]:
    rng = random.Random(1)
    firsts, edits = [], []
    for i in range(count):
        paragraphs = _paragraphs(rng, rng.randint(3000, 10000))
        article = _article(i + 1, rng, paragraphs, f"Judul berita nomor {i}")
        firsts.append(_observation(article, NOW, None))
        changed = [
            *paragraphs[:-1],
            paragraphs[-1] + " Pembaruan: " + " ".join(rng.sample(WORDS, 8)),
        ]
        edited = article.model_copy(update={"pages": [Page(paragraphs=changed)]})
        edits.append(_observation(edited, NOW + timedelta(minutes=30), None))
    text_bytes = statistics.mean(len(o.article.body) for o in firsts if o.article)
    db = workdir / "text.duckdb"
    migrate(db)
    first_s = _load_all(db, firsts, "first")
    edit_s = _load_all(db, edits, "edit")
    base_s = _baseline_append(workdir / "baseline.duckdb", firsts)
    size = _size(db)
    small = min(count, 2_000)
    each_db = workdir / "each.duckdb"
    migrate(each_db)
    each_s = _load_each(each_db, firsts[:small], "each", 50)
    print(f"## 1. ingest, text only ({count:,} articles, mean body {text_bytes / 1024:.1f} KB)")
    print(f"  new versions, load_batches of {BATCH}: {count / first_s:8,.0f} versions/s")
    print(f"  edits (diffs), load_batches of {BATCH}: {count / edit_s:8,.0f} versions/s")
    print(f"  new versions, load_batch per 50     : {small / each_s:8,.0f} versions/s")
    print(f"  baseline: bare appender, plain table: {count / base_s:8,.0f} rows/s")
    print(f"  ratios to baseline: new {base_s / first_s:.2f}, edits {base_s / edit_s:.2f}")
    print("  (target >= 5,000 versions/s)")
    print(f"## 3. bytes on disk per version (text only): {size / (2 * count):,.0f} B")
    print(f"  (mean body {text_bytes:,.0f} B; file includes articles, changes with diffs, fetches)")
    return count / first_s, count / base_s


def bench_raw(workdir: Path, count: int) -> float:
    rng = random.Random(2)
    observations = []
    for i in range(count):
        article = _article(i + 1, rng, _paragraphs(rng, 6000), f"Judul {i}")
        observations.append(_observation(article, NOW, _raw_html(rng, article)))
    raw_kb = statistics.mean(len(o.raw_html or "") for o in observations) / 1024
    db = workdir / "raw.duckdb"
    migrate(db)
    text_only = [o.model_copy(update={"raw_html": None}) for o in observations]
    text_db = workdir / "raw-baseline.duckdb"
    migrate(text_db)
    text_s = _load_all(text_db, text_only, "text")
    raw_s = _load_all(db, observations, "raw")
    with open_readonly(db) as con:
        size, stored = con.execute(
            "SELECT sum(size_bytes), sum(stored_bytes) FROM raw_pages"
        ).fetchall()[0]
    growth = _size(db) - _size(text_db)
    print(f"## 2. ingest with raw HTML ({count} versions, mean raw page {raw_kb:.0f} KB)")
    print(f"  with raw HTML    : {count / raw_s:8,.1f} versions/s")
    ratio = text_s / raw_s
    print(f"  same, text only  : {count / text_s:8,.1f} versions/s (baseline; ratio {ratio:.3f})")
    print(f"  raw stored/uncompressed (synthetic): {stored / size:.1%} (target <= 20%)")
    print(f"## 3. bytes on disk per raw page: {growth / count:,.0f} B (file growth over text-only)")
    _real_pages(workdir)
    return stored / size


def _real_pages(workdir: Path) -> None:
    files = sorted(PAGES.glob("*.html")) if PAGES.is_dir() else []
    if not files:
        print(f"  real pages: {PAGES} not available")
        return
    rng = random.Random(3)
    observations = [
        _observation(_article(i + 1, rng, ["teks"], "Judul"), NOW, path.read_text("utf-8"))
        for i, path in enumerate(files)
    ]
    db = workdir / "real.duckdb"
    _load_all(db, observations, "real")
    with open_readonly(db) as con:
        ratios = [
            s / z
            for z, s in con.execute("SELECT size_bytes, stored_bytes FROM raw_pages").fetchall()
        ]
    mean, worst = statistics.mean(ratios), max(ratios)
    print(
        f"  raw stored/uncompressed (real pages, n={len(ratios)}): mean {mean:.1%}, max {worst:.1%}"
    )


def build_archive(db: Path, articles: int, due: int, recent_changes: int) -> None:
    """`articles` articles with one version each and as many changes, built in bulk SQL.

    `due` articles, scattered evenly through the table so that no block of rows can be skipped,
    are due now; the last `recent_changes` changes (changes are appended in time order) fall in
    the last 24 h; everything else is spread over the past year and the coming year.
    """
    migrate(db)
    con = duckdb.connect(str(db))
    params = {"n": articles, "due": due, "now": NOW}
    con.execute(
        """INSERT INTO articles (article_id, url, channel, status, current_version, first_seen,
               last_checked, last_changed, check_count, next_check_at)
           SELECT i, 'https://www.liputan6.com/news/read/' || i || '/x', 'news',
                  CASE WHEN i % 50 = 0 THEN 'removed' ELSE 'live' END, 1,
                  $now - to_seconds((i * 7919) % 31536000), $now, $now, 1,
                  CASE WHEN i % ($n // $due) = 0 THEN $now - to_seconds(i % 86400)
                       ELSE $now + to_seconds(60 + (i * 104729) % 31536000) END
           FROM range(1, $n + 1) t(i)""",
        params,
    )
    con.execute(
        """INSERT INTO versions (article_id, version, content_hash, title, description, body,
               pages, tags, authors, published_at, parser_version, fetched_at)
           SELECT i, 1, md5(i::VARCHAR), 'Judul ' || i, 'Ringkasan', 'Isi singkat ' || i,
                  '[]', ['berita'], ['Penulis'], $now - to_seconds(i % 31536000), '1.0.0', $now
           FROM range(1, $n + 1) t(i)""",
        {"n": articles, "now": NOW},
    )
    con.execute(
        """INSERT INTO changes (article_id, kind, version_from, version_to, detected_at,
               changed_fields, title_before, title_after, words_added, words_removed)
           SELECT i, 'edit', 1, 2,
                  CASE WHEN i > $n - $recent THEN $now - to_seconds(i % 86000)
                       ELSE $now - to_seconds(86400 + (i * 7919) % 31449600) END,
                  ['title'], 'Judul ' || i, 'Judul baru ' || i, 2, 1
           FROM range(1, $n + 1) t(i)""",
        {"n": articles, "recent": recent_changes, "now": NOW},
    )
    con.close()


SINCE = NOW - timedelta(hours=24)
CHANGES_24H = """SELECT article_id, kind, from_version, to_version, detected_at, title_before,
                        title_after, url
                 FROM article_changes WHERE detected_at >= ? ORDER BY detected_at DESC"""


def _timed(fn, repeat: int = 7) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def bench_queries(workdir: Path, articles: int) -> dict[str, tuple[float, float, float]]:
    due, recent = 1_000, 2_700
    results = {}
    for label, size in (("baseline", 10_000), ("archive", articles)):
        db = workdir / f"archive-{size}.duckdb"
        started = time.perf_counter()
        build_archive(db, size, due, recent)
        build_s = time.perf_counter() - started
        with open_readonly(db) as con:
            changes_ms, found = _timed(lambda con=con: con.execute(CHANGES_24H, [SINCE]).fetchall())
            due_sql_ms, _ = _timed(lambda con=con: con.execute(DUE_SQL, [NOW]).fetchall())
        due_ms, queue = _timed(lambda db=db: due_for_recheck(db, NOW))
        results[label] = (changes_ms, due_sql_ms, due_ms)
        print(f"  {size:>9,} articles + {size:,} changes (built in {build_s:.1f}s):")
        print(f"    article_changes last 24h : {changes_ms:6.1f} ms ({len(found):,} rows)")
        print(f"    due selection (SQL)      : {due_sql_ms:6.1f} ms ({len(queue):,} due)")
        print(
            f"    due_for_recheck()        : {due_ms:6.1f} ms (with opening and closing the file)"
        )
    base, big = results["baseline"], results["archive"]
    ratios = ", ".join(f"{b / a:.2f}x" for a, b in zip(base, big, strict=True))
    print(f"  ratios archive/baseline ({articles // 10_000}x the rows), same order: {ratios}")
    print("  (target < 200 ms)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-versions", type=int, default=20_000)
    parser.add_argument("--raw-versions", type=int, default=200)
    parser.add_argument("--archive-articles", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bench_text(workdir, args.text_versions)
        bench_raw(workdir, args.raw_versions)
        print("## 4. query latency (median of 7)")
        bench_queries(workdir, args.archive_articles)


def measure(size: int = 20_000) -> list[Figure]:
    """`size` text versions, `size // 100` raw pages and an archive of `size * 50` articles."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ingest, floor = bench_text(workdir, size)
        raw_share = bench_raw(workdir, max(20, size // 100))
        queries = bench_queries(workdir, size * 50)
    (base_changes, _, base_due), (changes, _, due) = queries["baseline"], queries["archive"]
    return [
        Figure(
            "ingest, new text versions",
            ingest,
            "versions/s",
            floor,
            ingest / floor,
            ">= 5,000 versions/s",
            ingest >= 5000,
        ),
        Figure(
            "raw HTML stored / uncompressed",
            raw_share * 100,
            "%",
            target="<= 20%",
            met=raw_share <= 0.20,
        ),
        Figure(
            f"article_changes 24h, {size * 50:,} articles",
            changes,
            "ms",
            base_changes,
            base_changes / changes,
            "< 200 ms",
            changes < 200,
        ),
        Figure(
            f"due_for_recheck, {size * 50:,} articles",
            due,
            "ms",
            base_due,
            base_due / due,
            "< 200 ms",
            due < 200,
        ),
    ]


if __name__ == "__main__":
    main()

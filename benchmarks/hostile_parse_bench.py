"""Parse time and peak memory per hostile input, against a normal article parsed in the same run.

The hostile pages (tests/support/hostile_pages.py) are what fuzzing from outside found: bodies
nested 20,000 elements deep, JSON-LD and `window.kmklabs` nested 5,000 deep, 40k and 200k keywords,
20k authors, escape sequences, and 5 MB of paragraphs or inline tags (the fetch cap). The baseline
is a real saved article from ../shared/pages when present, else a replica article. Each input is
timed `--rounds` times (median, garbage collector paused as in timeit); peak memory is measured in a
separate, untimed call with tracemalloc, so tracing does not inflate the times.

    python benchmarks/hostile_parse_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from figures import Figure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.hostile_pages import ARTICLE_URL, HOSTILE  # noqa: E402

from parsers.article import parse_article  # noqa: E402
from parsers.models import ExtractionError  # noqa: E402
from sample_site import SampleSite  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"
LIMIT_S = 1.0  # "any page under the 5 MB cap parses in well under a second"


def baseline_page() -> tuple[str, str, str | None]:
    """(name, html, url) of a normal article: the largest real one, else a replica one."""
    real = sorted(PAGES.glob("*_article_*.html"), key=lambda p: p.stat().st_size)
    if real:
        return f"baseline (real) {real[-1].stem}", real[-1].read_text(encoding="utf-8"), None
    site = SampleSite(articles=5, seed=7)
    state = next(iter(site.states.values()))
    return "baseline (replica article)", site.render_article(state).decode("utf-8"), ARTICLE_URL


def outcome(html: str, url: str | None) -> str:
    try:
        article = parse_article(html, url)
    except ExtractionError as exc:
        return f"{type(exc).__name__}: {exc}"[:60]
    paragraphs = sum(len(page.paragraphs) for page in article.pages)
    cut = " cut" if "region_truncated" in article.rules_fired else ""
    return f"article, {paragraphs} paragraphs, {len(article.tags)} tags{cut}"


def timed(html: str, url: str | None, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        with contextlib.suppress(ExtractionError):  # the answer is measured, whichever it is
            parse_article(html, url)
        samples.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(samples)


def peak_mb(html: str, url: str | None) -> float:
    gc.collect()
    tracemalloc.start()
    with contextlib.suppress(ExtractionError):
        parse_article(html, url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def run(rounds: int) -> list[tuple[str, float, float, float, str]]:
    """Rows of (input, MB, seconds, peak MB, outcome); the baseline first."""
    name, html, url = baseline_page()
    inputs: list[tuple[str, Callable[[], str], str | None]] = [(name, lambda: html, url)]
    inputs += [(key, make, ARTICLE_URL) for key, make in HOSTILE.items()]
    rows = []
    for label, make, page_url in inputs:
        page = make()
        if label == name:  # warm imports and caches once, outside the measurement
            outcome(page, page_url)
        rows.append(
            (
                label,
                len(page.encode()) / 1e6,
                timed(page, page_url, rounds),
                peak_mb(page, page_url),
                outcome(page, page_url),
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = run(args.rounds)
    base = rows[0][2]
    print(f"median of {args.rounds} rounds; peak memory from one traced call")
    print(f"{'input':<64} {'size MB':>8} {'time ms':>9} {'x base':>7} {'peak MB':>8}  outcome")
    slowest = 0.0
    for label, size, seconds, peak, result in rows:
        slowest = max(slowest, seconds)
        print(
            f"{label:<64} {size:8.2f} {seconds * 1000:9.1f} {seconds / base:7.1f} {peak:8.1f}"
            f"  {result}"
        )
    verdict = "yes" if slowest < LIMIT_S else "NO"
    print(f"slowest input {slowest * 1000:.0f} ms (limit {LIMIT_S * 1000:.0f} ms): {verdict}")
    return 0


def measure(size: int = 3) -> list[Figure]:
    """The slowest hostile input, as a multiple of the normal article's parse time."""
    rows = run(size)
    base = rows[0][2]
    label, _, seconds, _, _ = max(rows[1:], key=lambda row: row[2])
    return [
        Figure(
            f"slowest hostile parse ({label})",
            seconds * 1000,
            "ms",
            base * 1000,
            base / seconds,
            f"< {LIMIT_S * 1000:.0f} ms",
            seconds < LIMIT_S,
        )
    ]


if __name__ == "__main__":
    sys.exit(main())

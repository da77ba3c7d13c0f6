"""Parse cost per page on the real saved pages in ../shared/pages.

Prints median ms/page for the project's `parse_article`, `lxml.html.fromstring` and a full-page
`BeautifulSoup(html, "lxml")`, all measured in this run on the same pages, and the ratio of the
BeautifulSoup baseline to the project's parse (target: parse <= 10 ms, ratio >= 3).

    python benchmarks/parse_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup
from figures import Figure

from parsers.article import parse_article
from parsers.models import ExtractionError

PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "pages"


def _project(page: str) -> None:
    with contextlib.suppress(ExtractionError):  # home pages: NotAnArticle is the measured answer
        parse_article(page)


def _lxml(page: str) -> None:
    lxml.html.fromstring(page)


def _soup(page: str) -> None:
    BeautifulSoup(page, "lxml")


def _paired_medians(fns: list[Callable[[str], None]], pages: list[str], rounds: int) -> list[float]:
    """Per function: median over pages of each page's median over rounds, in milliseconds.

    The functions take turns on each page in every round, so a burst of load from elsewhere on
    this shared machine hits all of them alike; as in `timeit`, the garbage collector is paused
    during each timed call (and run between calls), so no function pays for another's garbage.
    """
    per_page: list[list[float]] = [[] for _ in fns]
    for page in pages:
        times: list[list[float]] = [[] for _ in fns]
        for _ in range(rounds):
            for index, fn in enumerate(fns):
                gc.collect()
                gc.disable()
                start = time.perf_counter()
                fn(page)
                times[index].append(time.perf_counter() - start)
                gc.enable()
        for index, samples in enumerate(times):
            per_page[index].append(statistics.median(samples))
    return [statistics.median(values) * 1000 for values in per_page]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if not PAGES.is_dir():
        print(f"no real pages at {PAGES}: nothing to benchmark", file=sys.stderr)
        return 1
    files = sorted(PAGES.glob("*.html"))
    pages = [path.read_text(encoding="utf-8") for path in files]
    articles = [page for path, page in zip(files, pages, strict=True) if "_article_" in path.name]
    for page in pages:  # warm up imports and caches outside the measurement
        _project(page)
    print(f"{len(pages)} pages ({len(articles)} articles), {args.rounds} rounds, median ms/page")
    for label, subset in (("all pages", pages), ("article pages", articles)):
        ours, raw_lxml, soup = _paired_medians([_project, _lxml, _soup], subset, args.rounds)
        print(
            f"{label:>14}: parse_article {ours:6.2f}  lxml.html.fromstring {raw_lxml:6.2f}"
            f"  BeautifulSoup(lxml) {soup:6.2f}  ratio BS/parse {soup / ours:5.2f}x"
        )
    return 0


def measure(size: int = 15) -> list[Figure]:
    """Article pages, `size` rounds each: parse_article ms/page, and the full-soup baseline."""
    files = sorted(PAGES.glob("*_article_*.html")) if PAGES.is_dir() else []
    if not files:
        return []
    pages = [path.read_text(encoding="utf-8") for path in files]
    for page in pages:
        _project(page)
    ours, soup = _paired_medians([_project, _soup], pages, size)
    return [
        Figure(
            "parse_article, real article pages", ours, "ms/page", target="<= 10 ms", met=ours <= 10
        ),
        Figure(
            "BeautifulSoup(lxml) full page / parse_article",
            ours,
            "ms/page",
            soup,
            soup / ours,
            "ratio >= 3",
            soup / ours >= 3,
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())

"""One table for every benchmark: each figure, its baseline, their ratio, and the target.

Imports each script's `measure(size)` and runs it at a small and a large size (a missing script,
or one whose inputs are absent, is listed as skipped, never silently dropped). The ratio is
oriented so that higher is better; baselines are measured in the same run.

    python benchmarks/report.py [--only small|large] [--bench NAME ...]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from figures import Figure

HERE = Path(__file__).resolve().parent
# script -> (small size, large size); a size is what the script's `measure` scales with.
SIZES: dict[str, tuple[int, int]] = {
    "parse_bench": (3, 15),  # rounds over the real pages
    "hostile_parse_bench": (1, 3),  # rounds per hostile input
    "warehouse_bench": (2_000, 20_000),  # text versions; archive = 50x this many articles
    "fetch_bench": (100, 400),  # replica articles
    "topics_eval": (40, 120),  # replica articles (plus the real pages)
    "pipeline_bench": (200, 2_000),  # replica articles, with and without Prefect
    "lock_bench": (5, 15),  # 50-article batches per shape
    "robots_bench": (26, 31),  # path length the regex baseline still gets through
    "connect_bench": (50, 200),  # opens of the warehouse file per mode
}
HEADER = ["benchmark", "size", "figure", "value", "baseline", "ratio", "target", "met"]


def _lock_bench(size: int) -> list[Figure]:
    """lock_bench's `measure(rounds, size, workdir)` returns raw timings: summarise them here."""
    import lock_bench

    with tempfile.TemporaryDirectory() as tmp:
        timings = lock_bench.measure(size, 50, Path(tmp))
    base = statistics.median(timings["baseline"])
    target = lock_bench.TARGET_MS
    figures = []
    for shape in ("new", "edited", "unchanged"):
        median = statistics.median(timings[shape])
        figures.append(
            Figure(
                f"write lock held per 50-article batch, {shape}",
                median,
                "ms",
                base,
                base / median,
                f"< {target:.0f} ms",
                median < target,
            )
        )
    return figures


ADAPTERS: dict[str, Callable[[int], list[Figure]]] = {"lock_bench": _lock_bench}


def run(name: str, size: int) -> list[list[str]]:
    """The rows of one benchmark at one size."""
    if not (HERE / f"{name}.py").exists():
        return [[name, str(size), "(script not present: skipped)", "", "", "", "", "-"]]
    measure = ADAPTERS.get(name) or getattr(importlib.import_module(name), "measure", None)
    if measure is None:
        return [[name, str(size), "(no measure() function: skipped)", "", "", "", "", "-"]]
    started = time.perf_counter()
    try:
        figures: list[Figure] = measure(size)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        failure = f"FAILED: {type(exc).__name__}: {exc}"[:90]
        return [[name, str(size), failure, "", "", "", "", "NO"]]
    took = time.perf_counter() - started
    print(f"[report] {name} at {size}: {len(figures)} figures in {took:.0f}s", file=sys.stderr)
    if not figures:
        return [[name, str(size), "(inputs not available: skipped)", "", "", "", "", "-"]]
    return [[name, f"{size:,}", *figure.cells()] for figure in figures]


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(HEADER), rule, *(line(row) for row in rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["small", "large"], help="run one size only")
    parser.add_argument("--bench", nargs="*", default=list(SIZES), help="benchmarks to run")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    rows: list[list[str]] = []
    for name in args.bench:
        small, large = SIZES.get(name, (0, 0))
        sizes = {"small": [small], "large": [large]}.get(args.only or "", [small, large])
        for size in sizes:
            rows.extend(run(name, size))
    print(table(rows))
    unmet = [row for row in rows if row[-1] == "NO"]
    print(f"\n{len(rows)} rows; {len(unmet)} figure(s) miss their target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

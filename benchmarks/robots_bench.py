"""robots.txt matching on rules that make a backtracking regular expression explode.

The baseline is the matcher this project used before Protego: each rule compiled to a regular
expression, `*` becoming `.*`. `Disallow: /********~` then costs exponential time in the path's
length (13 s for a 51-character path, over 100 s for 71, measured), outside every time budget,
before the first article of a run. The baseline is only run on short paths, or it would not end.

    python benchmarks/robots_bench.py [path length]
"""

from __future__ import annotations

import re
import sys
import time

from figures import Figure

from flows.fetching.robots import parse_robots

RULES = ("/********~", "/*a*a*a*a*a*a*a*a*~")
AGENT = "liputan6-monitor"
BASELINE_PATH_LENGTH = 26  # "/news/read/" + 15 letters: ~0.2 s with the regex, longer grows fast
REAL_PATH_LENGTH = 120  # a typical Liputan6 article path


def _regex_baseline(rule: str) -> re.Pattern[str]:
    """The replaced matcher's compilation, kept here only to measure against."""
    return re.compile(".*".join(re.escape(part) for part in rule.split("*")))


def _seconds(call, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def _path(length: int) -> str:
    prefix = "/news/read/"
    return prefix + "a" * (length - len(prefix))


def measure(size: int = BASELINE_PATH_LENGTH) -> list[Figure]:
    figures = []
    for rule in RULES:
        rules = parse_robots(f"User-agent: *\nDisallow: {rule}\n", AGENT)
        short = _path(size)
        regex = _regex_baseline(rule)
        baseline = _seconds(lambda r=regex, p=short: r.match(p), 1) * 1000
        ours = _seconds(lambda p=short, r=rules: r.allows(p), 5) * 1000
        figures.append(
            Figure(
                f"Disallow: {rule}, {size}-char path (baseline: regex matcher)",
                ours,
                "ms",
                baseline,
                baseline / ours,
                "ratio >= 100",
                baseline / ours >= 100,
            )
        )
        long = _path(REAL_PATH_LENGTH)
        at_length = _seconds(lambda p=long, r=rules: r.allows(p), 5) * 1000
        figures.append(
            Figure(
                f"Disallow: {rule}, {REAL_PATH_LENGTH}-char path (too slow for the regex)",
                at_length,
                "ms",
                target="< 1 ms",
                met=at_length < 1,
            )
        )
    return figures


if __name__ == "__main__":
    length = int(sys.argv[1]) if len(sys.argv) > 1 else BASELINE_PATH_LENGTH
    for figure in measure(length):
        print(" | ".join(figure.cells()))

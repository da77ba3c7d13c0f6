"""Freshness benchmark: the age ladder against the budgeted allocation policy, per newsroom.

Runs sample_site/freshness_sim.py (the real change detection and scheduling code on a real
DuckDB file, virtual time) for every newsroom profile x hint mode x policy and prints one table:
edit recall, detection latency p50/p95, requests per day (the recheck's own and everything
including discovery), peak backlog. Then the downtime scenario: 24 hours without any run, then
backlog size over time and how soon articles published during the drain are fetched and
rechecked.

The ladder never reads hints, so it runs once per profile (same seed, same newsroom) and its row
is repeated for each hint mode. The ladder runs at its deployed cadence (a recheck every 15
minutes); the allocation policy at its own (a pass every 5 minutes here; the continuous recheck
flow passes every minute). Requests per day cover the scored days only (after a day of warm-up).

    python benchmarks/freshness.py [--days 5] [--per-day 300] [--jobs 2]

`--per-day` scales the newsroom and, with it, the politeness budget (2 req/s at 1,500 a day),
so the ratios hold while the simulation stays fast enough for a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sample_site.freshness_sim import SimConfig, Simulator
from sample_site.newsroom import PROFILES, HintMode

START = datetime(2026, 11, 1, 17, tzinfo=UTC)  # 00:00 WIB


@dataclass(frozen=True)
class Row:
    profile: str
    mode: str
    policy: str
    recall: float
    p50: float
    p95: float
    recheck_per_day: float
    total_per_day: float
    peak_backlog: int
    versions: int
    seconds: float


def config(profile: str, mode: HintMode, policy: str, args: argparse.Namespace) -> SimConfig:
    return SimConfig(
        profile=PROFILES[profile],
        mode=mode,
        policy=policy,  # type: ignore[arg-type]
        start=START,
        days=args.days,
        per_day=args.per_day,
        seed=args.seed,
        rate_per_second=2.0 * args.per_day / 1500,
        pass_seconds=900 if policy == "ladder" else args.pass_seconds,
        recheck_share=args.share,
    )


def run_one(cfg: SimConfig) -> Row:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(cfg, Path(tmp) / "sim.duckdb")
        result = sim.run()
    rechecks = result.recheck_requests + sim.hint_requests
    return Row(
        cfg.profile.name,
        cfg.mode.value,
        cfg.policy,
        result.recall,
        result.latency(0.5),
        result.latency(0.95),
        rechecks / result.days_scored,
        result.requests_per_day,
        result.peak_backlog,
        result.versions_total,
        time.perf_counter() - started,
    )


def downtime(cfg: SimConfig) -> list[str]:
    """24 h without runs from the end of day 2; the drain afterwards, hour by hour."""
    down_at, length = timedelta(days=2), timedelta(hours=24)
    cfg = replace(cfg, downtime=(down_at, length), days=max(cfg.days, 4.0))
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(cfg, Path(tmp) / "sim.duckdb")
        result = sim.run()
    back = cfg.start + down_at + length
    lines = [
        f"{cfg.policy} ({cfg.profile.name}, hints {cfg.mode.value}): "
        "hour after restart | backlog at start of hour (ladder: due articles; allocation: "
        "worthwhile checks waiting, expected undetected versions) | requests | articles "
        "published | first fetch p50/max min | first recheck p50/max min"
    ]
    before = [p for p in result.passes if p.at < cfg.start + down_at]
    if before:
        last = before[-1]
        lines.append(
            f"  just before the downtime: backlog {last.backlog}"
            + (f" ({last.expected_versions:.1f})" if cfg.policy != "ladder" else "")
        )
    for hour in range(12):
        lo, hi = back + timedelta(hours=hour), back + timedelta(hours=hour + 1)
        passes = [p for p in result.passes if lo <= p.at < hi]
        fetched = [d for at, d in result.first_fetch_delay_min if lo <= at < hi]
        rechecked = [d for at, d in result.first_recheck_delay_min if lo <= at < hi]
        first = passes[0] if passes else None
        backlog = f"{first.backlog:6d}" if first else "     -"
        if first and cfg.policy != "ladder":
            backlog += f" ({first.expected_versions:6.1f})"
        lines.append(
            f"  +{hour:2d} h | {backlog} | "
            f"{sum(p.requests for p in passes):5d} | {len(fetched):4d} | "
            f"{_p50(fetched):6.1f} / {max(fetched, default=0):6.1f} | "
            f"{_p50(rechecked):6.1f} / {max(rechecked, default=0):6.1f}"
        )
    lines.append(
        f"  recall {result.recall:.3f}, p50 {result.latency(0.5):.1f} min, "
        f"p95 {result.latency(0.95):.1f} min, peak backlog {result.peak_backlog}"
    )
    return lines


def _p50(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=5.0)
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--pass-seconds", type=int, default=300)
    parser.add_argument("--share", type=float, default=0.15, help="allocation recheck budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profiles", nargs="*", default=list(PROFILES))
    parser.add_argument("--no-downtime", action="store_true")
    parser.add_argument("--downtime-only", action="store_true")
    args = parser.parse_args()
    if args.downtime_only:
        with ProcessPoolExecutor(args.jobs) as pool:
            jobs = [
                pool.submit(downtime, config(args.profiles[0], HintMode.ABSENT, policy, args))
                for policy in ("ladder", "allocation")
            ]
            for job in jobs:
                print("\n".join(job.result()))
                print()
        return
    configs = [config(p, HintMode.ABSENT, "ladder", args) for p in args.profiles]
    configs += [config(p, m, "allocation", args) for p in args.profiles for m in HintMode]
    jobs = []
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(run_one, configs))
        if not args.no_downtime:
            profile = args.profiles[0]
            jobs = [
                pool.submit(downtime, config(profile, HintMode.ABSENT, policy, args))
                for policy in ("ladder", "allocation")
            ]
    ladder = {r.profile: r for r in rows if r.policy == "ladder"}
    print(
        f"Freshness, {args.per_day} articles/day, {args.days:g} days (first day warm-up), "
        f"politeness {2.0 * args.per_day / 1500:.2f} req/s, allocation budget "
        f"{args.share:.0%} of it"
    )
    header = (
        f"{'profile':17} {'hints':9} {'policy':10} {'recall':>6} {'p50 min':>8} "
        f"{'p95 min':>8} {'recheck/day':>11} {'vs ladder':>9} {'all req/day':>11} "
        f"{'peak backlog':>12} {'versions':>8}"
    )
    print(header)
    print("-" * len(header))
    for profile in args.profiles:
        for mode in HintMode:
            base = ladder[profile]
            new = next(
                r for r in rows if r.profile == profile and r.mode == mode and r.policy != "ladder"
            )
            for r in (base, new):
                ratio = r.recheck_per_day / base.recheck_per_day
                print(
                    f"{profile:17} {mode.value:9} {r.policy:10} {r.recall:6.3f} {r.p50:8.1f} "
                    f"{r.p95:8.1f} {r.recheck_per_day:11.0f} {ratio:9.0%} "
                    f"{r.total_per_day:11.0f} {r.peak_backlog:12d} {r.versions:8d}"
                )
    print(f"simulation time: {sum(r.seconds for r in rows):.0f} s of CPU over {len(rows)} runs")
    for job in jobs:
        print()
        print("\n".join(job.result()))


if __name__ == "__main__":
    main()

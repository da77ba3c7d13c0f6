"""Freshness benchmark: the age ladder against the budgeted allocation policy, per newsroom.

Runs sample_site/freshness_sim.py (the real change detection and scheduling code on a real
DuckDB file, virtual time) for every newsroom profile x hint mode x policy and prints one table:
edit recall, detection latency p50/p95, requests per day (the recheck's own and everything
including discovery), peak backlog. Then the downtime scenario: 24 hours without any run, then
backlog size over time and how soon articles published during the drain are fetched and
rechecked.

The ladder never reads hints, so it runs once per profile (same seed, same newsroom) and its row
is repeated for each hint mode. The ladder runs at its deployed cadence (a recheck every 15
minutes); the allocation policy at its own (`--pass-seconds`; the continuous recheck flow passes
every minute). Requests per day cover the days after a day of warm-up. Versions made in the
last `--tail-hours` (three days) are not scored, so recall is the share of versions captured at
all: a version is missed when it was superseded or removed before any check (or went three days
unchecked), not because the run ended soon after it. A policy that waits long for an old article
pays in the p95 latency, not in recall.

Both policies start from the same warm warehouse: `--archive-days` of the newsroom's past
articles, loaded as the ladder last checked them (sample_site/freshness_sim.py), because the
ladder's spend grows with the archive for a year and a run from an empty warehouse undercounts
it. The allocation's budget is `--ladder-share` of what the ladder would spend on the same
warehouse (computed from the warehouse, see warehouse/recheck_planner.py), hint polls included,
capped by `--share` of the politeness budget.

    python benchmarks/freshness.py [--days 7] [--per-day 150] [--archive-days 365] [--jobs 4]

`--per-day` scales the newsroom and, with it, the politeness budget (2 req/s at 1,500 a day,
plus the listings' fixed cost, which does not shrink with the site), so the ratios hold while
the simulation stays fast enough for a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sample_site.freshness_sim import RSS_FEEDS, SimConfig, Simulator, build_archive
from sample_site.newsroom import PROFILES, HintMode
from warehouse.recheck_planner import PlannerSettings

START = datetime(2026, 11, 1, 17, tzinfo=UTC)  # 00:00 WIB
LISTINGS_PER_SECOND = (RSS_FEEDS + 3) / 600  # feeds, sitemaps and news sitemap every 10 min


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
        rate_per_second=rate(args),
        pass_seconds=900 if policy == "ladder" else args.pass_seconds,
        recheck_share=args.share,
        planner=PlannerSettings(ladder_share=args.ladder_share),
        archive_days=args.archive_days,
        tail=timedelta(hours=args.tail_hours),
    )


def rate(args: argparse.Namespace) -> float:
    return 2.0 * args.per_day / 1500 + LISTINGS_PER_SECOND


def archive(cfg: SimConfig, folder: str) -> Path | None:
    """The warm warehouse for `cfg`'s profile, built once and copied into each simulation."""
    if cfg.archive_days <= 0:
        return None
    path = Path(folder) / f"archive-{cfg.profile.name}.duckdb"
    return build_archive(cfg, path)


def run_one(cfg: SimConfig, template: Path | None) -> Row:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(cfg, Path(tmp) / "sim.duckdb", archive=template)
        result = sim.run()
    rechecks = result.recheck_requests + result.hint_requests
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


def downtime(cfg: SimConfig, template: Path | None) -> list[str]:
    """24 h without runs from the end of day 2; the drain afterwards, hour by hour. Four days,
    the last 12 hours unscored, so the recall line covers the downtime and the drain."""
    down_at, length = timedelta(days=2), timedelta(hours=24)
    cfg = replace(cfg, downtime=(down_at, length), days=4.0, tail=timedelta(hours=12))
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(cfg, Path(tmp) / "sim.duckdb", archive=template)
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
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--per-day", type=int, default=150)
    parser.add_argument("--archive-days", type=float, default=365.0)
    parser.add_argument("--pass-seconds", type=int, default=300)
    parser.add_argument("--ladder-share", type=float, default=0.40, help="allocation budget")
    parser.add_argument("--share", type=float, default=0.5, help="cap, share of politeness")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tail-hours", type=float, default=72.0, help="unscored end of the run")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--profiles", nargs="*", default=list(PROFILES))
    parser.add_argument("--modes", nargs="*", default=[m.value for m in HintMode])
    parser.add_argument("--no-downtime", action="store_true")
    parser.add_argument("--downtime-only", action="store_true")
    args = parser.parse_args()
    modes = [HintMode(m) for m in args.modes]
    configs = []
    if not args.downtime_only:
        configs = [config(p, HintMode.ABSENT, "ladder", args) for p in args.profiles]
        configs += [config(p, m, "allocation", args) for p in args.profiles for m in modes]
    downs = []
    if not args.no_downtime:
        downs = [
            config(p, HintMode.ABSENT, policy, args)
            for p in args.profiles
            for policy in ("ladder", "allocation")
        ]
    with tempfile.TemporaryDirectory() as folder, ProcessPoolExecutor(args.jobs) as pool:
        built = {
            p: pool.submit(archive, config(p, HintMode.ABSENT, "ladder", args), folder)
            for p in args.profiles
        }
        templates = {p: job.result() for p, job in built.items()}
        futures = [pool.submit(run_one, cfg, templates[cfg.profile.name]) for cfg in configs]
        jobs = [pool.submit(downtime, cfg, templates[cfg.profile.name]) for cfg in downs]
        for done in as_completed(futures):
            print(f"done: {done.result()}", file=sys.stderr, flush=True)
        rows = [f.result() for f in futures]
        downtime_lines = [job.result() for job in jobs]
    if rows:
        print_table(rows, args, modes)
    for lines in downtime_lines:
        print()
        print("\n".join(lines))


def print_table(rows: list[Row], args: argparse.Namespace, modes: list[HintMode]) -> None:
    ladder = {r.profile: r for r in rows if r.policy == "ladder"}
    print(
        f"Freshness, {args.per_day} articles/day, {args.days:g} days (first day warm-up), "
        f"archive {args.archive_days:g} days, politeness {rate(args):.3f} req/s; allocation: "
        f"budget {args.ladder_share:.0%} of the ladder's spend on the warehouse, passes of "
        f"{args.pass_seconds} s"
    )
    header = (
        f"{'profile':17} {'hints':9} {'policy':10} {'recall':>6} {'p50 min':>8} "
        f"{'p95 min':>8} {'recheck/day':>11} {'vs ladder':>9} {'all req/day':>11} "
        f"{'peak backlog':>12} {'versions':>8}"
    )
    print(header)
    print("-" * len(header))
    for profile in args.profiles:
        for mode in modes:
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
    print(f"simulation time: {sum(r.seconds for r in rows):.0f} s over {len(rows)} runs")


if __name__ == "__main__":
    main()

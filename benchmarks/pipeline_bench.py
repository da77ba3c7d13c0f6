"""End-to-end pipeline benchmark: discover → fetch → parse → tag → spool → load, with and without
Prefect, in one run against the same sample site.

- Prefect arm: the `monitor` flow (batches as tasks, the global rate limit taken in blocks,
  artifacts, run records), on a local Prefect server (the configured `PREFECT_API_URL`, else one
  started for the run).
- Library arm: the same functions called directly: `discover`, `observe` per batch, the spool
  write and `load_batch`. Same settings (high rate limit, same concurrency and batch size).

Each arm gets a fresh DuckDB file. Prints pages/s for each and their ratio (target >= 0.7), peak
RSS of this process, and the time of a recheck pass over the unchanged set (every page a 304),
by the `recheck` flow and by the library. The site and the Prefect server run in their own
processes; peak RSS is this process's, per arm (Linux resets the peak between arms).

    python benchmarks/pipeline_bench.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from figures import Figure

from config.settings import Settings, temporary_environment
from flows import spool
from flows.discovery import discover
from flows.fetching import Fetcher
from flows.observe import Target, observe
from warehouse import Ladder, due_for_recheck, load_batch, open_readonly
from warehouse.records import Batch

T = TypeVar("T")
EVERYTHING_DUE = timedelta(days=400)
TARGET_RATIO = 0.7


def _serve(articles: int, ready: mp.Queue, stop: mp.Event) -> None:
    from sample_site import SampleSite, serve

    site = SampleSite(articles=articles, seed=7, now=datetime.now(UTC))
    with serve(site) as running:
        ready.put(running.base_url)
        stop.wait()


@contextmanager
def sample_site(articles: int) -> Iterator[str]:
    ready: mp.Queue = mp.Queue()
    stop = mp.Event()
    proc = mp.Process(target=_serve, args=(articles, ready, stop), daemon=True)
    proc.start()
    try:
        yield ready.get(timeout=120)
    finally:
        stop.set()
        proc.join(timeout=10)


def _settings(base_url: str, workdir: Path, arm: str) -> Settings:
    return Settings(
        base_url=base_url,
        db_path=workdir / f"{arm}.duckdb",
        spool_dir=workdir / f"{arm}-spool",
        rate_per_second=10_000,
        concurrency=8,
        sources=["sitemap"],
        channels=["news"],
        max_retries=1,
        health_threshold=0,
        rate_limit_name=f"bench-{arm}-{time.time_ns()}",
    )


def _stored(settings: Settings) -> int:
    with open_readonly(settings.db_path) as con:
        return con.execute("SELECT count(*) FROM latest_articles").fetchone()[0]


async def _load_targets(settings: Settings, fetcher: Fetcher, targets: list[Target]) -> int:
    """The library pipeline over targets, batch by batch, as the flows run it; returns pages."""
    ladder = Ladder.from_steps(settings.recheck_ladder)
    pages = 0
    for start in range(0, len(targets), settings.batch_size):
        chunk = targets[start : start + settings.batch_size]
        observations = await observe(fetcher, chunk)
        batch = Batch(run_id="bench", created_at=datetime.now(UTC), observations=observations)
        item = spool.write(settings.spool_dir, batch)
        load_batch(settings.db_path, batch, ladder=ladder)
        spool.remove(item)
        pages += len(chunk)
    return pages


async def library_monitor(settings: Settings) -> int:
    async with Fetcher(settings) as fetcher:
        report = await discover(fetcher, settings)
        targets = [Target(ref.article_id, ref.url) for ref in report.refs]
        return await _load_targets(settings, fetcher, targets)


async def library_recheck(settings: Settings) -> int:
    due = due_for_recheck(settings.db_path, datetime.now(UTC) + EVERYTHING_DUE)
    targets = [Target(d.article_id, d.url, d.etag, d.last_modified) for d in due]
    async with Fetcher(settings) as fetcher:
        return await _load_targets(settings, fetcher, targets)


def _timed(run: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def reset_peak_rss() -> bool:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak RSS since the last reset (VmHWM), else over the process's life (getrusage)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def measure(size: int = 2000) -> list[Figure]:
    """Both arms over `size` replica articles; the library arm runs first, then Prefect."""
    from flows.local_server import prefect_api
    from flows.monitor_flow import monitor
    from flows.recheck_flow import recheck

    with tempfile.TemporaryDirectory() as tmp, sample_site(size) as base_url:
        workdir = Path(tmp)
        lib = _settings(base_url, workdir, "library")
        windowed = reset_peak_rss()
        lib_time, lib_pages = _timed(lambda: asyncio.run(library_monitor(lib)))
        lib_recheck, _ = _timed(lambda: asyncio.run(library_recheck(lib)))
        assert _stored(lib) == size, f"library arm stored {_stored(lib)} of {size}"
        lib_rss = peak_rss_mb()

        flow = _settings(base_url, workdir, "prefect")
        env = {
            "LIPUTAN6_BASE_URL": base_url,
            "LIPUTAN6_DB_PATH": str(flow.db_path),
            "LIPUTAN6_SPOOL_DIR": str(flow.spool_dir),
            "LIPUTAN6_RATE_PER_SECOND": str(flow.rate_per_second),
            "LIPUTAN6_CONCURRENCY": str(flow.concurrency),
            "LIPUTAN6_SOURCES": '["sitemap"]',
            "LIPUTAN6_CHANNELS": '["news"]',
            "LIPUTAN6_MAX_RETRIES": "1",
            "LIPUTAN6_HEALTH_THRESHOLD": "0",
            "LIPUTAN6_RATE_LIMIT_NAME": flow.rate_limit_name,
        }
        with temporary_environment(env), prefect_api(workdir / "prefect-server.log"):
            reset_peak_rss()
            flow_time, counts = _timed(lambda: asyncio.run(monitor()))
            recheck_time, recheck_counts = _timed(
                lambda: asyncio.run(recheck(ahead_minutes=int(EVERYTHING_DUE.total_seconds() / 60)))
            )
            flow_rss = peak_rss_mb()
        assert _stored(flow) == size, f"Prefect arm stored {_stored(flow)} of {size}"
        assert recheck_counts.get("not_modified") == size, recheck_counts

    lib_rate, flow_rate = lib_pages / lib_time, counts["new"] / flow_time
    ratio = flow_rate / lib_rate
    return [
        Figure(
            "pages/s, monitor flow vs library",
            flow_rate,
            "pages/s",
            lib_rate,
            ratio,
            f"ratio >= {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
        ),
        Figure(
            "recheck pass, all 304 (flow vs library)",
            recheck_time,
            "s",
            lib_recheck,
            lib_recheck / recheck_time,
            "reported",
        ),
        Figure(
            "peak RSS, flow arm vs library arm" + ("" if windowed else " (process lifetime)"),
            flow_rss,
            "MB",
            lib_rss,
            lib_rss / flow_rss,
            "reported (Prefect server is a separate process)",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    figures = measure(args.articles)
    for figure in figures:
        name, value, baseline, ratio, target, met = figure.cells()
        print(f"{name:<42} {value:>16}  baseline {baseline:>10}  ratio {ratio:>6}  {target} {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fetcher benchmark against the sample site on 127.0.0.1, all figures from one run.

1. Throughput with politeness off: the project's Fetcher vs a bare `httpx.AsyncClient` +
   `asyncio.gather` loop over the same URLs at the same concurrency (target ratio >= 0.9).
   Both arms decode the text. Paired rounds alternate the order; the median ratio is reported.
2. Rate-limiter accuracy: requests/s measured from the attempt timestamps vs configured
   (target within +-10%).
3. A second pass over unchanged articles with the validators of the first: share of 304s
   (target >= 95%) and body bytes transferred in each pass.

The site runs in its own process so that its CPU does not share the benchmark's GIL.

    python benchmarks/fetch_bench.py [--articles 400] [--concurrency 8] [--rounds 8] [--rate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import time
from collections.abc import Sequence

import httpx
from figures import Figure

from config.settings import Settings
from flows.fetching import Fetcher, FetchRequest


def _serve(articles: int, seed: int, ready: mp.Queue, stop: mp.Event) -> None:
    from sample_site import SampleSite, serve

    with serve(SampleSite(articles=articles, seed=seed), host="127.0.0.1", port=0) as running:
        ready.put(running.base_url)
        stop.wait()


def _settings(base_url: str, concurrency: int, rate: float = 1000.0) -> Settings:
    return Settings(
        base_url=base_url,
        concurrency=concurrency,
        rate_per_second=rate,
        max_retries=0,
        connect_timeout=5,
        read_timeout=10,
        total_timeout=30,
    )


async def _bare(urls: Sequence[str], concurrency: int, user_agent: str) -> int:
    """The baseline: what a careless scraper would write (same concurrency cap, text decoded)."""
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(headers={"User-Agent": user_agent}) as client:

        async def get(url: str) -> bool:
            async with gate:
                response = await client.get(url)
                return response.status_code == 200 and bool(response.text)

        fetched = await asyncio.gather(*(get(u) for u in urls))
    return sum(fetched)


async def _fetcher(urls: Sequence[str], settings: Settings) -> int:
    async with Fetcher(settings, polite=False) as fetcher:
        results = await fetcher.fetch_many([FetchRequest(u) for u in urls])
    return sum(1 for r in results if r.outcome == "ok" and r.text)


async def _timed(name: str, urls: Sequence[str], settings: Settings) -> tuple[float, float]:
    """(pages per wall-clock second, client CPU milliseconds per page) for one pass."""
    wall, cpu = time.perf_counter(), time.process_time()
    if name == "Fetcher":
        ok = await _fetcher(urls, settings)
    else:
        ok = await _bare(urls, settings.concurrency, settings.full_user_agent)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if ok != len(urls):
        raise SystemExit(f"{name}: only {ok} of {len(urls)} pages fetched")
    return len(urls) / wall, cpu * 1000 / len(urls)


async def throughput(
    urls: Sequence[str], base_url: str, concurrency: int, rounds: int
) -> tuple[float, float, float]:
    """Paired rounds, the order alternating, after a full warm-up pass (the site caches pages).

    The site shares this 2-core machine, so single passes swing by 2x; the median of per-round
    ratios cancels most of that drift, and client CPU per page shows the Fetcher's own cost."""
    settings = _settings(base_url, concurrency)
    await _timed("bare httpx", urls, settings)
    await _timed("Fetcher", urls[:50], settings)
    names = ("bare httpx", "Fetcher")
    rates: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for n in range(rounds):
        for name in names if n % 2 == 0 else reversed(names):
            pages_per_s, cpu_ms = await _timed(name, urls, settings)
            rates[name].append(pages_per_s)
            cpu[name].append(cpu_ms)
    ratios = [ours / bare for ours, bare in zip(rates["Fetcher"], rates["bare httpx"], strict=True)]
    print(f"\n## Throughput, politeness off ({len(urls)} pages, concurrency {concurrency})")
    for name in names:
        shown = ", ".join(f"{v:.0f}" for v in rates[name])
        print(
            f"  {name:<11} median {statistics.median(rates[name]):7.1f} pages/s, "
            f"client CPU {statistics.median(cpu[name]):.2f} ms/page  (rounds: {shown})"
        )
    ratio = statistics.median(ratios)
    verdict = "PASS" if ratio >= 0.9 else "FAIL"
    print(f"  ratio Fetcher/bare, median of {rounds} paired rounds = {ratio:.3f}")
    print(f"  (per round: {', '.join(f'{r:.2f}' for r in ratios)}; target >= 0.9: {verdict})")
    medians = [statistics.median(rates[name]) for name in ("Fetcher", "bare httpx")]
    return medians[0], medians[1], ratio


async def rate_accuracy(urls: Sequence[str], base_url: str, rate: float) -> float:
    settings = _settings(base_url, concurrency=4, rate=rate)
    async with Fetcher(settings) as fetcher:
        results = await fetcher.fetch_many([FetchRequest(u) for u in urls])
    stamps = sorted(a.attempted_at for r in results for a in r.attempts)
    span = (stamps[-1] - stamps[0]).total_seconds()
    measured = (len(stamps) - 1) / span
    error = measured / rate - 1
    verdict = "PASS" if abs(error) <= 0.10 else "FAIL"
    print(f"\n## Rate limiter ({len(stamps)} requests, one host, concurrency 4)")
    print(f"  configured {rate:.1f} req/s, measured {measured:.2f} req/s")
    print(f"  error {error:+.1%}  (target within +-10%: {verdict})")
    return measured


async def second_pass(urls: Sequence[str], base_url: str, concurrency: int) -> float:
    settings = _settings(base_url, concurrency)
    async with Fetcher(settings, polite=False) as fetcher:
        first = await fetcher.fetch_many([FetchRequest(u) for u in urls])
        again = [FetchRequest(r.url, r.etag, r.last_modified) for r in first if r.outcome == "ok"]
        second = await fetcher.fetch_many(again)
    not_modified = sum(1 for r in second if r.outcome == "not_modified")
    first_bytes = sum(a.bytes for r in first for a in r.attempts)
    second_bytes = sum(a.bytes for r in second for a in r.attempts)
    share = not_modified / len(second)
    verdict = "PASS" if share >= 0.95 else "FAIL"
    print(f"\n## Second pass over unchanged articles ({len(second)} conditional requests)")
    print(f"  304 share {share:.1%} ({not_modified}/{len(second)})  (target >= 95%: {verdict})")
    print(f"  body bytes: first pass {first_bytes:,}, second pass {second_bytes:,}")
    return share


def _article_urls(base_url: str) -> list[str]:
    truth = httpx.get(f"{base_url}/_admin/truth", timeout=60).json()
    return [a["url"] for a in truth["articles"] if a["status"] == "live"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--rate-requests", type=int, default=81)
    args = parser.parse_args()

    ready: mp.Queue = mp.Queue()
    stop = mp.Event()
    server = mp.Process(target=_serve, args=(args.articles, args.seed, ready, stop), daemon=True)
    server.start()
    try:
        base_url = ready.get(timeout=300)
        urls = _article_urls(base_url)
        print(f"sample site {base_url}: {len(urls)} live articles")
        asyncio.run(throughput(urls, base_url, args.concurrency, args.rounds))
        asyncio.run(rate_accuracy(urls[: args.rate_requests], base_url, args.rate))
        asyncio.run(second_pass(urls, base_url, args.concurrency))
    finally:
        stop.set()
        server.join(timeout=10)


def measure(size: int = 400, rounds: int = 4, rate: float = 20.0) -> list[Figure]:
    """The three figures above for a site of `size` articles."""
    ready: mp.Queue = mp.Queue()
    stop = mp.Event()
    server = mp.Process(target=_serve, args=(size, 7, ready, stop), daemon=True)
    server.start()
    try:
        base_url = ready.get(timeout=300)
        urls = _article_urls(base_url)
        ours, bare, ratio = asyncio.run(throughput(urls, base_url, 8, rounds))
        measured = asyncio.run(rate_accuracy(urls[:81], base_url, rate))
        share = asyncio.run(second_pass(urls, base_url, 8))
    finally:
        stop.set()
        server.join(timeout=10)
    error = measured / rate - 1
    return [
        Figure(
            "Fetcher vs bare httpx, politeness off",
            ours,
            "pages/s",
            bare,
            ratio,
            "ratio >= 0.9",
            ratio >= 0.9,
        ),
        Figure(
            "rate limiter, measured vs configured",
            measured,
            "req/s",
            rate,
            measured / rate,
            "within +-10%",
            abs(error) <= 0.10,
        ),
        Figure("second pass, 304 share", share * 100, "%", target=">= 95%", met=share >= 0.95),
    ]


if __name__ == "__main__":
    main()

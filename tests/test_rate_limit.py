"""The site-wide request budget on a real Prefect server (the session's harness).

Each test gets a limit of its own (conftest.py's `test_rate_limit`), so none reads another's slots.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.responses import GlobalConcurrencyLimitResponse
from prefect.concurrency.asyncio import rate_limit

from config.settings import Settings
from flows.fetching.client import FetchAborted, Fetcher
from flows.local_server import free_port
from flows.observe import Target
from flows.rate_limit import BURST_SECONDS, GlobalPacer, PrefectApiUnreachable, ensure_rate_limit
from flows.steps import fetch_parse_spool

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def read_limit(settings: Settings) -> GlobalConcurrencyLimitResponse:
    async with get_client() as client:
        return await client.read_global_concurrency_limit_by_name(settings.rate_limit_name)


async def spend(settings: Settings, slots: int) -> None:
    await rate_limit(settings.rate_limit_name, occupy=slots, strict=True)


def test_a_lower_rate_does_not_stall_the_next_run() -> None:
    """Slots held under the old rate are clamped to the new capacity, so the next request waits
    about one request's worth at the new rate, not for the old slots to decay at it."""

    async def scenario() -> GlobalConcurrencyLimitResponse:
        fast, slow = Settings(rate_per_second=20), Settings(rate_per_second=1)
        await ensure_rate_limit(fast)
        await spend(fast, 20 * BURST_SECONDS)
        await ensure_rate_limit(slow)
        lowered = await read_limit(slow)
        # Left at 100 slots decaying at 1/s, this would wait about 95 s.
        await asyncio.wait_for(spend(slow, 1), timeout=10)
        return lowered

    lowered = asyncio.run(scenario())
    assert (lowered.limit, lowered.slot_decay_per_second) == (BURST_SECONDS, 1.0)
    assert lowered.active_slots <= lowered.limit


def test_an_unchanged_rate_leaves_the_slots_held() -> None:
    """Re-created at every run start: the budget other runs spent must not come back."""

    async def scenario() -> tuple[int, int]:
        settings = Settings(rate_per_second=2)
        await ensure_rate_limit(settings)
        await spend(settings, 2 * BURST_SECONDS)
        before = (await read_limit(settings)).active_slots
        await ensure_rate_limit(settings)
        return before, (await read_limit(settings)).active_slots

    before, after = asyncio.run(scenario())
    assert before > 0
    assert after == before


def test_runs_starting_together_create_one_limit() -> None:
    async def scenario() -> GlobalConcurrencyLimitResponse:
        settings = Settings(rate_per_second=3)
        await asyncio.gather(*(ensure_rate_limit(settings) for _ in range(4)))
        return await read_limit(settings)

    created = asyncio.run(scenario())
    assert (created.limit, created.slot_decay_per_second) == (3 * BURST_SECONDS, 3.0)


def test_a_prefect_api_gone_mid_run_ends_the_fetch_at_once() -> None:
    """The server a run takes its slots from stops answering (a stopped `serve` whose server a
    `run` joined, a restarted PREFECT_API_URL server). The first slot request names that cause;
    later requests fail at once, and the Fetcher ends instead of failing page by page, each page
    after Prefect's own minute of retries."""
    from prefect.settings import PREFECT_API_URL, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

    closed = free_port()
    settings = Settings(base_url=f"http://127.0.0.1:{closed}", respect_robots=False)
    pacer = GlobalPacer(settings)
    gone = {PREFECT_API_URL: f"http://127.0.0.1:{closed}/api", PREFECT_CLIENT_MAX_RETRIES: 0}

    async def scenario() -> None:
        with pytest.raises(PrefectApiUnreachable, match="stopped answering") as first:
            await pacer("127.0.0.1")
        started = time.monotonic()
        async with Fetcher(settings, before_request=pacer) as fetcher:
            with pytest.raises(PrefectApiUnreachable) as later:
                await fetcher.fetch(f"{settings.base_url}/news/read/1/judul")
        assert later.value is first.value and time.monotonic() - started < 1

    with temporary_settings(updates=gone):
        asyncio.run(scenario())


def test_a_fetch_aborted_for_the_run_is_not_retried(tmp_path: Path) -> None:
    """The fetch task retries a failed batch once, 5 s later; a fetch aborted for the whole run
    fails at once, as its cause outlasts the delay."""
    from prefect import flow

    calls = 0

    async def gone(host: str) -> None:
        nonlocal calls
        calls += 1
        raise FetchAborted("the Prefect API is gone")

    settings = Settings(base_url="http://127.0.0.1:9", respect_robots=False, spool_dir=tmp_path)
    target = Target(1, f"{settings.base_url}/news/read/1/judul")

    @flow
    async def one_batch() -> None:
        async with Fetcher(settings, before_request=gone) as fetcher:
            await fetch_parse_spool(fetcher, [target], settings, "run")

    started = time.monotonic()
    with pytest.raises(FetchAborted):
        asyncio.run(one_batch())
    assert calls == 1 and time.monotonic() - started < 5

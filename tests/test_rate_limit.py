"""The site-wide request budget on a real Prefect server (the session's harness).

Each test gets a limit of its own (conftest.py's `test_rate_limit`), so none reads another's slots.
"""

from __future__ import annotations

import asyncio

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.responses import GlobalConcurrencyLimitResponse
from prefect.concurrency.asyncio import rate_limit

from config.settings import Settings
from flows.rate_limit import BURST_SECONDS, ensure_rate_limit

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

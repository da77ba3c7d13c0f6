"""The site-wide request budget, shared by every flow run through a Prefect global rate limit.

The fetcher's own limiter paces one process; monitor and recheck runs overlap on a schedule, so
the budget must live in the Prefect server. The limit is (re)created idempotently at the start of
each run, and acquired with `strict=True`, so a missing limit fails loudly instead of letting
requests through unpaced.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from prefect.client.orchestration import get_client
from prefect.concurrency.asyncio import rate_limit

from flows.settings import Settings


async def ensure_rate_limit(settings: Settings) -> None:
    async with get_client() as client:
        await client.upsert_global_concurrency_limit_by_name(
            settings.rate_limit_name,
            limit=max(1, math.ceil(settings.rate_per_second)),
            slot_decay_per_second=settings.rate_per_second,
        )


def global_pacer(settings: Settings) -> Callable[[str], Awaitable[None]]:
    """A `before_request` hook for the Fetcher: one slot of the global limit per request."""
    name = settings.rate_limit_name

    async def acquire(host: str) -> None:
        await rate_limit(name, occupy=1, strict=True)

    return acquire

"""The site-wide request budget, shared by every flow run through a Prefect global rate limit.

The fetcher's own limiter paces one process; monitor and recheck runs overlap on a schedule, so
the budget must live in the Prefect server. The limit is (re)created idempotently at the start of
each run, and acquired with `strict=True`, so a missing limit fails loudly instead of letting
requests through unpaced.
"""

from __future__ import annotations

import asyncio
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
    """A `before_request` hook for the Fetcher: one slot of the global limit per request.

    Acquisitions are made one at a time: concurrent ones contend for the Prefect server's
    database (SQLite by default), which answers "locked" and makes each client back off for
    seconds. In sequence each costs a few milliseconds, far below the pacing itself.
    """
    name = settings.rate_limit_name
    turn = asyncio.Lock()

    async def acquire(host: str) -> None:
        async with turn:
            await rate_limit(name, occupy=1, strict=True)

    return acquire

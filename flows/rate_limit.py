"""The site-wide request budget, shared by every flow run through a Prefect global rate limit.

The fetcher's own limiter paces one process; monitor and recheck runs overlap on a schedule, so
the budget must live in the Prefect server. The limit is (re)created idempotently at the start of
each run. A missing limit fails loudly instead of letting requests through unpaced.
"""

from __future__ import annotations

import asyncio
import math

import httpx
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
)
from prefect.concurrency.asyncio import ConcurrencySlotAcquisitionError, rate_limit
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from config.settings import Settings
from flows.fetching.client import FetchAborted

# The limit holds BURST_SECONDS of requests; a run takes one second's worth at a time, so a new
# run finds room at once even while an earlier run's unspent block is still decaying.
BURST_SECONDS = 5


def _block(settings: Settings) -> int:
    """One second of requests (at least one): what a run takes from the server at once."""
    return max(1, math.ceil(settings.rate_per_second))


def _capacity(settings: Settings) -> int:
    return _block(settings) * BURST_SECONDS


async def ensure_rate_limit(settings: Settings) -> None:
    """Create the limit, or bring it to the configured rate.

    A changed rate also clamps the slots held to the new capacity, as a token bucket clamps its
    tokens when it shrinks. Prefect's own upsert changes only the limit and the decay, so after
    a lower `LIPUTAN6_RATE_PER_SECOND` the slots earlier runs held went on decaying at the new,
    slower rate: from 20 to 1 request/s, the next run's first request waited for 100 held slots
    to decay to the new capacity of 5, about 95 s.
    """
    name = settings.rate_limit_name
    limit = _capacity(settings)
    rate = settings.rate_per_second
    async with get_client() as client:
        try:
            current = await client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                await client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=limit, slot_decay_per_second=rate)
                )
                return
            except ObjectAlreadyExists:  # an overlapping run created it first
                current = await client.read_global_concurrency_limit_by_name(name)
        if current.limit == limit and current.slot_decay_per_second == rate:
            return
        await client.update_global_concurrency_limit(
            name,
            GlobalConcurrencyLimitUpdate(
                limit=limit,
                slot_decay_per_second=rate,
                active_slots=min(current.active_slots, limit),
            ),
        )


class MissingRateLimit(RuntimeError):
    """The global rate limit is not on the Prefect server (deleted while a run was going)."""


class PrefectApiUnreachable(FetchAborted):
    """The Prefect server went away during the run (the `serve` whose server a `run` used was
    stopped, or the server at PREFECT_API_URL restarted). Prefect's client retries each call for
    over a minute; without this, every page of the run waited that long, one after another, and
    failed with a message about a missing rate limit."""


class GlobalPacer:
    """A `before_request` hook for the Fetcher that spends the global budget.

    Slots are taken from the server a second's worth at a time, through Prefect's public
    `rate_limit`, and handed out one per request: a server call per request would cost more than
    the pacing itself (each call writes to the server's database, SQLite by default, where a
    call can wait seconds behind the server's own writes). Prefect waits out a busy server's
    HTTP 423 itself. Overlapping runs share the budget block by block, and the fetcher's own
    per-host limiter still spaces the requests of a block.
    """

    def __init__(self, settings: Settings) -> None:
        self._name = settings.rate_limit_name
        self._block = _block(settings)
        self._tokens = 0
        self._turn = asyncio.Lock()
        self._unreachable: PrefectApiUnreachable | None = None

    async def prime(self) -> None:
        """Take the first block before the run's first task starts. Taken inside a task, it
        races the server recording that task's start: on the server's SQLite the take then fails
        (a stale read snapshot, SQLITE_BUSY_SNAPSHOT), and Prefect's client retries it only
        after about 2 s. Measured on a six-article monitor run, that was every run's first take,
        and half the run's time."""
        async with self._turn:
            await self._refill()

    async def __call__(self, host: str) -> None:
        async with self._turn:
            await self._refill()
            self._tokens -= 1

    async def _refill(self) -> None:
        if self._unreachable is not None:
            raise self._unreachable
        if self._tokens:
            return
        try:
            await rate_limit(self._name, occupy=self._block, strict=True)
        except ConcurrencySlotAcquisitionError as exc:
            if (cause := _transport_error(exc)) is not None:
                self._unreachable = PrefectApiUnreachable(
                    f"the Prefect API stopped answering during the run ({cause!r}); "
                    f"no request can take a slot of the rate limit {self._name!r}"
                )
                raise self._unreachable from exc
            raise MissingRateLimit(
                f"Prefect global rate limit {self._name!r} does not exist; "
                "it is created at the start of every run"
            ) from exc
        self._tokens = self._block


def _transport_error(exc: BaseException) -> httpx.TransportError | None:
    """The connection failure behind a failed slot request, if that is what it was."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, httpx.TransportError):
            return cause
        cause = cause.__cause__
    return None

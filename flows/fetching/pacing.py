"""Per-host politeness: a request rate (token bucket) and a cap on requests in flight.

One `HostPacer` per Fetcher, keyed by `host[:port]`, so the site sees a steady trickle whatever
the shape of the work: a batch of 500 URLs for one host still arrives at `rate` requests/s with
at most `concurrency` open at once. A 429's Retry-After pushes the whole host back, not only the
URL that drew it, because the site is telling us about all our traffic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up, in its virtual-scheduling form (GCRA).

    Keeping the time the next token is due, rather than a token count, means a late wake-up
    from `asyncio.sleep` does not shift every later request: the schedule advances by exactly
    1/rate per request, so the long-run rate is the configured one. A burst of 1 (the default)
    spaces requests evenly, which is what a site's rate limiter measures.
    """

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.interval = 1.0 / rate
        self.burst = max(burst, 1.0)
        self._due = time.monotonic()  # when the next token is due, were none saved up
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        # The lock makes waiters queue in arrival order, so no request starves behind later ones.
        async with self._lock:
            due = max(self._due, time.monotonic() - (self.burst - 1.0) * self.interval)
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._due = due + self.interval

    def defer(self, seconds: float) -> None:
        """Hand out no token for `seconds` from now (a server asked us to back off)."""
        self._due = max(self._due, time.monotonic() + seconds)


class HostPacer:
    """The rate limit and the concurrency cap for every host this process talks to."""

    def __init__(self, rate: float | None, concurrency: int, burst: float = 1.0) -> None:
        """`rate=None` disables the rate limit (benchmarks); the concurrency cap always holds."""
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.rate = rate
        self.concurrency = concurrency
        self.burst = burst
        self._buckets: dict[str, TokenBucket] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}

    def _bucket(self, host: str) -> TokenBucket | None:
        if self.rate is None:
            return None
        if host not in self._buckets:
            self._buckets[host] = TokenBucket(self.rate, self.burst)
        return self._buckets[host]

    def _semaphore(self, host: str) -> asyncio.Semaphore:
        if host not in self._slots:
            self._slots[host] = asyncio.Semaphore(self.concurrency)
        return self._slots[host]

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's concurrent slots, entered at the host's rate."""
        async with self._semaphore(host):
            bucket = self._bucket(host)
            if bucket is not None:
                await bucket.acquire()
            yield

    def defer(self, host: str, seconds: float) -> None:
        bucket = self._bucket(host)
        if bucket is not None and seconds > 0:
            bucket.defer(seconds)

"""When to try a request again, and how long to wait first.

Exponential back-off with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
spreading retries uniformly over [0, base·2^n] stops many workers that failed together from
retrying together. A server's Retry-After wins over our own guess, because it knows when its bad
minute ends; but nothing waits past the request's deadline, which keeps a batch from hanging.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def is_retryable_status(status: int) -> bool:
    """429 (slow down) and 5xx (the server's bad minute); other 4xx will not change on retry."""
    return status == 429 or 500 <= status < 600


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class RetryPolicy:
    """`max_retries` retries after the first attempt; delays drawn as full jitter."""

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, retry_number: int) -> float:
        """Delay before retry `retry_number` (1 = the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        return self.rng.uniform(0.0, ceiling)

    def delay(self, retry_number: int, retry_after: float | None) -> float:
        """The server's Retry-After if it gave one, else our jittered back-off."""
        if retry_after is not None:
            return retry_after
        return self.backoff(retry_number)

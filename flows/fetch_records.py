"""The fetcher's attempts as the warehouse's fetch-log records: the one place the two meet."""

from __future__ import annotations

from collections.abc import Iterable

from flows.fetching.attempts import Attempt
from warehouse.records import FetchAttempt


def fetch_attempt(attempt: Attempt) -> FetchAttempt:
    return FetchAttempt(
        url=attempt.url,
        final_url=attempt.final_url,
        status=attempt.status,
        outcome=attempt.outcome,
        bytes=attempt.bytes,
        etag=attempt.etag,
        last_modified=attempt.last_modified,
        elapsed_ms=attempt.elapsed_ms,
        error=attempt.error,
        attempted_at=attempt.attempted_at,
        attempt=attempt.attempt,
        cause=attempt.cause,
    )


def fetch_attempts(attempts: Iterable[Attempt]) -> list[FetchAttempt]:
    return [fetch_attempt(a) for a in attempts]

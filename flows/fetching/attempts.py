"""One HTTP attempt as the fetcher saw it.

The fetcher's own record rather than the warehouse's `FetchAttempt`, so the network layer does not
build storage records; the flows turn each one into a warehouse record (flows/fetch_records.py).
The outcome names are the one vocabulary both sides share, and stay defined with the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.fetching.causes import FailureCause
from warehouse.records import FetchOutcome


@dataclass(frozen=True)
class Attempt:
    url: str
    outcome: FetchOutcome
    attempted_at: datetime
    attempt: int = 1
    final_url: str | None = None
    status: int | None = None
    bytes: int = 0
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: float = 0.0
    error: str | None = None
    cause: FailureCause | None = None

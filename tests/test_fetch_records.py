"""The fetcher's attempts become the warehouse's fetch-log records with nothing lost on the way."""

from __future__ import annotations

import ast
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path

from flows.fetch_records import fetch_attempt, fetch_attempts
from flows.fetching import Attempt
from warehouse.records import FetchAttempt

FETCHING = Path(__file__).resolve().parent.parent / "flows" / "fetching"


def test_every_field_of_an_attempt_reaches_the_fetch_log() -> None:
    assert {f.name for f in fields(Attempt)} == set(FetchAttempt.model_fields)
    attempt = Attempt(
        url="https://www.liputan6.com/news/read/1/a",
        outcome="http_error",
        attempted_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        attempt=3,
        final_url="https://www.liputan6.com/",
        status=503,
        bytes=1234,
        etag='"abc"',
        last_modified="Fri, 02 Jan 2026 03:04:05 GMT",
        elapsed_ms=12.5,
        error="HTTP 503 Service Unavailable",
        cause="http_error",
    )

    assert fetch_attempt(attempt).model_dump() == asdict(attempt)
    assert fetch_attempts([attempt, attempt]) == [fetch_attempt(attempt)] * 2


def test_the_fetcher_builds_no_warehouse_records() -> None:
    """Only the outcome vocabulary may come from the warehouse; records are mapped in flows."""
    imported = {
        (node.module, alias.name)
        for path in FETCHING.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("warehouse")
        for alias in node.names
    }

    assert imported <= {("warehouse.records", "FetchOutcome")}

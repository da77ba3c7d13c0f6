"""The environment a flow test runs its pipeline in: the replica, a DuckDB file and a spool under
one folder, fast politeness settings. Shared so every flow test measures the same set-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def pipeline_env(base_url: str, workdir: Path, **extra: str) -> Iterator[pytest.MonkeyPatch]:
    """`extra` maps further LIPUTAN6_* variables (without the prefix) to their values."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIPUTAN6_BASE_URL", base_url)
        mp.setenv("LIPUTAN6_DB_PATH", str(workdir / "w.duckdb"))
        mp.setenv("LIPUTAN6_SPOOL_DIR", str(workdir / "spool"))
        mp.setenv("LIPUTAN6_RATE_PER_SECOND", "200")
        mp.setenv("LIPUTAN6_CONCURRENCY", "8")
        for name, value in extra.items():
            mp.setenv(f"LIPUTAN6_{name}", value)
        yield mp

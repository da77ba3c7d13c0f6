"""The environment a flow test runs its pipeline in: the replica, a DuckDB file and a spool under
one folder, fast politeness settings. Shared so every flow test measures the same set-up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from sample_site import SampleSite


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


@dataclass
class World:
    """A served replica and the warehouse and spool its flow runs fill, under one folder."""

    site: SampleSite
    base_url: str
    workdir: Path
    settings: dict[str, str] = field(default_factory=dict)  # more LIPUTAN6_* for every run
    first_run: dict[str, int] = field(default_factory=dict)
    flow_runs: list[UUID] = field(default_factory=list)  # the world's, to read back from Prefect

    @property
    def db(self) -> Path:
        return self.workdir / "w.duckdb"

    @property
    def spool_dir(self) -> Path:
        return self.workdir / "spool"

    def run(
        self, flow: Callable[..., Any], settings: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        """One flow run against this world: its settings apply for the run only, so two worlds
        alive at once (module fixtures) never see each other's database."""
        wants_state = kwargs.pop("return_state", False)
        with pipeline_env(self.base_url, self.workdir, **{**self.settings, **(settings or {})}):
            state = asyncio.run(flow(return_state=True, **kwargs))
        self.flow_runs.append(state.state_details.flow_run_id)
        return state if wants_state else state.result()

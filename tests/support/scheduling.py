"""How pytest-xdist shares the suite out among its workers: a plugin, registered by conftest.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

# Modules whose tests share no costly module fixture: pytest-xdist hands these out test by test.
# Every other module runs whole on one worker (`--dist loadscope`, ModuleScheduling), so its module
# fixtures (a replica, a first run, a warehouse) are built once, and its tables are complete on one
# worker.
SPREAD = {"test_fuzz_parsers.py", "test_drills.py", "test_process_lifecycle.py"}
# The order in which pytest-xdist hands out work (`--no-loadscope-reorder`: collection order; by
# default loadscope starts with the modules that have the most tests). The fuzz tests need no
# Prefect: they keep the workers busy while Prefect's database migrates and the workers' servers
# start (PrefectStarts). Then the modules that run whole on one worker, costliest first (CI's
# `--durations=0`), so none is left running alone at the end while the other workers sit idle;
# then the drills and lifecycle cases, one by one; the small modules fill in last.
LONGEST_FIRST = (
    "test_fuzz_parsers.py",
    "test_serve_browser.py",
    "test_freshness.py",
    "test_security.py",
    "test_flows.py",
    "test_metamorphic.py",
    "test_crash_safety.py",
    "test_run_failures.py",
    "test_publish.py",
    "test_publish_flows.py",
    "test_drills.py",
    "test_process_lifecycle.py",
    "test_fuzz_atheris.py",
)


class ModuleScheduling(LoadScopeScheduling):
    """`--dist loadscope` by module, except that the SPREAD modules' tests go out one by one.

    Not `--dist loadgroup` with an xdist_group mark per module: pytest-xdist 3.8 puts the group in
    `item._nodeid`, which pytest 9.2 no longer reads, so every module was spread test by test and
    each worker built its own copy of a module's fixtures (three `serve` launches for the browser
    module, where one was meant)."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return nodeid if Path(module).name in SPREAD else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    return ModuleScheduling(config, log) if config.getvalue("dist") == "loadscope" else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The costliest modules first: xdist hands out work in collection order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))

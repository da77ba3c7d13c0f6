"""Fixtures shared across test modules."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED_PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "pages"
# CI sets this: there a test marked `real_pages` fails when the pages are missing, where a user's
# clone (which has no ../shared) skips it.
REQUIRE_REAL_PAGES = "LIPUTAN6_REQUIRE_REAL_PAGES"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the skip marks: a parametrization over the saved pages is empty without them."""
    if item.get_closest_marker("real_pages") is None or SHARED_PAGES.is_dir():
        return
    if os.environ.get(REQUIRE_REAL_PAGES) == "1":
        pytest.fail(f"{REQUIRE_REAL_PAGES}=1 but the real pages are missing: {SHARED_PAGES}")
    pytest.skip(f"real pages not available at {SHARED_PAGES}")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One real Prefect server (SQLite) for the whole session: it takes ~15 s to start."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The fault-drill table (scenario → outcome) and the metamorphic table, when they ran."""
    from support.drill_support import DRILL_ROWS, render_table

    _metamorphic_table(terminalreporter)
    rows = config.stash.get(DRILL_ROWS, [])
    if rows:
        terminalreporter.section("fault drills")
        for line in render_table(rows):
            terminalreporter.write_line(line)


def _metamorphic_table(terminalreporter: pytest.TerminalReporter) -> None:
    import sys

    module = sys.modules.get("test_metamorphic")
    if module is not None and module.TABLE:
        terminalreporter.section("metamorphic transforms (transform -> pages -> result)")
        for line in module.table_lines():
            terminalreporter.write_line(line)

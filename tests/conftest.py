"""Fixtures shared across test modules."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from support import scheduling
from support.drill_table import DRILL_ROWS, render_table

SHARED_PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "pages"
# CI sets this: there a test marked `real_pages` fails when the pages are missing, where a user's
# clone (which has no ../shared) skips it.
REQUIRE_REAL_PAGES = "LIPUTAN6_REQUIRE_REAL_PAGES"

REPORT_LINES = pytest.StashKey[dict[str, list[str]]]()


def pytest_configure(config: pytest.Config) -> None:
    """The controller, which hands the work out, reads this conftest too (as it reads the
    worker-count hook below)."""
    config.pluginmanager.register(scheduling, "liputan6-scheduling")


os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# No test speaks TLS: the replica, the trap and every Prefect server are plain HTTP on 127.0.0.1.
# Yet every httpx client builds an SSL context, and Prefect builds one per API client: parsing a
# full CA bundle cost 22-27 ms each, over 300 times in the drills module alone (4% of its CPU).
# This trust store holds one certificate whose key was thrown away, so it trusts nothing: a test
# that ever reached a real TLS host would fail verification rather than pass unnoticed.
TRUSTS_NOTHING = str(Path(__file__).parent / "fixtures" / "trusts-nothing-ca.pem")
os.environ["SSL_CERT_FILE"] = os.environ["PREFECT_API_SSL_CERT_FILE"] = TRUSTS_NOTHING


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (the default addopts): half again as many workers as cores. A worker often waits,
    not computes (a Prefect server starting, a replica holding a response, a retry delay), and a
    third worker on two cores fills those waits. PYTEST_XDIST_AUTO_NUM_WORKERS still wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, (cores or 1) * 3 // 2)


def report(config: pytest.Config, section: str, line: str) -> None:
    """A line for the end-of-run summary, which a pytest-xdist worker's own output never reaches."""
    config.stash.setdefault(REPORT_LINES, {}).setdefault(section, []).append(line)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the skip marks: a parametrization over the saved pages is empty without them."""
    if item.get_closest_marker("real_pages") is None or SHARED_PAGES.is_dir():
        return
    if os.environ.get(REQUIRE_REAL_PAGES) == "1":
        pytest.fail(f"{REQUIRE_REAL_PAGES}=1 but the real pages are missing: {SHARED_PAGES}")
    pytest.skip(f"real pages not available at {SHARED_PAGES}")


# Prefect's global rate limit keeps the slots a run took until they decay at the limit's own rate.
# Each module and each test gets a limit of its own, so none waits for another's spending: a
# freshness test at 20 requests/s, run after the drills at 1000, waited 46 s for their slots.
RATE_LIMIT_VAR = "LIPUTAN6_RATE_LIMIT_NAME"


def _own_rate_limit(mp: pytest.MonkeyPatch) -> None:
    mp.setenv(RATE_LIMIT_VAR, f"liputan6-requests-{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="module", autouse=True)
def module_rate_limit() -> Iterator[None]:
    """For the module's own fixtures, which start before any test's."""
    with pytest.MonkeyPatch.context() as mp:
        _own_rate_limit(mp)
        yield


@pytest.fixture(autouse=True)
def test_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    _own_rate_limit(monkeypatch)


class PrefectStarts:
    """The migrated Prefect database and this worker's server, each started once, one after
    the other in one thread. The session starts them before its first test if any collected test
    needs them: started at that test, the migration (7.5 CPU-s, in one worker) left the other
    workers idle for ten seconds."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefect-start")
        self._database: Future[Path] | None = None
        self._server: Future[tuple[subprocess.Popen[bytes], str]] | None = None

    def database(self) -> Future[Path]:
        from support.prefect_database import migrated_database, shared_dir

        if self._database is None:
            self._database = self._pool.submit(migrated_database, shared_dir(self._tmp))
        return self._database

    def server(self) -> Future[tuple[subprocess.Popen[bytes], str]]:
        """Queued behind the migration, in the same thread."""
        from support import worker_server

        if self._server is None:
            home, database = self._tmp.mktemp("prefect-server"), self.database()
            self._server = self._pool.submit(lambda: worker_server.start(home, database.result()))
        return self._server

    def close(self) -> None:
        from flows.local_server import stop

        self._pool.shutdown(wait=True)
        if self._server is not None and self._server.exception() is None:
            stop(self._server.result()[0])


@pytest.fixture(scope="session", autouse=True)
def prefect_starts(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectStarts]:
    starts = PrefectStarts(tmp_path_factory)
    needs = {name for item in request.session.items for name in item.fixturenames}
    if "prefect_database" in needs:
        starts.database()
    if "prefect_harness" in needs:
        starts.server()
    try:
        yield starts
    finally:
        starts.close()


@pytest.fixture(scope="session")
def prefect_database(prefect_starts: PrefectStarts) -> Path:
    """A migrated Prefect database to copy, built once for the whole run (see its module)."""
    return prefect_starts.database().result()


@pytest.fixture(scope="session")
def prefect_harness(prefect_starts: PrefectStarts) -> Iterator[None]:
    """One real Prefect server (SQLite) for this worker's session, started on a copy of the
    migrated database (support/worker_server.py)."""
    from support import worker_server

    _, url = prefect_starts.server().result()
    with worker_server.use(url):
        yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The metamorphic table joins the summary lines; a pytest-xdist worker ships its lines and
    drill rows to the controller, which prints them."""
    config = session.config
    module = sys.modules.get("test_metamorphic")
    if module is not None and module.TABLE:
        section = "metamorphic transforms (transform -> pages -> result)"
        for line in module.table_lines():
            report(config, section, line)
    output: dict[str, Any] | None = getattr(config, "workeroutput", None)
    if output is not None:
        output["drill_rows"] = [list(row) for row in config.stash.get(DRILL_ROWS, [])]
        output["report_lines"] = config.stash.get(REPORT_LINES, {})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist: a worker finished; keep what it shipped for the summary."""
    output = getattr(node, "workeroutput", {})
    rows = node.config.stash.setdefault(DRILL_ROWS, [])
    rows.extend((name, outcome) for name, outcome in output.get("drill_rows", []))
    for section, lines in output.get("report_lines", {}).items():
        for line in lines:
            report(node.config, section, line)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The metamorphic table, the fault-drill table (scenario → outcome) and the fuzz input
    counts, when they ran."""
    for section, lines in config.stash.get(REPORT_LINES, {}).items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
    rows = config.stash.get(DRILL_ROWS, [])
    if rows:
        terminalreporter.section("fault drills")
        for line in render_table(rows):
            terminalreporter.write_line(line)

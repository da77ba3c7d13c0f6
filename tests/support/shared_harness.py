"""One Prefect test server for the whole session, shared by every pytest-xdist worker.

Prefect's `prefect_test_harness` starts a server per process: with three workers that was three
start-ups (9-10 CPU-s each, measured here) and three servers idling through the run. Here the
first worker that needs a server starts it the way the harness does (uvicorn on Prefect's app
factory, UI off, SQLite), on a copy of the migrated database, and the other workers use it.

The server belongs to the session, not to the worker that started it: it runs under a watcher
that stops it when the pytest controller is gone, and the controller stops it when the session
ends (`stop`). Workers stay apart on the shared server: each has its own name for the global rate
limit, and tests that read artifacts or events back filter them by their own flow runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from filelock import FileLock

# Set by the controller before the workers start (they inherit it): where the server's state,
# database and log live for this session.
HOME_VAR = "LIPUTAN6_TEST_HARNESS_DIR"
STARTUP_TIMEOUT = 300.0  # waits only; generous for a busy 2-core CI machine

# Stops the server when the pytest controller (argv[1]) is gone or when told to (SIGTERM).
WATCHER = """
import os, signal, subprocess, sys, time
owner, server = int(sys.argv[1]), subprocess.Popen(sys.argv[2:])
def stop(*_):
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while server.poll() is None:
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        stop()
    time.sleep(1)
"""


def api_url(database: Path) -> str:
    """The session server's API URL, starting it on a copy of `database` if no worker has."""
    home = Path(os.environ[HOME_VAR])
    state = home / "server.json"
    with FileLock(home / "server.lock"):
        if not state.exists():
            state.write_text(json.dumps(_start(home, database)))
    return json.loads(state.read_text())["url"]


def _start(home: Path, database: Path) -> dict[str, object]:
    import prefect

    from flows.local_server import free_port

    copy = home / "prefect.db"
    shutil.copyfile(database, copy)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    # What Prefect's SubprocessASGIServer runs for the harness.
    server = [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent)]
    server += ["--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1"]
    server += ["--port", str(port), "--log-level", "error", "--lifespan", "on"]
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_UI_ENABLED="0",
        PREFECT__SERVER_EPHEMERAL="1",
        PREFECT__SERVER_FINAL="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{copy}",
    )
    with open(home / "server.log", "ab") as log:
        watcher = subprocess.Popen(
            [sys.executable, "-c", WATCHER, str(_controller_pid()), *server],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _wait_healthy(url, watcher, home / "server.log")
    return {"url": url, "watcher": watcher.pid}


def _controller_pid() -> int:
    """The pytest process that outlives every worker: a worker's parent, or this process."""
    return os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()


def _wait_healthy(url: str, watcher: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if watcher.poll() is not None:
            raise RuntimeError(f"the test Prefect server exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    watcher.terminate()
    raise RuntimeError(f"the test Prefect server was not healthy after {STARTUP_TIMEOUT:.0f} s")


@contextlib.contextmanager
def use(database: Path) -> Iterator[None]:
    """This process's flows, clients and Prefect's background threads talk to the session server;
    its runs take their own global rate limit there."""
    import prefect.context
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = api_url(database)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (
        temporary_settings(updates={PREFECT_API_URL: url}),
        # As prefect_test_harness does: threads that copied no settings context (Prefect's log
        # and event workers) read the process-global one.
        prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()),
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setenv("LIPUTAN6_RATE_LIMIT_NAME", f"liputan6-requests-{worker}")
        try:
            yield
        finally:
            APILogWorker.drain_all(timeout=10)
            EventsWorker.drain_all(timeout=10)


def stop(home: Path) -> None:
    """At the end of the session, in the controller: stop the server, if a worker started one."""
    state = home / "server.json"
    if state.exists():
        watcher = json.loads(state.read_text())["watcher"]
        with contextlib.suppress(ProcessLookupError):
            os.kill(watcher, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(watcher, 0)
                time.sleep(0.1)
    shutil.rmtree(home, ignore_errors=True)

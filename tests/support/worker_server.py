"""One Prefect test server for each pytest-xdist worker, on a copy of the migrated database.

Prefect's `prefect_test_harness` migrates a fresh SQLite file at every start (about 16 s here);
this server starts the same way (uvicorn on Prefect's app factory, UI off) on a copy of one file
migrated for the whole session (support/prefect_database.py).

One server per worker, not one for the session: on a shared SQLite file the workers' writes
collided, and Prefect answered 503 ("database is locked", 23 times in 42 tests) to a client that
then waited 2, 4, 8 s before trying again. Measured on the whole suite, one after the other: a
server per worker took 243 s and 441 CPU-s, one shared server 283 s and 493 CPU-s.

The server runs under a watcher that stops it when its worker is gone, however the worker ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

STARTUP_TIMEOUT = 300.0  # waits only; generous for a busy 2-core CI machine
STOP_TIMEOUT = 10.0

# Stops the server when its owner (argv[1]) is gone or when told to (SIGTERM).
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


@contextlib.contextmanager
def use(database: Path, home: Path) -> Iterator[None]:
    """A server of this process's own, which its flows, clients and Prefect's background threads
    talk to until the block ends."""
    import prefect.context
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    watcher, url = _start(home, database)
    try:
        with (
            temporary_settings(updates={PREFECT_API_URL: url}),
            # As prefect_test_harness does: threads that copied no settings context (Prefect's
            # log and event workers) read the process-global one.
            prefect.context._temporary_global_settings_context(
                prefect.context.get_settings_context()
            ),
        ):
            try:
                yield
            finally:
                APILogWorker.drain_all(timeout=10)
                EventsWorker.drain_all(timeout=10)
    finally:
        watcher.terminate()
        watcher.wait(timeout=STOP_TIMEOUT)


def _start(home: Path, database: Path) -> tuple[subprocess.Popen[bytes], str]:
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
    log_path = home / "server.log"
    with open(log_path, "ab") as log:
        watcher = subprocess.Popen(
            [sys.executable, "-c", WATCHER, str(os.getpid()), *server],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        _wait_healthy(url, watcher, log_path)
    except BaseException:
        watcher.terminate()
        raise
    return watcher, url


def _wait_healthy(url: str, watcher: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if watcher.poll() is not None:
            raise RuntimeError(f"the test Prefect server exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the test Prefect server was not healthy after {STARTUP_TIMEOUT:.0f} s")

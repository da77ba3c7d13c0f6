"""One Prefect test server for each pytest-xdist worker, on a copy of the migrated database.

Prefect's `prefect_test_harness` migrates a fresh SQLite file at every start (about 16 s here);
this server starts the same way (uvicorn on Prefect's app factory, UI off) on a copy of one file
migrated for the whole session (support/prefect_database.py).

One server per worker, not one for the session: on a shared SQLite file the workers' writes
collided, and Prefect answered 503 ("database is locked", 23 times in 42 tests) to a client that
then waited 2, 4, 8 s before trying again. Measured on the whole suite, one after the other: a
server per worker took 243 s and 441 CPU-s, one shared server 283 s and 493 CPU-s.

The server dies with its worker, however the worker ends (flows.lifecycle).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from flows import lifecycle
from flows.local_server import free_port, stop, wait_healthy

# uvicorn's command line, in a process that imports `flows` first: it dies with this worker,
# however the worker ends (flows.lifecycle), as the CLI's own local server does.
SERVE = "import flows; from uvicorn.main import main; main()"


@contextlib.contextmanager
def use(url: str) -> Iterator[None]:
    """The server at `url`, which this process's flows, clients and Prefect's background threads
    talk to until the block ends."""
    import prefect.context
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings(updates={PREFECT_API_URL: url}),
        # As prefect_test_harness does: threads that copied no settings context (Prefect's
        # log and event workers) read the process-global one.
        prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()),
    ):
        try:
            yield
        finally:
            APILogWorker.drain_all(timeout=10)
            EventsWorker.drain_all(timeout=10)


def start(home: Path, database: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A server on a copy of `database`, healthy; stop it with `flows.local_server.stop`."""
    import prefect

    copy = home / "prefect.db"
    shutil.copyfile(database, copy)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    # What Prefect's SubprocessASGIServer runs for the harness.
    server = [sys.executable, "-c", SERVE, "--app-dir", str(prefect.__module_path__.parent)]
    server += ["--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1"]
    server += ["--port", str(port), "--log-level", "error", "--lifespan", "on"]
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_UI_ENABLED="0",
        PREFECT__SERVER_EPHEMERAL="1",
        PREFECT__SERVER_FINAL="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{copy}",
        # Block types are for the UI's block catalogue, and no flow under test uses a block.
        # Registering them is 0.7-1.5 of a start's 4.4-5.8 CPU-s; the CLI's own local server
        # keeps Prefect's default and registers them.
        PREFECT_SERVER_REGISTER_BLOCKS_ON_START="false",
    )
    env[lifecycle.PARENT_VAR] = str(os.getpid())
    log_path = home / "server.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            server,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        if not wait_healthy(url, proc, port, log_path, since=0):
            raise RuntimeError(f"port {port} was taken before the test Prefect server bound it")
    except BaseException:
        stop(proc)
        raise
    return proc, url

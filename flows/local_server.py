"""A local Prefect server for `serve`, `run` and `demo` when the user has not pointed us at one.

Without a server, Prefect starts a throwaway one inside every process, keeps little history, leaks
it when the process is killed, and the UI would show nothing. So when PREFECT_API_URL is unset we
start `prefect server start` (SQLite under PREFECT_HOME, no analytics) on port 4200 when it is free,
wait for its health endpoint, and stop it cleanly. The server is told its own API URL, so the UI at
the printed address talks to it and not to a default port. It runs in its own session (the
terminal's Ctrl-C reaches only the CLI, which pauses its deployments before it stops the server)
and dies with the CLI however the CLI ends (flows.lifecycle).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows import lifecycle

STARTUP_TIMEOUT = 120.0
DEFAULT_PORT = 4200
_UI_API_URL_VARS = ("PREFECT_SERVER_UI_API_URL", "PREFECT_UI_API_URL")


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up; the message carries the end of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def default_port(host: str = "127.0.0.1") -> int:
    """4200, Prefect's usual port, when nothing listens there; otherwise any free port."""
    with socket.socket() as sock:
        try:
            sock.bind((host, DEFAULT_PORT))
        except OSError:
            return free_port(host)
    return DEFAULT_PORT


def server_env(api_url: str) -> dict[str, str]:
    """The server's environment: the UI is told this server's API URL unless the user set one."""
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        lifecycle.PARENT_VAR: str(os.getpid()),  # the server dies with this process
    }
    if not any(os.environ.get(name) for name in _UI_API_URL_VARS):
        env["PREFECT_SERVER_UI_API_URL"] = api_url
    return env


@contextmanager
def prefect_api(log_path: Path, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Yield the API URL to use: the configured one, or a local server started for the duration."""
    configured = os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    port = port or default_port(host)
    url = f"http://{host}:{port}/api"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "flows.server_process", "--host", host, "--port", str(port)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=server_env(url),
            start_new_session=True,
        )
    try:
        _wait_healthy(url, proc, log_path)
        os.environ["PREFECT_API_URL"] = url
        with temporary_settings(updates={PREFECT_API_URL: url}):
            try:
                yield url
            finally:
                _drain_to_api()
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        _stop(proc)


def _drain_to_api() -> None:
    """Send buffered logs and events while the server still listens, not after it is gone."""
    APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerStartError(f"prefect server exited early:\n{_tail(log_path)}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    _stop(proc)
    raise ServerStartError(
        f"prefect server not healthy after {STARTUP_TIMEOUT:.0f} s:\n{_tail(log_path)}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"

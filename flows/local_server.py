"""A local Prefect server for `serve` and `demo` when the user has not pointed us at one.

Without a server, Prefect starts a throwaway one inside every process, keeps little history and
prints tracebacks at exit; the UI would show nothing. So when PREFECT_API_URL is unset we start
`prefect server start` (SQLite, no analytics), wait for its health endpoint, and stop it cleanly.
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

STARTUP_TIMEOUT = 120.0


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up; the message carries the end of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def prefect_api(log_path: Path, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Yield the API URL to use: the configured one, or a local server started for the duration."""
    configured = os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    port = port or free_port(host)
    url = f"http://{host}:{port}/api"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                host,
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
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

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
from urllib.parse import urlsplit

import httpx
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows import lifecycle, shared_server

STARTUP_TIMEOUT = 180.0
STOP_TIMEOUT = 3.0  # then SIGKILL: by then deployments are paused and logs sent
_PORT_TAKEN = "already in use"  # Prefect's pre-check, or uvicorn's bind error
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
def prefect_api(
    log_path: Path,
    host: str = "127.0.0.1",
    port: int | None = None,
    *,
    advertise: bool = False,
    join: bool = False,
) -> Iterator[str]:
    """Yield the API URL to use: the configured one, else (`join`) the server a running `serve`
    of this PREFECT_HOME advertised (flows.shared_server), else a local server started for the
    duration, which `advertise` makes known to later `join`s."""
    configured = os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    joined = serving_server() if join else None
    if joined:
        with _using(joined):
            yield joined
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    proc, url = _start_healthy(log_path, host, port)
    try:
        if advertise:
            shared_server.advertise(url, proc.pid)
        with _using(url):
            yield url
    finally:
        if advertise:
            shared_server.withdraw(proc.pid)
        stop(proc)


@contextmanager
def _using(url: str) -> Iterator[None]:
    """Flows, clients and child processes talk to `url`; buffered logs and events are sent before
    the block ends."""
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            try:
                yield
            finally:
                _drain_to_api()
    finally:
        os.environ.pop("PREFECT_API_URL", None)


def serving_server() -> str | None:
    """The API URL `serve` advertised, if the process that advertised it still serves there: a
    note left by a killed `serve` names a dead PID, or a port another process now holds."""
    found = shared_server.advertised()
    if found is None:
        return None
    url, pid = found
    port = urlsplit(url).port
    if port is None or not healthy(url) or not _listens(pid, port):
        return None
    return url


def healthy(url: str) -> bool:
    """Whether the Prefect API at `url` answers its health check."""
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _start_healthy(
    log_path: Path, host: str, port: int | None
) -> tuple[subprocess.Popen[bytes], str]:
    """Our own server, healthy. When another process takes port 4200 between our check and our
    server's bind (two commands starting at once), start again on a free port."""
    for candidate in [port] if port else [default_port(host), free_port(host)]:
        url = f"http://{host}:{candidate}/api"
        since = log_path.stat().st_size if log_path.exists() else 0
        proc = _spawn(log_path, host, candidate, url)
        try:
            if wait_healthy(url, proc, candidate, log_path, since):
                return proc, url
        except BaseException:
            stop(proc)
            raise
    raise ServerStartError(f"port {port or DEFAULT_PORT} is in use:\n{_tail(log_path)}")


def _spawn(log_path: Path, host: str, port: int, url: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "flows.server_process", "--host", host, "--port", str(port)]
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=server_env(url),
            start_new_session=True,
        )


def _drain_to_api() -> None:
    """Send buffered logs and events while the server still listens, not after it is gone."""
    APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)


def wait_healthy(
    url: str, proc: subprocess.Popen[bytes], port: int, log_path: Path, since: int
) -> bool:
    """True once our server answers; False if it exited because the port was taken. A healthy
    answer from another process on the same port does not count."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            if _PORT_TAKEN in _written_since(log_path, since).lower():
                return False
            raise ServerStartError(f"prefect server exited early:\n{_tail(log_path)}")
        if healthy(url) and _listens(proc.pid, port):
            return True
        time.sleep(0.5)
    raise ServerStartError(
        f"prefect server not healthy after {STARTUP_TIMEOUT:.0f} s:\n{_tail(log_path)}"
    )


def _listens(pid: int, port: int) -> bool:
    """Whether process `pid` holds the listening socket on `port` (read from /proc on Linux;
    assumed elsewhere)."""
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        return True
    listening = set()
    for table in (t for t in tables if t.exists()):
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                listening.add(f"socket:[{fields[9]}]")
    try:
        fds = Path(f"/proc/{pid}/fd").iterdir()
        return any(os.readlink(fd) in listening for fd in fds)
    except OSError:
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _written_since(path: Path, offset: int) -> str:
    """What this start wrote to the (shared, appended) log."""
    try:
        with open(path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")
    except OSError:
        return ""


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"

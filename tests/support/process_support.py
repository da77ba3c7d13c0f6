"""Start the real CLI in its own process and find every process it left behind.

A process belongs to one CLI launch when its environment carries that launch's token: every child
(the Prefect server, flow-run processes, Prefect's temporary server) inherits the environment, so
the check needs no cooperation from the code under test and finds processes that re-parented to
init or started their own session.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

TOKEN_VAR = "LIPUTAN6_TEST_PROCESS_TOKEN"
CLI = "from commands.main import app; app()"
# How often a wait asks the Prefect API: 20 asks a second kept the server under test busy.
API_POLL = 0.25


def project_processes(token: str) -> dict[int, str]:
    """pid -> command line of every live process carrying `token` (zombies excluded)."""
    marker = f"{TOKEN_VAR}={token}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmdline:
            found[int(entry.name)] = cmdline.strip()
    return found


def listening_ports(pids: set[int]) -> set[int]:
    """TCP ports in LISTEN state whose socket is held by one of `pids`."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and parts[9] in inodes:
                ports.add(int(parts[1].rsplit(":", 1)[1], 16))
    return ports


def answers(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
    except httpx.HTTPError:
        return False
    return True


@dataclass
class Launch:
    """One CLI process in its own session (so a group-wide SIGINT is what a terminal sends)."""

    proc: subprocess.Popen[str]
    token: str
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    lines: list[str] = field(default_factory=list)

    def read_output(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(
        self,
        predicate: Callable[[], object],
        timeout: float,
        what: str,
        exited: bool = False,
        every: float = 0.05,
    ) -> object:
        """The predicate's first true value; fails on timeout, or if the CLI exits (unless
        `exited` says that is expected). A predicate that asks the Prefect API waits API_POLL
        between asks, unless it must catch a moment that passes quickly."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if not exited and self.proc.poll() is not None:
                raise AssertionError(f"CLI exited before {what}:\n{self.output()[-3000:]}")
            time.sleep(every)
        raise AssertionError(f"no {what} after {timeout:.0f} s:\n{self.output()[-3000:]}")

    def line_with(self, text: str) -> str | None:
        return next((line for line in self.lines if text in line), None)

    def processes(self) -> dict[int, str]:
        return project_processes(self.token)

    def children(self) -> dict[int, str]:
        return {pid: cmd for pid, cmd in self.processes().items() if pid != self.proc.pid}

    def send(self, sig: signal.Signals) -> None:
        """SIGINT goes to the whole process group, as Ctrl-C in a terminal; others to the CLI."""
        if sig == signal.SIGINT:
            os.killpg(self.proc.pid, sig)
        else:
            self.proc.send_signal(sig)

    def leftovers(self, ports: set[int], within: float = 10.0) -> list[str]:
        """What still runs, or answers on `ports`, `within` seconds after the CLI was signalled."""
        deadline = time.monotonic() + within
        while True:
            self.proc.poll()
            left = [f"pid {pid}: {cmd[:90]}" for pid, cmd in self.processes().items()]
            left += [f"port {port} answers" for port in sorted(ports) if answers(port)]
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)

    def kill_leftovers(self) -> None:
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


# How SIGINT is set when the code starts. A terminal's foreground command gets Python's Ctrl-C
# handler; a command a script starts in the background (`cmd &`, `nohup cmd &`) inherits SIGINT
# ignored, and so do its children. Set explicitly, so a test does not depend on how pytest itself
# was started (run in the background, it would hand every launch SIGINT ignored).
FOREGROUND = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
BACKGROUND = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); "


def launch(args: list[str], env: dict[str, str], cwd: Path, *, background: bool = False) -> Launch:
    """`liputan6-monitor ARGS` from this checkout, started from a terminal or in the background."""
    return launch_code(CLI, args, env, cwd, background=background)


def launch_code(
    code: str, args: list[str], env: dict[str, str], cwd: Path, *, background: bool = False
) -> Launch:
    token, started = uuid.uuid4().hex, datetime.now(UTC)
    full_env = {**env, TOKEN_VAR: token, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    prelude = BACKGROUND if background else FOREGROUND
    proc = subprocess.Popen(
        [sys.executable, "-c", prelude + code, *args],
        env=full_env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    launched = Launch(proc, token, started)
    threading.Thread(target=launched.read_output, daemon=True).start()
    return launched


def cli_env(home: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without any Prefect server it points at, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return {
        **env,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        **settings,
    }

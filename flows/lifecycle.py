"""No process left behind: the CLI's children die with it, and SIGTERM takes the Ctrl-C path.

Children die with their parent through Linux's PR_SET_PDEATHSIG, not a watchdog thread: the kernel
sends the signal the moment the parent is gone (SIGKILL included), with no polling delay, and it
works while the child's Python is busy in C code or holds the GIL. It is set inside the child, first
thing (`die_with_parent`), rather than in a `preexec_fn`: a `preexec_fn` is unsafe once the parent
runs threads, and Prefect's runner starts flow-run processes that this project does not spawn
itself. Those processes import `flows`, whose `__init__` calls `die_with_parent`.

The signal is SIGKILL: when the parent died without warning nobody is left to pause deployments or
wait for a graceful stop, and every store involved is crash-safe (Prefect's SQLite database, the
spool and DuckDB; tests/test_crash_safety.py kills flow runs the same way). On other systems than
Linux a child survives a parent killed with SIGKILL; every other way out still stops it.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

PARENT_VAR = "LIPUTAN6_CLI_PID"
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def die_with_parent() -> None:
    """In a child of the CLI, ask the kernel to SIGKILL this process when the CLI dies.

    A process whose parent is already gone exits at once; a grandchild (its parent is alive and not
    the CLI) is left alone, its own parent being the one to stop it.
    """
    expected = os.environ.get(PARENT_VAR)
    if not expected or not expected.isdigit() or sys.platform != "linux":
        return
    parent = int(expected)
    if os.getppid() != parent:
        if not _alive(parent):
            os._exit(1)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died between the first check and prctl
        os._exit(1)


def _alive(pid: int) -> bool:
    """False for a process that is gone or a zombie (killed, not yet reaped by its parent)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def cancel_on_stop_signals(task: asyncio.Task[Any]) -> None:
    """From now on in this event loop, SIGTERM and SIGHUP do what Ctrl-C does under `asyncio.run`:
    cancel `task` (here serve's main task). They also SIGTERM this process's children in its
    session (flow-run processes; the Prefect server has its own session). Call again after code
    that sets its own SIGTERM handler, as Prefect's runner does when it starts.

    Prefect's runner handles SIGTERM by killing each flow run and polling every 3 s for it to
    exit, while it may still start the next due run; measured on a busy machine that took longer
    than the 10 s we allow. Cancelling the main task stops the runner's loops at once and still
    pauses the deployments before the server stops.

    Nothing here goes through SIGINT. A process a script starts in the background (`serve &`,
    `nohup serve &`) inherits SIGINT ignored, and its flow runs inherit it from it: a stop relayed
    as SIGINT did nothing there, and `kill` never stopped serve
    (tests/test_process_lifecycle.py, the background cases).
    """
    loop = asyncio.get_running_loop()
    for sig in _STOP_SIGNALS:
        loop.add_signal_handler(sig, _stop, task)


def _stop(task: asyncio.Task[Any]) -> None:
    for pid in _session_children():
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    task.cancel()


def _session_children() -> list[int]:
    me, session = os.getpid(), os.getsid(0)
    children = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == me and os.getsid(int(entry.name)) == session:
                children.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return children


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


@contextmanager
def managed_children() -> Iterator[None]:
    """Enter before the first child starts: SIGTERM and SIGHUP then raise KeyboardInterrupt, so
    systemd, `docker stop`, `timeout` and a closed terminal run every `finally` as Ctrl-C does,
    and children started inside (directly, or by Prefect's runner) die with this process.
    Signal handlers can only be set from the main thread; elsewhere only the latter applies."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _interrupt) for sig in _STOP_SIGNALS if in_main_thread}
    had_parent = os.environ.get(PARENT_VAR)
    os.environ[PARENT_VAR] = str(os.getpid())
    try:
        yield
    finally:
        if had_parent is None:
            os.environ.pop(PARENT_VAR, None)
        else:
            os.environ[PARENT_VAR] = had_parent
        for sig, handler in previous.items():
            signal.signal(sig, handler)

"""The writer lock between processes: a second writer waits, gives up with WriterBusy, and a holder
killed with SIGKILL frees the lock at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows.writer_lock import WriterBusy, writer_lock

HOLD = """
import sys, time
from pathlib import Path
from flows.writer_lock import writer_lock
with writer_lock(Path(sys.argv[1]), timeout=5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(db: Path, seconds: float) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_a_second_writer_gives_up_with_writer_busy(tmp_path: Path) -> None:
    db = tmp_path / "data" / "warehouse.duckdb"
    child = _holder(db, 30)
    try:
        started = time.monotonic()
        with (
            pytest.raises(WriterBusy, match=r"warehouse\.duckdb\.writer\.lock"),
            writer_lock(db, timeout=0.5),
        ):
            pytest.fail("two writers held the lock at once")
        assert 0.5 <= time.monotonic() - started < 5
    finally:
        child.kill()
        child.wait()


def test_a_killed_holder_frees_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    child = _holder(db, 30)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with writer_lock(db, timeout=2):
        pass


def test_a_waiting_writer_gets_the_lock_once_it_is_freed(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    child = _holder(db, 1.0)
    started = time.monotonic()
    try:
        with writer_lock(db, timeout=20):
            waited = time.monotonic() - started
        assert 0.5 < waited < 20  # it queued behind the holder's second, then got in
    finally:
        child.kill()
        child.wait()


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    inside = 0
    most = 0
    guard = threading.Lock()

    def write() -> None:
        nonlocal inside, most
        with writer_lock(db, timeout=20):
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert most == 1

"""One DuckDB writer at a time across every flow run on this machine.

DuckDB itself refuses a second read-write process outright; this lock makes concurrent monitor and
recheck runs queue for the file instead of failing. A user's open DuckDB session is not covered by
it: that case ends in `warehouse.DatabaseLocked`, and the batch stays in the spool.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WriterBusy(TimeoutError):
    """Another liputan6-monitor run kept the writer lock for longer than we were willing to wait."""


@contextmanager
def writer_lock(db_path: Path, timeout: float = 120.0) -> Iterator[None]:
    lock_path = db_path.with_name(db_path.name + ".writer.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriterBusy(
                        f"another liputan6-monitor run held {lock_path} for over {timeout:.0f} s"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

"""One DuckDB writer at a time across every flow run on this machine.

DuckDB itself refuses a second read-write process outright; this lock makes concurrent monitor and
recheck runs queue for the file instead of failing. A user's open DuckDB session is not covered by
it: that case ends in `warehouse.DatabaseLocked`, and the batch stays in the spool.

The lock is `filelock`'s: an flock(2) on a file beside the database, which the kernel drops when
its holder dies, so a killed run never leaves the next one locked out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class WriterBusy(TimeoutError):
    """Another liputan6-monitor run kept the writer lock for longer than we were willing to wait."""


@contextmanager
def writer_lock(db_path: Path, timeout: float = 120.0) -> Iterator[None]:
    lock_path = db_path.with_name(db_path.name + ".writer.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path, timeout=timeout, mode=0o644)
    try:
        lock.acquire()
    except Timeout:
        raise WriterBusy(
            f"another liputan6-monitor run held {lock_path} for over {timeout:.0f} s"
        ) from None
    try:
        yield
    finally:
        lock.release()

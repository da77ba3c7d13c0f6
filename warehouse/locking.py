"""Opening the database file when another process may hold it.

A DuckDB read-write connection locks out every other process, readers included. So writers keep
connections short, and anyone who finds the file locked retries with back-off for a bounded time,
then fails with an error naming the holder (DuckDB reports its PID) so the operator can act; the
caller keeps whatever it meant to write.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

_PID = re.compile(r"\(PID (\d+)\)")


class DatabaseLocked(Exception):
    """The database file is held by another process for longer than we were willing to wait."""

    def __init__(self, path: Path | str, holder_pid: int | None, detail: str = "") -> None:
        self.path = Path(path)
        self.holder_pid = holder_pid
        holder = f"PID {holder_pid}" if holder_pid is not None else "an unknown process"
        message = (
            f"{self.path} is locked by {holder} "
            "(another liputan6-monitor run or an open DuckDB session)"
        )
        super().__init__(f"{message}: {detail}" if detail else message)


def holder_pid(message: str) -> int | None:
    match = _PID.search(message)
    return int(match.group(1)) if match else None


def _is_lock_error(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower() and isinstance(error, duckdb.IOException)


def connect(path: Path | str, *, read_only: bool, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    """A connection in UTC, retrying with back-off while another process holds the file."""
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as error:
            if not _is_lock_error(error):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DatabaseLocked(path, holder_pid(str(error))) from error
            log.info("%s is locked (%s); retrying in %.2fs", path, error, min(delay, remaining))
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 1.0)
            continue
        con.execute("SET TimeZone = 'UTC'")
        return con

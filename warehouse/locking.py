"""Opening the database file when another process may hold it.

A DuckDB read-write connection locks out every other process, readers included. So writers keep
connections short, and anyone who finds the file locked retries with back-off for a bounded time,
then fails with an error naming the holder (DuckDB reports its PID) so the operator can act; the
caller keeps whatever it meant to write.

Files are attached to one in-memory DuckDB instance per process instead of each opening an
instance of its own: starting an instance costs 20-25 ms of CPU (DuckDB builds its catalogue of
built-in functions), an ATTACH under 1 ms, and a flow run opens the file seven or eight times.
DETACH checkpoints the file and releases its lock, as closing an instance does.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
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


@contextmanager
def connect(
    path: Path | str, *, read_only: bool, lock_timeout: float, shared: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection in UTC, retrying with back-off while another process holds the file; the
    file is released when the block ends.

    `shared=False` opens an instance of its own, for a connection whose settings must not reach
    any other: most DuckDB settings (threads, external access, a locked configuration) belong to
    the instance, not the connection.
    """
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    with ExitStack() as held:
        while True:
            try:
                opening = (
                    _attached(path, read_only)
                    if shared
                    else duckdb.connect(str(path), read_only=read_only)
                )
                con = held.enter_context(opening)
                break
            except duckdb.Error as error:
                if not _is_lock_error(error):
                    raise
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DatabaseLocked(path, holder_pid(str(error))) from error
                wait = min(delay, remaining)
                log.info("%s is locked (%s); retrying in %.2fs", path, error, wait)
                time.sleep(wait)
                delay = min(delay * 2, 1.0)
        con.execute("SET TimeZone = 'UTC'")
        yield con


@contextmanager
def _attached(path: Path | str, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    key = os.path.realpath(path)
    attachment = _HOST.attach(key, read_only)
    try:
        con = _HOST.cursor()
        try:
            con.execute(f"USE {attachment.alias}")
            yield con
        finally:
            con.close()
    finally:
        _HOST.release(key, attachment)


@dataclass
class _Attachment:
    alias: str
    read_only: bool
    users: int = 1


class _Host:
    """This process's in-memory instance and the files attached to it, each once.

    Connections to one file share its attachment, as DuckDB's own instance cache shares an
    instance; the last one to close detaches it. A forked child starts an instance of its own:
    DuckDB's threads do not survive a fork, so an idle instance is closed before one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._attached: dict[str, _Attachment] = {}
        self._names = itertools.count()
        os.register_at_fork(before=self._close_if_idle, after_in_child=self._forget)

    def attach(self, key: str, read_only: bool) -> _Attachment:
        with self._lock:
            found = self._attached.get(key)
            if found is not None:
                if found.read_only != read_only:
                    held = "read-only" if found.read_only else "read-write"
                    raise duckdb.ConnectionException(
                        f"{key} is already open {held} in this process; open it in the other "
                        "mode after that connection is closed"
                    )
                found.users += 1
                return found
            alias = f"liputan6_db_{next(self._names)}"
            mode = " (READ_ONLY)" if read_only else ""
            self._instance(key).execute(f"ATTACH '{_quoted(key)}' AS {alias}{mode}")
            attachment = self._attached[key] = _Attachment(alias, read_only)
            return attachment

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            assert self._con is not None, "cursor() before attach()"
            return self._con.cursor()

    def release(self, key: str, attachment: _Attachment) -> None:
        """A connection opened before a fork and closed in the child: the child does not hold
        the parent's attachment, so there is nothing of its own to release."""
        with self._lock:
            if self._attached.get(key) is not attachment:
                return
            attachment.users -= 1
            if attachment.users == 0:
                assert self._con is not None
                # Should DETACH fail (its checkpoint on a full disk), the file stays attached
                # and listed, and the next connection to it uses the attachment as it is.
                self._con.execute(f"DETACH {attachment.alias}")
                del self._attached[key]

    def _instance(self, first_file: str) -> duckdb.DuckDBPyConnection:
        """Spilled intermediates go beside the first file opened, where an instance of its own
        would have put them, not into the working directory (an in-memory instance's default).

        An instance that lives on keeps what its allocator cached (by default up to 128 MB) where
        one closed after each use returned it: flushing at 1 MB took a 200-article monitor run's
        peak RSS from 409-429 MB to 358-362 MB (317-324 MB with an instance per use), at no CPU
        cost measured (benchmarks/connect_bench.py, benchmarks/lock_bench.py)."""
        if self._con is None:
            self._con = duckdb.connect(
                config={
                    "temp_directory": f"{first_file}.tmp",
                    "allocator_flush_threshold": "1MB",
                    "allocator_bulk_deallocation_flush_threshold": "1MB",
                }
            )
        return self._con

    def _close_if_idle(self) -> None:
        """Before a fork: a child that inherits a live instance crashes when it frees it."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._con is not None and not self._attached:
                self._con.close()
                self._con = None
        finally:
            self._lock.release()

    def _forget(self) -> None:
        """In the child: files attached at the fork stay the parent's. Their instance is kept,
        never freed here, as a connection open across a fork always was."""
        self._lock = threading.Lock()
        if self._con is not None:
            _INHERITED.append(self._con)
        self._con = None
        self._attached = {}


def _quoted(path: str) -> str:
    return path.replace("'", "''")


_INHERITED: list[duckdb.DuckDBPyConnection] = []
_HOST = _Host()

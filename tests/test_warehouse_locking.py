"""A second process holding the database: clear error naming it, nothing lost, then success."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import duckdb
import pytest
from support.warehouse_support import T0, batch, make_article, ok, rows

from warehouse import (
    DatabaseLocked,
    due_for_recheck,
    known_article_ids,
    load_batch,
    migrate,
    open_readonly,
    record_run,
)
from warehouse.freshness import today_line
from warehouse.kinds import Count
from warehouse.locking import connect
from warehouse.records import RunRecord

HOLDER = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "sys.stdin.readline()\n"
    "con.close()\n"
)


class Holder:
    """A separate Python process with the database open read-write until released."""

    def __init__(self, db) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        self.process.wait(timeout=30)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    load_batch(path, batch(ok(make_article(), T0)))
    return path


def test_held_lock_names_the_holder_and_loses_nothing(db):
    second = batch(ok(make_article(article_id=99, title="Harga Cabai Naik Lagi"), T0))
    holder = Holder(db)
    try:
        with pytest.raises(DatabaseLocked) as caught:
            load_batch(db, second, lock_timeout=0.3)
        with pytest.raises(DatabaseLocked), open_readonly(db, lock_timeout=0.1):
            pass
    finally:
        holder.release()
    error = caught.value
    assert error.holder_pid == holder.process.pid
    assert f"locked by PID {holder.process.pid}" in str(error)
    assert "another liputan6-monitor run or an open DuckDB session" in str(error)
    assert error.path == db
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == 1
    report = load_batch(db, second)
    assert report[Count.new] == 1 and not report.already_loaded
    assert rows(db, "SELECT article_id FROM articles ORDER BY 1") == [(99,), (5123456,)]


def test_waits_for_a_lock_freed_within_the_timeout(db):
    holder = Holder(db)
    timer = threading.Timer(0.5, holder.release)
    timer.start()
    try:
        report = load_batch(db, batch(ok(make_article(article_id=7), T0)), lock_timeout=30)
    finally:
        timer.join()
    assert report[Count.new] == 1


def test_a_runs_reads_wait_only_its_own_lock_timeout(db, caplog):
    """A flow run passes its `lock_timeout` to every read: with 0 a held file fails at once, where
    the reads' default (5 s) would have retried and logged each attempt."""
    holder = Holder(db)
    caplog.set_level("INFO", logger="warehouse.locking")
    try:
        for read in (
            lambda: known_article_ids(db, [5123456], lock_timeout=0),
            lambda: due_for_recheck(db, T0, lock_timeout=0),
            lambda: today_line(db, T0, lock_timeout=0),
        ):
            with pytest.raises(DatabaseLocked):
                read()
    finally:
        holder.release()
    assert [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()] == []


def test_other_writers_retry_too(db):
    holder = Holder(db)
    try:
        with pytest.raises(DatabaseLocked):
            migrate(db, lock_timeout=0.1)
        run = RunRecord(run_id="r1", flow="monitor", started_at=T0)
        with pytest.raises(DatabaseLocked):
            record_run(db, run, lock_timeout=0.1)
    finally:
        holder.release()
    record_run(db, RunRecord(run_id="r1", flow="monitor", started_at=T0))
    finished = RunRecord(
        run_id="r1",
        flow="monitor",
        started_at=T0,
        finished_at=T0 + timedelta(minutes=2),
        state="completed",
        counts={"new": 3},
        message="ok",
    )
    record_run(db, finished)
    assert rows(db, "SELECT run_id, state, duration_s, counts FROM runs") == [
        ("r1", "completed", 120.0, '{"new": 3}')
    ]


WRITER = (
    "import duckdb, sys\n"
    "try:\n"
    "    duckdb.connect(sys.argv[1]).close()\n"
    "except duckdb.IOException as error:\n"
    "    print('locked' if 'lock' in str(error) else error)\n"
    "else:\n"
    "    print('written')\n"
)


def another_process_writes(db) -> str:
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(db)], capture_output=True, text=True, timeout=60
    )
    return done.stdout.strip() or done.stderr


def test_a_file_is_held_while_any_connection_to_it_is_open_and_released_after(db):
    """Connections in one process share the file's attachment: closing the inner one must not
    release the outer one's lock, and closing the last must, checkpointed (no WAL left)."""
    count = "SELECT count(*) FROM articles"
    with connect(db, read_only=True, lock_timeout=0) as outer:
        with connect(db, read_only=True, lock_timeout=0) as inner:
            assert inner.execute(count).fetchone() == (1,)
        assert outer.execute(count).fetchone() == (1,)
        assert another_process_writes(db) == "locked"
        with (
            pytest.raises(duckdb.ConnectionException, match="already open read-only"),
            connect(db, read_only=False, lock_timeout=0),
        ):
            pass
    assert another_process_writes(db) == "written"
    with connect(db, read_only=False, lock_timeout=0) as writer:
        writer.execute("DELETE FROM articles")
    assert not db.with_name(db.name + ".wal").exists()
    assert another_process_writes(db) == "written"
    with connect(db, read_only=True, lock_timeout=0) as reader:
        assert reader.execute(count).fetchone() == (0,)


def test_an_instance_of_its_own_keeps_its_settings_to_itself(db):
    """The `sql` command locks its instance's configuration down; the shared one must not be."""
    with connect(db, read_only=True, lock_timeout=0, shared=False) as own:
        own.execute("SET enable_external_access = false")
        own.execute("SET lock_configuration = true")
    with connect(db, read_only=True, lock_timeout=0) as con:
        con.execute("SET threads = 2")
        assert con.execute("SELECT current_setting('enable_external_access')").fetchone() == (True,)


FORKS_AFTER_READING = (
    "import os, sys\n"
    "from warehouse.locking import connect\n"
    "with connect(sys.argv[1], read_only=True, lock_timeout=0) as con:\n"
    "    con.execute('SELECT count(*) FROM articles').fetchall()\n"
    "child = os.fork()\n"
    "if child == 0:\n"
    "    with connect(sys.argv[1], read_only=False, lock_timeout=5) as con:\n"
    "        con.execute('DELETE FROM articles')\n"
    "    sys.exit(0)\n"
    "_, status = os.waitpid(child, 0)\n"
    "print(os.waitstatus_to_exitcode(status))\n"
)


def test_a_child_forked_after_a_read_works_and_exits_cleanly(db):
    """DuckDB's threads do not survive a fork: a child that inherited the parent's idle instance
    aborted (or crashed) when its interpreter freed it on a normal exit."""
    done = subprocess.run(
        [sys.executable, "-c", FORKS_AFTER_READING, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "0", done.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]

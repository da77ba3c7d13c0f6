"""The published read snapshot: a copy of the warehouse that readers may hold open for hours.

A DuckDB read-write process needs the file to itself, so one reader left open on the live file
stops every load. Readers get `<db>.read.duckdb` instead. It is a hard link to one of two copies
(`<db>.read-a.duckdb`, `<db>.read-b.duckdb`). A publication brings the copy nobody is reading up
to date, then moves the link to it atomically (`rename`); a reader holding the other copy keeps
a consistent view of the moment it opened. If the idle copy is still held (a reader opened it
before the last switch), the publication is skipped and the next one catches up.

The live file is read only to extract what is new into Parquet files in a staging folder, in one
read-only transaction; the copy is updated from those files with the live file closed. Every
table but `articles` and `run_records` only ever grows, so the new rows are those past the row
count recorded at the last publication (DuckDB row ids are dense while nothing is deleted; if a
table ever shrinks or the schema changes, that copy is rebuilt in full). An article's row is
refreshed when the new rows name it; `run_records` is small and copied whole. `topic_trends` and
`freshness` are tables in the copies, recomputed for the weeks and days the new rows touch
(warehouse/snapshot_trends.py, snapshot_freshness.py); every other view is the live file's own
definition.

The copies are written in storage version SNAPSHOT_STORAGE_VERSION, which DuckDB 1.x clients
(the `duckdb-cli` on PyPI, R, DBeaver drivers) can open; raw HTML is left out.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.locking import DatabaseLocked, connect, holder_pid
from warehouse.queries import READ_LOCK_TIMEOUT, WarehouseMissing, open_readonly
from warehouse.snapshot_freshness import NAME as FRESHNESS
from warehouse.snapshot_freshness import publish_freshness
from warehouse.snapshot_trends import EVIDENCE as TRENDS_EVIDENCE
from warehouse.snapshot_trends import NAME as TRENDS
from warehouse.snapshot_trends import note_weeks_before, publish_trends

log = logging.getLogger(__name__)

# The oldest storage version in which every public view works (tests/test_snapshot.py checks
# each view in the 1.x CLI): v1.0.0 writes storage number 64, which every DuckDB since 1.0 reads
# (0.9 to 1.1 all write 64; v1.2.0 writes 65). The price: long strings are not dictionary- or
# zstd-compressed before v1.3.0, so the snapshot is several times larger than the live file's
# text (3.5x larger than a v1.3.0 copy in the benchmark's data).
SNAPSHOT_STORAGE_VERSION = "v1.0.0"
GROWING_TABLES = (
    "versions",
    "changes",
    "fetches",
    "observation_errors",
    "version_topics",
    "loaded_batches",
)
REPLACED_TABLES = ("run_records", "schema_version")
# An article's row changes only when one of its observations is loaded, which always adds a row
# to at least one of these tables: the articles to refresh are those named in the new rows.
ARTICLE_EVIDENCE = ("fetches", "versions", "changes", "observation_errors")
MARKS_TABLE = "snapshot_marks"
INFO_TABLE = "snapshot_info"
COPIES = ("a", "b")
# The live file's own views, as it defines them: the snapshot matches its schema version.
VIEWS_SQL = """SELECT view_name, sql FROM duckdb_views()
               WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
               ORDER BY view_name"""
# A writer holds the live file for under a second per batch group; past this, skip and catch up.
LIVE_LOCK_WAIT = 2.0


class SnapshotMissing(WarehouseMissing):
    """No snapshot has been published yet."""


@dataclass(frozen=True)
class Publication:
    """What one publish attempt did; `line()` is the run summary's snapshot line."""

    path: Path
    published: bool
    mode: str  # "full", "incremental", or "skipped"
    seconds: float
    live_hold_seconds: float = 0.0
    copy: str | None = None
    last_loaded_at: datetime | None = None
    loaded_batches: int = 0
    reason: str = ""

    def line(self) -> str:
        if not self.published:
            return f"not published ({self.reason}); the next run catches up"
        loaded = f"{self.last_loaded_at:%Y-%m-%d %H:%M:%S} UTC" if self.last_loaded_at else "-"
        return (
            f"{self.path.name}: {self.mode} publication in {self.seconds:.2f} s, "
            f"{self.loaded_batches} batches, last load {loaded}"
        )


def snapshot_path(db_path: Path | str) -> Path:
    """Where readers open the snapshot of the warehouse at `db_path`."""
    db = Path(db_path)
    return db.with_name(f"{db.stem}.read.duckdb")


def copy_path(db_path: Path | str, copy: str) -> Path:
    db = Path(db_path)
    return db.with_name(f"{db.stem}.read-{copy}.duckdb")


def pending_marker(db_path: Path | str) -> Path:
    """Present while a skipped, failed or interrupted publication still has to be caught up."""
    db = Path(db_path)
    return db.with_name(f"{db.stem}.read.pending")


@contextmanager
def open_read(
    db_path: Path | str, *, live: bool = False, fallback_to_live: bool = True, shared: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for queries: the published snapshot, or the live file.

    `live=True` opens the live file read-only (a short open: it locks loads out while it lasts).
    Before the first publication there is no snapshot; with `fallback_to_live` the live file is
    opened instead and a warning says so, otherwise SnapshotMissing is raised. `shared` as in
    `warehouse.locking.connect`.
    """
    path = snapshot_path(db_path)
    if not live and not path.is_file():
        if not fallback_to_live:
            raise SnapshotMissing(
                f"no read snapshot at {path}: it is published after the first successful load "
                f"(or run `liputan6-monitor publish-snapshot`); `--live` reads the live file"
            )
        if Path(db_path).is_file():
            log.warning("no read snapshot at %s yet; reading the live file %s", path, db_path)
        live = True
    if live:
        with open_readonly(db_path, shared=shared) as con:
            yield con
    else:
        with connect(path, read_only=True, lock_timeout=READ_LOCK_TIMEOUT, shared=shared) as con:
            yield con


def publish(db_path: Path | str, lock_wait: float = 60.0) -> Publication:
    """Bring the idle copy up to date and switch readers to it; never touches a held copy.

    Returns a skipped Publication (with its reason) when the idle copy is held by a reader or
    another publication is running past `lock_wait`; the pending marker makes the next call retry.
    """
    db = Path(db_path)
    started = time.monotonic()
    target = snapshot_path(db)
    if not db.is_file():
        raise WarehouseMissing(f"no warehouse database at {db}: nothing to publish")
    with _publisher_lock(db, lock_wait) as acquired:
        if not acquired:
            return _skipped(db, started, f"another publication held the lock over {lock_wait} s")
        idle = _idle_copy(db)
        path = copy_path(db, idle)
        current = _current_copy(db)
        if not path.exists() and current is not None:
            shutil.copyfile(copy_path(db, current), path)
        try:
            con = _open_copy(path)
        except DatabaseLocked as exc:
            return _skipped(db, started, f"idle copy {path.name} is held by a reader: {exc}")
        owed = _owe_publication(db)
        staging = db.with_name(f"{db.stem}.read-staging")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            marks = _marks(con)
            extract = _extract(db, con, staging, marks)
            _apply(con, staging, extract, idle)
            con.execute("CHECKPOINT")
        finally:
            con.close()
            shutil.rmtree(staging, ignore_errors=True)
        link = target.with_name(target.name + ".new")
        link.unlink(missing_ok=True)
        os.link(path, link)
        os.replace(link, target)
        _settle_publication(db, owed)
    return Publication(
        path=target,
        published=True,
        mode=extract.mode,
        seconds=time.monotonic() - started,
        live_hold_seconds=extract.live_hold_seconds,
        copy=idle,
        last_loaded_at=extract.last_loaded_at,
        loaded_batches=extract.counts.get("loaded_batches", 0),
    )


def publish_after_load(db_path: Path | str) -> Publication:
    """Publish once the writer is done; a failure is returned as a skip, never raised into a load.

    A publication already running elsewhere is not waited for: this one is skipped and the
    pending marker makes the next run publish, whether or not it loads anything.

    The load has committed by now, so a publication problem must not fail it: the reason goes to
    the run summary and the log, and the pending marker makes the next run retry.
    """
    try:
        return publish(db_path, lock_wait=0)
    except (duckdb.Error, OSError, DatabaseLocked) as exc:
        log.warning("read snapshot not published: %s: %s", type(exc).__name__, exc)
        return _skipped(Path(db_path), time.monotonic(), f"{type(exc).__name__}: {exc}")


def needs_publication(db_path: Path | str, loaded_batches: int) -> bool:
    """After a load that wrote something, or while an earlier publication is still owed."""
    return loaded_batches > 0 or pending_marker(db_path).exists()


def snapshot_info(db_path: Path | str) -> dict[str, object] | None:
    """The published snapshot's `snapshot_info` row, or None before the first publication."""
    path = snapshot_path(db_path)
    if not path.is_file():
        return None
    with connect(path, read_only=True, lock_timeout=READ_LOCK_TIMEOUT) as con:
        cursor = con.execute(f"SELECT * FROM {INFO_TABLE}")
        names = [column[0] for column in cursor.description or []]
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True)) if row else None


@dataclass
class _Extract:
    mode: str
    counts: dict[str, int]
    starts: dict[str, int]
    schema_version: int
    generation: int
    last_loaded_at: datetime | None
    live_hold_seconds: float


def _skipped(db: Path, started: float, reason: str) -> Publication:
    _owe_publication(db)
    log.warning("read snapshot not published: %s", reason)
    return Publication(
        path=snapshot_path(db),
        published=False,
        mode="skipped",
        seconds=time.monotonic() - started,
        reason=reason,
    )


def _owe_publication(db: Path) -> str:
    """Mark a publication owed, with a fresh token: by a skipped one, and by every publication
    before it reads the live file, until it has switched.

    A process killed mid-publication runs no cleanup: the marker it leaves makes the next run
    publish, even one that loads nothing. The token tells this publication's marker from one a
    load skipped meanwhile writes again, which must stay."""
    token = uuid.uuid4().hex
    pending_marker(db).write_text(token)
    return token


def _settle_publication(db: Path, token: str) -> None:
    """Remove the marker if it is still this publication's own. It is claimed by an atomic
    rename first, so a skipped load's marker written at any moment is never lost: one written
    before the claim is found in the claimed file and put back, one written after is a new file.

    A claim left by a publication killed while settling is removed too: whatever load it stood
    for happened before that publication died, so before this one read the live file."""
    marker = pending_marker(db)
    claimed = marker.with_name(f"{marker.name}.{token}")
    for stray in db.parent.iterdir():
        if stray.name.startswith(f"{marker.name}."):
            stray.unlink(missing_ok=True)
    try:
        os.rename(marker, claimed)
    except FileNotFoundError:
        return
    if claimed.read_text() == token:
        claimed.unlink()
    else:
        os.rename(claimed, marker)


@contextmanager
def _publisher_lock(db: Path, wait: float) -> Iterator[bool]:
    """One publication at a time per warehouse; loads never take this lock."""
    fd = os.open(db.with_name(db.name + ".publish.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _current_copy(db: Path) -> str | None:
    """The copy the published link points at (same inode), if any."""
    try:
        published = snapshot_path(db).stat().st_ino
    except FileNotFoundError:
        return None
    for copy in COPIES:
        path = copy_path(db, copy)
        if path.exists() and path.stat().st_ino == published:
            return copy
    return None


def _idle_copy(db: Path) -> str:
    current = _current_copy(db)
    return COPIES[0] if current is None else COPIES[1 - COPIES.index(current)]


def _open_copy(path: Path) -> duckdb.DuckDBPyConnection:
    """The idle copy, read-write, as `snap`; DatabaseLocked when a reader still has it open."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute(
            f"ATTACH '{_sql_path(path)}' AS snap (STORAGE_VERSION '{SNAPSHOT_STORAGE_VERSION}')"
        )
    except duckdb.IOException as error:
        con.close()
        if "lock" in str(error).lower():
            raise DatabaseLocked(path, holder_pid(str(error))) from error
        raise
    return con


def _marks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of each growing table already in this copy, its schema version (`_schema`), and
    when the copy was last built in full (`_generation`: row marks compare only within one build;
    the Parquet export relies on it)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'snap' AND table_name = ?",
        [MARKS_TABLE],
    ).fetchone()
    if not found or not found[0]:
        return {}
    return dict(con.execute(f"SELECT name, rows FROM snap.{MARKS_TABLE}").fetchall())


def _extract(
    db: Path, con: duckdb.DuckDBPyConnection, staging: Path, marks: dict[str, int]
) -> _Extract:
    """Copy what is new from the live file to Parquet, in one short read-only transaction."""
    started = time.monotonic()
    with connect(db, read_only=True, lock_timeout=LIVE_LOCK_WAIT) as live:
        live.execute("SET enable_progress_bar = false")
        live.execute("BEGIN TRANSACTION")
        schema = live.execute("SELECT max(version) FROM schema_version").fetchone()
        schema_version = int(schema[0]) if schema and schema[0] else 0
        counts = {table: _count(live, f"SELECT count(*) FROM {table}") for table in GROWING_TABLES}
        full = marks.get("_schema") != schema_version or any(
            not _grew_in_place(live, table, counts[table], marks.get(table, 0))
            for table in GROWING_TABLES
        )
        starts = {t: 0 if full else marks.get(t, 0) for t in GROWING_TABLES}
        for table in GROWING_TABLES:
            _copy_out(live, f"SELECT * FROM {table} WHERE rowid >= {starts[table]}", staging, table)
        touched = " UNION ".join(
            f"SELECT article_id FROM {table} WHERE rowid >= {starts[table]}"
            for table in ARTICLE_EVIDENCE
        )
        articles = "SELECT * FROM articles" + ("" if full else f" WHERE article_id IN ({touched})")
        _copy_out(live, articles, staging, "articles")
        for table in REPLACED_TABLES:
            _copy_out(live, f"SELECT * FROM {table}", staging, table)
        _copy_out(live, VIEWS_SQL, staging, "_views")
        if full:
            _copy_out(live, _empty_tables_sql(), staging, "_columns")
        loaded = live.execute("SELECT max(loaded_at) FROM loaded_batches").fetchone()
        live.execute("COMMIT")
    return _Extract(
        mode="full" if full else "incremental",
        counts=counts,
        starts=starts,
        schema_version=schema_version,
        generation=time.time_ns() // 1000 if full else marks.get("_generation", 0),
        last_loaded_at=loaded[0] if loaded else None,
        live_hold_seconds=time.monotonic() - started,
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    found = con.execute(sql).fetchone()
    return int(found[0]) if found else 0


def _grew_in_place(live: duckdb.DuckDBPyConnection, table: str, rows: int, mark: int) -> bool:
    """True when the rows past the copy's mark are exactly the new ones (nothing deleted).

    Row ids are dense while a table only grows, so this counts only the new rows' range.
    """
    if rows < mark:
        return False
    return _count(live, f"SELECT count(*) FROM {table} WHERE rowid >= {mark}") == rows - mark


def _empty_tables_sql() -> str:
    """Each table's columns and types, so a full build creates the copy's tables exactly."""
    names = ", ".join(f"'{t}'" for t in (*GROWING_TABLES, "articles", *REPLACED_TABLES))
    return f"""SELECT table_name, column_index, column_name, data_type
               FROM duckdb_columns() WHERE database_name = current_database()
               AND schema_name = 'main' AND table_name IN ({names})
               ORDER BY table_name, column_index"""


def _copy_out(live: duckdb.DuckDBPyConnection, query: str, staging: Path, name: str) -> None:
    target = _sql_path(staging / f"{name}.parquet")
    live.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")


def _apply(con: duckdb.DuckDBPyConnection, staging: Path, extract: _Extract, copy: str) -> None:
    """Update the idle copy from the staging files, in one transaction (a crash changes nothing)."""

    def parquet(name: str) -> str:
        return f"read_parquet('{_sql_path(staging / f'{name}.parquet')}')"

    con.execute("BEGIN TRANSACTION")
    try:
        if extract.mode == "full":
            _create_tables(con, parquet("_columns"))
        for table in GROWING_TABLES:
            con.execute(f"INSERT INTO snap.{table} SELECT * FROM {parquet(table)}")
        touched = None
        if extract.mode == "incremental":
            touched = " UNION ".join(
                f"SELECT article_id FROM {parquet(table)}" for table in TRENDS_EVIDENCE
            )
            note_weeks_before(con, touched)
        con.execute(
            f"DELETE FROM snap.articles WHERE article_id IN "
            f"(SELECT article_id FROM {parquet('articles')})"
        )
        con.execute(f"INSERT INTO snap.articles SELECT * FROM {parquet('articles')}")
        for table in REPLACED_TABLES:
            con.execute(f"DELETE FROM snap.{table}")
            con.execute(f"INSERT INTO snap.{table} SELECT * FROM {parquet(table)}")
        marks = [
            *extract.counts.items(),
            ("_schema", extract.schema_version),
            ("_generation", extract.generation),
        ]
        con.execute(f"DELETE FROM snap.{MARKS_TABLE}")
        con.execute(
            f"INSERT INTO snap.{MARKS_TABLE} SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[])",
            [[name for name, _ in marks], [rows for _, rows in marks]],
        )
        con.execute(f"DELETE FROM snap.{INFO_TABLE}")
        con.execute(
            f"""INSERT INTO snap.{INFO_TABLE}
                SELECT ?, ?, ?, (SELECT batch_id FROM snap.loaded_batches
                                 ORDER BY loaded_at DESC LIMIT 1), ?, ?, ?, ?""",
            [
                datetime.now(UTC),
                extract.last_loaded_at,
                extract.counts["loaded_batches"],
                extract.schema_version,
                SNAPSHOT_STORAGE_VERSION,
                extract.mode,
                copy,
            ],
        )
        con.execute("USE snap")
        views = con.execute(f"SELECT view_name, sql FROM {parquet('_views')}").fetchall()
        for name, sql in views:
            if name == TRENDS:
                log.info("read snapshot: topic_trends %s", publish_trends(con, sql, touched))
                continue
            if name == FRESHNESS:
                new_rows = None
                if touched is not None:
                    new_rows = {table: parquet(table) for table in ("changes", "fetches")}
                log.info("read snapshot: freshness %s", publish_freshness(con, sql, new_rows))
                continue
            con.execute(f'DROP VIEW IF EXISTS "{name}"')
            con.execute(sql)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _create_tables(con: duckdb.DuckDBPyConnection, columns: str) -> None:
    """Drop whatever the copy had and create every table with the live file's column types."""
    existing = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'snap'"
    ).fetchall()
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = 'snap' AND NOT internal"
    ).fetchall():
        con.execute(f'DROP VIEW snap."{name}"')
    for (name,) in existing:
        con.execute(f"DROP TABLE snap.{name}")
    tables: dict[str, list[str]] = {}
    for table, _index, column, data_type in con.execute(
        f"SELECT * FROM {columns} ORDER BY table_name, column_index"
    ).fetchall():
        tables.setdefault(table, []).append(f'"{column}" {data_type}')
    for table, cols in tables.items():
        con.execute(f"CREATE TABLE snap.{table} ({', '.join(cols)})")
    con.execute(f"CREATE TABLE snap.{MARKS_TABLE} (name VARCHAR, rows BIGINT)")
    con.execute(
        f"""CREATE TABLE snap.{INFO_TABLE} (
                published_at TIMESTAMPTZ, last_loaded_at TIMESTAMPTZ, loaded_batches BIGINT,
                last_batch_id VARCHAR, schema_version INTEGER, storage_version VARCHAR,
                mode VARCHAR, copy VARCHAR)"""
    )


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")

"""Loading a batch of observations: one short write transaction, bulk appends, exactly once.

The batch id (a hash of its content) is recorded in the same transaction as the rows, so loading a
batch twice, e.g. after a crash between commit and spool clean-up, changes nothing. The lock is
held only while batches are applied; when another process holds the file we retry, then raise
DatabaseLocked and the caller keeps the batch. Each call opens its own connection, so threads
never share one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb

from warehouse.batch_rows import BatchRows, CompressedPages, collect, compress_pages, write
from warehouse.change_detection import FLIP_FLOP_WINDOW, ArticleState, observe
from warehouse.locking import connect
from warehouse.records import Batch
from warehouse.report import LoadReport
from warehouse.scheduling import Ladder
from warehouse.schema import apply_migrations
from warehouse.state import load_states

log = logging.getLogger(__name__)


def load_batch(
    path: Path | str, batch: Batch, ladder: Ladder | None = None, lock_timeout: float = 10.0
) -> LoadReport:
    """Apply a batch in one transaction; DatabaseLocked means it was not applied at all."""
    return load_batches(path, [batch], ladder, lock_timeout)[0]


def load_batches(
    path: Path | str,
    batches: Sequence[Batch],
    ladder: Ladder | None = None,
    lock_timeout: float = 10.0,
) -> list[LoadReport]:
    """Apply batches in order, one transaction each, over one connection.

    Draining a spool this way pays for opening and checkpointing the file once instead of once
    per batch; the file stays locked for the whole list, so keep the list bounded. If one batch
    fails, the ones before it stay committed (reloading them later is a no-op). Raw pages are
    compressed before the file is opened, so the lock is not held while xz runs.
    """
    ladder = ladder or Ladder()
    compressed = compress_pages(batches)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with connect(path, read_only=False, lock_timeout=lock_timeout) as con:
        apply_migrations(con)
        return apply_batches(con, batches, ladder, compressed)


def apply_batches(
    con: duckdb.DuckDBPyConnection,
    batches: Sequence[Batch],
    ladder: Ladder,
    compressed: CompressedPages | None = None,
) -> list[LoadReport]:
    """`load_batches` over a connection the caller holds (migrated): the freshness simulator
    loads thousands of small batches, where reopening the file would dominate. Raw pages
    missing from `compressed` are compressed inside the transaction."""
    return [_transaction(con, batch, ladder, compressed or {}) for batch in batches]


def _transaction(
    con: duckdb.DuckDBPyConnection, batch: Batch, ladder: Ladder, compressed: CompressedPages
) -> LoadReport:
    con.execute("BEGIN TRANSACTION")
    try:
        report = _apply(con, batch, batch.batch_id, ladder, compressed)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report


def _apply(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    batch_id: str,
    ladder: Ladder,
    compressed: CompressedPages,
) -> LoadReport:
    report = LoadReport(batch_id=batch_id)
    seen = con.execute("SELECT 1 FROM loaded_batches WHERE batch_id = ?", [batch_id]).fetchall()
    if seen:
        log.info("batch %s was already loaded; nothing to do", batch_id)
        report.already_loaded = True
        return report
    observations = sorted(batch.observations, key=lambda o: o.observed_at)
    ids = sorted({o.article_id for o in observations})
    since = min((o.observed_at for o in observations), default=batch.created_at)
    states = load_states(con, ids, since - FLIP_FLOP_WINDOW)
    rows = BatchRows()
    touched: dict[int, ArticleState] = {}
    for obs in observations:
        state, event = observe(states.get(obs.article_id), obs, ladder)
        if state is not None:
            states[obs.article_id] = touched[obs.article_id] = state
        collect(event, state, rows, batch, batch_id, report)
    write(con, batch, batch_id, rows, touched, report, compressed)
    return report

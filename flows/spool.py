"""The spool: parsed batches on disk, written before any database write.

Why: the DuckDB file can be locked for hours by a user's open session, and a process can be killed
at any moment. A batch that reached the spool survives both; the next run loads it first. Files
appear atomically (write to a temporary name, fsync, rename), so a crash leaves either a complete
batch or a `.tmp` file that is never read and is swept later.
"""

from __future__ import annotations

import gzip
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from warehouse.records import Batch

log = logging.getLogger(__name__)

SUFFIX = ".batch.json.gz"
_STALE_TMP_SECONDS = 3600


@dataclass(frozen=True)
class SpooledBatch:
    path: Path
    batch_id: str


def write(spool_dir: Path, batch: Batch) -> SpooledBatch:
    """Store `batch` durably; a batch already spooled under the same id is not written twice."""
    spool_dir.mkdir(parents=True, exist_ok=True)
    batch_id = batch.batch_id
    name = f"{time.time_ns():020d}-{batch_id}{SUFFIX}"
    existing = next(spool_dir.glob(f"*-{batch_id}{SUFFIX}"), None)
    if existing is not None:
        return SpooledBatch(existing, batch_id)
    final = spool_dir / name
    tmp = spool_dir / f".{name}.tmp"
    data = gzip.compress(batch.model_dump_json().encode(), compresslevel=1)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    _fsync_dir(spool_dir)
    return SpooledBatch(final, batch_id)


def pending(spool_dir: Path) -> list[SpooledBatch]:
    """Complete batches waiting to be loaded, oldest first."""
    if not spool_dir.is_dir():
        return []
    _sweep_tmp(spool_dir)
    files = sorted(spool_dir.glob(f"*{SUFFIX}"))
    return [SpooledBatch(p, p.name[len("00000000000000000000-") : -len(SUFFIX)]) for p in files]


def read(item: SpooledBatch) -> Batch:
    return Batch.model_validate_json(gzip.decompress(item.path.read_bytes()))


def remove(item: SpooledBatch) -> None:
    """Drop a batch the warehouse has; loading is idempotent, so a crash before this is safe."""
    item.path.unlink(missing_ok=True)
    _fsync_dir(item.path.parent)


def quarantine(item: SpooledBatch, reason: str) -> Path:
    """Move an unreadable batch aside rather than delete it: nothing is lost, nothing blocks."""
    target = item.path.parent / "quarantine"
    target.mkdir(exist_ok=True)
    moved = target / item.path.name
    os.replace(item.path, moved)
    (target / (item.path.name + ".reason.txt")).write_text(reason + "\n", encoding="utf-8")
    log.error("Spooled batch %s quarantined to %s: %s", item.batch_id, moved, reason)
    return moved


def _sweep_tmp(spool_dir: Path) -> None:
    now = time.time()
    for tmp in spool_dir.glob(".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > _STALE_TMP_SECONDS:
                log.warning("Removing half-written spool file %s left by a crashed run", tmp)
                tmp.unlink()
        except FileNotFoundError:
            continue


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

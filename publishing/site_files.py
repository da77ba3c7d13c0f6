"""Writing the site's files: atomically, and only when a page's data changed.

Each page is written to a temporary file in its own folder and renamed over the old one, so a web
server serving DIR never sends half a page. A manifest maps every page to a fingerprint of the
data it was rendered from; a page whose fingerprint matches is not rendered again. The manifest
also keeps the builder's `state` (how far the warehouse had got), saved with the pages it
describes.

The manifest is a small SQLite file, not one JSON document: a year's site has ~350,000 pages, and
reading, comparing and rewriting all their fingerprints took seconds on every publication. Now a
publication looks up only the pages it plans and saves only the rows it changed, in one
transaction after the pages are written.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from publishing import window_cache
from warehouse.site_source import ChangeRecord

MANIFEST = ".publish-manifest.sqlite"
SAVE_EVERY = 2000  # pages written between saves of their rows
LEGACY_MANIFEST = ".publish-manifest.json"  # before the SQLite manifest: read once, then removed
_SCHEMA = (
    """
CREATE TABLE pages (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
PRAGMA user_version = 1;
"""
    + window_cache.SCHEMA
)
log = logging.getLogger(__name__)


def write_atomic(target: Path, text: str) -> int:
    """Replace `target` with `text` in one rename; returns the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(data)


def _prefix_range(prefix: str) -> tuple[str, str]:
    """Bounds of the paths starting with `prefix`, for a range scan of the primary key."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


class SiteFiles:
    """The output folder and its manifest of page fingerprints; `close` it when done."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._db = self._open_manifest()
        self.state: dict[str, Any] = _state_of(self._db)
        self._saved_state = self.state
        self._new: dict[str, str] = {}  # every page of this publication so far
        self._written: dict[str, str] = {}  # those written by it
        self._kept: list[str] = []  # prefixes whose unplanned pages stay as they are
        self.written = 0
        self.bytes_written = 0
        self.pages = 0  # pages of the site, known once `finish` has saved the manifest

    def _open_manifest(self) -> sqlite3.Connection:
        path = self.root / MANIFEST
        try:
            con = _connect(path)
        except sqlite3.DatabaseError as error:
            log.warning("unreadable %s (%s): every page will be written again", path, error)
            path.unlink()
            con = _connect(path)
        if (self.root / LEGACY_MANIFEST).is_file():
            _take_over_legacy(con, self.root / LEGACY_MANIFEST)
        return con

    def close(self) -> None:
        self._db.close()

    def fingerprint(self, path: str) -> str | None:
        """The fingerprint the page was last written with."""
        row = self._db.execute("SELECT fingerprint FROM pages WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def is_current(self, path: str, fingerprint: str) -> bool:
        """True when the page on disk was rendered from the same data; it is then kept."""
        if self.fingerprint(path) == fingerprint and (self.root / path).is_file():
            self._new[path] = fingerprint
            return True
        return False

    def keep(self, prefix: str) -> None:
        """Keep every page under `prefix` not yet planned, unchecked: the builder knows their
        data did not change (checking each would cost a lookup per article of the archive)."""
        self._kept.append(prefix)

    def write(self, path: str, text: str, fingerprint: str) -> None:
        self.bytes_written += write_atomic(self.root / path, text)
        self.written += 1
        self._new[path] = fingerprint
        self._written[path] = fingerprint
        if len(self._written) >= SAVE_EVERY:
            self._save_written()

    def _save_written(self) -> None:
        """Record the pages written so far: a first build of a year takes long, and one that is
        stopped then resumes from its pages instead of rendering them all again."""
        with _transaction(self._db):
            self._db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?)", self._written.items()
            )
        self._written.clear()

    def replace_window(self, records: list[ChangeRecord]) -> None:
        """Cache the window's changes, read whole from the warehouse."""
        with _transaction(self._db):
            window_cache.replace(self._db, records)

    def refresh_window(
        self, article_ids: list[int], records: list[ChangeRecord]
    ) -> list[ChangeRecord]:
        """The cached window with the rows of `article_ids` replaced by `records`; newest
        first. The rows are saved at once: a later failure leaves the state's marks behind,
        so the next publication refreshes the same articles again."""
        with _transaction(self._db):
            return window_cache.refresh(self._db, article_ids, records)

    def finish(self) -> list[str]:
        """Delete pages that are no longer part of the site, save the manifest; returns the
        deleted paths."""
        where = " AND ".join("NOT (path >= ? AND path < ?)" for _ in self._kept) or "TRUE"
        bounds = [bound for prefix in self._kept for bound in _prefix_range(prefix)]
        previous = self._db.execute(f"SELECT path FROM pages WHERE {where}", bounds)
        gone = sorted(path for (path,) in previous if path not in self._new)
        for path in gone:
            (self.root / path).unlink(missing_ok=True)
        if gone or self.written or self.state != self._saved_state:
            with _transaction(self._db):
                self._db.executemany("DELETE FROM pages WHERE path = ?", ((p,) for p in gone))
                self._db.executemany(
                    "INSERT OR REPLACE INTO pages VALUES (?, ?)", self._written.items()
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO state VALUES (1, ?)",
                    (json.dumps(self.state, sort_keys=True),),
                )
        self.pages = self._db.execute("SELECT count(*) FROM pages").fetchone()[0]
        return gone


def saved_state(root: Path) -> dict[str, Any]:
    """The last publication's builder state, read without creating or repairing anything: {}
    when there is no readable manifest (the next publication then rebuilds the site)."""
    path = root / MANIFEST
    if not path.is_file():
        return {}
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as con:
            return _state_of(con)
    except sqlite3.DatabaseError as error:
        log.warning("unreadable %s (%s): the site counts as behind", path, error)
        return {}


def _state_of(con: sqlite3.Connection) -> dict[str, Any]:
    row = con.execute("SELECT value FROM state").fetchone()
    return json.loads(row[0]) if row else {}


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        if con.execute("PRAGMA user_version").fetchone()[0] == 0:
            con.executescript(_SCHEMA)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def _transaction(con: sqlite3.Connection) -> Iterator[None]:
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _take_over_legacy(con: sqlite3.Connection, path: Path) -> None:
    """Move a JSON manifest left by an earlier version into an empty SQLite one, so an upgrade
    does not render every page again; an unreadable one is removed and every page written.
    Its state is left behind: without the cached window, the first publication after the
    upgrade checks every page (and rewrites none that is current)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        found, problem = None, str(error)
    else:
        problem = "not a manifest"
    usable = isinstance(found, dict) and isinstance(found.get("pages"), dict)
    if con.execute("SELECT EXISTS (SELECT 1 FROM pages)").fetchone()[0]:
        log.warning("%s ignored and removed: %s is the manifest", path, MANIFEST)
    elif usable:
        with _transaction(con):
            con.executemany("INSERT INTO pages VALUES (?, ?)", found["pages"].items())
        log.info("took over %s (%d pages) into %s", path, len(found["pages"]), MANIFEST)
    else:
        log.warning("%s is unusable (%s): every page will be written again", path, problem)
    path.unlink()

"""Loading a batch of observations: one short write transaction, bulk appends, exactly once.

The batch id (a hash of its content) is recorded in the same transaction as the rows, so loading a
batch twice, e.g. after a crash between commit and spool clean-up, changes nothing. The lock is
held only while the batch is applied; when another process holds the file we retry, then raise
DatabaseLocked and the caller keeps the batch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.change_detection import FLIP_FLOP_WINDOW, ArticleState, Event, observe
from warehouse.locking import connect
from warehouse.rawpages import CODEC, compress
from warehouse.records import Batch
from warehouse.scheduling import Ladder
from warehouse.schema import apply_migrations
from warehouse.state import load_states

log = logging.getLogger(__name__)

_COUNTED = {"edit": "changed", "flip_flop": "flip_flop_suppressed"}

ARTICLE_COLUMNS = [
    "article_id",
    "url",
    "channel",
    "category",
    "status",
    "current_version",
    "first_seen",
    "last_checked",
    "last_changed",
    "check_count",
    "cosmetic_count",
    "next_check_at",
    "etag",
    "last_modified",
    "page_fingerprint",
]
VERSION_COLUMNS = [
    "article_id",
    "version",
    "content_hash",
    "title",
    "description",
    "body",
    "pages",
    "tags",
    "authors",
    "editors",
    "published_at",
    "modified_at",
    "channel",
    "category",
    "type",
    "parser_version",
    "fetched_at",
    "raw_hash",
    "run_id",
]
CHANGE_COLUMNS = [
    "article_id",
    "kind",
    "version_from",
    "version_to",
    "detected_at",
    "changed_fields",
    "title_before",
    "title_after",
    "words_added",
    "words_removed",
    "diff",
    "run_id",
    "batch_id",
]
FETCH_COLUMNS = [
    "article_id",
    "url",
    "final_url",
    "status",
    "outcome",
    "bytes",
    "etag",
    "last_modified",
    "elapsed_ms",
    "error",
    "attempted_at",
    "attempt",
    "run_id",
    "batch_id",
]


@dataclass(frozen=True)
class ChangeSummary:
    article_id: int
    kind: str
    url: str
    title_before: str | None
    title_after: str | None
    changed_fields: list[str]
    words_added: int
    words_removed: int
    version_from: int | None
    version_to: int | None


@dataclass
class LoadReport:
    """What a batch did; `already_loaded` is True (and every count 0) for a repeated batch."""

    batch_id: str
    already_loaded: bool = False
    new: int = 0
    changed: int = 0
    cosmetic: int = 0
    unchanged: int = 0
    not_modified: int = 0
    removed: int = 0
    restored: int = 0
    revert: int = 0
    parser_change: int = 0
    flip_flop_suppressed: int = 0
    failed: int = 0
    parse_error: int = 0
    skipped: int = 0
    changes: list[ChangeSummary] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type == "int"}


@dataclass
class _Rows:
    """Everything one batch writes, gathered before the appends."""

    versions: list[tuple[object, ...]] = field(default_factory=list)
    topics: list[tuple[object, ...]] = field(default_factory=list)
    changes: list[tuple[object, ...]] = field(default_factory=list)
    errors: list[tuple[object, ...]] = field(default_factory=list)
    raw: dict[str, tuple[str, datetime]] = field(default_factory=dict)


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
    fails, the ones before it stay committed (reloading them later is a no-op).
    """
    ladder = ladder or Ladder()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=False, lock_timeout=lock_timeout)
    try:
        apply_migrations(con)
        return [_transaction(con, batch, ladder) for batch in batches]
    finally:
        con.close()


def _transaction(con: duckdb.DuckDBPyConnection, batch: Batch, ladder: Ladder) -> LoadReport:
    con.execute("BEGIN TRANSACTION")
    try:
        report = _apply(con, batch, batch.batch_id, ladder)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report


def _apply(
    con: duckdb.DuckDBPyConnection, batch: Batch, batch_id: str, ladder: Ladder
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
    rows = _Rows()
    touched: dict[int, ArticleState] = {}
    for obs in observations:
        state, event = observe(states.get(obs.article_id), obs, ladder)
        if state is not None:
            states[obs.article_id] = touched[obs.article_id] = state
        _collect(event, state, rows, batch.run_id, batch_id, report)
    _write(con, batch, batch_id, rows, touched, report)
    return report


def _collect(
    event: Event,
    state: ArticleState | None,
    rows: _Rows,
    run_id: str,
    batch_id: str,
    report: LoadReport,
) -> None:
    obs = event.observation
    key = _COUNTED.get(event.kind, event.kind)
    setattr(report, key, getattr(report, key) + 1)
    if event.kind in ("failed", "parse_error", "skipped"):
        log.warning("article %s (%s): %s: %s", obs.article_id, obs.url, event.kind, event.message)
        rows.errors.append(
            (obs.article_id, obs.url, obs.observed_at, event.kind, event.message, run_id, batch_id)
        )
    if event.new_version is not None:
        new = event.new_version
        stored, article = new.stored, new.article
        if new.raw_html is not None and stored.raw_hash is not None:
            rows.raw.setdefault(stored.raw_hash, (new.raw_html, new.observed_at))
        snap = stored.snapshot
        rows.versions.append(
            (
                obs.article_id,
                stored.version,
                stored.content_hash,
                snap.title,
                snap.description,
                snap.body,
                snap.layout_json,
                list(snap.tags),
                list(snap.authors),
                list(article.editors),
                snap.published_at,
                article.modified_at,
                article.channel,
                article.category,
                article.type,
                article.parser_version,
                new.observed_at,
                stored.raw_hash,
                run_id,
            )
        )
        rows.topics.extend(
            (obs.article_id, stored.version, t.topic, t.source, t.score, list(t.evidence))
            for t in new.topic_tags
        )
    if event.change is not None:
        assert state is not None
        change = event.change
        diff = change.diff
        changed = diff.changed_fields if diff else []
        added, removed = (diff.words_added, diff.words_removed) if diff else (0, 0)
        rows.changes.append(
            (
                obs.article_id,
                change.kind,
                change.version_from,
                change.version_to,
                obs.observed_at,
                changed,
                change.title_before,
                change.title_after,
                added,
                removed,
                diff.to_json() if diff else None,
                run_id,
                batch_id,
            )
        )
        report.changes.append(
            ChangeSummary(
                article_id=obs.article_id,
                kind=change.kind,
                url=state.url,
                title_before=change.title_before,
                title_after=change.title_after,
                changed_fields=changed,
                words_added=added,
                words_removed=removed,
                version_from=change.version_from,
                version_to=change.version_to,
            )
        )


def _write(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    batch_id: str,
    rows: _Rows,
    touched: dict[int, ArticleState],
    report: LoadReport,
) -> None:
    _append(con, "raw_pages", None, _raw_rows(con, rows.raw))
    _append(con, "versions", VERSION_COLUMNS, rows.versions)
    _append(con, "version_topics", None, rows.topics)
    _append(con, "changes", CHANGE_COLUMNS, rows.changes)
    _append(con, "observation_errors", None, rows.errors)
    _append(con, "fetches", FETCH_COLUMNS, _fetch_rows(batch, batch_id))
    articles = [_article_row(state) for state in touched.values()]
    if articles:
        with con.appender("articles", columns=ARTICLE_COLUMNS, action="upsert") as appender:
            appender.append_rows(articles)
    counts = json.dumps(report.counts())
    con.execute(
        "INSERT INTO loaded_batches VALUES (?, ?, ?, ?, ?)",
        [batch_id, batch.run_id, datetime.now(UTC), len(batch.observations), counts],
    )


def _append(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str] | None,
    rows: Iterable[tuple[object, ...]],
) -> None:
    rows = list(rows)
    if rows:
        with con.appender(table, columns=columns) as appender:
            appender.append_rows(rows)


def _raw_rows(
    con: duckdb.DuckDBPyConnection, pages: dict[str, tuple[str, datetime]]
) -> list[tuple[object, ...]]:
    """Rows for raw pages not stored yet, compressed in threads (xz releases the GIL)."""
    if not pages:
        return []
    known = {
        row[0]
        for row in con.execute(
            "SELECT raw_hash FROM raw_pages WHERE raw_hash IN (SELECT unnest(?::VARCHAR[]))",
            [list(pages)],
        ).fetchall()
    }
    missing = [(h, html, at) for h, (html, at) in pages.items() if h not in known]
    with ThreadPoolExecutor() as pool:
        blobs = list(pool.map(compress, (html for _, html, _ in missing)))
    return [
        (h, CODEC, len(html.encode()), len(blob), blob, at)
        for (h, html, at), blob in zip(missing, blobs, strict=True)
    ]


def _fetch_rows(batch: Batch, batch_id: str) -> list[tuple[object, ...]]:
    return [
        (
            obs.article_id,
            a.url,
            a.final_url,
            a.status,
            a.outcome,
            a.bytes,
            a.etag,
            a.last_modified,
            a.elapsed_ms,
            a.error,
            a.attempted_at,
            a.attempt,
            batch.run_id,
            batch_id,
        )
        for obs in batch.observations
        for a in obs.attempts
    ]


def _article_row(state: ArticleState) -> tuple[object, ...]:
    return (
        state.article_id,
        state.url,
        state.channel,
        state.category,
        state.status,
        state.current_version,
        state.first_seen,
        state.last_checked,
        state.last_changed,
        state.check_count,
        state.cosmetic_count,
        state.next_check_at,
        state.etag,
        state.last_modified,
        state.page_fingerprint,
    )

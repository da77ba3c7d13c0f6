"""The rows one batch writes, gathered from change-detection events, then appended in bulk.

Bulk appends (the DuckDB appender) rather than row-by-row inserts: a batch is a few bulk
statements however many observations it holds. Raw pages are compressed here, in threads,
and only when not already stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from warehouse.change_detection import ArticleState, Event
from warehouse.normalize import Snapshot
from warehouse.rawpages import CODEC, compress
from warehouse.records import Batch, FetchAttempt
from warehouse.report import ChangeSummary, LoadReport

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
    "cause",
]


@dataclass
class BatchRows:
    """Everything one batch writes, gathered before the appends."""

    versions: list[tuple[object, ...]] = field(default_factory=list)
    topics: list[tuple[object, ...]] = field(default_factory=list)
    changes: list[tuple[object, ...]] = field(default_factory=list)
    errors: list[tuple[object, ...]] = field(default_factory=list)
    raw: dict[str, tuple[str, datetime]] = field(default_factory=dict)


def collect(
    event: Event,
    state: ArticleState | None,
    rows: BatchRows,
    batch: Batch,
    batch_id: str,
    report: LoadReport,
) -> None:
    """Turn one event into rows. A re-parse's change is dated when the re-parse ran; its
    version keeps the time the HTML was fetched."""
    obs = event.observation
    run_id = batch.run_id
    detected_at = batch.created_at if obs.reparse else obs.observed_at
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
        if event.kind == "new":
            report.changes.append(_first_seen(obs.article_id, new.article.canonical_url, snap))
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
                detected_at,
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


def _first_seen(article_id: int, url: str, snap: Snapshot) -> ChangeSummary:
    """A new article in the run report (for notifications); it has no change row: its first
    version is the record."""
    words = sum(len(text.split()) for text in (snap.title, snap.description, snap.body))
    return ChangeSummary(
        article_id=article_id,
        kind="new",
        url=url,
        title_before=None,
        title_after=snap.title,
        changed_fields=[],
        words_added=words,
        words_removed=0,
        version_from=None,
        version_to=1,
    )


def write(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    batch_id: str,
    rows: BatchRows,
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
    """Article attempts, then the run's listing and robots.txt attempts (no article)."""
    attempts: list[tuple[int | None, FetchAttempt]] = [
        (obs.article_id, a) for obs in batch.observations for a in obs.attempts
    ]
    attempts += [(None, a) for a in batch.fetches]
    return [
        (
            article_id,
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
            a.cause,
        )
        for article_id, a in attempts
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

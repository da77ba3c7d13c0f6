"""The rows one batch writes, gathered from change-detection events, then appended in bulk.

Bulk appends (the DuckDB appender) rather than row-by-row inserts: a batch is a few bulk
statements however many observations it holds. Each table's row is a named tuple whose fields
are the columns it fills, and every append names those columns, so a column added to a table
later cannot shift the values of an append. Raw pages are compressed before the database is
opened (`compress_pages`): xz is the slowest step of a load, and the open file locks out readers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, NamedTuple

import duckdb

from warehouse.change_detection import ArticleState, Change, Event, NewVersion
from warehouse.kinds import ERROR_EVENTS, ArticleStatus, ChangeKind, EventKind, FetchOutcome
from warehouse.normalize import raw_hash
from warehouse.rawpages import CODEC, compress
from warehouse.records import Batch, FetchAttempt, Observation
from warehouse.report import ChangeSummary, LoadReport

log = logging.getLogger(__name__)

CompressedPages = dict[str, bytes]
"""xz-compressed raw HTML by raw hash."""


class ArticleRow(NamedTuple):
    article_id: int
    url: str
    channel: str | None
    category: str | None
    status: ArticleStatus
    current_version: int
    first_seen: datetime
    last_checked: datetime | None
    last_changed: datetime
    check_count: int
    cosmetic_count: int
    next_check_at: datetime | None
    etag: str | None
    last_modified: str | None
    page_fingerprint: str | None


class VersionRow(NamedTuple):
    article_id: int
    version: int
    content_hash: str
    title: str
    description: str
    body: str
    pages: str
    tags: list[str]
    authors: list[str]
    editors: list[str]
    published_at: datetime
    modified_at: datetime | None
    channel: str | None
    category: str | None
    type: str | None
    parser_version: str
    fetched_at: datetime
    raw_hash: str | None
    run_id: str


class TopicRow(NamedTuple):
    article_id: int
    version: int
    topic: str
    source: str
    score: float
    evidence: list[str]


class ChangeRow(NamedTuple):
    article_id: int
    kind: ChangeKind
    version_from: int | None
    version_to: int | None
    detected_at: datetime
    changed_fields: list[str]
    title_before: str | None
    title_after: str | None
    words_added: int
    words_removed: int
    diff: str | None
    run_id: str
    batch_id: str


class ErrorRow(NamedTuple):
    article_id: int
    url: str
    observed_at: datetime
    outcome: EventKind
    error: str | None
    run_id: str
    batch_id: str


class RawPageRow(NamedTuple):
    raw_hash: str
    codec: str
    size_bytes: int
    stored_bytes: int
    content: bytes
    first_fetched_at: datetime


class FetchRow(NamedTuple):
    article_id: int | None
    url: str
    final_url: str | None
    status: int | None
    outcome: FetchOutcome
    bytes: int
    etag: str | None
    last_modified: str | None
    elapsed_ms: float
    error: str | None
    attempted_at: datetime
    attempt: int
    run_id: str
    batch_id: str
    cause: str | None


class LoadedBatchRow(NamedTuple):
    batch_id: str
    run_id: str
    loaded_at: datetime
    observations: int
    counts: str


COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ArticleRow._fields,
    "versions": VersionRow._fields,
    "version_topics": TopicRow._fields,
    "changes": ChangeRow._fields,
    "observation_errors": ErrorRow._fields,
    "raw_pages": RawPageRow._fields,
    "fetches": FetchRow._fields,
    "loaded_batches": LoadedBatchRow._fields,
}
"""The columns each table is written with: the fields of its row type."""


@dataclass
class BatchRows:
    """Everything one batch writes, gathered before the appends."""

    versions: list[VersionRow] = field(default_factory=list)
    topics: list[TopicRow] = field(default_factory=list)
    changes: list[ChangeRow] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    raw: dict[str, tuple[str, datetime]] = field(default_factory=dict)


def compress_pages(batches: Sequence[Batch]) -> CompressedPages:
    """The raw pages of the batches' fetched articles, compressed in threads (xz releases the
    GIL) before the database is opened. A page already stored is compressed for nothing, which
    costs CPU but no lock time; re-parses are skipped, their pages come from the store."""
    pages = {
        raw_hash(obs.raw_html): obs.raw_html
        for batch in batches
        for obs in batch.observations
        if obs.outcome == "ok" and obs.raw_html is not None and not obs.reparse
    }
    with ThreadPoolExecutor() as pool:
        return dict(zip(pages, pool.map(compress, pages.values()), strict=True))


def collect(
    event: Event,
    state: ArticleState | None,
    rows: BatchRows,
    batch: Batch,
    batch_id: str,
    report: LoadReport,
) -> None:
    """Turn one event into rows and report lines."""
    obs = event.observation
    report.record(event.kind)
    if event.kind in ERROR_EVENTS:
        rows.errors.append(_error_row(event, batch.run_id, batch_id))
    new = event.new_version
    if new is not None:
        _collect_version(obs.article_id, new, rows, batch.run_id)
        if event.kind == EventKind.new:
            report.changes.append(_first_seen(obs.article_id, new.article.canonical_url, new))
    if event.change is not None:
        assert state is not None
        change = _change_row(obs, event.change, batch, batch_id)
        rows.changes.append(change)
        report.changes.append(_change_summary(change, state.url))


def _error_row(event: Event, run_id: str, batch_id: str) -> ErrorRow:
    obs = event.observation
    log.warning("article %s (%s): %s: %s", obs.article_id, obs.url, event.kind, event.message)
    return ErrorRow(
        article_id=obs.article_id,
        url=obs.url,
        observed_at=obs.observed_at,
        outcome=event.kind,
        error=event.message,
        run_id=run_id,
        batch_id=batch_id,
    )


def _collect_version(article_id: int, new: NewVersion, rows: BatchRows, run_id: str) -> None:
    """The version row, its topics, and its raw page (stored once per distinct page)."""
    stored, article, snap = new.stored, new.article, new.stored.snapshot
    if new.raw_html is not None and stored.raw_hash is not None:
        rows.raw.setdefault(stored.raw_hash, (new.raw_html, new.observed_at))
    rows.versions.append(
        VersionRow(
            article_id=article_id,
            version=stored.version,
            content_hash=stored.content_hash,
            title=snap.title,
            description=snap.description,
            body=snap.body,
            pages=snap.layout_json,
            tags=list(snap.tags),
            authors=list(snap.authors),
            editors=list(article.editors),
            published_at=snap.published_at,
            modified_at=article.modified_at,
            channel=article.channel,
            category=article.category,
            type=article.type,
            parser_version=article.parser_version,
            fetched_at=new.observed_at,
            raw_hash=stored.raw_hash,
            run_id=run_id,
        )
    )
    keys: set[tuple[str, str]] = set()
    for t in new.topic_tags:
        if (t.source, t.topic) in keys:  # the table's key: a batch edited by hand could repeat one
            log.warning(
                "article %s: topic %s (%s) given twice, kept the first",
                article_id,
                t.topic,
                t.source,
            )
            continue
        keys.add((t.source, t.topic))
        rows.topics.append(
            TopicRow(article_id, stored.version, t.topic, t.source, t.score, list(t.evidence))
        )


def _change_row(obs: Observation, change: Change, batch: Batch, batch_id: str) -> ChangeRow:
    """A re-parse's change is dated when the re-parse ran; its version keeps the time the HTML
    was fetched."""
    diff = change.diff
    return ChangeRow(
        article_id=obs.article_id,
        kind=change.kind,
        version_from=change.version_from,
        version_to=change.version_to,
        detected_at=batch.created_at if obs.reparse else obs.observed_at,
        changed_fields=diff.changed_fields if diff else [],
        title_before=change.title_before,
        title_after=change.title_after,
        words_added=diff.words_added if diff else 0,
        words_removed=diff.words_removed if diff else 0,
        diff=diff.to_json() if diff else None,
        run_id=batch.run_id,
        batch_id=batch_id,
    )


def _change_summary(row: ChangeRow, url: str) -> ChangeSummary:
    return ChangeSummary(
        article_id=row.article_id,
        kind=EventKind(row.kind),
        url=url,
        title_before=row.title_before,
        title_after=row.title_after,
        changed_fields=row.changed_fields,
        words_added=row.words_added,
        words_removed=row.words_removed,
        version_from=row.version_from,
        version_to=row.version_to,
    )


def _first_seen(article_id: int, url: str, new: NewVersion) -> ChangeSummary:
    """A new article in the run report (for notifications); it has no change row: its first
    version is the record."""
    snap = new.stored.snapshot
    words = sum(len(text.split()) for text in (snap.title, snap.description, snap.body))
    return ChangeSummary(
        article_id=article_id,
        kind=EventKind.new,
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
    touched: Mapping[int, ArticleState],
    report: LoadReport,
    compressed: CompressedPages,
) -> None:
    _append(con, "raw_pages", _raw_rows(con, rows.raw, compressed))
    _append(con, "versions", rows.versions)
    _append(con, "version_topics", rows.topics)
    _append(con, "changes", rows.changes)
    _append(con, "observation_errors", rows.errors)
    _append(con, "fetches", _fetch_rows(batch, batch_id))
    _append(con, "articles", [_article_row(state) for state in touched.values()], "upsert")
    loaded = LoadedBatchRow(
        batch_id=batch_id,
        run_id=batch.run_id,
        loaded_at=datetime.now(UTC),
        observations=len(batch.observations),
        counts=json.dumps(report.counts()),
    )
    _append(con, "loaded_batches", [loaded])


def _append(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[tuple[object, ...]],
    action: Literal["insert", "upsert", "update", "delete"] = "insert",
) -> None:
    rows = list(rows)
    if rows:
        with con.appender(table, columns=list(COLUMNS[table]), action=action) as appender:
            appender.append_rows(rows)


def _raw_rows(
    con: duckdb.DuckDBPyConnection,
    pages: dict[str, tuple[str, datetime]],
    compressed: CompressedPages,
) -> list[RawPageRow]:
    """Rows for raw pages not stored yet; a page `compress_pages` did not see (a caller that
    skipped it) is compressed here."""
    if not pages:
        return []
    known = {
        row[0]
        for row in con.execute(
            "SELECT raw_hash FROM raw_pages WHERE raw_hash IN (SELECT unnest(?::VARCHAR[]))",
            [list(pages)],
        ).fetchall()
    }
    rows = []
    for digest, (html, at) in pages.items():
        if digest in known:
            continue
        blob = compressed.get(digest)
        if blob is None:
            blob = compress(html)
        rows.append(RawPageRow(digest, CODEC, len(html.encode()), len(blob), blob, at))
    return rows


def _fetch_rows(batch: Batch, batch_id: str) -> list[FetchRow]:
    """Article attempts, then the run's listing and robots.txt attempts (no article)."""
    attempts: list[tuple[int | None, FetchAttempt]] = [
        (obs.article_id, a) for obs in batch.observations for a in obs.attempts
    ]
    attempts += [(None, a) for a in batch.fetches]
    return [
        FetchRow(
            article_id=article_id,
            url=a.url,
            final_url=a.final_url,
            status=a.status,
            outcome=a.outcome,
            bytes=a.bytes,
            etag=a.etag,
            last_modified=a.last_modified,
            elapsed_ms=a.elapsed_ms,
            error=a.error,
            attempted_at=a.attempted_at,
            attempt=a.attempt,
            run_id=batch.run_id,
            batch_id=batch_id,
            cause=a.cause,
        )
        for article_id, a in attempts
    ]


def _article_row(state: ArticleState) -> ArticleRow:
    return ArticleRow(
        article_id=state.article_id,
        url=state.url,
        channel=state.channel,
        category=state.category,
        status=state.status,
        current_version=state.current_version,
        first_seen=state.first_seen,
        last_checked=state.last_checked,
        last_changed=state.last_changed,
        check_count=state.check_count,
        cosmetic_count=state.cosmetic_count,
        next_check_at=state.next_check_at,
        etag=state.etag,
        last_modified=state.last_modified,
        page_fingerprint=state.page_fingerprint,
    )

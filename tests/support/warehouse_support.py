"""Builders for warehouse tests: synthetic Indonesian articles in the shape the parsers emit.

No tests here; the test_warehouse_* modules import these helpers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from parsers.models import Article, Page, TopicTag
from warehouse.records import Batch, FetchAttempt, Observation

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
ARTICLE_ID = 5123456
URL = f"https://www.liputan6.com/news/read/{ARTICLE_ID}/banjir-rob-pesisir-utara"

PARAGRAPHS = [
    "Liputan6.com, Semarang - Banjir rob kembali merendam permukiman warga di pesisir utara.",
    "Air laut masuk ke jalan kampung sejak Kamis pagi dan belum surut hingga sore hari.",
    "Warga berharap pemerintah daerah segera meninggikan tanggul yang sudah lama rusak.",
]


def make_article(
    article_id: int = ARTICLE_ID,
    title: str = "Banjir Rob Rendam Ratusan Rumah di Pesisir Utara",
    description: str = "Air laut pasang merendam ratusan rumah warga di pesisir utara Jawa.",
    paragraphs: list[str] | None = None,
    tags: list[str] | None = None,
    authors: list[str] | None = None,
    published_at: datetime | None = None,
    parser_version: str = "1.0.0",
    extra_pages: list[Page] | None = None,
) -> Article:
    return Article(
        article_id=article_id,
        canonical_url=URL.replace(str(ARTICLE_ID), str(article_id)),
        channel="news",
        category="peristiwa",
        title=title,
        description=description,
        authors=authors if authors is not None else ["Dewi Lestari"],
        published_at=published_at or T0 - timedelta(hours=1),
        tags=tags if tags is not None else ["banjir rob", "Semarang", "cuaca ekstrem"],
        pages=[Page(paragraphs=paragraphs if paragraphs is not None else list(PARAGRAPHS))]
        + (extra_pages or []),
        parser_version=parser_version,
    )


def raw_page(article: Article, ad_id: str = "ad-1") -> str:
    """A small page in the site's markup; `ad_id` changes nothing a reader sees."""
    body = "".join(f"<p>{p}</p>" for page in article.pages for p in page.paragraphs)
    return (
        f"<html><head><title>{article.title} - News Liputan6.com</title></head><body>"
        f'<div id="{ad_id}" class="advertisement"></div>'
        f'<article class="hentry main read-page--core-article" data-article-id="'
        f'{article.article_id}"><h1 class="read-page--header--title">{article.title}</h1>'
        f'<div class="article-content-body__item-content">{body}</div></article></body></html>'
    )


def ok(
    article: Article,
    at: datetime,
    raw_html: str | None = None,
    topics: list[TopicTag] | None = None,
    reparse: bool = False,
) -> Observation:
    html = raw_html if raw_html is not None else raw_page(article)
    return Observation(
        article_id=article.article_id,
        url=article.canonical_url,
        observed_at=at,
        outcome="ok",
        article=article,
        raw_html=html,
        etag=f'"{at.timestamp():.0f}"',
        topics=topics or [],
        reparse=reparse,
        attempts=[] if reparse else [_attempt(article.canonical_url, at, 200, "ok", len(html))],
    )


def gone(article_id: int, at: datetime, status: int = 404) -> Observation:
    url = URL.replace(str(ARTICLE_ID), str(article_id))
    return Observation(
        article_id=article_id,
        url=url,
        observed_at=at,
        outcome="removed",
        attempts=[_attempt(url, at, status, "removed", 0)],
    )


def not_modified(article_id: int, at: datetime) -> Observation:
    url = URL.replace(str(ARTICLE_ID), str(article_id))
    return Observation(
        article_id=article_id,
        url=url,
        observed_at=at,
        outcome="not_modified",
        attempts=[_attempt(url, at, 304, "not_modified", 0)],
    )


def failed(article_id: int, at: datetime, outcome: str = "failed") -> Observation:
    url = URL.replace(str(ARTICLE_ID), str(article_id))
    return Observation(
        article_id=article_id,
        url=url,
        observed_at=at,
        outcome=outcome,  # type: ignore[arg-type]
        error="503 Service Unavailable" if outcome == "failed" else "missing: title",
        attempts=[
            _attempt(url, at, 503, "http_error", 0, error="503 Service Unavailable"),
            _attempt(url, at + timedelta(seconds=2), 503, "http_error", 0, attempt=2),
        ],
    )


def _attempt(
    url: str,
    at: datetime,
    status: int,
    outcome: str,
    size: int,
    error: str | None = None,
    attempt: int = 1,
) -> FetchAttempt:
    return FetchAttempt(
        url=url,
        final_url=url,
        status=status,
        outcome=outcome,  # type: ignore[arg-type]
        bytes=size,
        elapsed_ms=12.5,
        error=error,
        attempted_at=at,
        attempt=attempt,
    )


def batch(*observations: Observation, run_id: str = "run-test") -> Batch:
    created = max((o.observed_at for o in observations), default=T0)
    return Batch(run_id=run_id, created_at=created, observations=list(observations))


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    """Query a closed database file read-only (the warehouse functions close theirs)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()

"""From a fetch result to an Observation: parse, tag, and classify, with no Prefect in sight.

Kept free of orchestration so the same code runs inside the flows, in the benchmark's
"without Prefect" arm, and in tests. Every outcome becomes an Observation; nothing is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from flows.fetch_records import fetch_attempts
from flows.fetching import Fetcher, FetchRequest, FetchResult
from parsers.article import parse_article
from parsers.models import NotAnArticle, ParseError
from parsers.topics import tag_topics
from warehouse.kinds import ObservationOutcome
from warehouse.records import Observation

log = logging.getLogger(__name__)

_FAILED = {
    "blocked_by_robots",
    "robots_unreachable",
    "too_large",
    "http_error",
    "network_error",
    "not_article",
}


@dataclass(frozen=True)
class Target:
    """An article to fetch, with the validators from its last fetch (for a conditional request)."""

    article_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None


def observation_from(target: Target, result: FetchResult, now: datetime) -> Observation:
    """Classify one fetch.

    A page at an article URL that parses as a non-article is a parser problem (a layout change),
    never a deletion: only 404/410 and redirects away count as removed. A body that is not a
    page at all (a PDF, an image) is a failed fetch for the same reason: it stays due.
    """
    observed = partial(
        Observation,
        article_id=target.article_id,
        url=target.url,
        observed_at=now,
        etag=result.etag,
        last_modified=result.last_modified,
        attempts=fetch_attempts(result.attempts),
    )
    if result.outcome == "not_modified":
        return observed(outcome=ObservationOutcome.not_modified)
    if result.outcome == "removed":
        return observed(outcome=ObservationOutcome.removed, error=result.error)
    if result.outcome in _FAILED or result.text is None:
        error = result.error or f"{result.outcome} (HTTP {result.status})"
        return observed(outcome=ObservationOutcome.failed, error=error)
    try:
        article = parse_article(result.text, result.final_url or target.url)
    except NotAnArticle as exc:
        error = f"not an article page at an article URL: {exc}"
        return observed(outcome=ObservationOutcome.parse_error, error=error, raw_html=result.text)
    except ParseError as exc:
        return observed(
            outcome=ObservationOutcome.parse_error, error=str(exc), raw_html=result.text
        )
    except Exception as exc:  # a parser bug must cost one article, not the batch; it is recorded
        log.exception("Parser crashed on %s", target.url)
        error = f"parser crashed: {type(exc).__name__}: {exc}"
        return observed(outcome=ObservationOutcome.parse_error, error=error, raw_html=result.text)
    if article.article_id != target.article_id:
        error = f"page is article {article.article_id}, expected {target.article_id}"
        return observed(outcome=ObservationOutcome.parse_error, error=error, raw_html=result.text)
    return observed(
        outcome=ObservationOutcome.ok,
        article=article,
        raw_html=result.text,
        topics=tag_topics(article),
    )


async def observe(fetcher: Fetcher, targets: Sequence[Target]) -> list[Observation]:
    """Fetch all targets concurrently (within the fetcher's limits), then parse them."""
    requests = [
        FetchRequest(url=t.url, etag=t.etag, last_modified=t.last_modified) for t in targets
    ]
    results = await fetcher.fetch_many(requests)
    now = datetime.now(UTC)
    return [observation_from(t, r, now) for t, r in zip(targets, results, strict=True)]

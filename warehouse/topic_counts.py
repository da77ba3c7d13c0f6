"""Topics of recent articles for `liputan6-monitor topics`: articles and edits per topic, and the
terms that most often put an article under it.

Here rather than in the command, beside the views `topic_trends` and `article_topics` it reads, so
a schema change meets every query that depends on it in one package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

TOP_TERMS = 3


@dataclass(frozen=True)
class TopicRow:
    topic: str
    articles: int
    edits: int
    sources: list[str]
    top_terms: list[str]


def topic_rows(
    con: duckdb.DuckDBPyConnection,
    start: date,
    topic: str | None = None,
    source: str | None = None,
    limit: int = 30,
) -> list[TopicRow]:
    """Articles and edits per topic over days from `start`, with each topic's commonest evidence."""
    counts = con.execute(
        """
        SELECT topic, sum(articles)::BIGINT AS articles, sum(edits)::BIGINT AS edits
        FROM topic_trends
        WHERE period = 'day' AND period_start >= $start
          AND ($topic IS NULL OR topic = $topic)
          AND ($source IS NULL
               OR topic IN (SELECT topic FROM article_topics WHERE source = $source))
        GROUP BY topic
        ORDER BY articles DESC, edits DESC, topic
        LIMIT $limit
        """,
        {"start": start, "topic": topic, "source": source, "limit": limit},
    ).fetchall()
    if not counts:
        return []
    details = con.execute(
        """
        WITH recent AS (
            SELECT topic, source, evidence FROM article_topics
            WHERE topic IN (SELECT unnest($topics))
              AND ($source IS NULL OR source = $source)
              AND (published_at AT TIME ZONE 'Asia/Jakarta')::DATE >= $start
        ),
        terms AS (
            SELECT topic, term, count(*) AS n
            FROM (SELECT topic, unnest(evidence) AS term FROM recent)
            GROUP BY ALL
        )
        SELECT topic,
               (SELECT list(DISTINCT source ORDER BY source) FROM recent r
                WHERE r.topic = t.topic) AS sources,
               list(term ORDER BY n DESC, term)[1:$top] AS terms
        FROM terms t
        GROUP BY topic
        """,
        {"topics": [row[0] for row in counts], "source": source, "start": start, "top": TOP_TERMS},
    ).fetchall()
    found = {name: (sources, terms) for name, sources, terms in details}
    return [TopicRow(name, int(n), int(e), *found.get(name, ([], []))) for name, n, e in counts]

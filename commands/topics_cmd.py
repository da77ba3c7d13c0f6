"""`liputan6-monitor topics`: which topics are covered, how much, and how often stories change.

Reads the warehouse views `topic_trends` and `article_topics` over a read-only connection, so it
can run while a monitor run is writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import duckdb
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from parsers.site_tags import tag_slug

WIB = ZoneInfo("Asia/Jakarta")
TOP_TERMS = 3
_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class TopicSource(StrEnum):
    """Where a topic tag came from: the values of `parsers.models.TopicTag.source`."""

    taxonomy = "taxonomy"
    channel = "channel"
    site_tag = "site_tag"
    keyphrase = "keyphrase"


@dataclass(frozen=True)
class TopicRow:
    topic: str
    articles: int
    edits: int
    sources: list[str]
    top_terms: list[str]


def parse_since(text: str) -> timedelta:
    """ "7d", "24h", "2w" → a timedelta; anything else is a usage error, not a guess."""
    match = _DURATION.match(text.lower())
    if not match or int(match.group(1)) == 0:
        raise typer.BadParameter(f"{text!r}: use a number and h, d or w, e.g. 24h, 7d, 2w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def first_day(now: datetime, since: timedelta) -> date:
    """The first WIB calendar day in the window: trends are counted per WIB day."""
    return (now - since).astimezone(WIB).date()


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


def render(rows: list[TopicRow], title: str) -> Table:
    table = Table(title=title)
    table.add_column("topic")
    table.add_column("articles", justify="right")
    table.add_column("edits", justify="right")
    table.add_column("from")
    table.add_column("top terms")
    for row in rows:
        # Text(), not str: topics and terms come from site text and must never be read as markup.
        table.add_row(
            Text(row.topic),
            str(row.articles),
            str(row.edits),
            ", ".join(row.sources),
            Text(", ".join(row.top_terms)),
        )
    return table


def topics(
    since: Annotated[str, typer.Option(help="Window: 24h, 7d, 2w (days are WIB days).")] = "7d",
    topic: Annotated[
        str | None, typer.Option(help="Only this topic (a slug or its display form).")
    ] = None,
    source: Annotated[
        TopicSource | None, typer.Option(help="Only topics from this source.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most topics to list.")] = 30,
    db: Annotated[Path | None, typer.Option("--db", help="DuckDB file (LIPUTAN6_DB_PATH).")] = None,
    live: Annotated[
        bool, typer.Option("--live", help="Read the live file instead of the read snapshot.")
    ] = False,
) -> None:
    """Topics of recent articles: how many articles each has, and how many edits they had."""
    from flows.settings import Settings
    from warehouse import DatabaseLocked, WarehouseMissing
    from warehouse.snapshot import open_read

    console = Console()
    start = first_day(datetime.now(WIB), parse_since(since))
    wanted = tag_slug(topic) if topic else None
    try:
        con = open_read(db or Settings().db_path, live=live)
    except (WarehouseMissing, DatabaseLocked) as error:
        console.print(Text(f"error: {error}", style="red"))
        raise typer.Exit(1) from error
    try:
        rows = topic_rows(con, start, wanted, source.value if source else None, limit)
    finally:
        con.close()
    if not rows:
        console.print(f"No tagged articles since {start.isoformat()}.")
        return
    console.print(render(rows, f"Topics since {start.isoformat()} (WIB)"))


def register(app: typer.Typer) -> None:
    app.command("topics")(topics)

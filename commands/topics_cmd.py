"""`liputan6-monitor topics`: which topics are covered, how much, and how often stories change.

Reads the warehouse views `topic_trends` and `article_topics` (warehouse/topic_counts.py) over a
read-only connection, so it can run while a monitor run is writing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from commands.options import DbOption, LiveOption, parse_duration
from commands.reading import read_only
from parsers.site_tags import tag_slug
from warehouse.topic_counts import TopicRow, topic_rows

WIB = ZoneInfo("Asia/Jakarta")


class TopicSource(StrEnum):
    """Where a topic tag came from: the values of `parsers.models.TopicTag.source`."""

    taxonomy = "taxonomy"
    channel = "channel"
    site_tag = "site_tag"
    keyphrase = "keyphrase"


def first_day(now: datetime, since: timedelta) -> date:
    """The first WIB calendar day in the window: trends are counted per WIB day."""
    return (now - since).astimezone(WIB).date()


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
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Topics of recent articles: how many articles each has, and how many edits they had."""
    console = Console()
    start = first_day(datetime.now(WIB), parse_duration(since))
    wanted = tag_slug(topic) if topic else None
    with read_only(db, live) as con:
        rows = topic_rows(con, start, wanted, source.value if source else None, limit)
    if not rows:
        console.print(f"No tagged articles since {start.isoformat()}.")
        return
    console.print(render(rows, f"Topics since {start.isoformat()} (WIB)"))


def register(app: typer.Typer) -> None:
    app.command("topics")(topics)

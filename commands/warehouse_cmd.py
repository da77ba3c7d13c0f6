"""Read-only commands over the warehouse: history, diff, changes and raw SQL.

Every command opens the database read-only, so it can run beside other readers; a `sql` query
is also checked statement by statement, so a write is refused with a clear message instead of
failing deep inside DuckDB.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from commands.options import DbOption, LiveOption, parse_duration
from commands.reading import fail, read_only
from warehouse.history import (
    article_change_rows,
    article_versions,
    recent_changes,
    version_diff,
)
from warehouse.kinds import ChangeKind
from warehouse.render_html import render_html
from warehouse.render_term import render_term
from warehouse.render_text import render_text

READ_STATEMENTS = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
_UNWRAPPED = 10_000


class DiffFormat(StrEnum):
    term = "term"
    text = "text"
    html = "html"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def check_read_only(query: str) -> None:
    """Refuse anything but one SELECT/EXPLAIN statement, naming what was refused."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as error:
        raise typer.BadParameter(f"cannot parse the query: {error}") from error
    if len(statements) != 1:
        raise typer.BadParameter(f"give exactly one statement (got {len(statements)})")
    kind = statements[0].type
    if kind not in READ_STATEMENTS:
        raise typer.BadParameter(
            f"only read queries (SELECT) are allowed; the warehouse is opened read-only "
            f"and this is a {kind.name} statement"
        )


def history(article_id: int, db: DbOption = None, live: LiveOption = False) -> None:
    """Every version of one article, and every change between them."""
    with read_only(db, live) as con:
        versions = article_versions(con, article_id)
        changes = article_change_rows(con, article_id)
    table = Table(title=f"article {article_id}: versions")
    for column in ("version", "fetched (UTC)", "title", "parser", "content hash", "current"):
        table.add_column(column)
    for row in versions:
        table.add_row(
            str(row.version),
            f"{row.fetched_at:%Y-%m-%d %H:%M}",
            Text(row.title),
            row.parser_version,
            row.content_hash,
            "yes" if row.is_current else "",
        )
    console = _stdout()
    console.print(table)
    log = Table(title=f"article {article_id}: changes")
    for column in ("detected (UTC)", "kind", "from", "to", "fields", "+words", "-words"):
        log.add_column(column)
    for change in changes:
        log.add_row(
            f"{change.detected_at:%Y-%m-%d %H:%M}",
            change.kind,
            _num(change.from_version),
            _num(change.to_version),
            ", ".join(change.changed_fields),
            str(change.words_added),
            str(change.words_removed),
        )
    console.print(log if changes else Text("no changes recorded"))


def diff(
    article_id: int,
    version_from: Annotated[int | None, typer.Option("--from", help="Older version.")] = None,
    version_to: Annotated[int | None, typer.Option("--to", help="Newer version.")] = None,
    fmt: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            help="term, text or html (term to a file or a pipe: text, [-old-]{+new+}).",
        ),
    ] = (DiffFormat.term),
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file.")] = None,
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Word diff between two versions (default: the article's latest change)."""
    with read_only(db, live) as con:
        request = version_diff(con, article_id, version_from, version_to)
    if fmt is DiffFormat.term and output is None and sys.stdout.isatty():
        _stdout().print(render_term(request.diff, request.header))
        return
    if fmt is DiffFormat.html:
        left, right = f"version {request.version_from}", f"version {request.version_to}"
        rendered = render_html(request.diff, request.header, left, right)
    else:
        rendered = render_text(request.diff, request.header)
    if output is None:
        sys.stdout.write(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")
        Console(stderr=True).print(f"wrote {output}")


def changes(
    since: Annotated[str, typer.Option(help="Window: 30m, 24h, 7d, 2w.")] = "24h",
    kind: Annotated[list[ChangeKind] | None, typer.Option(help="Only these kinds.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most changes to list.")] = 200,
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Changes detected recently, newest first."""
    kinds = kind or []
    start = datetime.now(UTC) - parse_duration(since)
    with read_only(db, live) as con:
        found = recent_changes(con, start, kinds, limit)
    table = Table(title=f"changes since {start:%Y-%m-%d %H:%M} UTC")
    for column in ("detected (UTC)", "article", "kind", "versions", "fields", "+/-", "title"):
        table.add_column(column)
    for change in found:
        table.add_row(
            f"{change.detected_at:%Y-%m-%d %H:%M}",
            str(change.article_id),
            change.kind,
            f"{_num(change.from_version)}→{_num(change.to_version)}",
            ", ".join(change.changed_fields),
            f"+{change.words_added}/-{change.words_removed}",
            Text(change.title or ""),
        )
    _stdout().print(table if found else Text("no changes in this window"))


def sql(
    query: Annotated[str, typer.Argument(help="One SELECT over the public views.")],
    fmt: Annotated[TableFormat, typer.Option("--format", help="table, csv or json.")] = (
        TableFormat.table
    ),
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Run one read-only SQL query (see warehouse/README-sql.md for the views)."""
    check_read_only(query)
    # An instance of its own: the settings below lock down the whole instance.
    with read_only(db, live, shared=False) as con:
        try:
            # `EXPLAIN ANALYZE COPY ... TO 'file'` parses as EXPLAIN yet writes the file, and a
            # SELECT can read any file or URL: the engine itself must refuse, not just our check.
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            result = con.execute(query)
            names = [column[0] for column in result.description or []]
            found = result.fetchall()
        except duckdb.Error as error:
            fail(str(error))
    if fmt is TableFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(found)
    elif fmt is TableFormat.json:
        records = [dict(zip(names, row, strict=True)) for row in found]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, default=str, indent=1) + "\n")
    else:
        table = Table()
        for name in names:
            table.add_column(name)
        for row in found:
            table.add_row(*(Text("" if value is None else str(value)) for value in row))
        _stdout().print(table)


def _stdout() -> Console:
    """The terminal as is; a pipe or a file gets tables at their natural width, never wrapped at
    the 80 columns rich assumes when it cannot ask a terminal."""
    return Console() if sys.stdout.isatty() else Console(width=_UNWRAPPED)


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


def register(app: typer.Typer) -> None:
    app.command()(history)
    app.command()(diff)
    app.command()(changes)
    app.command()(sql)

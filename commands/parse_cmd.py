"""`parse` and `links`: run the parsers on a saved page, feed or sitemap, without the pipeline.

Fact-checkers use these to see exactly what the monitor extracts from a page; exit codes let a
script tell a listing page (3) from a broken article page (4).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from parsers.article import parse_article
from parsers.listings import parse_listing
from parsers.models import Article, NotAnArticle, ParseError

EXIT_USAGE = 2
EXIT_NOT_AN_ARTICLE = 3
EXIT_PARSE_ERROR = 4
JSON_KEYS = (
    "article_id",
    "canonical_url",
    "channel",
    "category",
    "type",
    "title",
    "description",
    "authors",
    "editors",
    "published_at",
    "modified_at",
    "tags",
    "pages",
    "body",
    "captions",
    "parser_version",
    "rules_fired",
)


class OutputFormat(StrEnum):
    json = "json"
    text = "text"


def register(app: typer.Typer) -> None:
    app.command("parse")(parse)
    app.command("links")(links)


def parse(
    path: Annotated[str, typer.Argument(help="Saved HTML page, or - for standard input.")],
    url: Annotated[str | None, typer.Option(help="URL the page was fetched from.")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="json (default) or readable text.")
    ] = OutputFormat.json,
) -> None:
    """Parse one article page and print the Article."""
    content = _read(path)
    try:
        article = parse_article(content, url)
    except NotAnArticle as exc:
        _fail(EXIT_NOT_AN_ARTICLE, f"not an article: {exc}")
    except ParseError as exc:
        _fail(EXIT_PARSE_ERROR, f"parse error: {exc}")
    text = _as_text(article) if output is OutputFormat.text else _as_json(article)
    typer.echo(text)


def links(
    path: Annotated[str, typer.Argument(help="Saved feed, sitemap or listing page, or -.")],
    base_url: Annotated[
        str, typer.Option(help="URL the content came from; relative links resolve against it.")
    ] = "https://www.liputan6.com/",
) -> None:
    """Print the article links of a feed, sitemap or listing page as JSON lines."""
    for ref in parse_listing(_read(path), base_url):
        typer.echo(ref.model_dump_json())


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        _fail(EXIT_USAGE, f"cannot read {path}: {exc.strerror or exc}")


def _fail(code: int, message: str) -> NoReturn:
    typer.echo(message.splitlines()[0] if message else "error", err=True)
    raise typer.Exit(code)


def _as_json(article: Article) -> str:
    data = article.model_dump(mode="json")
    return json.dumps({key: data[key] for key in JSON_KEYS}, ensure_ascii=False, indent=2)


def _as_text(article: Article) -> str:
    modified = article.modified_at.isoformat() if article.modified_at else "-"
    lines = [
        article.title,
        "=" * min(len(article.title), 100),
        f"{article.canonical_url}",
        f"channel: {article.channel}  category: {article.category or '-'}  type: {article.type}",
        f"authors: {', '.join(article.authors) or '-'}",
        f"editors: {', '.join(article.editors) or '-'}",
        f"published: {article.published_at.isoformat()}  modified: {modified}",
        f"tags: {', '.join(article.tags) or '-'}",
        "",
        article.description,
        "",
        article.body,
    ]
    if article.captions:
        lines += ["", "Captions:", *(f"- {caption}" for caption in article.captions)]
    return "\n".join(lines)

"""A change as one entry of a list: time in WIB, kind, fields, headline before → after, links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from publishing import paths
from publishing.labels import Labels
from warehouse.render_html import escape
from warehouse.site_source import ChangeRecord

WIB = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True)
class Context:
    """What every rendered piece needs besides its data."""

    labels: Labels
    live_hosts: tuple[str, ...]


def wib(moment: datetime) -> str:
    return f"{moment.astimezone(WIB):%Y-%m-%d %H:%M} WIB"


def headline(change: ChangeRecord) -> str:
    """`<del>before</del> → <ins>after</ins>` when the headline changed, else the headline."""
    before, after = change.title_before, change.title_after
    if before and after and before != after:
        return f"<del>{escape(before)}</del> → <ins>{escape(after)}</ins>"
    return escape(after or before or "")


def meta_line(change: ChangeRecord, ctx: Context) -> str:
    labels = ctx.labels
    parts = [
        f'<time datetime="{change.detected_at.isoformat()}">{wib(change.detected_at)}</time>',
        f'<span class="kind">{escape(labels("kind." + change.kind))}</span>',
    ]
    if change.changed_fields:
        names = ", ".join(labels("field." + name) for name in change.changed_fields)
        parts.append(f'<span class="fields">{escape(labels("fields"))}: {escape(names)}</span>')
    if change.words_added or change.words_removed:
        words = labels("words", added=change.words_added, removed=change.words_removed)
        parts.append(f'<span class="words">{escape(words)}</span>')
    return " · ".join(parts)


def live_link(url: str, ctx: Context) -> str:
    safe = paths.live_url(url, ctx.live_hosts)
    if safe is None:
        return f'<span class="withheld">{escape(ctx.labels("live_withheld"))}</span>'
    return (
        f'<a class="live" href="{escape(safe)}" rel="noopener noreferrer nofollow">'
        f"{escape(ctx.labels('live'))}</a>"
    )


def entry(page: str, change: ChangeRecord, ctx: Context) -> str:
    target = paths.article(change.article_id) + "#" + paths.change_anchor(change.change_id)
    history = escape(paths.relative(page, target))
    return (
        f'<li class="change kind-{escape(change.kind)}">'
        f'<div class="meta">{meta_line(change, ctx)}</div>'
        f'<p class="headline">{headline(change)}</p>'
        f'<p class="links"><a class="history" href="{history}">{escape(ctx.labels("history"))}'
        f"</a> · {live_link(change.url, ctx)}</p></li>"
    )


def change_list(page: str, changes: Iterable[ChangeRecord], ctx: Context) -> str:
    """Entries newest first, under one heading per WIB day."""
    out: list[str] = []
    day = None
    for change in changes:
        today = f"{change.detected_at.astimezone(WIB):%Y-%m-%d}"
        if today != day:
            if day is not None:
                out.append("</ol>")
            out.append(f'<h2>{today}</h2><ol class="changes">')
            day = today
        out.append(entry(page, change, ctx))
    if day is None:
        return f'<p class="empty">{escape(ctx.labels("empty"))}</p>'
    out.append("</ol>")
    return "".join(out)


def pager(path: str, newer: str | None, older: str | None, ctx: Context) -> str:
    """Links to the newer and older pages of a paginated list."""
    if newer is None and older is None:
        return ""
    labels = ctx.labels
    links = ["<span></span>", "<span></span>"]
    if newer is not None:
        href = escape(paths.relative(path, newer))
        links[0] = f'<a rel="prev" href="{href}">{escape(labels("newer"))}</a>'
    if older is not None:
        href = escape(paths.relative(path, older))
        links[1] = f'<a rel="next" href="{href}">{escape(labels("older"))}</a>'
    return f'<div class="pager">{"".join(links)}</div>'


def pages_of(changes: Sequence[ChangeRecord], size: int) -> list[Sequence[ChangeRecord]]:
    """A list split into pages; an empty list is still one (empty) page."""
    return [changes[i : i + size] for i in range(0, len(changes), size)] or [changes]

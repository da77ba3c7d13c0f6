"""The site's list pages: the index, per-kind and per-topic pages, and the monthly archive.

Each page is planned as (path, fingerprint, render): the fingerprint is computed from the data the
page shows, so the builder can skip rendering a page whose data did not change.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from publishing import paths
from publishing.entries import Context, change_list, pager, pages_of
from publishing.layout import page
from warehouse.render_html import escape
from warehouse.site_source import ChangeRecord, MonthDigest, OlderCounts

# Bump when the HTML or feed layout changes, so every page is rendered again.
SITE_FORMAT = "2"
PAGE_SIZE = 200


@dataclass(frozen=True)
class PlannedPage:
    path: str
    fingerprint: str
    render: Callable[[], str]


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr((SITE_FORMAT, *parts)).encode()).hexdigest()[:24]


def _keys(changes: Sequence[ChangeRecord]) -> tuple:
    """What a list entry shows that can differ between builds (the rest of a row never does)."""
    return tuple((c.change_id, c.url) for c in changes)


def paginated(
    base: str,
    title: str,
    changes: Sequence[ChangeRecord],
    ctx: Context,
    intro: str = "",
    older: int = 0,
) -> list[PlannedPage]:
    """A list (newest first) over pages cut at fixed positions counted from its oldest change
    ever; `older` is how many of those are older than `changes`.

    The newest page is `base`; the others are named by their position, so a new change rewrites
    only the newest page and every older page keeps its path and content.
    """
    groups: list[tuple[int, list[ChangeRecord]]] = []
    for i, change in enumerate(changes):
        chunk = (older + len(changes) - 1 - i) // PAGE_SIZE
        if not groups or groups[-1][0] != chunk:
            groups.append((chunk, []))
        groups[-1][1].append(change)
    groups = groups or [(0, [])]
    where = [base] + [paths.chunk_page(base, chunk) for chunk, _ in groups[1:]]
    planned = []
    for number, (_, members) in enumerate(groups):
        path = where[number]
        newer = where[number - 1] if number else None
        older_page = where[number + 1] if number + 1 < len(where) else None
        top = intro if number == 0 else ""

        def render(
            path: str = path,
            chunk: Sequence[ChangeRecord] = members,
            nav: tuple[str | None, str | None] = (newer, older_page),
            top: str = top,
        ) -> str:
            links = pager(path, *nav, ctx)
            return page(
                path, title, top + links + change_list(path, chunk, ctx) + links, ctx.labels
            )

        key = fingerprint(path, ctx, title, top, newer, older_page, _keys(members))
        planned.append(PlannedPage(path, key, render))
    return planned


def _links(page_path: str, items: Sequence[tuple[str, str]]) -> str:
    return "".join(
        f'<li><a href="{escape(paths.relative(page_path, target))}">{escape(text)}</a></li>'
        for target, text in items
    )


def index_pages(
    recent: Sequence[ChangeRecord], older: OlderCounts, days: int, ctx: Context
) -> list[PlannedPage]:
    labels = ctx.labels
    feeds = [
        (paths.FEED_ALL, labels("feed_all")),
        (paths.FEED_HEADLINES, labels("headlines")),
        (paths.FEED_REMOVALS, labels("kind.removed")),
        (paths.TOPICS, labels("topics")),
    ]
    intro = (
        f"<p>{escape(labels('index_intro', count=len(recent), days=days))}</p>"
        f"<p>{escape(labels('feeds'))}:</p><ul>{_links(paths.INDEX, feeds)}</ul>"
    )
    return paginated(paths.INDEX, labels("index"), recent, ctx, intro, older.all)


def kind_pages(
    recent: Sequence[ChangeRecord], older: OlderCounts, ctx: Context
) -> list[PlannedPage]:
    labels = ctx.labels
    headlines = [c for c in recent if c.headline_changed]
    removals = [c for c in recent if c.kind in ("removed", "restored")]
    return paginated(
        paths.HEADLINES, labels("headlines"), headlines, ctx, older=older.headlines
    ) + paginated(paths.REMOVALS, labels("removals"), removals, ctx, older=older.removals)


def topic_pages(
    recent: Sequence[ChangeRecord], topics: Sequence[str], ctx: Context
) -> list[PlannedPage]:
    """One list per topic (recent changes of articles on it), and the topic index."""
    labels = ctx.labels
    by_topic: dict[str, list[ChangeRecord]] = {topic: [] for topic in topics}
    for change in recent:
        for topic in change.topics:
            by_topic.setdefault(topic, []).append(change)
    planned: list[PlannedPage] = []
    rows = []
    for topic in sorted(by_topic):
        changes = by_topic[topic]
        # Cut from the window's start: counting a topic's older changes would need every
        # article's topics, and the cuts then move only once a day.
        planned += paginated(paths.topic_page(topic), labels("topic", name=topic), changes, ctx)
        page_link = escape(paths.relative(paths.TOPICS, paths.topic_page(topic)))
        feed_link = escape(paths.relative(paths.TOPICS, paths.topic_feed(topic)))
        rows.append(
            f'<li><a href="{page_link}">{escape(topic)}</a> · '
            f"{escape(labels('changes_count', count=len(changes)))} · "
            f'<a href="{feed_link}">Atom</a></li>'
        )
    counts = tuple((topic, len(by_topic[topic])) for topic in sorted(by_topic))
    body = f'<ul class="topics">{"".join(rows)}</ul>' if rows else ""
    body = body or f'<p class="empty">{escape(labels("empty"))}</p>'
    planned.append(
        PlannedPage(
            paths.TOPICS,
            fingerprint(paths.TOPICS, ctx, counts),
            lambda: page(paths.TOPICS, labels("topics"), body, labels),
        )
    )
    return planned


def archive_index(months: Sequence[MonthDigest], days: int, ctx: Context) -> PlannedPage:
    labels = ctx.labels
    items = [
        (
            paths.archive_month(m.month),
            f"{m.month} · {labels('changes_count', count=m.changes)}",
        )
        for m in months
    ]
    body = f"<p>{escape(labels('archive_intro', days=days))}</p>"
    body += f"<ul>{_links(paths.ARCHIVE, items)}</ul>" if items else ""
    key = fingerprint(paths.ARCHIVE, ctx, days, tuple((m.month, m.changes) for m in months))
    return PlannedPage(
        paths.ARCHIVE, key, lambda: page(paths.ARCHIVE, labels("archive"), body, labels)
    )


def month_pages(
    month: MonthDigest, load: Callable[[], Sequence[ChangeRecord]], ctx: Context
) -> list[PlannedPage]:
    """A month's archive pages. Their fingerprints come from the month's digest (computed in the
    database), so the month's rows are loaded only if some page of it is out of date."""
    base = paths.archive_month(month.month)
    title = ctx.labels("archive_month", month=month.month)
    total = max(1, math.ceil(month.changes / PAGE_SIZE))
    rows = functools.cache(load)
    planned = []
    for number in range(1, total + 1):
        path = paths.numbered(base, number)

        def render(path: str = path, number: int = number) -> str:
            chunk = pages_of(rows(), PAGE_SIZE)[number - 1]
            newer = paths.numbered(base, number - 1) if number > 1 else None
            older = paths.numbered(base, number + 1) if number < total else None
            nav = pager(path, newer, older, ctx)
            return page(path, title, nav + change_list(path, chunk, ctx) + nav, ctx.labels)

        key = fingerprint(path, ctx, title, number, total, month.digest)
        planned.append(PlannedPage(path, key, render))
    return planned

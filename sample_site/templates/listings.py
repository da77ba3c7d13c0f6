"""Discovery pages in the real markup: home and channel lists, tag pages, date indexes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sample_site.templates import common
from sample_site.templates.common import e


@dataclass(frozen=True)
class Item:
    url: str
    title: str
    channel: str
    description: str
    published_at: datetime
    article_id: int
    kind: str


def desktop_item(item: Item) -> str:
    return (
        f'<article class="articles--iridescent-list--item articles--iridescent-list--text-item" '
        f'id="article_{item.article_id}" data-type="{common.TYPE_NAMES[item.kind]}" '
        f'data-channel="{e(item.channel)}"><aside'
        ' class="articles--iridescent-list--text-item__details">'
        '<header class="articles--iridescent-list--text-item__header"><h4 '
        'class="articles--iridescent-list--text-item__title"><a class="ui--a '
        f'articles--iridescent-list--text-item__title-link" href="{e(item.url)}"'
        f' title="{e(item.title)}">'
        '<span class="articles--iridescent-list--text-item__title-link-text">'
        f"{escape(item.title)}</span></a></h4></header>"
        f'<time class="timeago" datetime="{item.published_at.isoformat()}">'
        f"{common.short_date(item.published_at)}</time>"
        '<div class="articles--iridescent-list--text-item__summary">'
        f"{escape(item.description)}</div></aside></article>"
    )


def mobile_item(item: Item) -> str:
    href = f"{item.url}?medium=Headline__mobile&amp;campaign=Headline_click_1"
    return (
        f'<div class="article-snippet js-article-snippet" data-id="{item.article_id}" '
        f'data-type="{common.TYPE_NAMES[item.kind]}" data-channel="{e(item.channel)}">'
        '<div class="article-snippet__content"><div class="article-snippet__info">'
        f'<a href="{e(href)}" class="article-snippet__title-link" title="{e(item.title)}">'
        f'<span class="article-snippet__title-text">{escape(item.title)}</span></a>'
        f'<span class="article-snippet__date"><time datetime="{item.published_at.isoformat()}">'
        f"{common.short_date(item.published_at)}</time></span></div></div></div>"
    )


def index_item(item: Item) -> str:
    return (
        '<article class="articles--rows--item">'
        f'<h4 class="articles--rows--item__title"><a href="{e(item.url)}" title="{e(item.title)}">'
        f'{escape(item.title)}</a></h4><time datetime="{item.published_at.isoformat()}">'
        f"{common.short_date(item.published_at)}</time></article>"
    )


def offsite_items(links: Sequence[str], mobile: bool) -> str:
    out = []
    for n, link in enumerate(links):
        if mobile:
            out.append(
                f'<div class="article-snippet" data-id="9{n}"><a'
                ' class="article-snippet__title-link" '
                f'href="{e(link)}">Tautan luar</a></div>'
            )
        else:
            out.append(
                '<article class="articles--iridescent-list--item"><h4><a class="'
                f'articles--iridescent-list--text-item__title-link" href="{e(link)}">Tautan'
                " luar</a>"
                "</h4></article>"
            )
    return "".join(out)


def pagination(base: str, page: int, pages: int) -> str:
    items = "".join(
        f'<li class="simple-pagination__page-number" data-page="{n}">'
        f'<a href="{e(base)}?page={n}">{n}</a></li>'
        for n in range(1, pages + 1)
    )
    return f'<ul class="simple-pagination" data-current="{page}">{items}</ul>'


def list_page(
    title: str,
    items: Sequence[Item],
    base_url: str,
    mobile: bool,
    page_type: str,
    extra: Sequence[str] = (),
    paging: str = "",
) -> str:
    """Home, channel and tag pages; deleted articles land on the home page, so it is a listing."""
    render = mobile_item if mobile else desktop_item
    wrapper = "articles--iridescent-list" if not mobile else "article-list"
    return (
        f'<!DOCTYPE html><html><head><title>{escape(title)}</title><meta charset="utf-8">'
        f"{common.stylesheet()}{common.scripts()}<script>window.kmklabs = {{}}; "
        f"window.kmklabs.pageType = '{page_type}';</script></head><body>"
        f'{common.navigation(base_url)}<div class="{wrapper}">'
        f"{''.join(render(item) for item in items)}{offsite_items(extra, mobile)}</div>"
        f"{paging}{common.footer(base_url)}</body></html>"
    )


def index_page(
    title: str, items: Sequence[Item], base_url: str, paging: str, extra: Sequence[str] = ()
) -> str:
    return (
        f'<!DOCTYPE html><html><head><title>{escape(title)}</title><meta charset="utf-8">'
        f"{common.stylesheet()}</head><body>{common.navigation(base_url)}"
        f'<div class="articles--rows">{"".join(index_item(i) for i in items)}'
        f"{offsite_items(extra, False)}</div>{paging}{common.footer(base_url)}</body></html>"
    )

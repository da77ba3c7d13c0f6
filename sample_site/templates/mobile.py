"""The mobile (m.) article template: `article-header__*`, `__item` pages with separators."""

from __future__ import annotations

from html import escape

from sample_site.content import SITE_NAME, slugify
from sample_site.templates import common
from sample_site.templates.blocks import BodyContext, render_block
from sample_site.templates.common import e


def separator(bc: BodyContext, number: int, total: int) -> str:
    if bc.state.article_id % 2:
        label = f"{number} dari {total} halaman"
    else:
        label = (
            '<span class="article-content-body__item-index--scroll">Scroll down </span>'
            "untuk melanjutkan membaca"
        )
    return (
        f'<div class="article-content-body__break"><div class="article-content-body__item-index">'
        f'{label}</div><hr class="article-content-body__line-break"></div>'
    )


def body_pages(bc: BodyContext) -> str:
    pages = bc.body.pages
    out = []
    for number, page in enumerate(pages, start=1):
        parts = ['<div class="article-content-body__item">']
        if page.title:
            parts.append(f'<h2 class="article-content-body__item-title">{escape(page.title)}</h2>')
        raw: list[str] = []
        for index, block in enumerate(page.blocks):
            html = render_block(block, bc, first=number == 1 and index == 0)
            if block.kind in ("figure", "infographic", "vidio", "ad_slot"):
                parts.append(html)
            else:
                raw.append(html)
        if raw:
            parts.append(
                '<div class="article-raw-content" itemprop="description" '
                f'data-component-name="mobile:article-raw-content">{bc.nl.join(raw)}</div>'
            )
        parts.append('<span class="article-content-body__item-overlay"></span>')
        if number < len(pages):
            parts.append(separator(bc, number + 1, len(pages)))
        parts.append("</div>")
        out.append("".join(parts))
    return "".join(out)


def gallery(bc: BodyContext) -> str:
    items = "".join(
        '<div class="article-gallery-slider__item"><img'
        f' src="{common.image(bc.state.article_id + i)}" '
        f'alt="{e(caption)}"><figcaption class="article-gallery-slider__caption">{escape(caption)}'
        "</figcaption></div>"
        for i, caption in enumerate(bc.body.gallery)
    )
    return f'<div class="article-gallery-slider">{items}</div>'


def header(bc: BodyContext) -> str:
    names = bc.body.authors or (SITE_NAME,)
    links = ", ".join(
        '<a class="article-header__author-link"'
        f' href="{bc.ctx.base_url}/me/{slugify(n)}">{escape(n)}</a>'
        for n in names
    )
    return (
        '<div class="article-header" data-component-name="mobile:article-header">'
        f'<h1 class="article-header__title">{escape(bc.body.title)}</h1>'
        f'<span class="article-header__authors"> Oleh {links}</span>'
        '<span class="article-header__datetime"> pada'
        f" {common.short_date(bc.state.published_at)}</span>"
        '<div class="article-header__modified-time"><span'
        ' class="article-header__modified-time__text">'
        f"Diperbarui </span>{common.short_date(bc.state.modified_at)}</div></div>"
    )


def tags(bc: BodyContext) -> str:
    items = "".join(
        f'<li class="tags--topics--item"><a class="tags--topics--item__link" '
        f'href="{bc.ctx.base_url}/tag/{slugify(t)}">{escape(t)}</a></li>'
        for t in reversed(bc.body.tags)
    )
    return (
        '<div class="tags--topics"><h2 class="tags--topics--new-experience__title">Tag Terkait</h2>'
        f'<ul class="tags--topics__list">{items}</ul></div>'
        f'<div id="preco" class="preco" data-tags="{e(" ".join(bc.body.tags))}"></div>'
    )


def render(bc: BodyContext) -> str:
    state, body, ctx = bc.state, bc.body, bc.ctx
    top = ""
    if state.kind == "photo":
        short = "".join(
            render_block(b, bc, first=i == 0)
            for i, b in enumerate(body.pages[0].blocks)
            if b.kind in ("p", "credit", "credit_strong")
        )
        content = f'<div class="article-short-desc">{short}</div>{gallery(bc)}'
    else:
        if state.kind == "video":
            ref = state.article_id * 7
            top = (
                f'<div id="video-{ref}" class="article-video-gallery--item"><iframe'
                ' class="vidio-embed" '
                f'src="https://www.vidio.com/embed/{ref}-liputan-video"></iframe></div>'
            )
        content = (
            '<div class="article-content-body multisection" itemprop="articleBody">'
            f"{body_pages(bc)}"
            '<div class="article-content-body__load-more yeah">Lanjutkan Membaca &darr;</div></div>'
        )
    related = "".join(f'<li><a href="{e(u)}">{escape(t)}</a></li>' for u, t in bc.related)
    return (
        "<!DOCTYPE html><html><head>"
        f"{common.head_meta(state, body, ctx, 'width=device-width, initial-scale=1')}"
        f"{common.stylesheet()}{common.scripts()}"
        f"{common.kmklabs(state, body, 'Mobile', pretty=state.article_id % 4 == 2)}"
        f"{common.json_ld(state, body, ctx, pretty=state.article_id % 4 == 3)}</head>"
        '<body class="articles"><div class="layout__content"><div class="main"><div'
        ' class="article">'
        '<div class="article-readpage"><input type="hidden" name="article_id"'
        f' value="{state.article_id}">'
        f'<div class="article-readpage--section">{header(bc)}</div>{top}'
        f'<div class="article-readpage--section">{content}</div>'
        f'<div class="article-readpage--section">{tags(bc)}</div></div></div>'
        f'<div id="related-news"><ul>{related}</ul></div>{common.offsite_block(ctx)}</div></div>'
        f"{common.footer(ctx.base_url)}</body></html>"
    )

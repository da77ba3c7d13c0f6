"""The 2023-25 desktop redesign: same body classes, new author box and Baca Juga collections."""

from __future__ import annotations

from html import escape

from sample_site.content import SITE_NAME, channel_name, slugify
from sample_site.templates import common, desktop
from sample_site.templates.blocks import BodyContext
from sample_site.templates.common import e


def author_box(bc: BodyContext) -> str:
    names = bc.body.authors or (SITE_NAME,)
    links = ", ".join(
        '<a class="read-page-box__author__name"'
        f' href="{bc.ctx.base_url}/me/{slugify(n)}">{escape(n)}</a>'
        for n in names
    )
    return (
        '<div class="read-page-box__author"><span class="read-page-box__author__by">Oleh</span>'
        f" {links}"
        '<span class="read-page-box__author__updated">Diterbitkan '
        f"{common.long_date(bc.state.published_at)}</span>"
        '<div class="readpage__author__update"><span>Diperbaharui '
        f"{common.short_date(bc.state.modified_at)}</span></div></div>"
    )


def render(bc: BodyContext) -> str:
    state, body, ctx = bc.state, bc.body, bc.ctx
    return (
        '<!DOCTYPE html><html lang="id"><head>'
        f"{common.head_meta(state, body, ctx, 'width=device-width')}{common.stylesheet()}"
        f"{common.scripts()}{common.kmklabs(state, body, 'Desktop', pretty=False)}"
        f"{common.json_ld(state, body, ctx, pretty=True)}</head>"
        f'<body class="read-page-2023">{common.navigation(ctx.base_url)}<main'
        ' class="read-page-main">'
        f'<article class="read-page--core-article" data-article-id="{state.article_id}">'
        f'<p class="read-page--header--channel">{escape(channel_name(state.channel))}</p>'
        f'<h1 class="read-page--header--title">{escape(body.title)}</h1>{author_box(bc)}'
        f"{desktop.article_body(bc)}{desktop.tag_list(bc)}</article>{desktop.related(bc)}"
        f'{common.offsite_block(ctx)}<div class="read-page__share" data-url="{e(ctx.base_url)}">'
        "</div>"
        f"</main>{common.footer(ctx.base_url)}</body></html>"
    )

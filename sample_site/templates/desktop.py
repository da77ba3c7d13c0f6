"""The classic desktop (www) article template: `read-page--*` header, `data-page` blocks."""

from __future__ import annotations

from html import escape

from sample_site.content import SITE_NAME, category_of, channel_name, slugify
from sample_site.templates import common
from sample_site.templates.blocks import BodyContext, render_block
from sample_site.templates.common import e


def body_pages(bc: BodyContext) -> str:
    """All pages in one response; pages 2+ hidden, media outside the item-content divs."""
    out = []
    for number, page in enumerate(bc.body.pages, start=1):
        hidden = " article-content-body__item-page_hidden" if number > 1 else ""
        parts = [
            f'<div class="article-content-body__item-page{hidden}" data-page="{number}" '
            f'data-title="{e(page.title)}">'
        ]
        if page.title:
            parts.append(f'<h2 class="article-content-body__item-title">{escape(page.title)}</h2>')
        group: list[str] = []
        for index, block in enumerate(page.blocks):
            html = render_block(block, bc, first=number == 1 and index == 0)
            if block.kind in ("figure", "infographic", "vidio") and not bc.mobile:
                if group:
                    parts.append(content_div(group, bc))
                    group = []
                parts.append(html)
            else:
                group.append(html)
        if group:
            parts.append(content_div(group, bc))
        parts.append("</div>")
        out.append("".join(parts))
    return "".join(out)


def content_div(items: list[str], bc: BodyContext) -> str:
    return (
        '<div class="article-content-body__item-content" '
        'data-component-name="desktop:read-page:article-content-body:section:text">'
        + bc.nl.join(items)
        + "</div>"
    )


def gallery(bc: BodyContext) -> str:
    items = []
    for index, caption in enumerate(bc.body.gallery, start=1):
        ref = bc.state.article_id * 10 + index
        items.append(
            f'<figure class="read-page--photo-gallery--item" id="gallery-image-{ref}" '
            f'data-photo-gallery-page="{index}"><picture><img src="{common.image(ref)}" '
            f'alt="{e(caption)}"></picture><figcaption'
            ' class="read-page--photo-gallery--item__caption">'
            f"<span>{escape(caption)}</span></figcaption></figure>"
        )
    return f'<div class="read-page--photo-gallery" data-total="{len(items)}">{"".join(items)}</div>'


def byline(bc: BodyContext) -> str:
    names = bc.body.authors or (SITE_NAME,)
    links = "".join(
        f'<span itemtype="http://schema.org/Person" itemscope="itemscope">'
        '<a class="read-page--header--author__link url fn"'
        f' href="{bc.ctx.base_url}/me/{slugify(n)}" '
        f'itemprop="url" rel="author"><span class="read-page--header--author__name fn" '
        f'itemprop="name">{escape(n)}</span></a></span>'
        for n in names
    )
    published = bc.state.published_at
    return (
        f'<div id="author-{bc.state.article_id}" class="read-page--header--author vcard">'
        f'<div class="read-page--header--author__wrapper">{links}'
        '<p class="read-page--header--author__datetime-wrapper">'
        f'<time class="read-page--header--author__datetime updated" itemprop="datePublished" '
        f'datetime="{published:%Y-%m-%d %H:%M:%S}">{common.short_date(published)}</time></p>'
        "</div></div>"
    )


def breadcrumb(bc: BodyContext) -> str:
    base, channel = bc.ctx.base_url, bc.state.channel
    slug, name = category_of(bc.state)
    crumbs = (("", "Home"), (f"/{channel}", channel_name(channel)), (f"/{channel}/{slug}", name))
    items = "".join(
        f'<li><a href="{base}{path}"><span>{escape(label)}</span></a></li>'
        for path, label in crumbs
    )
    return f'<ul class="read-page--breadcrumb">{items}</ul>'


def tag_list(bc: BodyContext) -> str:
    # The list under the body shows tags in another order than meta keywords, as on the site.
    ordered = sorted(bc.body.tags, key=lambda t: slugify(t))
    items = "".join(
        f'<li class="tags--snippet__item" data-slug="{slugify(t)}"><a class="tags--snippet__link" '
        f'href="{bc.ctx.base_url}/tag/{slugify(t)}"><span class="tags--snippet__name">{escape(t)}'
        "</span></a></li>"
        for t in ordered
    )
    preco = " ".join(bc.body.tags)
    return (
        f'<div id="preco" class="preco" data-tags="{e(preco)}"></div>'
        f'<div class="tags--snippet"><ul class="tags--snippet__list">{items}</ul></div>'
    )


def related(bc: BodyContext) -> str:
    items = "".join(
        f'<li class="related-news__item"><a href="{e(url)}">{escape(title)}</a></li>'
        for url, title in bc.related
    )
    return f'<div id="related-news" class="related-news"><ul>{items}</ul></div>'


def article_body(bc: BodyContext) -> str:
    top = ""
    if bc.state.kind == "video" and bc.body.pages:
        top = render_block_video(bc)
    inner = gallery(bc) + body_pages(bc) if bc.state.kind == "photo" else body_pages(bc)
    return (
        f'{top}<div class="article-content-body article-content-body_with-aside" '
        f'itemprop="articleBody">{inner}<div class="article-content-body__item-loadmore"></div>'
        "</div>"
    )


def render_block_video(bc: BodyContext) -> str:
    ref = bc.state.article_id * 7
    return (
        f'<div class="read-page--video-gallery--item" id="video-{ref}"><iframe class="vidio-embed" '
        f'src="https://www.vidio.com/embed/{ref}-liputan-video" width="640" height="360">'
        "</iframe></div>"
    )


def render(bc: BodyContext) -> str:
    state, body, ctx = bc.state, bc.body, bc.ctx
    cache_key = f"{bc.cosmetic.getrandbits(64):x}"
    head = common.head_meta(state, body, ctx, "width=1040")
    return (
        '<!DOCTYPE html><html itemscope="itemscope" itemtype="http://schema.org/WebPage"><head>'
        f"{head}{common.stylesheet()}{common.scripts()}"
        f"{common.kmklabs(state, body, 'Desktop', pretty=state.article_id % 4 == 0)}"
        f"{common.json_ld(state, body, ctx, pretty=state.article_id % 4 == 1)}</head>"
        f'<body class="articles show category-{state.channel}">{common.navigation(ctx.base_url)}'
        '<div id="billboard-ad" data-info="ad"><div id="div-gpt-ad-liputan6-billboard-oop" '
        'data-info="ad"></div></div><div class="container-main">'
        f'<article id="core-article-{state.article_id}" class="hentry main'
        ' read-page--core-article" '
        f'data-article-id="{state.article_id}"'
        f' data-channel-name="{e(channel_name(state.channel))}">'
        f'<div class="read-page-upper" data-cache-key="https_liputan6.com:bump:{cache_key}" '
        f'data-cache-ttl="120"><header class="read-page--header">{breadcrumb(bc)}'
        '<h1 class="read-page--header--title entry-title"'
        f' itemprop="headline">{escape(body.title)}</h1>'
        f"{byline(bc)}</header></div>{article_body(bc)}{tag_list(bc)}</article>"
        f"{related(bc)}{common.offsite_block(ctx)}</div>{common.footer(ctx.base_url)}</body></html>"
    )

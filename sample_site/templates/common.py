"""Pieces every replica page shares: head metadata, kmklabs scripts, JSON-LD and page chrome.

Real article pages are ~300 KB, mostly CSS, scripts, menus and ad slots; the chrome here is
generated once per process from a fixed seed so parse benchmarks see realistic page weight while
rendering stays a string join.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape

from sample_site import vocab
from sample_site.content import (
    SITE_NAME,
    ArticleState,
    Content,
    category_of,
    channel_name,
)

TYPE_NAMES = {"text": "TextTypeArticle", "photo": "PhotoGallery", "video": "VideoGallery"}
IMG = "https://cdn0-production-images-kly.akamaized.net/replica/{w}x{h}/medias/{ref}/original/{ref}.jpg"


@dataclass(frozen=True)
class PageContext:
    """What a template needs besides the article: where it is served and which variant."""

    base_url: str
    seed: int
    extra_links: tuple[str, ...] = ()  # off-site links injected by the offsite_links fault


def e(text: str) -> str:
    return escape(text, quote=True)


def article_path(state: ArticleState, slug: str) -> str:
    return f"/{state.channel}/read/{state.article_id}/{slug}"


def wib(dt: datetime) -> str:
    return dt.isoformat()


def short_date(dt: datetime) -> str:
    """`03 Jun 2020, 10:15 WIB`, the classic byline format."""
    return f"{dt.day:02d} {vocab.MONTHS_SHORT[dt.month - 1]} {dt.year}, {dt:%H:%M} WIB"


def long_date(dt: datetime) -> str:
    """`29 Oktober 2025, 10:42 WIB`, the 2023-25 redesign format."""
    return f"{dt.day} {vocab.MONTHS_FULL[dt.month - 1]} {dt.year}, {dt:%H:%M} WIB"


def image(ref: int, w: int = 640, h: int = 360) -> str:
    return IMG.format(w=w, h=h, ref=ref)


def head_meta(state: ArticleState, body: Content, ctx: PageContext, viewport: str) -> str:
    url = ctx.base_url + article_path(state, body.slug)
    _, category = category_of(state)
    channel = channel_name(state.channel)
    tags = ", ".join(body.tags)
    return (
        f"<title>{e(body.title)} - {e(channel)} {SITE_NAME}</title>"
        f'<meta charset="utf-8"><meta name="viewport" content="{viewport}">'
        f'<meta name="title" content="{e(body.title)} - {e(channel)} {SITE_NAME}">'
        f'<meta name="description" content="{e(body.description)}">'
        f'<meta name="keywords" content="{e(tags)}"><meta name="robots" content="index,follow">\n'
        f'<meta content="{SITE_NAME}" name="author">\n<meta content="id" name="language">\n'
        f'<meta property="article:published_time" content="{wib(state.published_at)}">\n'
        f'<meta property="dable:item_id" content="{state.article_id}">\n'
        '<meta property="article:section" content="News">\n'
        f'<meta property="article:section2" content="{e(channel)}">\n'
        f'<meta property="article:section3" content="{e(category)}">\n'
        '<meta property="og:site_name" content="liputan6.com"><meta property="og:url"'
        f' content="{e(url)}">'
        f'<meta property="og:title" content="{e(body.title)}">'
        f'<meta property="og:description" content="{e(body.description)}">'
        f'<meta property="article:modified_time" content="{wib(state.modified_at)}">'
        f'<meta property="og:updated_time" content="{wib(state.modified_at)}">'
        '<meta property="og:type" content="article"><meta property="og:image"'
        f' content="{image(state.article_id)}">'
        '<meta name="twitter:card" content="summary_large_image">'
        f'<link rel="canonical" href="{e(url)}">'
    )


def json_ld(state: ArticleState, body: Content, ctx: PageContext, pretty: bool) -> str:
    people = [{"@type": "Person", "name": name} for name in body.authors] or [
        {"@type": "Person", "name": SITE_NAME}
    ]
    data = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "author": people[0] if len(people) == 1 else people,
        "dateModified": wib(state.modified_at),
        "datePublished": wib(state.published_at),
        "description": body.description,
        "headline": body.title,
        "image": [image(state.article_id, w, h) for w, h in ((640, 360), (640, 480), (640, 640))],
        "publisher": {
            "@type": "Organization",
            "logo": {"@type": "ImageObject", "height": 37, "width": 192, "url": image(1, 192, 37)},
            "name": "Liputan6",
        },
        "mainEntityOfPage": ctx.base_url + article_path(state, body.slug),
    }
    text = _js(data, pretty)
    return f'<script id="rich-card" type="application/ld+json">{text}</script>'


def _js(value: object, pretty: bool) -> str:
    text = json.dumps(value, indent=4 if pretty else None, ensure_ascii=False)
    return text.replace("/", "\\/").replace("</", "<\\/")


def kmklabs(state: ArticleState, body: Content, platform: str, pretty: bool) -> str:
    """The `window.kmklabs.*` assignments, one line each or pretty-printed like one real page."""
    category_slug, category = category_of(state)
    words = sum(len(b.text.split()) for p in body.pages for b in p.blocks if b.kind == "p")
    published = state.published_at
    gtm = {
        "articleId": state.article_id,
        "articleTitle": body.slug,
        "category": "article",
        "editors": ", ".join(body.editors),
        "editorialType": "editorial",
        "embedVideo": "yes"
        if any(b.kind == "vidio" for p in body.pages for b in p.blocks)
        else "no",
        "pageTitle": f"{state.channel} - {category_slug} - {body.slug}",
        "publicationDate": f"{published:%Y-%m-%d}",
        "publicationTime": f"{published:%H:%M:%S}",
        "subCategory": state.channel,
        "subSubCategory": category_slug,
        "tag": "|".join(body.tags),
        "authors": {"type": "author", "names": ", ".join(body.authors) or SITE_NAME},
        "numberOfWords": words,
        "enabled": True,
        "type": TYPE_NAMES[state.kind],
        "videos": [],
        "isSEO": False,
    }
    channel = {"id": 5, "name": channel_name(state.channel), "full_slug": state.channel}
    category_obj = {"id": 43, "name": category, "full_slug": f"{state.channel}/{category_slug}"}
    article = {
        "id": state.article_id,
        "title": body.title,
        "type": TYPE_NAMES[state.kind],
        "shortDescription": body.description,
        "keywords": ",".join(body.tags),
        "isAdvertorial": False,
        "isMultipage": sum(1 for p in body.pages) > 1,
        "isAdultContent": False,
        "publishDate": f"{published:%Y-%m-%d %H:%M:%S}",
    }
    sep = "\n        " if pretty else "  "
    parts = [
        "window.kmklabs = {};",
        "window.kmklabs.env = 'production';",
        "window.kmklabs.baseAssetsUrl = 'https://cdn-production-assets-kly.akamaized.net/assets';",
        f"window.kmklabs.gtm = {_js(gtm, pretty)};",
        f"window.kmklabs.platform = '{platform}';",
        "window.kmklabs.pageType = 'ReadPage';",
        f"window.kmklabs.channel = {_js(channel, pretty)};",
        f"window.kmklabs.category = {_js(category_obj, pretty)};",
        f"window.kmklabs.article = {_js(article, pretty)};",
        "window.kmklabs.site = 'liputan6';",
        f"window.kmklabs.multiplePageCount = {len(body.pages)};",
        f'window.gaPrefix = "ReadPage::{channel_name(state.channel).replace(" ", "")}";',
    ]
    return f'<script type="text/javascript">{sep}{sep.join(parts)}\n</script>'


@cache
def stylesheet() -> str:
    """A large inline stylesheet in the site's BEM class vocabulary (page weight, not looks)."""
    rng = random.Random(6)
    blocks = [
        "read-page",
        "article-content-body",
        "articles--iridescent-list",
        "navbar",
        "footer",
        "tags--snippet",
        "baca-juga",
        "breaking-news",
        "share-buttons",
        "article-snippet",
        "live--streaming",
        "stories-gateway",
        "menu-panel",
        "article-header",
        "related-news",
        "headline--bottom-slider",
    ]
    elements = [
        "item",
        "title",
        "link",
        "image",
        "wrapper",
        "content",
        "header",
        "icon",
        "list",
        "caption",
        "text",
        "date",
    ]
    props = ("margin", "padding", "color", "font-size", "line-height", "border-top", "width")
    rules = []
    for _ in range(1600):
        name = f".{rng.choice(blocks)}--{rng.choice(elements)}__{rng.choice(elements)}"
        decl = ";".join(
            f"{rng.choice(props)}:{rng.randint(0, 40)}px" for _ in range(rng.randint(2, 5))
        )
        rules.append(f"{name}{{{decl}}}")
    return '<style id="custom-css">' + "\n".join(rules) + "</style>"


@cache
def scripts() -> str:
    """Analytics, ad-server and segment configuration scripts like the ones around real articles."""
    rng = random.Random(7)
    segments = {
        f"t{rng.getrandbits(40):x}": [f"{slug} / {rng.choice(v.tags).lower()}" for _ in range(3)]
        for slug, v in vocab.TOPICS.items()
        for _ in range(12)
    }
    slots = [
        {"id": f"div-gpt-ad-liputan6-{name}-{i}", "sizes": [[300, 250], [336, 280]], "lazy": True}
        for name in ("lb", "mr", "sc", "inarticle", "billboard", "skinad", "native")
        for i in range(40)
    ]
    return (
        "<script>window.dataLayer = window.dataLayer || [];</script>"
        "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
        "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;"
        "j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);"
        "})(window,document,'script','dataLayer','GTM-REPLICA');</script>"
        f"<script>window.kmklabs_dmp = {json.dumps(segments)};</script>"
        f"<script>window.adSlots = {json.dumps(slots)};</script>"
    )


@cache
def navigation(base_url: str) -> str:
    items = []
    for slug, (name, subcats) in vocab.CHANNELS.items():
        subs = "".join(
            f'<li class="navbar--menu--sub__item"><a href="{base_url}/{slug}/{s}">{e(n)}</a></li>'
            for s, n, _ in subcats
        )
        items.append(
            '<li class="navbar--menu__item"><a class="navbar--menu__link"'
            f' href="{base_url}/{slug}">'
            f'{e(name)}</a><ul class="navbar--menu--sub">{subs}</ul></li>'
        )
    return (
        '<nav class="navbar--menu" data-component-name="desktop:navbar:menu">'
        f"<ul>{''.join(items)}</ul></nav>"
    )


def footer(base_url: str) -> str:
    links = "".join(
        '<li class="footer--nav-list__item"><a class="footer--nav-list__link"'
        f' href="{base_url}/info/{p}">{p}</a></li>'
        for p in ("tentang-kami", "redaksi", "kontak", "disclaimer", "pedoman-media-siber")
    )
    return (
        f'<footer class="footer"><ul class="footer--nav-list">{links}</ul>'
        f'<p class="footer--copyright">© 2025 {SITE_NAME}</p></footer>'
    )


def offsite_block(ctx: PageContext) -> str:
    return "".join(f'<a class="promo-link" href="{e(link)}">Promo</a>' for link in ctx.extra_links)

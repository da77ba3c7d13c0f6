"""Article body blocks in the site's real markup: text, media, and every boilerplate kind.

Desktop and redesign pages share the classic CMS markup; mobile pages use their own media and
video classes. Cosmetic revisions only move ad ids, cache keys and whitespace, never text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

from sample_site.content import ArticleState, Block, Content, caption_of, slugify
from sample_site.templates.common import PageContext, e, image


@dataclass(frozen=True)
class BodyContext:
    state: ArticleState
    body: Content
    ctx: PageContext
    related: tuple[tuple[str, str], ...]  # (url, title) of other articles
    cosmetic: random.Random
    mobile: bool

    @property
    def nl(self) -> str:
        """Whitespace between blocks: one of the things a cosmetic change alters."""
        return "\n" if self.state.cosmetic_rev % 2 else "\n    "


def paragraph(text: str, bc: BodyContext, first: bool) -> str:
    """A text paragraph; the lead keeps its dateline in bold, one tag name becomes a link."""
    lead = ""
    if first and text.startswith(bc.body.dateline):
        tag = "b" if bc.state.article_id % 3 else "strong"
        gap = "&nbsp;" if bc.state.article_id % 5 == 0 else " "
        lead = f"<{tag}>{escape(bc.body.dateline)}</{tag}>{gap}"
        text = text[len(bc.body.dateline) :].lstrip()
    for tag_name in bc.body.tags:
        at = text.find(tag_name)
        if at > 0:
            href = f"{bc.ctx.base_url}/tag/{slugify(tag_name)}"
            end = at + len(tag_name)
            linked = f'<a href="{href}" rel="nofollow">{escape(text[at:end])}</a>'
            return f"<p>{lead}{escape(text[:at])}{linked}{escape(text[end:])}</p>"
    return f"<p>{lead}{escape(text)}</p>"


def baca_juga(bc: BodyContext) -> str:
    items = "".join(
        f'<li><a target="_blank" href="{e(url)}">{escape(title)}</a></li>'
        for url, title in bc.related[:2]
    )
    key = bc.cosmetic.getrandbits(64)
    return (
        f'<div class="baca-juga" data-category="Berita" data-cache-key="https_liputan6.com:bump:'
        f'TextTypeArticle#{bc.state.article_id}::{key:x}" data-cache-ttl="360" '
        'data-component-name="desktop:read-page:article-content-body:section:bacajuga">\n'
        '<p class="baca-juga__header">Baca Juga</p>\n<ul'
        f' class="baca-juga__list">{items}</ul>\n</div>'
    )


def baca_juga_collections(bc: BodyContext) -> str:
    details = "".join(
        '<div class="baca-juga-collections__detail">BACA JUGA: <a'
        f' href="{e(url)}">{escape(title)}</a></div>'
        for url, title in bc.related[:2]
    )
    hidden = ' style="display:none"' if bc.state.article_id % 2 else ""
    return f'<div class="baca-juga-collections"{hidden}>{details}</div>'


def tweet(ref: int, bc: BodyContext) -> str:
    account = f"akun{ref % 997}"
    return (
        '<blockquote class="twitter-tweet"><p lang="in" dir="ltr">Pantauan terkini dari lokasi,'
        f" warga diminta tetap waspada. #{slugify(bc.body.tags[0]).replace('-', '')}</p>&mdash; "
        f'Akun Warga ({account}) <a href="https://twitter.com/{account}/status/{ref}">'
        "12 Oktober 2025</a></blockquote>\n"
        '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'
    )


def instagram(ref: int) -> str:
    link = f"https://www.instagram.com/p/R{ref:x}/"
    return (
        f'<blockquote class="instagram-media" data-instgrm-permalink="{link}"'
        ' data-instgrm-version="14">'
        f'<div><a href="{link}" target="_blank">Lihat postingan ini di Instagram</a></div>'
        f'<p><a href="{link}">Sebuah kiriman dibagikan oleh Akun Resmi (@akunresmi{ref % 89})</a>'
        "</p>"
        '</blockquote><script async src="//www.instagram.com/embed.js"></script>'
    )


def vidio(ref: int, bc: BodyContext) -> str:
    src = f"https://www.vidio.com/embed/{ref}-video-pilihan?source=liputan6&amp;autoplay=false"
    if bc.mobile:
        return (
            f'<div id="video-{ref}" class="article-video-gallery--item'
            ' article-video-gallery--item_normal">'
            f'<iframe class="vidio-embed article-video-gallery--item__vidio-embed" src="{src}" '
            'width="0" height="360" frameborder="0" scrolling="no" allowfullscreen></iframe></div>'
        )
    return (
        f'<div class="read-page--video-gallery--item" id="video-{ref}" data-video-id="{ref}">'
        f'<iframe class="vidio-embed" src="{src}" width="640" height="360" frameborder="0" '
        'scrolling="no" allowfullscreen></iframe></div>'
    )


def figure(ref: int, bc: BodyContext, caption: str | None) -> str:
    """A photo; `caption` None for infographic images, which carry only alt text."""
    alt = escape(caption or f"Infografis {bc.body.title}")
    picture = (
        '<picture class="read-page--photo-gallery--item__picture"><source'
        f' data-srcset="{image(ref)}" '
        f'type="image/webp"><img src="{image(ref)}" width="640" height="360" alt="{alt}" '
        'class="js-lazyload read-page--photo-gallery--item__picture-lazyload wide-image"></picture>'
    )
    if bc.mobile:
        desc = (
            '<div class="article-photo-gallery--item__description">'
            f"<span>{escape(caption)}</span></div>"
            if caption
            else ""
        )
        return (
            '<div class="article-photo-gallery--item article-photo-gallery--item_normal'
            ' js-figure" '
            f'id="gallery-image-{ref}" data-image="{image(ref)}" data-title="{alt}">'
            f'<div class="article-photo-gallery--item__content">{picture}'
            '<div class="article-photo-gallery--item__button-zoom">'
            '<i class="article-photo-gallery--item__button-zoom--icon"></i> Perbesar </div></div>'
            f"{desc}</div>"
        )
    figcaption = (
        '<figcaption class="read-page--photo-gallery--item__caption">'
        f"<span>{escape(caption)}</span></figcaption>"
        if caption
        else ""
    )
    return (
        '<div class="article-content-body__item-media">'
        f'<figure class="read-page--photo-gallery--item" id="gallery-image-{ref}"'
        f' data-image="{image(ref)}">'
        f'<div class="read-page--photo-gallery--item__content js-gallery-content">{picture}'
        '<span class="read-page--photo-gallery--item__icon i-gallery-zoom'
        ' js-icon-zoom">Perbesar</span>'
        f"</div>{figcaption}</figure></div>"
    )


def render_block(block: Block, bc: BodyContext, first: bool) -> str:
    kind = block.kind
    if kind in ("p", "credit"):
        return paragraph(block.text, bc, first)
    if kind in ("credit_strong", "promo"):
        return f"<p><strong>{escape(block.text)}</strong></p>"
    if kind == "baca_juga":
        return baca_juga(bc)
    if kind == "baca_juga_collections":
        return baca_juga_collections(bc)
    if kind == "ad_revive":
        return (
            '<div id="div-revive-ad-liputan6-sc" class="article-ad"'
            ' data-component-name="ads:revive-ads">'
            f'<ins data-revive-zoneid="{17 + bc.cosmetic.randint(0, 9)}" '
            f'data-revive-id="{bc.cosmetic.getrandbits(128):032x}"></ins></div>'
        )
    if kind == "ad_inarticle":
        return f'<div id="div-gpt-ad-liputan6-inarticle-oop-{bc.cosmetic.randint(1, 99)}"></div>'
    if kind == "seamless":
        return (
            '<div class="seamless-ads" data-component-name="desktop:seamless-ads">'
            '<a href="javascript:void(0)" class="seamless-ads__link" target="_blank">'
            '<div class="seamless-ads__container"><div class="seamless-ads__wrapper"></div></div>'
            "</a></div>"
        )
    if kind == "advertisement":
        return (
            '<div class="advertisement-placeholder" data-info="ad"><div class="advertisement-text">'
            "<p>Advertisement</p></div></div>"
        )
    if kind == "ad_slot":
        return f'<div id="gpt-ad-liputan6-sc-{block.ref}" class="article-ad"></div>'
    if kind == "tweet":
        return tweet(block.ref, bc)
    if kind == "instagram":
        return instagram(block.ref)
    if kind == "vidio":
        return vidio(block.ref, bc)
    if kind == "figure":
        return figure(block.ref, bc, caption_of(bc.ctx.seed, bc.state, block.ref))
    if kind == "infographic":
        return figure(block.ref, bc, None)
    raise ValueError(f"unknown block kind {kind!r}")

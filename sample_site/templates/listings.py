"""Discovery pages in the real markup: home and channel lists, tag pages, date indexes.

Besides the article list, real listing pages link to articles from many other blocks (headline
slider, content-promotion strips, breaking-news bar, thumbnail links in every snippet, popular
lists), often to articles the list does not carry. The replica renders those blocks in the same
markup (the 2021 home pages in ../shared/pages), with its own text, so discovery is tested
against every place a link can sit.
"""

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


@dataclass(frozen=True)
class Extras:
    """The articles a listing page links to outside its main list, by block."""

    breaking: Item | None = None
    slider: Sequence[Item] = ()
    photo_story: Sequence[Item] = ()  # desktop STM strip / mobile MSTM strip
    promoted: Sequence[Item] = ()  # desktop STS strip (sidebar)
    popular: Sequence[Item] = ()
    videos: Sequence[Item] = ()

    def items(self) -> list[Item]:
        first = [self.breaking] if self.breaking else []
        return [
            *first,
            *self.slider,
            *self.photo_story,
            *self.promoted,
            *self.popular,
            *self.videos,
        ]


def _img(item: Item, w: int, h: int, css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return (
        f'<picture class="small"><img alt="{e(item.title)}"{klass} data-width="{w}"'
        f' data-height="{h}" src="{common.image(item.article_id, w, h)}"></picture>'
    )


def _promo(item: Item, campaign: str) -> str:
    """Promotion links carry an ad-campaign query, which canonicalisation must drop."""
    return e(f"{item.url}?HouseAds&campaign={campaign}")


def desktop_breaking_news(item: Item) -> str:
    return (
        '<section class="breaking-news" data-component="desktop:breaking-news"'
        ' data-component-name="desktop:breaking-news" id="breaking-news">'
        '<div class="breaking-news__container"><a class="breaking-news__click"'
        f' href="{e(item.url)}"><span class="breaking-news__title">BREAKING NEWS</span>'
        f'<span class="breaking-news__content">{escape(item.title)}</span></a></div></section>'
    )


def headline_slider(items: Sequence[Item]) -> str:
    slides = "".join(
        f'<li class="headline--bottom-slider__item" data-article-id="{i.article_id}"'
        f' data-channel="{e(i.channel)}" data-type="{common.TYPE_NAMES[i.kind]}">'
        f'<a class="ui--a headline--bottom-slider__link" href="{e(i.url)}" title="{e(i.title)}">'
        f'<div class="headline--bottom-slider__item_thumbnail">{_img(i, 190, 110, "small-img")}'
        '</div><div class="headline--bottom-slider__item_header"><time'
        f' class="headline--bottom-slider__item_timestamp timeago"'
        f' datetime="{i.published_at.isoformat()}">{common.short_date(i.published_at)}</time>'
        f'<div class="headline--bottom-slider__item_title">{escape(i.title)}</div></div></a></li>'
        for i in items
    )
    return (
        '<div class="headline--bottom-slider" data-component="desktop:headline:bottom-slider">'
        '<div class="headline--bottom-slider__title">Berita Utama Lainnya</div>'
        '<div class="headline--bottom-slider__wrapper headline--bottom-slider__wrapper_fixed">'
        f'<ul class="headline--bottom-slider__list js-headline--bottom-slider">{slides}</ul>'
        "</div></div>"
    )


def desktop_photo_story(items: Sequence[Item], base_url: str) -> str:
    slides = "".join(
        f'<div class="content-promotion--stm__item" id="content-promotion-{i.article_id}">'
        f'<a class="content-promotion--stm__link" data-kanal-page="{e(i.channel.lower())}"'
        f' data-type="{common.TYPE_NAMES[i.kind]}" href="{_promo(i, "PictureFirst_Home_STM")}">'
        f'<div class="content-promotion--stm__thumb">{_img(i, 200, 113)}</div>'
        '<div class="content-promotion--stm__caption-wrapper"><p'
        f' class="content-promotion--stm__caption">{escape(i.title)}</p></div></a></div>'
        for i in items
    )
    return (
        '<div class="content-promotion" data-component-name="desktop:content-promotion:stm">'
        '<section class="content-promotion--stm__wrapper content-promotion--stm__wrapper_fixed"'
        ' data-component="desktop:content-promotion:stm"><header'
        ' class="content-promotion--header-stm"><h3 class="content-promotion--header-stm__title">'
        '<a class="content-promotion--header-stm__link"'
        f' href="{e(base_url)}/tag/foto-pilihan?HouseAds&amp;campaign=PictureFirst_Home_STM"'
        ' title="PHOTO STORY"><span class="content-promotion--header-stm__link-title">PHOTO STORY'
        "</span></a></h3></header>"
        f'<div class="js-content-promotion-slider content-promotion--stm__slider">{slides}</div>'
        "</section></div>"
    )


def desktop_promoted(items: Sequence[Item]) -> str:
    """The sidebar strip: a thumbnail link and a title link per article."""
    entries = "".join(
        f'<li class="article-snippet--small__item" id="article-{i.article_id}"'
        ' data-component-name="desktop:asides:article-snippet:small"'
        f' data-kanal-page="{e(i.channel.lower())}">'
        '<article class="article-snippet--small__article">'
        f'<figure class="article-snippet--small__thumbnail"><a class="article-snippet--small__link"'
        f' href="{_promo(i, "Pilihan_Home_STS")}" title="{e(i.title)}">{_img(i, 120, 67)}</a>'
        '</figure><div class="article-snippet--small__caption"><div'
        ' class="article-snippet--small__center"><h5 class="article-snippet--small__title"><a'
        f' class="article-snippet--small__link" href="{_promo(i, "Pilihan_Home_STS")}"'
        f' title="{e(i.title)}">{escape(i.title)}</a></h5></div></div></article></li>'
        for i in items
    )
    return (
        '<div class="content-promotion" data-component-name="desktop:content-promotion:sts">'
        '<section class="content-promotion--sts__wrapper"><ul class="content-promotion--sts__list">'
        f"{entries}</ul></section></div>"
    )


def desktop_popular(items: Sequence[Item]) -> str:
    entries = "".join(
        '<li class="article-snippet--numbered'
        f'{" article-snippet--numbered__first" if n == 1 else ""}"'
        ' data-component-name="desktop:asides:article-snippet:numbered"'
        f' data-kanal-page="{e(i.channel.lower())}" id="article-{i.article_id}">'
        '<figure class="article-snippet--numbered__thumbnail"><a class="article-snippet__link"'
        f' href="{e(i.url)}" title="{e(i.title)}">{_img(i, 300, 172)}</a></figure>'
        '<article class="article-snippet--numbered__article"><span'
        f' class="article-snippet--numbered__number">{n}</span><div'
        ' class="article-snippet--numbered__wrapper"><span'
        f' class="article-snippet--numbered__category">{escape(i.channel)}</span><h5'
        ' class="article-snippet--numbered__title"><a class="article-snippet__link"'
        f' href="{e(i.url)}" title="{e(i.title)}">{escape(i.title)}</a></h5></div></article></li>'
        for n, i in enumerate(items, 1)
    )
    return (
        '<section class="box"><h3 class="box__title">Terpopuler</h3><ul class="aside-list'
        ' popular-analisis" data-component="desktop:asides:articles" data-feature-location='
        f'"sidebar" data-feature-name="populer">{entries}</ul></section>'
    )


def desktop_popular_videos(items: Sequence[Item]) -> str:
    """A block inside the main list (a `div`, not an `article`) holding several video links."""
    entries = "".join(
        '<li class="articles--iridescent-list--popular-videos-item__bottom-list-item"><a'
        ' class="ui--a articles--iridescent-list--popular-videos-item__link"'
        f' data-index="{n}" href="{e(i.url)}?medium=Streamline&amp;campaign=VideoGallery"'
        f' title="{e(i.title)}"><figure class="articles--iridescent-list--popular-videos-item__'
        f'bottom-figure">{_img(i, 160, 90)}</figure></a><a class="ui--a articles--iridescent-list'
        f'--popular-videos-item__bottom-link" data-index="{n}"'
        f' href="{e(i.url)}?medium=Streamline&amp;campaign=VideoGallery" title="{e(i.title)}">'
        f"{escape(i.title)}</a></li>"
        for n, i in enumerate(items, 1)
    )
    return (
        '<div class="articles--iridescent-list--item articles--iridescent-list--popular-videos-item'
        ' js-articles--iridescent-list--popular-videos-item"><div'
        ' class="articles--iridescent-list--popular-videos-item__container"><ul'
        ' class="articles--iridescent-list--popular-videos-item__bottom-list">'
        f"{entries}</ul></div></div>"
    )


def mobile_breaking_news(item: Item) -> str:
    return (
        '<div class="breaking-news" data-component="mobile:breaking-news"'
        ' data-component-name="mobile:breaking-news"><a class="breaking-news__click"'
        f' href="{e(item.url)}"><div class="breaking-news__header"><span'
        ' class="breaking-news__title">BREAKING NEWS</span></div><div'
        f' class="breaking-news__content"><span class="breaking-news__link">{escape(item.title)}'
        "</span></div></a></div>"
    )


def mobile_promotion(items: Sequence[Item]) -> str:
    entries = "".join(
        f'<div class="content-promotion--mstm__item" data-channel="{e(i.channel.lower())}"'
        f' id="content-promotion-{i.article_id}"><div class="content-promotion--mstm__thumbnail">'
        f'<a class="content-promotion--mstm__link" href="{_promo(i, "SpecialContent_Home_MSTM")}">'
        f'{_img(i, 160, 90)}</a></div><div class="content-promotion--mstm__caption"><a'
        f' class="content-promotion--mstm__link" href="{_promo(i, "SpecialContent_Home_MSTM")}">'
        f'<span class="content-promotion--mstm__link-title">{escape(i.title)}</span></a></div>'
        "</div>"
        for i in items
    )
    return (
        '<div class="content-promotion" data-component-name="mobile:content-promotion:mstm">'
        '<section class="content-promotion--mstm__wrapper" data-component='
        '"mobile:content-promotion:mstm" data-position="MSTM"><div'
        f' class="content-promotion--mstm__list">{entries}</div></section></div>'
    )


def mobile_videos(items: Sequence[Item]) -> str:
    """VIDEO PILIHAN: one headline anchor, then a list of anchors, none with a title attribute."""
    if not items:
        return ""
    first, rest = items[0], items[1:]
    others = "".join(
        f'<a class="article-video-section__anchor" data-position="{n}" href="{e(i.url)}"><div'
        ' class="article-video-section__list-wrapper"><div class="article-video-section__list-'
        f'image">{_img(i, 120, 67)}</div><div class="article-video-section__list-text"><p'
        f' class="article-video-section__list-text-title">{escape(i.title)}</p></div></div></a>'
        for n, i in enumerate(rest, 2)
    )
    return (
        '<div class="article-video-section" data-component="mobile:article-video-section">'
        '<p class="article-video-section__title">VIDEO PILIHAN</p><a'
        f' class="article-video-section__anchor" data-position="1" href="{e(first.url)}"><div'
        f' class="article-video-section__headline">{_img(first, 320, 180)}<div'
        ' class="article-video-section__headline-timeago"><time class="timeago"'
        f' datetime="{first.published_at.isoformat()}">{common.short_date(first.published_at)}'
        '</time></div><div class="article-video-section__headline-title"><span'
        f' class="article-video-section__headline-title-text">{escape(first.title)}</span></div>'
        f'</div></a><div class="article-video-section__list">{others}</div></div>'
    )


def desktop_extras_top(extras: Extras, base_url: str) -> str:
    """What sits above the main list: breaking news, headline slider, photo-story strip."""
    out = [desktop_breaking_news(extras.breaking)] if extras.breaking else []
    if extras.slider:
        out.append(headline_slider(extras.slider))
    if extras.photo_story:
        out.append(desktop_photo_story(extras.photo_story, base_url))
    return "".join(out)


def desktop_sidebar(extras: Extras) -> str:
    out = [desktop_promoted(extras.promoted)] if extras.promoted else []
    if extras.popular:
        out.append(desktop_popular(extras.popular))
    return f'<aside class="main">{"".join(out)}</aside>' if out else ""


def mobile_extras_top(extras: Extras) -> str:
    out = [mobile_breaking_news(extras.breaking)] if extras.breaking else []
    if extras.photo_story:
        out.append(mobile_promotion(extras.photo_story))
    return "".join(out)


def desktop_item(item: Item) -> str:
    return (
        f'<article class="articles--iridescent-list--item articles--iridescent-list--text-item" '
        f'id="article_{item.article_id}" data-type="{common.TYPE_NAMES[item.kind]}" '
        f'data-channel="{e(item.channel)}"><figure'
        ' class="articles--iridescent-list--text-item__figure-thumbnail"><a class="ui--a'
        ' articles--iridescent-list--text-item__figure-thumbnail-link"'
        f' href="{e(item.url)}" title="{e(item.title)}">{_img(item, 200, 112)}</a></figure><aside'
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
        '<div class="article-snippet__image js-article-snippet-image"><a'
        f' class="article-snippet__image-link" href="{e(href)}" title="{e(item.title)}">'
        f"{_img(item, 120, 67)}</a></div>"
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
    extras: Extras = Extras(),
) -> str:
    """Home, channel and tag pages; deleted articles land on the home page, so it is a listing.

    The video block sits inside the list after the fourth item, as on the real pages.
    """
    render = mobile_item if mobile else desktop_item
    wrapper = "articles--iridescent-list" if not mobile else "article-list"
    rendered = [render(item) for item in items]
    videos = mobile_videos(extras.videos) if mobile else ""
    if extras.videos and not mobile:
        videos = desktop_popular_videos(extras.videos)
    rendered.insert(min(4, len(rendered)), videos)
    top = mobile_extras_top(extras) if mobile else desktop_extras_top(extras, base_url)
    side = "" if mobile else desktop_sidebar(extras)
    return (
        f'<!DOCTYPE html><html><head><title>{escape(title)}</title><meta charset="utf-8">'
        f"{common.stylesheet()}{common.scripts()}<script>window.kmklabs = {{}}; "
        f"window.kmklabs.pageType = '{page_type}';</script></head><body>"
        f'{common.navigation(base_url)}{top}<div class="{wrapper}">'
        f"{''.join(rendered)}{offsite_items(extra, mobile)}</div>{side}"
        f"{paging}{common.footer(base_url)}</body></html>"
    )


def index_page(
    title: str,
    items: Sequence[Item],
    base_url: str,
    paging: str,
    extra: Sequence[str] = (),
    extras: Extras = Extras(),
) -> str:
    top = desktop_breaking_news(extras.breaking) if extras.breaking else ""
    return (
        f'<!DOCTYPE html><html><head><title>{escape(title)}</title><meta charset="utf-8">'
        f"{common.stylesheet()}</head><body>{common.navigation(base_url)}{top}"
        f'<div class="articles--rows">{"".join(index_item(i) for i in items)}'
        f"{offsite_items(extra, False)}</div>{desktop_sidebar(extras)}{paging}"
        f"{common.footer(base_url)}</body></html>"
    )

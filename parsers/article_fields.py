"""One small function per article field, Fundus-style.

Each reads the page's declared metadata first (meta tags, JSON-LD, `window.kmklabs.*`), which is
the same on every template, and the DOM of the article region second. Each returns None (or an
empty list) when it finds nothing, and the caller names what is missing: no field is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from bs4 import Tag

from parsers.article_dates import is_update_label, parse_indonesian, parse_iso
from parsers.article_dom import DomIndex
from parsers.metadata import PageMetadata
from parsers.models import ArticleType
from parsers.text import normalize_space, slugify
from parsers.urls import article_id as url_article_id
from parsers.urls import canonical_url as canonical_form
from parsers.urls import channel_from_url

# Documented limits: a real article has 3-15 tags and 1-4 writers. A page that declares more is
# cut at these counts (the first ones kept, in page order), so a hostile keyword list stays cheap.
MAX_TAGS = 100
MAX_PEOPLE = 20
# Bylines that name a publication, not a writer ("Liputan6.com", "Fimela", "Tim Bola.com" stays).
_SITE_NAME = re.compile(
    r"^(?:www\.)?(?:liputan6|fimela|bola|kapanlagi|merdeka|brilio|dream|otosia|bintang|"
    r"sooperboy|vidio|kly|kmk|kapanlagi youniverse)(?:\.com|\.co\.id)?$|^[\w-]+\.(?:com|co\.id)$",
    re.IGNORECASE,
)
_ARTICLE_TYPES: dict[str, ArticleType] = {
    "TextTypeArticle": "text",
    "PhotoGallery": "photo",
    "VideoGallery": "video",
}
_TITLE = ("h1.read-page--header--title", "h1.article-header__title", "h1")
_BYLINE = (
    ".read-page--header--author__name",
    ".read-page-box__author__name",
    ".article-header__author-link",
)
_DATES = (
    "time.read-page--header--author__datetime",
    "span.article-header__datetime",
    ".read-page-box__author__updated",
    ".read-page-box__author__date",
)
_UPDATES = (
    "div.article-header__modified-time",
    ".readpage__author__update",
    ".read-page-box__author__updated",
)
_TAGS = (".tags--snippet__name", "a.tags--topics--item__link", ".tags--snippet__link")


def title(meta: PageMetadata, dom: DomIndex | None) -> str | None:
    declared = meta.meta_value("og:title") or _text(meta.km("article", "title"))
    declared = declared or _text(meta.ld("headline"))
    if declared:
        return normalize_space(declared)
    heading = dom.first(*_TITLE) if dom is not None else None
    return normalize_space(heading.get_text(" ")) or None if heading else None


def description(meta: PageMetadata) -> str:
    found = meta.meta_value("description", "og:description")
    found = found or _text(meta.km("article", "shortDescription")) or _text(meta.ld("description"))
    return normalize_space(found or "")


def canonical_url(meta: PageMetadata, url: str | None, known_id: int | None) -> str | None:
    """The first declared URL that is an article URL for this article's id."""
    candidates = [meta.canonical, meta.meta_value("og:url"), _ld_url(meta), url]
    for candidate in candidates:
        if not candidate:
            continue
        canonical = canonical_form(candidate)
        if canonical and (known_id is None or url_article_id(canonical) == known_id):
            return canonical
    return None


def article_id(meta: PageMetadata, url: str | None) -> int | None:
    for value in (meta.km("article", "id"), meta.km("gtm", "articleId")):
        if isinstance(value, int | str) and str(value).isdigit() and int(value) > 0:
            return int(value)
    for candidate in (meta.canonical, meta.meta_value("og:url"), _ld_url(meta), url):
        found = url_article_id(candidate) if candidate else None
        if found is not None:
            return found
    return meta.data_article_id


def article_type(meta: PageMetadata) -> ArticleType:
    declared = meta.km("article", "type") or meta.km("gtm", "type")
    return _ARTICLE_TYPES.get(declared, "text") if isinstance(declared, str) else "text"


def channel(meta: PageMetadata, canonical: str | None) -> str | None:
    slug = _text(meta.km("channel", "full_slug"))
    if slug:
        return slug.split("/")[0].lower()
    from_url = channel_from_url(canonical) if canonical else None
    if from_url:
        return from_url.lower()
    section = meta.meta_value("article:section2") or _text(meta.km("gtm", "subCategory"))
    return slugify(section) or None if section else None


def category(meta: PageMetadata, channel_slug: str | None) -> str | None:
    """The sub-category slug; None when the page names only its channel."""
    full_slug = _text(meta.km("category", "full_slug"))
    if full_slug:
        slug = full_slug.strip("/").split("/")[-1].lower()
    else:
        slug = slugify(meta.meta_value("article:section3") or "")
    return slug if slug and slug != channel_slug else None


def authors(meta: PageMetadata, dom: DomIndex | None) -> list[str]:
    """Writers from JSON-LD, then the gtm object, then byline links; publication names dropped."""
    sources: list[Iterable[str]] = [
        _ld_names(meta.ld("author")),
        _split_names(_text(meta.km("gtm", "authors", "names"))),
    ]
    if dom is not None:
        sources.append(element.get_text(" ") for element in dom.select(*_BYLINE))
    for source in sources:
        names = _people(source)
        if names:
            return names
    return []


def editors(meta: PageMetadata) -> list[str]:
    return _people(_split_names(_text(meta.km("gtm", "editors"))))


def published_at(meta: PageMetadata, dom: DomIndex | None) -> datetime | None:
    declared = [
        meta.meta_value("article:published_time"),
        meta.ld("datePublished"),
        meta.km("article", "publishDate"),
        _gtm_publication(meta),
    ]
    for value in declared:
        parsed = parse_iso(value)
        if parsed:
            return parsed
    if dom is None:
        return None
    for element in dom.select(*_DATES):
        stamp = element.get("datetime")
        parsed = parse_iso(stamp) if isinstance(stamp, str) else None
        text = element.get_text(" ")
        if parsed is None and not is_update_label(text):
            parsed = parse_indonesian(text)
        if parsed:
            return parsed
    return None


def modified_at(meta: PageMetadata, dom: DomIndex | None) -> datetime | None:
    for value in (meta.meta_value("article:modified_time"), meta.ld("dateModified")):
        parsed = parse_iso(value)
        if parsed:
            return parsed
    if dom is None:
        return None
    for element in dom.select(*_UPDATES):
        text = element.get_text(" ")
        if is_update_label(text):
            parsed = parse_indonesian(text)
            if parsed:
                return parsed
    return None


def tags(meta: PageMetadata, dom: DomIndex | None) -> list[str]:
    """Tags in page order: meta keywords, else kmklabs keywords, gtm tags, the DOM tag list."""
    sources: list[Iterable[str]] = [
        (meta.meta_value("keywords") or "").split(","),
        (_text(meta.km("article", "keywords")) or "").split(","),
        (_text(meta.km("gtm", "tag")) or "").split("|"),
    ]
    if dom is not None:
        sources.append(
            element.get_text(" ") for element in dom.select(*_TAGS) if _links_a_tag(element)
        )
    for source in sources:
        found = _unique((normalize_space(tag) for tag in source), MAX_TAGS)
        if found:
            return found
    return []


def _links_a_tag(element: Tag) -> bool:
    """Tag-list entries link to /tag/<slug>; the "more tags" button in the same list does not."""
    anchor = element if element.name == "a" else element.find_parent("a")
    href = anchor.get("href") if anchor is not None else None
    return isinstance(href, str) and "/tag/" in href


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _ld_url(meta: PageMetadata) -> str | None:
    page = meta.ld("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    return _text(page) or _text(meta.ld("url"))


def _ld_names(author: Any) -> Iterator[str]:
    """Names of JSON-LD authors, lazily: the reader stops at its cap."""
    items = author if isinstance(author, list) else [author]
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        yield from _split_names(_text(name))


def _split_names(value: str | None) -> list[str]:
    return re.split(r"\s*(?:,|;|\||\bdan\b|&)\s*", value) if value else []


def _people(names: Iterable[str]) -> list[str]:
    cleaned = (re.sub(r"^(?:oleh|by)\s+", "", normalize_space(n), flags=re.I) for n in names)
    return _unique((name for name in cleaned if not _SITE_NAME.match(name)), MAX_PEOPLE)


def _unique(items: Iterable[str], cap: int) -> list[str]:
    """Non-empty items, case-insensitive duplicates dropped (first kept), at most `cap` of them.

    One pass with a set of case-folded keys, and it stops reading at the cap: a page listing
    200,000 keywords costs no more than one listing `cap`.
    """
    kept: list[str] = []
    keys: set[str] = set()
    for item in items:
        key = item.casefold()
        if item and key not in keys:
            keys.add(key)
            kept.append(item)
            if len(kept) >= cap:
                break
    return kept


def _gtm_publication(meta: PageMetadata) -> str | None:
    day, time = _text(meta.km("gtm", "publicationDate")), _text(meta.km("gtm", "publicationTime"))
    return f"{day} {time}" if day and time else None

"""`parse_article`: one Liputan6 article page (any template) in, one `Article` out.

Pure: no I/O. Three outcomes only: an `Article`, `NotAnArticle` (home, channel, tag pages, which
is also where deleted articles land), or `ParseError` naming the missing fields. Whatever the
input (binary, truncated, huge, mis-declared charset, malformed JSON), nothing else escapes: an
unexpected failure is logged and re-raised as `ParseError`, so a batch never loses its other pages.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, Tag

from parsers import article_fields as fields
from parsers.article_body import extract_body
from parsers.article_dom import DomIndex
from parsers.article_region import article_region
from parsers.encodings import decode_document
from parsers.metadata import PageMetadata, read_metadata
from parsers.models import Article, NotAnArticle, ParseError

log = logging.getLogger(__name__)

MAX_PAGE_CHARS = 16_000_000
# kmklabs page types of article pages ("ReadPage" and its variants, live reports); any other
# declared type (ChannelPage, TagPage, IndexPage...) is a listing.
_ARTICLE_PAGE_TYPE = re.compile(r"ReadPage$|^LiveReportPage$")
_HTML_SNIFF = re.compile(r"<(?:!doctype|html|head|body|meta|div|article|p|h1)\b", re.IGNORECASE)


def parse_article(html: str | bytes, url: str | None = None) -> Article:
    """Parse one article page; `url` (where it was fetched) is a fallback for its canonical URL."""
    try:
        return _parse(html, url)
    except (NotAnArticle, ParseError):
        raise
    except Exception as exc:  # the contract: no other exception reaches the caller
        log.exception("parser failure on %s", url or "<page>")
        raise ParseError(f"parser failure: {type(exc).__name__}: {exc}", ["parser"]) from exc


def _parse(html: str | bytes, url: str | None) -> Article:
    if not isinstance(html, str | bytes):
        raise ParseError(f"expected str or bytes, got {type(html).__name__}", ["html"])
    if len(html) > MAX_PAGE_CHARS:
        raise ParseError(f"page too large ({len(html)} characters or bytes)", ["html"])
    page = decode_document(html).text if isinstance(html, bytes) else html
    if not page.strip():
        raise ParseError("empty document", ["html"])
    if not _HTML_SNIFF.search(page, 0, 65536):  # every real page opens with markup
        raise ParseError("not an HTML document", ["html"])

    meta = read_metadata(page)
    if meta.page_type and not _ARTICLE_PAGE_TYPE.search(meta.page_type):
        raise NotAnArticle(f"page type {meta.page_type!r} is not an article page")
    found = article_region(page)
    truncated = found is not None and found.truncated
    if truncated:
        log.warning("article region of %s cut at the parser's size cap", url or "<page>")
    region = BeautifulSoup(found.html, "lxml") if found and found.html else None
    if region is None and not _declares_article(meta):
        raise NotAnArticle("no article markup or article metadata on the page")
    article = _article(meta, region, DomIndex(region) if region else None, url)
    if truncated:
        fired = {**article.rules_fired, "region_truncated": 1}
        return article.model_copy(update={"rules_fired": dict(sorted(fired.items()))})
    return article


def _declares_article(meta: PageMetadata) -> bool:
    return bool(
        meta.page_type
        or "article" in meta.kmklabs
        or meta.json_ld
        or meta.meta_value("article:published_time")
        or (meta.meta_value("og:type") or "").lower() == "article"
    )


def _article(
    meta: PageMetadata, region: Tag | None, dom: DomIndex | None, url: str | None
) -> Article:
    ident = fields.article_id(meta, url)
    canonical = fields.canonical_url(meta, url, ident)
    if ident is None and canonical is not None:
        ident = fields.article_id(meta, canonical)
    channel = fields.channel(meta, canonical)
    title = fields.title(meta, dom)
    published = fields.published_at(meta, dom)
    kind = fields.article_type(meta)
    description = fields.description(meta)
    authors = fields.authors(meta, dom)
    modified = fields.modified_at(meta, dom)
    tags = fields.tags(meta, dom)
    body = extract_body(region, dom) if region is not None and dom else None
    pages = body.pages if body else []
    has_text = any(page.paragraphs for page in pages)

    missing = [
        name
        for name, value in (
            ("article_id", ident),
            ("canonical_url", canonical),
            ("channel", channel),
            ("title", title),
            ("published_at", published),
            ("body", has_text),
        )
        if not value
    ]
    if missing:
        problems = f" ({'; '.join(meta.problems)})" if meta.problems else ""
        raise ParseError(f"article page without {', '.join(missing)}{problems}", missing)
    assert body is not None and ident is not None and canonical and channel and title
    assert published is not None
    return Article(
        article_id=ident,
        canonical_url=canonical,
        channel=channel,
        category=fields.category(meta, channel),
        type=kind,
        title=title,
        description=description,
        authors=authors,
        editors=fields.editors(meta),
        published_at=published,
        modified_at=modified,
        tags=tags,
        pages=pages,
        captions=body.captions,
        rules_fired=dict(sorted(body.fired.items())),
    )

"""Article references from feeds, sitemaps and listing pages.

Discovery reads several sources because none can be assumed to stay up; each function here turns
one source kind into `ArticleRef`s: deduplicated by article id (first wins), canonical URLs,
off-site and non-article links dropped. Junk input gives an empty list, never an exception, and
XML is parsed without DTDs, entity expansion or network access.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from parsers.article_dates import parse_iso
from parsers.encodings import decode_document
from parsers.models import ArticleRef
from parsers.text import normalize_space
from parsers.urls import absolute, article_id, canonical_url, host_of, is_allowed_url

log = logging.getLogger(__name__)

MAX_LISTING_BYTES = 50_000_000
_XML_ROOTS = re.compile(r"<(?:[\w-]+:)?(rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.IGNORECASE)
_CURRENT_PAGE = re.compile(r"[?&]page=(\d+)")
_XML_ENCODING = re.compile(r"""^(\s*<\?xml\s[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")
# Character references to UTF-16 surrogates (U+D800-U+DFFF): libxml2's recovery stores them as
# bytes that are not UTF-8, and lxml then raises UnicodeDecodeError on reading the tag or text.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _css(tag: str, css_class: str, attribute: str | None = None) -> str:
    """The XPath step for CSS `tag.css_class[attribute]` (the class as a token)."""
    has_attribute = f"[@{attribute}]" if attribute else ""
    has_class = f"[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]"
    return f"{tag}{has_attribute}{has_class}"


# Listing-page item containers and, inside each, where the link, title and time are: XPath steps
# matched anywhere in the page (`_all`) or inside the item (`_first`), over lxml's tree. With a
# BeautifulSoup tree and CSS selectors, a real home page took 3.5 times as long (99-112 ms, not
# 28-30), and discovery reads dozens of listings every run.
_HTML_ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        _css("article", "articles--iridescent-list--item"),
        (
            _css("a", "articles--iridescent-list--text-item__title-link"),
            "h4//a[@href]",
            "a[@href]",
        ),
    ),
    (
        _css("div", "article-snippet", "data-id"),
        (_css("a", "article-snippet__title-link"), "a[@href]"),
    ),
    (_css("article", "articles--rows--item"), ("h4//a[@href]", "a[@href]")),
)
_PAGE_NUMBERS = _css("li", "simple-pagination__page-number", "data-page")
# Text that `get_text` never counted: the strings of these elements are code or annotations.
_NOT_TEXT = frozenset({"script", "style", "template", "rt", "rp"})


def parse_listing(content: str | bytes, base_url: str) -> list[ArticleRef]:
    """ArticleRefs from any supported source, detected from the content itself."""
    root = _xml_root_name(content)
    if root == "rss" or root == "rdf":
        return parse_rss(content, base_url)
    if root == "feed":
        return parse_atom(content, base_url)
    if root == "urlset":
        return parse_sitemap(content, base_url)
    if root == "sitemapindex":
        return []
    return parse_listing_page(content, base_url)


def parse_rss(content: str | bytes, base_url: str) -> list[ArticleRef]:
    root = _xml(content)
    if root is None:
        return []
    items = (
        (_child_text(item, "link") or _child_text(item, "guid"), item)
        for item in _elements(root, "item")
    )
    return _refs(
        base_url,
        (
            (link, _child_text(item, "title"), _rfc822(_child_text(item, "pubDate")))
            for link, item in items
        ),
    )


def parse_atom(content: str | bytes, base_url: str) -> list[ArticleRef]:
    root = _xml(content)
    if root is None:
        return []
    found = []
    for entry in _elements(root, "entry"):
        links = [link for link in entry if _local(link) == "link"]
        alternate = [link for link in links if link.get("rel", "alternate") == "alternate"]
        href = next((link.get("href") for link in alternate + links if link.get("href")), None)
        when = _child_text(entry, "published") or _child_text(entry, "updated")
        found.append((href, _child_text(entry, "title"), parse_iso(when)))
    return _refs(base_url, found)


def parse_sitemap(content: str | bytes, base_url: str) -> list[ArticleRef]:
    """A `<urlset>` sitemap, Google News extension (news:title, news:publication_date) included."""
    root = _xml(content)
    if root is None:
        return []
    found = []
    for url in _elements(root, "url"):
        news = next((child for child in url if _local(child) == "news"), None)
        title = _child_text(news, "title") if news is not None else None
        when = _child_text(news, "publication_date") if news is not None else None
        found.append(
            (_child_text(url, "loc"), title, parse_iso(when or _child_text(url, "lastmod")))
        )
    return _refs(base_url, found)


def sitemap_lastmods(content: str | bytes) -> dict[int, datetime]:
    """Article id -> `<lastmod>` of a `<urlset>`: the site's own word on when a page changed,
    a change hint for the recheck (only articles with a `<lastmod>` are listed)."""
    root = _xml(content)
    if root is None:
        return {}
    found: dict[int, datetime] = {}
    for url in _elements(root, "url"):
        loc, lastmod = _child_text(url, "loc"), parse_iso(_child_text(url, "lastmod"))
        ident = article_id(loc) if loc else None
        if ident is not None and lastmod is not None:
            found[ident] = max(lastmod, found.get(ident, lastmod))
    return found


def sitemap_children(content: str | bytes) -> list[str]:
    """The child sitemap URLs of a sitemap index, in document order."""
    root = _xml(content)
    if root is None or _local(root) != "sitemapindex":
        return []
    locs = (_child_text(sitemap, "loc") for sitemap in _elements(root, "sitemap"))
    return list(dict.fromkeys(loc for loc in locs if loc))


def parse_listing_page(content: str | bytes, base_url: str) -> list[ArticleRef]:
    """Every article a home, channel, tag or date-index page links to, desktop and mobile.

    An article the page links to is one the monitor must see, wherever the link sits: headline
    sliders, promotion strips, thumbnail links inside snippets, the breaking-news bar, popular
    lists. So every `<a href>` counts, and precision comes from the URL alone (an article URL on
    an allowed host, canonicalised; `_refs` drops the rest). The site's list items are read
    first, in document order, for their title and time; links elsewhere add the articles they
    missed, titled by the first link to that article with a title or text.
    """
    root = _html(content)
    if root is None:
        return []
    found: list[tuple[str | None, str | None, datetime | None]] = []
    for item_selector, link_selectors in _HTML_ITEMS:
        for item in _all(root, item_selector):
            links = (_first(item, selector) for selector in link_selectors)
            link = next((found_link for found_link in links if found_link is not None), None)
            if link is not None:
                found.append((_href(link), _link_title(link), _item_time(item)))
    anchors = [(link, _href(link)) for link in _all(root, "a[@href]")]
    articles = [
        (link, href, ident)
        for link, href in anchors
        if href and (ident := article_id(absolute(base_url, href))) is not None
    ]
    titles: dict[int, str] = {}
    for link, _, ident in articles:
        title = normalize_space(_link_title(link) or "")
        if title:
            titles.setdefault(ident, title)
    found.extend((href, titles.get(ident), _item_time(link)) for link, href, ident in articles)
    return _refs(base_url, found)


def next_page_urls(content: str | bytes, base_url: str) -> list[str]:
    """URLs of the pagination pages after the current one (`li.simple-pagination__page-number`)."""
    root = _html(content)
    if root is None:
        return []
    current_match = _CURRENT_PAGE.search(base_url)
    current = int(current_match.group(1)) if current_match else 1
    base = _CURRENT_PAGE.sub("", base_url).rstrip("?&")
    urls: dict[str, None] = {}
    for item in _all(root, _PAGE_NUMBERS):
        number = str(item.get("data-page", "")).strip()
        if not number.isdigit() or int(number) <= current:
            continue
        link = _first(item, "a[@href]")
        href = _href(link) if link is not None else None
        separator = "&" if "?" in base else "?"
        url = absolute(base_url, href) if href else f"{base}{separator}page={number}"
        if is_allowed_url(url, [host_of(base_url)]):
            urls[url] = None
    return list(urls)


def _refs(
    base_url: str, found: Iterable[tuple[str | None, str | None, datetime | None]]
) -> list[ArticleRef]:
    extra_hosts = [host_of(base_url)]
    refs: dict[int, ArticleRef] = {}
    for href, title, when in found:
        if not href:
            continue
        url = absolute(base_url, href)
        ident = article_id(url)
        canonical = canonical_url(url)
        if ident is None or canonical is None or ident in refs:
            continue
        if not is_allowed_url(url, extra_hosts):
            log.debug("dropped off-site link %s", url)
            continue
        clean_title = normalize_space(title) if title else None
        refs[ident] = ArticleRef(
            url=canonical, article_id=ident, title=clean_title or None, published_at=when
        )
    return list(refs.values())


def _as_text(content: str | bytes) -> str:
    return decode_document(content).text if isinstance(content, bytes) else content


def _xml_root_name(content: str | bytes) -> str | None:
    head = _as_text(content[:4096])
    match = _XML_ROOTS.search(head)
    return match.group(1).lower().split(":")[0] if match else None


def _xml(content: str | bytes) -> etree._Element | None:
    """The document root, parsed without DTD loading, entity expansion or network access."""
    if len(content) > MAX_LISTING_BYTES:
        log.warning("listing of %d bytes is over the limit; skipped", len(content))
        return None
    data = _utf8_xml(content) if isinstance(content, str) else content
    data = _CHAR_REF.sub(_no_surrogate, data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        log.warning("unreadable XML listing skipped: %s", exc)
        return None
    return root


def _utf8_xml(text: str) -> bytes:
    """Decoded text back to bytes for lxml, without the declaration's encoding: the text was
    decoded already (HTTP charset first), and lxml would otherwise read the UTF-8 bytes as it."""
    return _XML_ENCODING.sub(r"\1", text, count=1).encode("utf-8")


def _no_surrogate(ref: re.Match[bytes]) -> bytes:
    value = int(ref[1], 16) if ref[1] else int(ref[2])
    return b"&#xFFFD;" if 0xD800 <= value <= 0xDFFF else ref[0]


def _html(content: str | bytes) -> etree._Element | None:
    """The page as libxml2's HTML parser reads it (the parser under BeautifulSoup's "lxml"
    builder, fed the same decoded text); None when there is no element at all."""
    if len(content) > MAX_LISTING_BYTES:
        log.warning("listing page of %d bytes is over the limit; skipped", len(content))
        return None
    parser = etree.HTMLParser(recover=True, no_network=True)
    parser.feed(_as_text(content))
    return parser.close()


def _all(root: etree._Element, step: str) -> list[etree._Element]:
    """Every match in the document, in document order. `//`, not `.//` from the root: what
    follows `</html>` is parsed into a second root (BeautifulSoup kept it in its one tree)."""
    return list(root.xpath(f"//{step}"))


def _first(element: etree._Element, step: str) -> etree._Element | None:
    """The first match inside `element` in document order, as CSS `select_one` gives it."""
    matches = element.xpath(f".//{step}")
    return matches[0] if matches else None


def _local(element: etree._Element) -> str:
    """The tag without namespace or prefix. Split by hand: `etree.QName` raises on the tags that
    recovery leaves in broken XML (`news:` cut short, or a prefix that was never declared)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _elements(root: etree._Element, name: str) -> Iterator[etree._Element]:
    return (element for element in root.iter() if _local(element) == name)


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child) == name:
            text = "".join(child.itertext()).strip()
            return text or None
    return None


def _rfc822(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return parse_iso(value)


def _href(link: etree._Element) -> str | None:
    href = link.get("href")
    return href if isinstance(href, str) and href.strip() else None


def _link_title(link: etree._Element) -> str | None:
    title = link.get("title")
    return title if isinstance(title, str) and title.strip() else _text(link)


def _text(element: etree._Element) -> str:
    """The element's text pieces joined by spaces, as BeautifulSoup's `get_text(" ")`: comments,
    processing instructions and the contents of `_NOT_TEXT` elements left out, their tails kept.
    A loop, not recursion: a hostile page may nest thousands of elements in a link."""
    pieces: list[str] = []
    todo: list[etree._Element | str] = [element] if _is_text(element) else []
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        if item.text:
            pieces.append(item.text)
        for child in reversed(item):
            if child.tail:
                todo.append(child.tail)
            if _is_text(child):
                todo.append(child)
    return " ".join(pieces)


def _is_text(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and element.tag not in _NOT_TEXT


def _item_time(item: etree._Element) -> datetime | None:
    stamp = _first(item, "time[@datetime]")
    value = stamp.get("datetime") if stamp is not None else None
    return parse_iso(value) if isinstance(value, str) else None

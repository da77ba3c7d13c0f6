"""The article text: pages of paragraphs, captions apart, boilerplate removed by named rules.

Works on the article region's soup for every template: desktop pages
(`article-content-body__item-page[data-page][data-title]`), mobile pages
(`article-content-body__item` + `article-raw-content`), single-page bodies and photo-gallery
articles (`article-short-desc`).

The paragraph rule, as in a browser's rendering:
- Whitespace in the HTML source is one space, wherever it is: newlines, indentation, tabs and
  CRLF, inside a text node, between inline tags (`<a>`, `<b>`, `<span>`...) or around them. A
  newline in the source never starts a paragraph; NBSP, zero-width marks and control characters
  are normalised with it (parsers.text).
- Only a block element (`<p>`, `<div>`, `<li>`, headings...: `_BLOCKS` and `_CONTAINERS`) and an
  explicit `<br>` end a paragraph. Inline runs between blocks form a paragraph of their own.
- The walk over the body is iterative, so a body nested thousands of elements deep parses.
How the words are split into paragraphs is not content (see warehouse.normalize): a paragraph
split in two or a `<br>` that became a `<p>` does not make a new version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from bs4 import NavigableString, PageElement, Tag

from parsers.article_dom import DomIndex, is_live
from parsers.boilerplate import dom_rule_for, line_rule_for, page_rule_for
from parsers.models import Page
from parsers.text import normalize_space

_BODY = (
    "div.article-content-body",
    "div.article-short-desc",
    "div.read-page--photo-gallery--content",
)
_DESKTOP_PAGE = "div.article-content-body__item-page"
_MOBILE_PAGE = "div.article-content-body__item"
_PAGE_TITLE = "h2.article-content-body__item-title"
_TEXT_PARTS = (
    "div.article-content-body__item-content",
    "div.article-raw-content",
    "div.article-short-desc",
)
_CAPTIONS = (
    "figcaption",
    ".article-photo-gallery--item__description",
    ".read-page--photo-gallery--item__caption",
    ".article-gallery-slider__caption",
    ".article-gallery-slider__description",
)
_MEDIA = (
    "figure",
    "picture",
    "img",
    "svg",
    "video",
    "audio",
    ".article-photo-gallery--item",
    ".read-page--photo-gallery--item",
    ".article-gallery-slider",
)
# fmt: off
_BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "td", "th",
    "caption", "address",
})
_CONTAINERS = frozenset({
    "div", "section", "article", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr",
    "main", "aside", "header", "footer", "center", "form", "figure", "details", "summary",
})
_DROPPED_TAGS = frozenset({
    "script", "style", "noscript", "template", "button", "input", "select", "textarea",
})
# fmt: on
# What a `<br>` leaves in an inline run; source text carrying this character gets a space instead.
_BREAK = "\u2029"


@dataclass
class Body:
    pages: list[Page] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    fired: Counter[str] = field(default_factory=Counter)


def extract_body(region: Tag, index: DomIndex) -> Body:
    """Pages and captions of the article in `region`; `region` is modified (boilerplate removed)."""
    body = Body()
    containers = _top_level(index.select(*_BODY))
    if not containers:
        fallback = region.find(itemprop="articleBody")
        containers = [fallback] if isinstance(fallback, Tag) else []
    for container in containers:
        _strip_dom_boilerplate(container, body.fired)
    body.captions = _take_captions(index)
    for media in index.select(*_MEDIA):
        if is_live(media):
            media.decompose()
    for container in containers:
        if is_live(container):  # a body nested in a removed gallery went with it
            body.pages.extend(_pages(container, index, body.fired))
    return body


def _top_level(elements: list[Tag]) -> list[Tag]:
    """Drop elements nested inside another element of the list (a body inside a body)."""
    chosen: list[Tag] = []
    for element in elements:
        if not any(parent in chosen for parent in element.parents):
            chosen.append(element)
    return chosen


def _strip_dom_boilerplate(container: Tag, fired: Counter[str]) -> None:
    for element in container.find_all(True):
        if not is_live(element):
            continue
        rule = dom_rule_for(element)
        if rule is not None:
            element.decompose()
            fired[rule.name] += 1


def _take_captions(index: DomIndex) -> list[str]:
    captions: list[str] = []
    for element in index.select(*_CAPTIONS):
        if not is_live(element):
            continue
        text = normalize_space(element.get_text(" "))
        if text:
            captions.append(text)
        element.decompose()
    return captions


def _pages(container: Tag, index: DomIndex, fired: Counter[str]) -> list[Page]:
    parts = (
        index.select(_DESKTOP_PAGE, within=container)
        or index.select(_MOBILE_PAGE, within=container)
        or [container]
    )
    pages: list[Page] = []
    for part in parts:
        if not is_live(part):  # broken markup nested this page in a heading already consumed
            continue
        title = _page_title(part, index)
        closing = line_rule_for(title) if title else None
        if closing is not None and closing.truncate:
            fired[closing.name] += 1
            break
        paragraphs = _page_paragraphs(part, index, fired)
        if not paragraphs:
            rule = page_rule_for(title) if title else None
            if rule is not None:
                fired[rule.name] += 1
                continue
            if not title:
                continue
        pages.append(Page(title=title if pages else "", paragraphs=paragraphs))
    return pages


def _page_title(part: Tag, index: DomIndex) -> str:
    headings = index.select(_PAGE_TITLE, within=part)
    heading_text = normalize_space(headings[0].get_text(" ")) if headings else ""
    for heading in headings[:1]:
        heading.decompose()
    declared = part.get("data-title")
    declared_text = normalize_space(declared) if isinstance(declared, str) else ""
    return declared_text or heading_text


def _page_paragraphs(part: Tag, index: DomIndex, fired: Counter[str]) -> list[str]:
    text_parts = index.select(*_TEXT_PARTS, within=part) or [part]
    paragraphs: list[str] = []
    for text_part in _top_level(text_parts):
        for paragraph in _paragraphs(text_part):
            rule = line_rule_for(paragraph)
            if rule is None:
                paragraphs.append(paragraph)
                continue
            fired[rule.name] += 1
            if rule.truncate:
                return paragraphs
    return paragraphs


def _paragraphs(node: Tag) -> list[str]:
    """The paragraphs of `node`: one per block element or `<br>`-separated run of inline text.

    An explicit stack instead of recursion: nesting depth is whatever the page says it is.
    Each level remembers whether it is a block, whose end closes the paragraph.
    """
    paragraphs: list[str] = []
    inline: list[str] = []

    def flush() -> None:
        if inline:
            paragraphs.extend(_split_lines("".join(inline)))
            inline.clear()

    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(node.children), True)]
    while stack:
        children, block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if block:
                flush()
        elif isinstance(child, Tag):
            name = child.name
            if name == "br":
                inline.append(_BREAK)
            elif name not in _DROPPED_TAGS:
                is_block = name in _BLOCKS or name in _CONTAINERS
                if is_block:
                    flush()
                stack.append((iter(child.children), is_block))
        elif type(child) is NavigableString:
            inline.append(child.replace(_BREAK, " "))
    return paragraphs


def _split_lines(text: str) -> list[str]:
    """Paragraphs of an inline run: split at `<br>` only, whitespace collapsed to one space."""
    return [line for line in (normalize_space(part) for part in text.split(_BREAK)) if line]

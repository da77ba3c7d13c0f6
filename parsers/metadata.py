"""Machine-readable metadata of a page: meta tags, JSON-LD and the `window.kmklabs.*` objects.

These are read with regular expressions from the raw HTML, before any DOM is built: they are the
most stable part of a Liputan6 page across template changes, and reading them by regex lets the
DOM parser work on the small article region only. A malformed block is skipped and named in
`problems`, never raised.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_JSON_LD = re.compile(
    r"""<script\b[^>]*type\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script>""",
    re.IGNORECASE | re.DOTALL,
)
_KMKLABS = re.compile(r"window\.kmklabs\.(article|channel|category|gtm)\s*=(?!=)\s*(?=\{)")
_PAGE_TYPE = re.compile(r"""window\.kmklabs\.pageType\s*=(?!=)\s*["']([A-Za-z]+)["']""")
_DATA_ARTICLE_ID = re.compile(r"""data-article-id\s*=\s*["']?(\d{1,12})""")
# Strings (either quote) and braces: enough of JavaScript's lexer to find where an object ends.
_JS_TOKEN = re.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{}]""", re.DOTALL)
_MAX_OBJECT = 500_000


@dataclass(frozen=True)
class PageMetadata:
    """Everything a page declares about itself outside the visible DOM."""

    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    json_ld: list[dict[str, Any]] = field(default_factory=list)
    kmklabs: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_type: str | None = None
    data_article_id: int | None = None
    problems: list[str] = field(default_factory=list)

    def meta_value(self, *keys: str) -> str | None:
        """The first non-empty meta content among `keys` (names or properties, lower case)."""
        for key in keys:
            value = self.meta.get(key, "").strip()
            if value:
                return value
        return None

    def km(self, obj: str, *path: str) -> Any:
        """`window.kmklabs.<obj>.<path...>`, or None."""
        value: Any = self.kmklabs.get(obj, {})
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def ld(self, key: str) -> Any:
        """The first JSON-LD article object's `key`, or None."""
        for item in self.json_ld:
            if item.get(key) not in (None, "", []):
                return item[key]
        return None


def read_metadata(page: str) -> PageMetadata:
    problems: list[str] = []
    head_end = page.find("</head>")
    head = page[: head_end if head_end > 0 else 400_000]
    return PageMetadata(
        meta=_meta_tags(head),
        canonical=_canonical_link(head),
        json_ld=_json_ld(page, problems),
        kmklabs=_kmklabs(page, problems),
        page_type=_page_type(page),
        data_article_id=_data_article_id(page),
        problems=problems,
    )


def _attributes(tag: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR.finditer(tag):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        attrs.setdefault(name, html.unescape(value))
    return attrs


def _meta_tags(head: str) -> dict[str, str]:
    """name/property (lower case) -> content; the first occurrence wins."""
    found: dict[str, str] = {}
    for match in _META_TAG.finditer(head):
        attrs = _attributes(match.group(0))
        key = attrs.get("property") or attrs.get("name")
        if key and "content" in attrs:
            found.setdefault(key.lower(), attrs["content"])
    return found


def _canonical_link(head: str) -> str | None:
    for match in _LINK_TAG.finditer(head):
        attrs = _attributes(match.group(0))
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            return attrs["href"].strip()
    return None


def _json_ld(page: str, problems: list[str]) -> list[dict[str, Any]]:
    """Article objects from every JSON-LD block, whether bare, in a list or in an `@graph`."""
    articles: list[dict[str, Any]] = []
    for match in _JSON_LD.finditer(page):
        try:
            data = _load_json(match.group(1).strip())
        except ValueError as exc:
            problems.append(f"malformed JSON-LD: {exc}")
            log.warning("skipped a malformed JSON-LD block: %s", exc)
            continue
        articles.extend(_article_objects(data))
    return articles


def _load_json(text: str) -> Any:
    """`json.loads`, with nesting too deep for the decoder reported as malformed JSON.

    The decoder recurses once per level and stops at the interpreter's recursion limit (real
    metadata nests fewer than ten levels); everything that walks the result afterwards does so
    with a stack, never by recursion.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to decode") from None


def _article_objects(data: Any) -> list[dict[str, Any]]:
    """Article objects in page order, walked with a stack (lists and `@graph` nest freely)."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict) and "@graph" in item:
            stack.append(item["@graph"])
        elif isinstance(item, dict) and _is_article(item):
            found.append(item)
    return found


def _is_article(data: dict[str, Any]) -> bool:
    kind = data.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.endswith("Article") for k in kinds) or "headline" in data


def _kmklabs(page: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    objects: dict[str, dict[str, Any]] = {}
    for match in _KMKLABS.finditer(page):
        name = match.group(1)
        if name in objects:
            continue
        text = _balanced_object(page, match.end())
        if text is None:
            problems.append(f"unterminated window.kmklabs.{name}")
            log.warning("skipped window.kmklabs.%s: no closing brace", name)
            continue
        try:
            value = _load_json(text)
        except ValueError as exc:
            problems.append(f"malformed window.kmklabs.{name}: {exc}")
            log.warning("skipped malformed window.kmklabs.%s: %s", name, exc)
            continue
        if isinstance(value, dict):
            objects[name] = value
    return objects


def _balanced_object(page: str, start: int) -> str | None:
    """The `{...}` literal starting at `start`, braces inside strings ignored; None if unclosed."""
    depth = 0
    for token in _JS_TOKEN.finditer(page, start, min(len(page), start + _MAX_OBJECT)):
        text = token.group(0)
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
            if depth == 0:
                return page[start : token.end()]
    return None


def _page_type(page: str) -> str | None:
    match = _PAGE_TYPE.search(page)
    return match.group(1) if match else None


def _data_article_id(page: str) -> int | None:
    match = _DATA_ARTICLE_ID.search(page)
    return int(match.group(1)) if match else None

"""Cut the article out of a page before building a DOM.

Most of a 320 KB Liputan6 page is scripts, styles, menus and ad code; the article is 20-40 KB.
Finding the article's first element and the tag list after the body by string search, then
dropping scripts, styles and comments from that slice, lets BeautifulSoup parse a tenth of the
page. Class names also occur in CSS and JavaScript, so a hit counts only inside a start tag.

The slice is capped (`MAX_REGION_TAGS`, `MAX_REGION_CHARS`, 15-50 times the largest real article):
the DOM builder costs per element, and a page under the 5 MB fetch cap can hold a million of
them. A longer region is cut at the cap (the DOM builder closes what is left open) and the
parser reports it (`rules_fired["region_truncated"]`), so the article keeps its first part and
the cut is visible in the run report.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_START_MARKERS = (
    "read-page--core-article",
    "read-page--header",
    "read-page-box__author",
    "article-header",
    "article-content-body",
    "article-short-desc",
    "article-gallery-slider",
)
_END_MARKERS = ("tags--snippet", "tags--topics", "read-page--tags", "tag-list")
_AFTER_END = "</ul>"
MAX_REGION_TAGS = 5_000
MAX_REGION_CHARS = 1_000_000
# The slice before scripts and styles are dropped (real ones are 20-40 KB) is cut at that size.
_MAX_RAW_REGION = MAX_REGION_CHARS
# Elements that never carry article text: dropped from the slice so the DOM builder skips them.
# (Captions live in their own elements, not in <img alt>.) They are removed without a trace, as a
# browser renders them: a comment or an icon inside a word must not split it in two. An empty
# inline element that held whitespace leaves one space (`<span> </span>` separates two words).
_UNWANTED = re.compile(
    r"<(?:script\b.*?</script\s*>|style\b.*?</style\s*>|noscript\b.*?</noscript\s*>"
    r"|svg\b.*?</svg\s*>|!--.*?-->|(?:img|source|meta|link|input)\b[^>]*>"
    r"|(?:i|span)\b[^>]*>(\s*)</(?:i|span)\s*>|/?picture\b[^>]*>"
    r"|a\b[^>]*\bclass\s*=\s*[\"']?[^\"'>]*share[^>]*>.*?</a\s*>)",
    re.IGNORECASE | re.DOTALL,
)


def _unwanted(match: re.Match[str]) -> str:
    return " " if match.group(1) else ""


class Region(NamedTuple):
    html: str
    truncated: bool  # cut at one of the caps


def article_region(page: str) -> Region | None:
    """The HTML from the article's first element to the end of its tag list, without scripts,
    within the caps.

    None when no article element is found in the markup.
    """
    body = max(page.find("<body"), 0)  # the head's CSS names the same classes
    starts = [pos for pos in (_in_tag(page, marker, body) for marker in _START_MARKERS) if pos >= 0]
    if not starts:
        return None
    start = min(starts)
    end = len(page)
    ends = [pos for pos in (_in_tag(page, marker, start) for marker in _END_MARKERS) if pos >= 0]
    if ends:
        close = page.find(_AFTER_END, min(ends))
        end = close + len(_AFTER_END) if close >= 0 else end
    raw_cut = end - start > _MAX_RAW_REGION
    html, cut = _capped(_UNWANTED.sub(_unwanted, page[start : min(end, start + _MAX_RAW_REGION)]))
    return Region(html, raw_cut or cut)


def _capped(region: str) -> tuple[str, bool]:
    """`region` cut before its `MAX_REGION_TAGS`-th tag or at `MAX_REGION_CHARS`; True if cut.

    A cut never falls inside a tag (it moves back to the tag's `<`).
    """
    end = min(len(region), MAX_REGION_CHARS)
    if region.count("<", 0, end) > MAX_REGION_TAGS:
        end = -1
        for _ in range(MAX_REGION_TAGS):
            end = region.find("<", end + 1)
    if end == len(region):
        return region, False
    opened = region.rfind("<", 0, end)
    if opened > region.rfind(">", 0, end):
        end = opened
    return region[:end], True


def _in_tag(page: str, marker: str, start: int = 0) -> int:
    """Position of the `<` of the first start tag whose attributes contain `marker`, or -1."""
    pos = page.find(marker, start)
    while pos >= 0:
        open_at = page.rfind("<", start, pos)
        tag_name = page[open_at + 1 : open_at + 7].lower() if open_at >= 0 else ""
        in_start_tag = tag_name[:1].isalpha() and page.rfind(">", open_at, pos) < 0
        if in_start_tag and not tag_name.startswith("script") and not _in_script(page, pos):
            return open_at
        pos = page.find(marker, pos + len(marker))
    return -1


def _in_script(page: str, pos: int) -> bool:
    """True when `pos` lies inside a <script> element (markup in a JavaScript string)."""
    opened = page.rfind("<script", 0, pos)
    return opened >= 0 and page.find("</script", opened, pos) < 0

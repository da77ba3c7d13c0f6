"""Where each page lives in the site, and links between pages that work from any folder.

Every link is relative to the page it sits on, so the site can be served under any path or opened
straight from disk; only feeds use absolute links, and only when a public base URL is set.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections.abc import Iterable

from parsers.urls import is_allowed_url

INDEX = "index.html"
HEADLINES = "kinds/headlines.html"
REMOVALS = "kinds/removals.html"
TOPICS = "topics/index.html"
ARCHIVE = "archive/index.html"
FEED_ALL = "feeds/all.xml"
FEED_HEADLINES = "feeds/headlines.xml"
FEED_REMOVALS = "feeds/removals.xml"
_UNSAFE = re.compile(r"[^a-z0-9]+")


def numbered(path: str, number: int) -> str:
    """Page `number` of a paginated list: `index.html`, `index-2.html`, ..."""
    if number == 1:
        return path
    stem, ext = posixpath.splitext(path)
    return f"{stem}-{number}{ext}"


def chunk_page(path: str, chunk: int) -> str:
    """A page of a list cut at fixed positions: `index-p3.html` holds changes 600 to 799."""
    stem, ext = posixpath.splitext(path)
    return f"{stem}-p{int(chunk)}{ext}"


def article(article_id: int) -> str:
    return f"articles/{int(article_id)}.html"


def change_anchor(change_id: int) -> str:
    return f"change-{int(change_id)}"


def archive_month(month: str) -> str:
    return f"archive/{month}.html"


def topic_slug(topic: str) -> str:
    """A file-name-safe slug; a topic whose name needed changing gets a hash so two stay apart."""
    slug = _UNSAFE.sub("-", topic.lower()).strip("-")[:60]
    if slug != topic or not slug:
        slug = f"{slug or 'topic'}-{hashlib.sha256(topic.encode()).hexdigest()[:8]}"
    return slug


def topic_page(topic: str) -> str:
    return f"topics/{topic_slug(topic)}.html"


def topic_feed(topic: str) -> str:
    return f"feeds/topic-{topic_slug(topic)}.xml"


def relative(from_page: str, to_page: str) -> str:
    """The link from one page of the site to another."""
    path, _, fragment = to_page.partition("#")
    link = _relpath(path, posixpath.dirname(from_page) or ".")
    return f"{link}#{fragment}" if fragment else link


@functools.lru_cache(maxsize=4096)
def _relpath(path: str, start: str) -> str:
    """Cached: every page links to the same few pages, and relpath costs a third of rendering
    an article page."""
    return posixpath.relpath(path, start)


def live_url(url: str, extra_hosts: Iterable[str]) -> str | None:
    """The article's URL when it may be linked: http(s) on Liputan6 or a configured host."""
    return url if is_allowed_url(url, extra_hosts) else None

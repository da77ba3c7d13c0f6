"""Why a fetch failed, in a few categories an operator can act on.

"network_error" says nothing about what to do next: a DNS failure means the machine is offline
or the host name is wrong, a refused connection means the site is down, a 403 challenge page
means a bot wall. Every failed attempt gets one of these categories in `fetch_log.cause`, and a
failed run names the dominant one.
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import Literal

import httpx

FailureCause = Literal[
    "dns",
    "connection",
    "tls",
    "timeout",
    "bot_wall",
    "robots_disallowed",
    "robots_unreachable",
    "host_not_allowed",
    "too_large",
    "not_html",
    "http_error",
    "redirect",
    "bad_response",
]

CAUSE_LABELS: dict[str, str] = {
    "dns": "DNS",
    "connection": "connection refused or reset",
    "tls": "TLS",
    "timeout": "timeout",
    "bot_wall": "bot wall",
    "robots_disallowed": "disallowed by robots.txt",
    "robots_unreachable": "robots.txt unreachable",
    "host_not_allowed": "host not allowed",
    "too_large": "too large",
    "not_html": "not HTML",
    "http_error": "HTTP error",
    "redirect": "redirect",
    "bad_response": "bad response",
}

BOT_WALL_STATUSES = frozenset({403, 429, 503})
_DNS_WORDS = re.compile(
    r"name or service not known|nodename nor servname|temporary failure in name resolution|"
    r"no address associated|getaddrinfo",
    re.IGNORECASE,
)
_CHALLENGE_WORDS = re.compile(
    rb"captcha|challenge|verify you are (?:a )?human|just a moment|access denied|"
    rb"attention required|are you a robot|ddos protection|cf-chl",
    re.IGNORECASE,
)
_ARTICLE_MARKUP = re.compile(rb"<article\b|application/ld\+json|og:type", re.IGNORECASE)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from (httpx wraps httpcore wraps OSError)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify_exception(exc: BaseException) -> FailureCause:
    """The category of a transport error raised by httpx (or the fetch's own deadline)."""
    chain = _chain(exc)
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        _DNS_WORDS.search(str(e)) for e in chain
    ):
        return "dns"
    if any(isinstance(e, ssl.SSLError | ssl.CertificateError) for e in chain):
        return "tls"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    if any("ssl" in type(e).__name__.lower() or "certificate" in str(e).lower() for e in chain):
        return "tls"
    return "connection"


def is_bot_wall(status: int | None, content_type: str | None, body: bytes | None) -> bool:
    """A 403 HTML page without article markup, or a 429/503 page that names a challenge.

    A plain 503 ("<h1>503</h1>") is a server in trouble, not a wall, so 429 and 503 need words
    such as "captcha" or "just a moment"; a 403 HTML page that is not an article is enough.
    """
    if status not in BOT_WALL_STATUSES or not body:
        return False
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    looks_html = mime in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<"
    if not looks_html or _ARTICLE_MARKUP.search(body):
        return False
    return status == 403 or bool(_CHALLENGE_WORDS.search(body))


def status_cause(status: int | None, content_type: str | None, body: bytes | None) -> FailureCause:
    return "bot_wall" if is_bot_wall(status, content_type, body) else "http_error"

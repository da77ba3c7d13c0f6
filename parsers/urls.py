"""Article URLs: one canonical URL per article id, and the host allow-list.

Every tracker that forgot to strip `utm_*`, `?page=N` or the `m.` host ended up with duplicate
articles. Here the numeric id after `/read/` is the identity, and all known variants of a URL
(mobile, AMP, Hot channel, legacy channel subdomains) collapse onto one canonical form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

SITE_DOMAIN = "liputan6.com"
WWW = "www.liputan6.com"
HOT = "hot.liputan6.com"

_ARTICLE_PATH = re.compile(
    r"^/(?:(?P<channel>[A-Za-z0-9_-]+)/)?read/(?P<id>\d{1,12})(?:/(?P<slug>[^/?#]*))?"
)
_AMP_PATH = re.compile(r"^/amp/(?P<id>\d{1,12})(?:/(?P<slug>[^/?#]*))?")
# Hosts that serve the same articles as www, or that are not article hosts at all.
_SAME_AS_WWW = {"www", "m", ""}
_NOT_CHANNEL_HOSTS = {"feed", "cdn", "static", "assets"}


def _split(url: str):
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return None
    return parts, host


def _subdomain(host: str) -> str | None:
    """The label before liputan6.com ("" for the bare domain), or None for other hosts."""
    if host == SITE_DOMAIN:
        return ""
    if host.endswith("." + SITE_DOMAIN):
        return host[: -len(SITE_DOMAIN) - 1]
    return None


def article_id(url: str) -> int | None:
    """The numeric article id in an article URL, or None when the URL is not an article's."""
    split = _split(url)
    if split is None:
        return None
    parts, host = split
    if parts.scheme not in ("http", "https") or not host:
        return None
    if _subdomain(host) in _NOT_CHANNEL_HOSTS:
        return None
    match = _ARTICLE_PATH.match(parts.path) or _AMP_PATH.match(parts.path)
    return int(match.group("id")) if match else None


def is_article_url(url: str) -> bool:
    return article_id(url) is not None


def canonical_url(url: str) -> str | None:
    """The one URL an article is known by, or None when `url` is not an article URL.

    Liputan6 hosts map to `https://www.liputan6.com/<channel>/read/<id>/<slug>` (Hot channel
    articles to `https://hot.liputan6.com/read/<id>/<slug>`). Any other host is a mirror (the
    sample site, a proxy): its scheme and host are kept and only the path is normalised.
    """
    split = _split(url)
    if split is None or article_id(url) is None:
        return None
    parts, host = split
    amp = _AMP_PATH.match(parts.path)
    match = amp or _ARTICLE_PATH.match(parts.path)
    assert match is not None
    ident, slug = match.group("id"), (match.group("slug") or "").strip()
    tail = f"{ident}/{slug}" if slug else ident
    channel = None if amp else match.group("channel")
    sub = _subdomain(host)
    if sub is None:
        netloc = parts.netloc.rsplit("@", 1)[-1].lower()
        path = f"/amp/{tail}" if amp else f"/{channel + '/' if channel else ''}read/{tail}"
        return urlunsplit((parts.scheme, netloc, path, "", ""))
    if sub not in _SAME_AS_WWW:
        channel = sub
    if channel == "hot":
        return f"https://{HOT}/read/{tail}"
    if amp or not channel:
        return f"https://{WWW}/amp/{tail}" if amp else f"https://{WWW}/read/{tail}"
    return f"https://{WWW}/{channel.lower()}/read/{tail}"


def channel_from_url(url: str) -> str | None:
    """The channel slug a URL names, if it names one (AMP URLs do not)."""
    canonical = canonical_url(url)
    if canonical is None:
        return None
    split = _split(canonical)
    assert split is not None
    parts, host = split
    if host == HOT:
        return "hot"
    match = _ARTICLE_PATH.match(parts.path)
    return match.group("channel") if match and match.group("channel") else None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def host_of(url: str) -> str:
    """`host[:port]` in lower case (IPv6 in brackets), or "" when the URL cannot be split."""
    split = _split(url)
    if split is None:
        return ""
    parts, host = split
    return f"{_bracketed(host)}:{parts.port}" if parts.port else _bracketed(host)


def allow_entry(url: str) -> str:
    """The allow-list entry for `url`'s origin: `host:effective-port`, e.g. `127.0.0.1:80`,
    `[::1]:8080`; "" when the URL has no host. The scheme's default port is made explicit, so
    `http://127.0.0.1` does not also allow `https://127.0.0.1` (port 443)."""
    split = _split(url)
    if split is None or not split[1]:
        return ""
    parts, host = split
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    return f"{_bracketed(host)}:{port}" if port else _bracketed(host)


def _host_and_ports(entry: str) -> tuple[str, set[int]]:
    """An allow-list entry as (host, ports): `host` alone stands for ports 80 and 443."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif entry.count(":") == 1:
        host, port_text = entry.split(":")
    else:
        host, port_text = entry, ""
    if port_text.isdigit():
        return host, {int(port_text)}
    return host, set(_DEFAULT_PORTS.values())


def is_allowed_url(url: str, extra_hosts: Iterable[str] = ()) -> bool:
    """True for http(s) URLs on liputan6.com, its subdomains, or an explicitly listed host.

    `extra_hosts` holds `host` or `host:port` entries (the configured base URL's host). IP
    literals and private addresses pass only when listed there, so a feed cannot point the
    fetcher at 127.0.0.1 or a cloud metadata address.
    """
    split = _split(url)
    if split is None:
        return False
    parts, host = split
    if parts.scheme not in ("http", "https") or not host:
        return False
    if "@" in parts.netloc:  # "https://www.liputan6.com@evil.example/": userinfo hides the host
        return False
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    if _subdomain(host) is not None:
        return port in _DEFAULT_PORTS.values()
    for entry in extra_hosts:
        allowed_host, ports = _host_and_ports(entry)
        if allowed_host == host and port in ports:
            return True
    return False


def absolute(base: str, href: str) -> str:
    """`href` resolved against `base`, without its fragment.

    An href that cannot be a URL (a broken IPv6 literal such as `http://[zz::/`) resolves to "",
    which no allow-list accepts: one bad link in a feed must cost that link, not the feed.
    """
    try:
        return urljoin(base, href.strip()).split("#", 1)[0]
    except ValueError:
        return ""

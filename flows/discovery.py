"""Discovery: which article URLs exist right now, from every listing the site offers.

No single source can be trusted to stay up (feeds go stale, the date index may turn client-side),
so several are read and each reports its own counts: a source that suddenly finds nothing is how
a dead feed or a changed listing shows up. Links are checked against the allow-list before they
are kept or followed, so a feed carrying `http://169.254.169.254/` costs nothing but a count.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from config.settings import Settings
from flows.fetch_records import fetch_attempts
from flows.fetching import Fetcher, FetchRequest, FetchResult
from flows.run_verdict import ListingFetch
from parsers.listings import next_page_urls, parse_listing, sitemap_children
from parsers.models import ArticleRef, ExtractionError
from parsers.urls import absolute, article_id, canonical_url, is_allowed_url
from warehouse.records import FetchAttempt

logger = logging.getLogger(__name__)

SOURCES = ("rss", "sitemap", "home", "channels", "index")
SITE_TIMEZONE = ZoneInfo("Asia/Jakarta")  # the date index is by WIB date
MAX_INDEX_PAGES = 200  # per day and listing: 4,000 articles, far above Liputan6's daily output
MAX_SITEMAPS = 500
_LINKS = re.compile(
    r"""href\s*=\s*["']([^"']+)["']|<(?:link|loc|guid)\b[^>]*>\s*([^<\s]+)\s*<""",
    re.IGNORECASE,
)


@dataclass
class SourceReport:
    """What one source gave: the listing URLs fetched, the article ids found, what went wrong."""

    source: str
    urls_fetched: int = 0
    errors: list[str] = field(default_factory=list)
    article_ids: set[int] = field(default_factory=set)
    dropped_urls: set[str] = field(default_factory=set)  # off-list links seen, never requested
    fetches: list[ListingFetch] = field(default_factory=list)  # how each listing fetch ended
    attempts: list[FetchAttempt] = field(default_factory=list)  # every HTTP attempt, for fetch_log

    @property
    def listings_read(self) -> int:
        return sum(f.ok for f in self.fetches)

    @property
    def found(self) -> int:
        return len(self.article_ids)

    @property
    def dropped_links(self) -> int:
        return len(self.dropped_urls)


@dataclass
class DiscoveryReport:
    refs: list[ArticleRef] = field(default_factory=list)
    sources: dict[str, SourceReport] = field(default_factory=dict)


class _Collector:
    """Fetches listings for one source and keeps the allow-listed article refs they hold."""

    def __init__(self, fetcher: Fetcher, settings: Settings, name: str) -> None:
        self.fetcher = fetcher
        self.allowed = settings.allowed_hosts
        self.report = SourceReport(name)
        self.refs: list[ArticleRef] = []

    def allowed_url(self, url: str) -> bool:
        if is_allowed_url(url, self.allowed):
            return True
        self.report.dropped_urls.add(url)
        logger.warning("%s: dropped link outside the allow-list: %.200s", self.report.source, url)
        return False

    async def fetch(self, urls: Sequence[str]) -> list[FetchResult]:
        """Fetch listings; failures become errors in the report, successes are returned."""
        urls = [u for u in urls if self.allowed_url(u)]
        results = await self.fetcher.fetch_many([FetchRequest(u, kind="listing") for u in urls])
        self.report.urls_fetched += len(results)
        ok = []
        for result in results:
            self.report.attempts.extend(fetch_attempts(result.attempts))
            fetched = result.outcome == "ok" and result.text is not None
            self.report.fetches.append(
                ListingFetch(result.url, fetched, result.cause, result.error)
            )
            if fetched:
                ok.append(result)
            else:
                error = f"{result.url}: {result.outcome}: {result.error or result.status}"
                self.report.errors.append(error)
                logger.warning("%s: listing skipped: %s", self.report.source, error)
        return ok

    def collect(self, result: FetchResult) -> None:
        """Keep the article refs of one listing page, and count the links it should not have."""
        base = result.final_url or result.url
        suspicious = _suspicious_links(result.text or "", base, self.allowed)
        if suspicious:
            self.report.dropped_urls.update(suspicious)
            logger.warning(
                "%s: %s carries %d off-site or IP-address links, dropped: %s",
                self.report.source,
                result.url,
                len(suspicious),
                ", ".join(suspicious[:5]),
            )
        try:
            refs = parse_listing(result.text or "", base)
        except (ExtractionError, ValueError) as exc:
            self.report.errors.append(f"{result.url}: unreadable listing: {exc}")
            logger.warning("%s: unreadable listing %s: %s", self.report.source, result.url, exc)
            return
        for ref in refs:
            if self.allowed_url(ref.url):
                url = canonical_url(ref.url) or ref.url
                self.refs.append(ref.model_copy(update={"url": url}))
                self.report.article_ids.add(ref.article_id)

    async def fetch_and_collect(self, urls: Sequence[str]) -> None:
        for result in await self.fetch(urls):
            self.collect(result)

    async def paginate(self, first_url: str, max_pages: int = MAX_INDEX_PAGES) -> None:
        """Follow a paginated listing breadth-first from its first page, at most `max_pages`."""
        seen = {first_url}
        frontier = [first_url]
        while frontier:
            results = await self.fetch(frontier)
            frontier = []
            for result in results:
                self.collect(result)
                base = result.final_url or result.url
                for url in next_page_urls(result.text or "", base):
                    if url in seen or not self.allowed_url(url):
                        continue
                    if len(seen) >= max_pages:
                        self.report.errors.append(f"{first_url}: stopped at {max_pages} pages")
                        return
                    seen.add(url)
                    frontier.append(url)


async def _rss(c: _Collector, settings: Settings, day: date) -> None:
    feed = settings.feed_base
    await c.fetch_and_collect([f"{feed}/rss", *(f"{feed}/rss/{ch}" for ch in settings.channels)])


async def _sitemap(c: _Collector, settings: Settings, day: date) -> None:
    """The sitemap index (and any nested index) down to its urlsets, plus the news sitemap."""
    base = settings.base_url.rstrip("/")
    seen: set[str] = set()
    frontier = [f"{base}/sitemap.xml", f"{base}/sitemap-news.xml"]
    while frontier and len(seen) < MAX_SITEMAPS:
        frontier = frontier[: MAX_SITEMAPS - len(seen)]
        seen.update(frontier)
        children: list[str] = []
        for result in await c.fetch(frontier):
            c.collect(result)
            try:
                children.extend(sitemap_children(result.text or ""))
            except (ExtractionError, ValueError) as exc:
                c.report.errors.append(f"{result.url}: unreadable sitemap index: {exc}")
        frontier = [u for u in dict.fromkeys(children) if u not in seen and c.allowed_url(u)]
    if frontier:
        c.report.errors.append(f"stopped after {MAX_SITEMAPS} sitemaps")


async def _home(c: _Collector, settings: Settings, day: date) -> None:
    await c.fetch_and_collect([settings.base_url.rstrip("/") + "/"])


async def _channels(c: _Collector, settings: Settings, day: date) -> None:
    base = settings.base_url.rstrip("/")
    await c.fetch_and_collect([f"{base}/{ch}" for ch in settings.channels])


def _index_url(settings: Settings, day: date, channel: str | None = None) -> str:
    prefix = f"/{channel}" if channel else ""
    return f"{settings.base_url.rstrip('/')}{prefix}/indeks/{day:%Y/%m/%d}"


async def _index(c: _Collector, settings: Settings, day: date) -> None:
    """Today's and yesterday's date index: articles published since the last run's day."""
    await asyncio.gather(*(c.paginate(_index_url(settings, d)) for d in (day, day - timedelta(1))))


_SOURCE_READERS = {
    "rss": _rss,
    "sitemap": _sitemap,
    "home": _home,
    "channels": _channels,
    "index": _index,
}


def _suspicious_links(text: str, base_url: str, allowed: Sequence[str]) -> list[str]:
    """Off-list links that look aimed at a crawler: article URLs on other hosts, and any link to
    an IP address (cloud metadata, private networks). The parsers drop them already; counting
    them here makes a poisoned feed visible. Ordinary outbound links (social, ads) are not
    counted, or every home page would raise the alarm."""
    found = []
    for match in _LINKS.finditer(text):
        url = absolute(base_url, match.group(1) or match.group(2))
        if is_allowed_url(url, allowed):
            continue
        if article_id(url) is not None or _is_ip_host(url):
            found.append(url)
    return list(dict.fromkeys(found))


def _is_ip_host(url: str) -> bool:
    try:
        ipaddress.ip_address(urlsplit(url).hostname or "")
    except ValueError:
        return False
    return True


def _merge(collectors: Sequence[_Collector]) -> list[ArticleRef]:
    """One ref per article id, the first seen, except that a later non-AMP URL replaces AMP."""
    merged: dict[int, ArticleRef] = {}
    for collector in collectors:
        for ref in collector.refs:
            first = merged.get(ref.article_id)
            if first is None or (_is_amp(first.url) and not _is_amp(ref.url)):
                merged[ref.article_id] = ref
    return list(merged.values())


def _is_amp(url: str) -> bool:
    return "/amp/" in url


def _report(collectors: Sequence[_Collector]) -> DiscoveryReport:
    return DiscoveryReport(
        refs=_merge(collectors), sources={c.report.source: c.report for c in collectors}
    )


async def discover(
    fetcher: Fetcher,
    settings: Settings,
    sources: Sequence[str] | None = None,
    *,
    today: date | None = None,
) -> DiscoveryReport:
    """Read every configured source concurrently; refs deduplicated by article id.

    `today` picks the date-index pages (default: the current date in WIB, the site's zone).
    """
    names = list(sources if sources is not None else settings.sources)
    unknown = [n for n in names if n not in _SOURCE_READERS]
    if unknown:
        raise ValueError(f"unknown discovery sources {unknown}; known: {list(SOURCES)}")
    day = today or datetime.now(SITE_TIMEZONE).date()
    collectors = [_Collector(fetcher, settings, name) for name in names]
    await asyncio.gather(*(_SOURCE_READERS[c.report.source](c, settings, day) for c in collectors))
    return _report(collectors)


async def backfill(
    fetcher: Fetcher,
    settings: Settings,
    start: date,
    end: date,
    channels: Sequence[str] | None = None,
) -> DiscoveryReport:
    """Every article in the date index from `start` to `end` inclusive (site-wide, or per channel).

    One source report per listing ("index", or "index/<channel>"), so a channel whose index has
    gone quiet stands out.
    """
    if end < start:
        raise ValueError(f"backfill range is empty: {start} > {end}")
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    listings: list[str | None] = list(channels) if channels else [None]
    collectors = [
        _Collector(fetcher, settings, f"index/{ch}" if ch else "index") for ch in listings
    ]

    async def read(collector: _Collector, channel: str | None) -> None:
        await asyncio.gather(*(collector.paginate(_index_url(settings, d, channel)) for d in days))

    await asyncio.gather(*(read(c, ch) for c, ch in zip(collectors, listings, strict=True)))
    return _report(collectors)

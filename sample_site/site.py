"""`SampleSite`: the replica's state, its timeline, and the mapping from request to response.

Rendering is separate from HTTP (see server.py) so the same response bytes can be checked in
tests without a socket, and so determinism is a property of this object alone.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

from sample_site import content, timeline
from sample_site.content import ArticleState, channel_name, slugify
from sample_site.faults import OFFSITE_LINKS, FaultRule, FaultSpec, FaultState, Response
from sample_site.templates import desktop, feeds, listings, mobile, redesign, unknown
from sample_site.templates.blocks import BodyContext
from sample_site.templates.common import PageContext, article_path

HOME_SIZE = 40
CHANNEL_SIZE = 30
FEED_SIZE = 50
INDEX_PAGE_SIZE = 20
TAG_PAGE_SIZE = 20
SITEMAP_PAGE_SIZE = 1000
# Links outside the main list, per listing page: slider, photo and video strips, promoted
# sidebar, popular list (the real 2021 home pages carry about this many of each).
SLIDER_SIZE = 5
STRIP_SIZE = 4
PROMOTED_SIZE = 3
POPULAR_SIZE = 5
NEWS_SITEMAP_DAYS = 2
_ARTICLE = re.compile(r"^/(?P<channel>[a-z0-9-]+)/read/(?P<id>\d+)(?:/(?P<slug>[^/]*))?$")
_INDEX = re.compile(
    r"^(?:/(?P<channel>[a-z0-9-]+))?/indeks/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})$"
)
_MOBILE_UA = re.compile(r"Mobile|Android|iPhone", re.I)
TEMPLATES = {"desktop": desktop.render, "mobile": mobile.render, "redesign": redesign.render}


class SampleSite:
    """A deterministic Liputan6 replica: `articles` articles generated from `seed`."""

    def __init__(
        self,
        articles: int = 200,
        seed: int = 7,
        faults: FaultSpec | None = None,
        base_url: str = "http://127.0.0.1:8000",
        now: datetime | None = None,
    ) -> None:
        self.seed = seed
        self.base_url = base_url.rstrip("/")
        self.now: datetime = (now or content.NOW).replace(microsecond=0)
        self.step = 0
        self.states: dict[int, ArticleState] = content.initial_states(seed, articles, self.now)
        self.changes: list[dict] = []
        self.faults = FaultState(faults or FaultSpec())
        self.request_log: list[tuple[str, str, int]] = []
        self._arrivals = 0
        self._arrival_of: list[int] = []  # beside request_log: each entry's arrival number
        self._lock = threading.RLock()
        self._logged = threading.Condition(self._lock)
        self._listing_cache: dict[tuple, list[ArticleState]] = {}

    # --- timeline -------------------------------------------------------------------------
    def advance(self) -> list[dict]:
        """One step: the clock moves one hour and a deterministic set of changes applies."""
        with self._lock:
            self.step += 1
            self.now += timedelta(hours=1)
            records = timeline.advance(self.seed, self.states, self.step, self.now)
            self.changes.extend(records)
            self._listing_cache.clear()
            return records

    def truth(self) -> dict:
        with self._lock:
            articles = []
            for state in self.states.values():
                title, slug, _, tags = content.meta(self.seed, state)
                articles.append(
                    {
                        "article_id": state.article_id,
                        "url": self.base_url + article_path(state, slug),
                        "status": state.status,
                        "title": title,
                        "channel": state.channel,
                        "tags": list(tags),
                        "topics": list(state.topics),
                        "published_at": state.published_at.isoformat(),
                        "content_hash": content.content_hash(self.seed, state),
                    }
                )
            return {
                "step": self.step,
                "now": self.now.isoformat(),
                "articles": articles,
                "changes": list(self.changes),
            }

    def expected_article(self, article_id: int) -> dict:
        with self._lock:
            return content.expected(self.seed, self.states[article_id])

    def set_faults(self, spec: FaultSpec) -> None:
        self.faults.replace(spec)

    def arrive(self) -> int:
        """Number a request as it arrives. The log is written after the answer is sent, so a
        client can see an answer before its log entry: arrival order is what tells one check's
        requests from those of the check before it."""
        with self._lock:
            self._arrivals += 1
            return self._arrivals - 1

    def arrivals(self) -> int:
        """How many requests have arrived so far: a mark for `requests_since`."""
        with self._lock:
            return self._arrivals

    def log(self, method: str, path: str, status: int, arrival: int | None = None) -> None:
        with self._lock:
            self.request_log.append((method, path, status))
            self._arrival_of.append(self.arrive() if arrival is None else arrival)
            self._logged.notify_all()

    def requests_since(self, mark: int, timeout: float = 5.0) -> list[tuple[str, str, int]]:
        """The requests that arrived after `mark`, once every one of them that arrived so far is
        logged; after `timeout` (a stalled answer is still being sent) those logged by then."""
        with self._logged:
            end = self._arrivals

            def all_logged() -> bool:
                return sum(mark <= a < end for a in self._arrival_of) == end - mark

            self._logged.wait_for(all_logged, timeout)
            return [
                entry
                for entry, arrival in zip(self.request_log, self._arrival_of, strict=True)
                if arrival >= mark
            ]

    # --- listings -------------------------------------------------------------------------
    def live(self, channel: str | None = None) -> list[ArticleState]:
        """Live articles, newest first (optionally of one channel)."""
        with self._lock:
            key = ("live", channel)
            if key not in self._listing_cache:
                states = [
                    s
                    for s in self.states.values()
                    if s.status == "live" and (channel is None or s.channel == channel)
                ]
                states.sort(key=lambda s: (s.published_at, s.article_id), reverse=True)
                self._listing_cache[key] = states
            return self._listing_cache[key]

    def tagged(self, tag_slug: str) -> list[ArticleState]:
        with self._lock:
            return [
                s
                for s in self.live()
                if tag_slug in {slugify(t) for t in content.meta(self.seed, s)[3]}
            ]

    def on_day(self, day: date, channel: str | None) -> list[ArticleState]:
        return [s for s in self.live(channel) if s.published_at.date() == day]

    def item(self, state: ArticleState) -> listings.Item:
        title, slug, description, _ = content.meta(self.seed, state)
        return listings.Item(
            url=self.base_url + article_path(state, slug),
            title=title,
            channel=channel_name(state.channel),
            description=description,
            published_at=state.published_at,
            article_id=state.article_id,
            kind=state.kind,
        )

    def extras(self, shown: set[int]) -> listings.Extras:
        """The blocks around a home, channel or tag list: site-wide, and mostly articles the
        list does not show (the next newest stories, photo and video stories, a popular list
        drawn from the older ones), as on the real site."""
        rest = [s for s in self.live() if s.article_id not in shown]
        text = [s for s in rest if s.kind == "text"]
        pool = text[1 + SLIDER_SIZE + PROMOTED_SIZE : 200]
        rng = random.Random(f"{self.seed}:popular:{self.step}")
        items = self.item
        return listings.Extras(
            breaking=items(text[0]) if text else None,
            slider=[items(s) for s in text[1 : 1 + SLIDER_SIZE]],
            photo_story=[items(s) for s in rest if s.kind == "photo"][:STRIP_SIZE],
            promoted=[items(s) for s in text[1 + SLIDER_SIZE :][:PROMOTED_SIZE]],
            popular=[items(s) for s in rng.sample(pool, min(POPULAR_SIZE, len(pool)))],
            videos=[items(s) for s in rest if s.kind == "video"][:STRIP_SIZE],
        )

    def index_extras(self, day_states: list[ArticleState], shown: set[int]) -> listings.Extras:
        """A date-index page's breaking-news bar and popular list: stories of the same day (and
        channel), those on its other pages first, so a backfill never leaves its date range."""
        ordered = sorted(day_states, key=lambda s: s.article_id in shown)
        items = [self.item(s) for s in ordered[: 1 + POPULAR_SIZE]]
        return listings.Extras(breaking=items[0] if items else None, popular=items[1:])

    # --- responses ------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: dict[str, str], rules: Sequence[FaultRule] = ()
    ) -> Response:
        """The response to a GET/HEAD of `target` (path + query), before transport faults."""
        parts = urlsplit(target)
        path, query = parts.path or "/", parse_qs(parts.query)
        page = _int(query.get("page", ["1"])[0])
        extra = OFFSITE_LINKS if any(r.kind == "offsite_links" for r in rules) else ()
        mobile_view = query.get("m") == ["1"] or bool(
            _MOBILE_UA.search(headers.get("user-agent", ""))
        )
        if path == "/":
            shown = self.live()[:HOME_SIZE]
            return html(
                listings.list_page(
                    "Liputan6.com",
                    [self.item(s) for s in shown],
                    self.base_url,
                    mobile_view,
                    "ChannelPage",
                    extra,
                    extras=self.extras({s.article_id for s in shown}),
                )
            )
        if path == "/robots.txt":
            return text(feeds.robots(self.faults.robots_disallows(), self.base_url), "text/plain")
        if path == "/rss" or path.startswith("/rss/"):
            channel = path[5:] or None
            if channel is not None and channel not in content.vocab.CHANNELS:
                return not_found()
            items = [self.item(s) for s in self.live(channel)[:FEED_SIZE]]
            link = f"{self.base_url}/{channel or ''}"
            return text(
                feeds.rss(f"Liputan6.com {channel or ''}".strip(), link, items, extra),
                "application/rss+xml",
            )
        if path == "/sitemap.xml":
            pages = max(1, -(-len(self.live()) // SITEMAP_PAGE_SIZE))
            locs = [f"{self.base_url}/sitemap_post.xml?page={n}" for n in range(1, pages + 1)]
            locs.append(f"{self.base_url}/sitemap-news.xml")
            return text(feeds.sitemap_index(locs, self.now), "application/xml")
        if path == "/sitemap_post.xml":
            ordered = sorted(self.live(), key=lambda s: s.article_id, reverse=True)
            chunk = ordered[(page - 1) * SITEMAP_PAGE_SIZE : page * SITEMAP_PAGE_SIZE]
            return text(feeds.urlset([self.item(s) for s in chunk], extra), "application/xml")
        if path == "/sitemap-news.xml":
            since = self.now - timedelta(days=NEWS_SITEMAP_DAYS)
            items = [self.item(s) for s in self.live() if s.published_at >= since]
            return text(feeds.news_sitemap(items, extra), "application/xml")
        if path.startswith("/tag/"):
            states = self.tagged(path[5:])
            if not states:
                return not_found()
            return html(
                self._paged_list(
                    f"Tag {path[5:]}", states, path, page, TAG_PAGE_SIZE, mobile_view, extra
                )
            )
        match = _INDEX.match(path)
        if match:
            channel = match.group("channel")
            if channel is not None and channel not in content.vocab.CHANNELS:
                return not_found()
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return not_found()
            states = self.on_day(day, channel)
            pages = max(1, -(-len(states) // INDEX_PAGE_SIZE))
            chunk = states[(page - 1) * INDEX_PAGE_SIZE : page * INDEX_PAGE_SIZE]
            paging = listings.pagination(self.base_url + path, page, pages)
            title = f"Indeks Berita {day.isoformat()}"
            extras = self.index_extras(states, {s.article_id for s in chunk})
            return html(
                listings.index_page(
                    title, [self.item(s) for s in chunk], self.base_url, paging, extra, extras
                )
            )
        match = _ARTICLE.match(path)
        if match:
            return self._article(
                int(match["id"]), match["channel"], headers, rules, mobile_view, extra
            )
        channel = path.strip("/")
        if channel in content.vocab.CHANNELS:
            shown = self.live(channel)[:CHANNEL_SIZE]
            name = f"{channel_name(channel)} - Liputan6.com"
            return html(
                listings.list_page(
                    name,
                    [self.item(s) for s in shown],
                    self.base_url,
                    mobile_view,
                    "ChannelPage",
                    extra,
                    extras=self.extras({s.article_id for s in shown}),
                )
            )
        return not_found()

    def _paged_list(self, title, states, path, page, size, mobile_view, extra) -> str:
        pages = max(1, -(-len(states) // size))
        chunk = states[(page - 1) * size : page * size]
        paging = listings.pagination(self.base_url + path, page, pages)
        items = [self.item(s) for s in chunk]
        extras = self.extras({s.article_id for s in chunk})
        return listings.list_page(
            title, items, self.base_url, mobile_view, "TagPage", extra, paging, extras
        )

    def _article(self, article_id, channel, headers, rules, mobile_view, extra) -> Response:
        with self._lock:
            state = self.states.get(article_id)
        if state is None or state.channel != channel:
            return not_found()
        if state.status == "removed":
            return Response(
                302, (("Location", self.base_url + "/"), ("Content-Type", "text/html")), b""
            )
        body = self.render_article(
            state, mobile_view, extra, layout_change=any(r.kind == "layout_change" for r in rules)
        )
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = max(state.modified_at, state.published_at)
        validators = (("ETag", etag), ("Last-Modified", _http_date(modified)))
        if _not_modified(headers, etag, modified):
            return Response(304, validators, b"")
        return Response(200, (("Content-Type", "text/html; charset=utf-8"), *validators), body)

    def render_article(self, state, mobile_view=False, extra=(), layout_change=False) -> bytes:
        body = content.content(self.seed, state)
        related = self._related(state)
        ctx = PageContext(self.base_url, self.seed, tuple(extra))
        cosmetic = random.Random(f"{self.seed}:{state.article_id}:cosmetic:{state.cosmetic_rev}")
        template = "mobile" if mobile_view else state.template
        bc = BodyContext(state, body, ctx, related, cosmetic, template == "mobile")
        render = unknown.render if layout_change else TEMPLATES[template]
        return render(bc).encode("utf-8")

    def _related(self, state: ArticleState) -> tuple[tuple[str, str], ...]:
        """Four earlier articles, with the headline they had when the box was cached."""
        rng = random.Random(f"{self.seed}:{state.article_id}:related:{state.cosmetic_rev}")
        first = content.FIRST_ID
        if state.article_id <= first:
            return ()
        out = []
        for _ in range(4):
            other = self.states.get(rng.randrange(first, state.article_id))
            if other is not None:
                _, slug, _, _ = content.meta(self.seed, other)
                out.append(
                    (
                        self.base_url + article_path(other, slug),
                        content.original_title(self.seed, other),
                    )
                )
        return tuple(out)

    def admin_json(self, value: object) -> Response:
        return text(json.dumps(value, ensure_ascii=False), "application/json")


def _int(value: str) -> int:
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def _not_modified(headers: dict[str, str], etag: str, modified: datetime) -> bool:
    if "if-none-match" in headers:
        tags = {t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")}
        return etag in tags or "*" in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def html(page: str) -> Response:
    return text(page, "text/html")


def text(body: str, content_type: str) -> Response:
    return Response(
        200, (("Content-Type", f"{content_type}; charset=utf-8"),), body.encode("utf-8")
    )


def not_found() -> Response:
    return Response(404, (("Content-Type", "text/html; charset=utf-8"),), b"<h1>404 Not Found</h1>")

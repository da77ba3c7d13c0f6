"""The fetcher's pure decisions: robots rules, Retry-After, back-off, charsets, redirect hops."""

from __future__ import annotations

import asyncio
import gzip
import random
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from flows.fetching import FetchResult
from flows.fetching.limits import BadEncoding, TooLarge, read_capped
from flows.fetching.pacing import HostPacer
from flows.fetching.redirects import RedirectChain
from flows.fetching.retry import RetryPolicy, is_retryable_status, parse_retry_after
from flows.fetching.robots import RobotsAnswer, parse_robots, robots_policy
from parsers.encodings import decode_document

ROBOTS = """\
# a comment
User-agent: *
Disallow: /search
Disallow: /*/print$
Allow: /search/help

User-agent: liputan6-monitor
User-agent: OtherBot
Disallow: /private/
Disallow: /news/*/draft
Allow: /private/ok
"""


def test_robots_uses_our_group_over_the_star_group() -> None:
    rules = parse_robots(ROBOTS, "Liputan6-Monitor")
    assert not rules.allows("/private/x")
    assert rules.allows("/private/ok/1")  # longer Allow wins
    assert not rules.allows("/news/read/123/draft")  # `*` wildcard
    assert rules.allows("/search?q=x")  # the `*` group does not apply to us


def test_robots_star_group_wildcards_anchor_and_tie() -> None:
    rules = parse_robots(ROBOTS, "somebot")
    assert not rules.allows("/search?q=jokowi")
    assert rules.allows("/search/help")
    assert not rules.allows("/news/print")
    assert rules.allows("/news/print/page")  # `$` anchors the end
    assert rules.allows("/robots.txt")
    tie = parse_robots("User-agent: *\nDisallow: /a\nAllow: /a\n", "x")
    assert tie.allows("/a")


def test_robots_empty_disallow_allows_everything() -> None:
    assert parse_robots("User-agent: *\nDisallow:\n", "x").allows("/anything")


@pytest.mark.parametrize(
    ("answer", "allowed"),
    [
        (RobotsAnswer(200, "User-agent: *\nDisallow: /x\n"), False),
        (RobotsAnswer(404, None), True),
        (RobotsAnswer(403, None), True),
        (RobotsAnswer(429, None, "HTTP 429"), False),
        (RobotsAnswer(503, None, "HTTP 503"), False),
        (RobotsAnswer(None, None, "ConnectError"), False),
    ],
)
def test_robots_policy_for_unreadable_files(answer: RobotsAnswer, allowed: bool) -> None:
    assert robots_policy(answer, "liputan6-monitor").allows("/x") is allowed


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now) == pytest.approx(30.0)
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=1.0, max_delay=8.0, rng=random.Random(1))
    for retry, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 8.0)]:
        delays = [policy.backoff(retry) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range, not a fixed step
    assert policy.delay(1, retry_after=12.0) == 12.0


def test_retryable_statuses() -> None:
    assert [s for s in (200, 304, 400, 404, 429, 500, 503, 504) if is_retryable_status(s)] == [
        429,
        500,
        503,
        504,
    ]


TEXT = "Berita ekonomi: harga cabai naik – kata pedagang “mahal”"


def test_charset_header_meta_bom_and_default() -> None:
    utf8 = TEXT.encode()
    assert decode_document(utf8, "text/html; charset=utf-8").text == TEXT
    meta = b'<meta charset="windows-1252">' + "caf\u00e9".encode("cp1252")
    decoded = decode_document(meta, "text/html")
    assert (decoded.text.endswith("caf\u00e9"), decoded.source) == (True, "meta")
    bom = decode_document(b"\xef\xbb\xbf" + utf8, "text/html; charset=iso-8859-1")
    assert (bom.text, bom.source) == (TEXT, "bom")
    assert decode_document(b"abc\xff", None).text == "abc\ufffd"


def test_charset_mislabelled_either_way_is_read_correctly() -> None:
    utf8_as_1252 = decode_document(TEXT.encode(), "text/html; charset=windows-1252")
    assert (utf8_as_1252.text, utf8_as_1252.charset) == (TEXT, "utf-8")
    cp = TEXT.encode("cp1252")
    assert decode_document(cp, "text/html; charset=utf-8").text == TEXT


ALLOWED = ["127.0.0.1:8000"]
BASE = "http://127.0.0.1:8000"


def test_redirect_chain_follows_within_the_allow_list() -> None:
    chain = RedirectChain(f"{BASE}/news/read/1/a", ALLOWED, article=True)
    decision = chain.next(f"{BASE}/news/read/1/a", "/news/read/1/b")
    assert (decision.action, decision.target) == ("follow", f"{BASE}/news/read/1/b")
    assert chain.next(f"{BASE}/news/read/1/b", "https://www.liputan6.com/news/read/1/b").action == (
        "follow"
    )


@pytest.mark.parametrize(
    ("location", "action"),
    [
        ("/", "removed"),
        ("/?utm_source=x", "removed"),
        ("/news", "removed"),
        ("http://evil.example/news/read/1/a", "error"),
        ("http://169.254.169.254/latest/meta-data", "error"),
        ("http://127.0.0.1:1/news/read/1/a", "error"),
        ("ftp://127.0.0.1:8000/news/read/1/a", "error"),
        ("", "error"),
        ("/news/read/1/a", "error"),  # back to the start: a loop
    ],
)
def test_redirect_decisions_for_articles(location: str, action: str) -> None:
    chain = RedirectChain(f"{BASE}/news/read/1/a", ALLOWED, article=True)
    assert chain.next(f"{BASE}/news/read/1/a", location).action == action


def test_redirect_chain_is_bounded_and_listings_may_leave_article_urls() -> None:
    chain = RedirectChain(f"{BASE}/rss", ALLOWED, article=False, max_hops=3)
    url = f"{BASE}/rss"
    actions = []
    for n in range(4):
        decision = chain.next(url, f"/feed{n}")
        actions.append(decision.action)
        url = decision.target or url
    assert actions == ["follow", "follow", "follow", "error"]


def _read(body: bytes, cap: int, **headers: str) -> bytes:
    response = httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))
    return asyncio.run(read_capped(response, cap))


def test_body_cap_holds_on_decoded_size_for_gzip_and_deflate() -> None:
    text = b"Harga beras di pasar induk naik lagi. " * 2000
    assert _read(gzip.compress(text), len(text), **{"content-encoding": "gzip"}) == text
    assert _read(zlib.compress(text), len(text), **{"content-encoding": "deflate"}) == text
    with pytest.raises(TooLarge):
        _read(gzip.compress(text), len(text) - 1, **{"content-encoding": "gzip"})
    with pytest.raises(TooLarge):
        _read(text, len(text) - 1)


def test_gzip_bomb_is_never_inflated_past_the_cap() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, 9)  # 20 KB on the wire
    with pytest.raises(TooLarge) as caught:
        _read(bomb, 100_000, **{"content-encoding": "gzip"})
    assert caught.value.read_bytes == 100_001


def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    with pytest.raises(TooLarge, match="Content-Length"):
        _read(b"x" * 10, 5, **{"content-length": "10"})


def test_unoffered_or_corrupt_encodings_are_errors() -> None:
    with pytest.raises(BadEncoding, match="br"):
        _read(b"....", 1000, **{"content-encoding": "br"})
    with pytest.raises(BadEncoding, match="inflate"):
        _read(b"not gzip at all", 1000, **{"content-encoding": "gzip"})


def test_stored_page_reads_like_a_fresh_fetch() -> None:
    html = "<html><body><p>Banjir di Bekasi – warga mengungsi</p></body></html>"
    result = FetchResult.from_stored("https://www.liputan6.com/news/read/1/a", html)
    assert (result.outcome, result.status, result.text) == ("ok", 200, html)
    assert result.content == html.encode("utf-8")


def test_pacer_caps_requests_in_flight_per_host() -> None:
    pacer = HostPacer(rate=None, concurrency=3)
    in_flight: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def request(host: str) -> None:
        async with pacer.slot(host):
            in_flight[host] += 1
            peak[host] = max(peak[host], in_flight[host])
            await asyncio.sleep(0.01)
            in_flight[host] -= 1

    async def run() -> None:
        await asyncio.gather(*(request(h) for h in ["a", "b"] * 10))

    asyncio.run(run())
    assert peak == {"a": 3, "b": 3}

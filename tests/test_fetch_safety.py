"""Fetch safety and failure causes without Prefect: robots.txt (RFC 9309, linear time), the
allow-list by (host, effective port), and the category every failed attempt gets, from real
sockets where a real failure can be made here (DNS, a closed port, a stalled answer)."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from config.settings import Settings
from flows.fetching import Fetcher
from flows.fetching.causes import classify_exception, is_bot_wall
from flows.fetching.robots import RobotsAnswer, parse_robots, robots_policy
from parsers.urls import allow_entry, is_allowed_url
from sample_site import FaultSpec, SampleSite, serve
from sample_site.faults import BOT_WALL_PAGE

# --- robots.txt ----------------------------------------------------------------------------------


LONG = "/news/read/5123456/" + "a" * 2000


@pytest.mark.parametrize(
    ("rule", "path", "allowed"),
    [
        ("/********~", LONG, True),
        ("/********~", LONG + "~", False),
        ("/*a*a*a*a*a*a*a*a*a*a*~", LONG, True),
        ("/*" + "*" * 200 + "x$", LONG, True),
        ("/*" + "*" * 200 + "x$", LONG + "x", False),
        ("/" + "*a" * 300, LONG, False),
        ("/" + "*a" * 300, "/news", True),
    ],
)
def test_robots_rules_that_backtrack_as_regexes_are_decided(
    rule: str, path: str, allowed: bool
) -> None:
    """Compiled to `.*.*.*...~`, the first took 13 s for a 51-character path and over 100 s for
    71 (measured on the regex matcher this replaced); a linear matcher answers at once."""
    rules = parse_robots(f"User-agent: *\nDisallow: {rule}\n", "liputan6-monitor")
    assert rules.allows(path) is allowed


def test_robots_paths_are_percent_decoded_as_rfc_9309_says() -> None:
    rules = parse_robots(
        "User-agent: *\nDisallow: /~joe\nDisallow: /berita/ä\nDisallow: /a%2Fb\n", "x"
    )
    assert not rules.allows("/%7Ejoe/page")  # an unreserved character, encoded: same path
    assert not rules.allows("/berita/%C3%A4-dan-lain")  # UTF-8 octets, encoded
    assert rules.allows("/a/b")  # %2F is a reserved character: not the same as "/"
    assert not rules.allows("/a%2Fb")


def test_unreachable_robots_txt_is_reported_as_the_site_never_as_a_disallow() -> None:
    rules = robots_policy(RobotsAnswer(503, None, "HTTP 503 Service Unavailable"), "x")
    assert not rules.allows("/news")
    assert rules.reason == (
        "site unreachable: robots.txt could not be fetched (HTTP 503 Service Unavailable)"
    )
    assert "disallowed" not in rules.reason
    assert robots_policy(RobotsAnswer(404, None), "x").allows("/news")  # 4xx: allow all


def test_unreachable_robots_txt_is_asked_again_after_a_while() -> None:
    from flows.fetching.robots import RobotsCache

    answers = [RobotsAnswer(None, None, "ConnectError", "connection"), RobotsAnswer(200, "")]

    async def load(url: str) -> RobotsAnswer:
        return answers.pop(0)

    async def run() -> list[bool]:
        cache = RobotsCache("liputan6-monitor", load, retry_after=0.0)
        return [await cache.allowed("http://h/x"), await cache.allowed("http://h/x")]

    assert asyncio.run(run()) == [False, True]
    assert answers == []


# --- the allow-list --------------------------------------------------------------------------


def test_allow_list_compares_host_and_effective_port() -> None:
    allowed = Settings(base_url="http://127.0.0.1").allowed_hosts
    assert allowed == ["127.0.0.1:80"]
    assert is_allowed_url("http://127.0.0.1/news", allowed)
    assert is_allowed_url("http://127.0.0.1:80/news", allowed)
    assert not is_allowed_url("https://127.0.0.1/news", allowed)  # port 443
    assert not is_allowed_url("http://127.0.0.1:8080/news", allowed)
    assert is_allowed_url("https://www.liputan6.com/news", [])
    assert not is_allowed_url("https://www.liputan6.com:8443/news", [])


def test_allow_list_keeps_ipv6_brackets() -> None:
    allowed = Settings(base_url="http://[::1]:8080").allowed_hosts
    assert allowed == ["[::1]:8080"]
    assert is_allowed_url("http://[::1]:8080/news/read/1/x", allowed)
    assert not is_allowed_url("http://[::1]/news/read/1/x", allowed)
    assert not is_allowed_url("http://[::1:8080]/", allowed)
    assert allow_entry("https://[2001:db8::1]/") == "[2001:db8::1]:443"


# --- failure causes --------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _transport_error(url: str, timeout: float = 2.0) -> httpx.TransportError:
    try:
        httpx.get(url, timeout=timeout)
    except httpx.TransportError as exc:
        return exc
    raise AssertionError(f"{url} answered")


def test_real_transport_errors_are_classified() -> None:
    assert classify_exception(_transport_error("http://nonexistent.invalid/")) == "dns"
    port = _closed_port()
    assert classify_exception(_transport_error(f"http://127.0.0.1:{port}/")) == "connection"
    site = SampleSite(articles=2, seed=1, faults=FaultSpec.parse("stall:/*:1:delay=5"))
    with serve(site) as running:
        assert classify_exception(_transport_error(running.base_url + "/", 0.3)) == "timeout"
        tls_to_plain_http = running.base_url.replace("http://", "https://") + "/"
        assert classify_exception(_transport_error(tls_to_plain_http)) == "tls"


def test_bot_wall_is_a_challenge_page_not_any_error() -> None:
    assert is_bot_wall(403, "text/html", BOT_WALL_PAGE)
    assert is_bot_wall(503, "text/html", b"<html><title>Just a moment...</title></html>")
    assert not is_bot_wall(503, "text/html", b"<h1>503</h1>")  # a server in trouble
    assert not is_bot_wall(403, "text/html", b'<article class="read-page">x</article>')
    assert not is_bot_wall(404, "text/html", BOT_WALL_PAGE)
    assert not is_bot_wall(403, "application/json", b'{"error": "forbidden"}')


def _fast(base_url: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "base_url": base_url,
        "rate_per_second": 500.0,
        "max_retries": 0,
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
        "total_timeout": 1.0,
    }
    return Settings(**(values | extra))


@pytest.mark.parametrize(
    ("faults", "cause", "outcome"),
    [
        ("bot_wall:/*/read/*:1", "bot_wall", "http_error"),
        ("stall:/*/read/*:1:delay=5", "timeout", "network_error"),
        ("oversize:/*/read/*:1:size=400000", "too_large", "too_large"),
        ("non_html:/*/read/*:1", "not_html", "not_article"),
        ("robots_disallow:/*/read/*:1", "robots_disallowed", "blocked_by_robots"),
        ("500:/robots.txt:1", "robots_unreachable", "robots_unreachable"),
        ("reset:/*/read/*:1", "connection", "network_error"),
    ],
)
def test_every_failed_fetch_has_a_cause_and_an_attempt(
    faults: str, cause: str, outcome: str
) -> None:
    site = SampleSite(articles=3, seed=5, faults=FaultSpec.parse(faults))
    with serve(site) as running:
        url = running.base_url + site.truth()["articles"][0]["url"].removeprefix(site.base_url)

        async def run() -> tuple:
            settings = _fast(running.base_url, max_response_bytes=300_000)
            async with Fetcher(settings) as fetcher:
                return await fetcher.fetch(url), fetcher.robots_attempts

        result, robots_attempts = asyncio.run(run())
    assert (result.outcome, result.cause) == (outcome, cause)
    assert result.attempts and result.attempts[-1].cause == cause
    assert robots_attempts and robots_attempts[0].url.endswith("/robots.txt")
    if cause == "robots_unreachable":
        assert result.error.startswith("site unreachable: robots.txt could not be fetched (HTTP")


def test_dns_and_refused_fail_before_a_response_with_their_cause() -> None:
    async def run(base_url: str) -> tuple:
        async with Fetcher(_fast(base_url, extra_hosts=["nonexistent.invalid"])) as fetcher:
            return await fetcher.fetch(base_url + "/news/read/1/x"), fetcher.robots_attempts

    result, robots = asyncio.run(run("http://nonexistent.invalid"))
    assert (result.cause, robots[0].cause) == ("robots_unreachable", "dns")
    assert [a.cause for a in result.attempts] == ["robots_unreachable"]
    result, robots = asyncio.run(run(f"http://127.0.0.1:{_closed_port()}"))
    assert (result.cause, robots[0].cause) == ("robots_unreachable", "connection")

"""The Fetcher over real HTTP against the sample site: every fault mode ends in the right typed
outcome after the right number of requests, and nothing off the allow-list is ever requested."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from config.settings import Settings
from flows.fetching import Fetcher, FetchRequest, FetchResult, RetryPolicy
from sample_site import FaultSpec, SampleSite, serve

MAX_RETRIES = 2
CAP = 300_000


@dataclass
class Site:
    site: object
    base_url: str

    def live_urls(self) -> list[str]:
        return [a["url"] for a in self.site.truth()["articles"] if a["status"] == "live"]

    def path(self, url: str) -> str:
        return url.removeprefix(self.base_url)

    def requests_since(self, mark: int, path: str | None = None) -> list[tuple[str, str, int]]:
        """Requests that arrived after `mark`, each waited for until logged: the site logs a
        request just after answering it, and a previous test's late entry must not count."""
        log = self.site.requests_since(mark)
        return [entry for entry in log if path is None or entry[1] == path]

    def mark(self) -> int:
        return self.site.arrivals()


@pytest.fixture(scope="module")
def replica() -> Iterator[Site]:
    site = SampleSite(articles=60, seed=11)
    with serve(site, host="127.0.0.1", port=0) as running:
        yield Site(site, running.base_url)


@pytest.fixture
def site(replica: Site) -> Iterator[Site]:
    replica.site.set_faults(FaultSpec.parse(""))
    yield replica
    replica.site.set_faults(FaultSpec.parse(""))


def settings_for(site: Site, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_url": site.base_url,
        "rate_per_second": 500.0,
        "concurrency": 4,
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
        "total_timeout": 6.0,
        "max_retries": MAX_RETRIES,
        "max_response_bytes": CAP,
    }
    values.update(overrides)
    return Settings(**values)


def fast_retries() -> RetryPolicy:
    return RetryPolicy(
        max_retries=MAX_RETRIES, base_delay=0.01, max_delay=0.05, rng=random.Random(3)
    )


def fetch(site: Site, url: str, **kwargs: object) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(settings_for(site), retry_policy=fast_retries()) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def with_fault(site: Site, spec: str) -> None:
    site.site.set_faults(FaultSpec.parse(spec))


def test_live_article_then_304_on_a_conditional_second_pass(site: Site) -> None:
    url = site.live_urls()[0]
    first = fetch(site, url)
    assert first.outcome == "ok", first.error
    assert first.status == 200 and first.etag and first.last_modified
    article_id = int(url.split("/read/")[1].split("/")[0])
    assert site.site.expected_article(article_id)["title"] in first.text
    mark = site.mark()
    by_etag = fetch(site, url, etag=first.etag)
    by_date = fetch(site, url, last_modified=first.last_modified)
    assert (by_etag.outcome, by_etag.status) == ("not_modified", 304)
    assert (by_date.outcome, by_date.status) == ("not_modified", 304)
    assert by_etag.content is None and by_etag.etag == first.etag
    assert [status for _, _, status in site.requests_since(mark, site.path(url))] == [304, 304]


def test_deleted_article_is_removed_and_home_page_not_fetched(site: Site) -> None:
    for _ in range(3):
        site.site.advance()
        removed = [a for a in site.site.truth()["articles"] if a["status"] == "removed"]
        if removed:
            break
    assert removed, "the replica removed nothing in three steps"
    mark = site.mark()
    result = fetch(site, removed[0]["url"])
    assert result.outcome == "removed"
    assert result.status in (301, 302, 303, 307, 308)
    assert result.final_url is not None and site.path(result.final_url) in ("/", "")
    assert result.attempts[-1].outcome == "removed"
    paths = [path for _, path, _ in site.requests_since(mark) if path != "/robots.txt"]
    assert paths == [site.path(removed[0]["url"])]


def test_missing_article_404_is_removed(site: Site) -> None:
    result = fetch(site, f"{site.base_url}/news/read/9999999/tidak-ada")
    assert (result.outcome, result.status) == ("removed", 404)


@pytest.mark.parametrize("kind", ["503", "500"])
def test_server_errors_are_retried_until_they_recover(site: Site, kind: str) -> None:
    url = site.live_urls()[1]
    with_fault(site, f"{kind}:{site.path(url)}:1:times=2")
    mark = site.mark()
    result = fetch(site, url)
    assert result.outcome == "ok", result.error
    assert [a.status for a in result.attempts] == [int(kind), int(kind), 200]
    assert len(site.requests_since(mark, site.path(url))) == 3


def test_persistent_503_gives_up_after_max_retries(site: Site) -> None:
    url = site.live_urls()[2]
    with_fault(site, f"503:{site.path(url)}:1")
    mark = site.mark()
    result = fetch(site, url)
    assert (result.outcome, result.status) == ("http_error", 503)
    assert "gave up after 3 attempts" in (result.error or "")
    assert len(result.attempts) == MAX_RETRIES + 1
    assert len(site.requests_since(mark, site.path(url))) == MAX_RETRIES + 1


def test_429_retry_after_is_honoured(site: Site) -> None:
    url = site.live_urls()[3]
    with_fault(site, f"429:{site.path(url)}:1:retry_after=1,times=1")
    result = fetch(site, url)
    assert result.outcome == "ok", result.error
    assert [a.status for a in result.attempts] == [429, 200]
    waited = (result.attempts[1].attempted_at - result.attempts[0].attempted_at).total_seconds()
    assert waited >= 0.95  # the server's 1 s, not our 10 ms back-off


def test_429_retry_after_past_the_deadline_gives_up_at_once(site: Site) -> None:
    url = site.live_urls()[3]
    with_fault(site, f"429:{site.path(url)}:1:retry_after=3600")
    mark = site.mark()
    result = fetch(site, url)
    assert (result.outcome, result.status) == ("http_error", 429)
    assert "deadline" in (result.error or "")
    assert len(site.requests_since(mark, site.path(url))) == 1


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_broken_connections_are_network_errors_after_retries(site: Site, kind: str) -> None:
    url = site.live_urls()[4]
    with_fault(site, f"{kind}:{site.path(url)}:1")
    result = fetch(site, url)
    assert result.outcome == "network_error", result.error
    assert [a.outcome for a in result.attempts] == ["network_error"] * (MAX_RETRIES + 1)
    assert result.content is None


def test_broken_connection_recovers_within_retries(site: Site) -> None:
    url = site.live_urls()[4]
    with_fault(site, f"reset:{site.path(url)}:1:times=1")
    result = fetch(site, url)
    assert result.outcome == "ok", result.error
    assert [a.outcome for a in result.attempts] == ["network_error", "ok"]


def test_stalled_response_times_out_instead_of_hanging(site: Site) -> None:
    url = site.live_urls()[5]
    with_fault(site, f"stall:{site.path(url)}:1:delay=30")
    result = fetch(site, url)
    assert result.outcome == "network_error"
    assert len(result.attempts) == MAX_RETRIES + 1
    assert all("Timeout" in (a.error or "") for a in result.attempts)


def test_slow_response_within_the_read_timeout_is_fine(site: Site) -> None:
    url = site.live_urls()[5]
    with_fault(site, f"slow:{site.path(url)}:1:delay=0.1")
    assert fetch(site, url).outcome == "ok"


def test_oversized_body_is_too_large_and_not_retried(site: Site) -> None:
    url = site.live_urls()[6]
    with_fault(site, f"oversize:{site.path(url)}:1:size=2000000")
    mark = site.mark()
    result = fetch(site, url)
    assert (result.outcome, result.content) == ("too_large", None)
    assert len(site.requests_since(mark, site.path(url))) == 1
    assert result.attempts[0].bytes <= 2 * CAP


def test_gzip_bomb_stops_at_the_cap_after_decompression(site: Site) -> None:
    url = site.live_urls()[7]
    with_fault(site, f"gzip_bomb:{site.path(url)}:1")
    result = fetch(site, url)
    assert (result.outcome, result.content) == ("too_large", None)
    assert result.attempts[0].bytes < CAP  # small on the wire: the decoded size tripped the cap


def test_redirect_loop_is_an_error_not_a_hang(site: Site) -> None:
    url = site.live_urls()[8]
    with_fault(site, f"redirect_loop:{site.path(url)}*:1")
    mark = site.mark()
    result = fetch(site, url)
    assert result.outcome == "http_error"
    assert "loop" in (result.error or "") or "redirects" in (result.error or "")
    assert len(site.requests_since(mark)) <= 11


@pytest.mark.parametrize("target", ["", ":to=http://127.0.0.1:1/news/read/1/x"])
def test_offsite_redirect_is_never_followed(site: Site, target: str) -> None:
    url = site.live_urls()[9]
    with_fault(site, f"offsite_redirect:{site.path(url)}:1{target}")
    result = fetch(site, url)
    # http_error with our own text, not a network_error: no connection was attempted.
    assert result.outcome == "http_error"
    assert "non-allow-listed" in (result.error or "")
    assert len(result.attempts) == 1


@pytest.mark.parametrize("mode", ["utf8-as-cp1252", "cp1252-as-utf8"])
def test_wrong_charset_still_decodes_the_text(site: Site, mode: str) -> None:
    urls = site.live_urls()[10:14]
    clean = [fetch(site, url) for url in urls]
    assert any(not r.text.isascii() for r in clean)  # "©" and curly quotes must survive
    with_fault(site, f"wrong_charset:/*/read/*:1:mode={mode}")
    for url, expected in zip(urls, clean, strict=True):
        result = fetch(site, url)
        assert result.outcome == "ok", result.error
        assert result.text == expected.text


def test_non_html_body_is_not_an_article(site: Site) -> None:
    url = site.live_urls()[14]
    with_fault(site, f"non_html:{site.path(url)}:1")
    result = fetch(site, url)
    assert result.outcome == "not_article"
    assert "application/pdf" in (result.error or "")


def test_robots_disallow_is_obeyed_and_robots_fetched_once(site: Site) -> None:
    urls = site.live_urls()[15:21]
    blocked = site.path(urls[0])
    with_fault(site, f"robots_disallow:{blocked}:1")
    mark = site.mark()

    async def run() -> list[FetchResult]:
        async with Fetcher(settings_for(site), retry_policy=fast_retries()) as fetcher:
            return await fetcher.fetch_many([FetchRequest(u) for u in urls])

    results = asyncio.run(run())
    assert [r.outcome for r in results] == ["blocked_by_robots"] + ["ok"] * 5
    # No request was made, yet the refusal is an attempt in the fetch log, with its cause.
    assert [(a.status, a.cause) for a in results[0].attempts] == [(None, "robots_disallowed")]
    paths = [path for _, path, _ in site.requests_since(mark)]
    assert paths.count("/robots.txt") == 1
    assert blocked not in paths


def test_not_allow_listed_urls_are_never_requested(site: Site) -> None:
    mark = site.mark()
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/news/read/5000001/x",
        "http://127.0.0.1:1/news/read/5000001/x",
        "http://evil.example/news/read/5000001/x",
        "ftp://127.0.0.1/news/read/5000001/x",
        "javascript:alert(1)",
    ]:
        result = fetch(site, url)
        assert (result.outcome, result.cause) == ("http_error", "host_not_allowed"), url
        assert [(a.status, a.bytes, a.cause) for a in result.attempts] == [
            (None, 0, "host_not_allowed")
        ], url
        assert "host not allowed" in (result.error or "")
    assert site.requests_since(mark) == []


def test_fetch_many_keeps_order_and_calls_the_hook_before_every_request(site: Site) -> None:
    urls = site.live_urls()[21:29]
    flaky = site.path(urls[2])
    with_fault(site, f"503:{flaky}:1:times=1")
    hosts: list[str] = []

    async def hook(host: str) -> None:
        hosts.append(host)

    async def run() -> list[FetchResult]:
        s = settings_for(site)
        async with Fetcher(s, before_request=hook, retry_policy=fast_retries()) as fetcher:
            return await fetcher.fetch_many([FetchRequest(u) for u in urls])

    mark = site.mark()
    results = asyncio.run(run())
    assert [r.url for r in results] == urls
    assert all(r.outcome == "ok" for r in results)
    assert len(hosts) == len(site.requests_since(mark)) == len(urls) + 2  # + retry + robots.txt
    assert set(hosts) == {site.base_url.removeprefix("http://")}


def test_impolite_fetcher_skips_robots(site: Site) -> None:
    url = site.live_urls()[30]
    with_fault(site, f"robots_disallow:{site.path(url)}:1")

    async def run() -> FetchResult:
        async with Fetcher(settings_for(site), polite=False) as fetcher:
            return await fetcher.fetch(url)

    mark = site.mark()
    assert asyncio.run(run()).outcome == "ok"
    assert "/robots.txt" not in [path for _, path, _ in site.requests_since(mark)]


def test_unreachable_robots_txt_blocks_the_host_and_is_asked_once(site: Site) -> None:
    urls = site.live_urls()[31:34]
    with_fault(site, "503:/robots.txt:1")
    mark = site.mark()

    async def run() -> list[FetchResult]:
        async with Fetcher(settings_for(site), retry_policy=fast_retries()) as fetcher:
            return await fetcher.fetch_many([FetchRequest(u) for u in urls])

    results = asyncio.run(run())
    # RFC 9309: unreachable means "disallow all for now", reported as the site's trouble.
    assert [r.outcome for r in results] == ["robots_unreachable"] * 3
    assert all(
        r.error.startswith("site unreachable: robots.txt could not be fetched (HTTP 503")
        for r in results
    )
    assert "disallowed" not in " ".join(r.error or "" for r in results)
    paths = [path for _, path, _ in site.requests_since(mark)]
    assert paths == ["/robots.txt"] * (MAX_RETRIES + 1)  # retried once, as a single fetch


def test_total_timeout_bounds_a_slow_answer_and_leaves_no_time_to_retry(site: Site) -> None:
    url = site.live_urls()[35]
    with_fault(site, f"slow:{site.path(url)}:1:delay=3")

    async def run() -> FetchResult:
        s = settings_for(site, read_timeout=10.0, total_timeout=1.0)
        async with Fetcher(s, retry_policy=fast_retries()) as fetcher:
            return await fetcher.fetch(url)

    result = asyncio.run(run())
    assert result.outcome == "network_error"
    assert "total timeout" in (result.error or "")
    assert len(result.attempts) == 1


def test_missing_listing_is_an_http_error_not_a_removal(site: Site) -> None:
    result = fetch(site, f"{site.base_url}/rss/tidak-ada", kind="listing")
    assert (result.outcome, result.status) == ("http_error", 404)
    assert len(result.attempts) == 1  # a 404 is not retried


def test_a_long_retry_after_costs_its_url_not_the_whole_batch(site: Site) -> None:
    urls = site.live_urls()[36:40]
    with_fault(site, f"429:{site.path(urls[0])}:1:retry_after=3600")

    async def run() -> tuple[FetchResult, list[FetchResult]]:
        s = settings_for(site, total_timeout=1.5)
        async with Fetcher(s, retry_policy=fast_retries()) as fetcher:
            throttled = await fetcher.fetch(urls[0])  # the host is told to wait an hour
            return throttled, await fetcher.fetch_many([FetchRequest(u) for u in urls[1:]])

    throttled, rest = asyncio.run(run())
    assert (throttled.outcome, throttled.status) == ("http_error", 429)
    assert [r.outcome for r in rest] == ["ok"] * 3
    waited = (rest[0].attempts[0].attempted_at - throttled.attempts[0].attempted_at).total_seconds()
    assert waited >= 1.4  # the host did back off, for one fetch's budget

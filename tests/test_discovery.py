"""Discovery against the sample site: each source finds exactly the articles the replica lists
there (computed from `site.truth()`), dead sources and poisoned links show up in the report."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from config.settings import DEFAULT_CHANNELS, Settings
from flows.discovery import DiscoveryReport, _merge, backfill, discover
from flows.fetching import Fetcher, RetryPolicy
from parsers.models import ArticleRef
from sample_site import FaultSpec, SampleSite, serve
from sample_site import site as site_module

# The fault's links that look aimed at a crawler (IP hosts, off-site article URLs); its ftp: and
# javascript: links are dropped too but not counted, like ordinary outbound links.
POISONED = {
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/admin",
    "http://127.0.0.1:1/",
    "http://evil.example/news/read/5999999/bukan-liputan6",
}


class Replica:
    def __init__(self, site: object, base_url: str) -> None:
        self.site = site
        self.base_url = base_url

    def live(self, channel: str | None = None) -> list[dict]:
        """Live articles newest first, the order the site's listings use."""
        articles = [
            a
            for a in self.site.truth()["articles"]
            if a["status"] == "live" and (channel is None or a["channel"] == channel)
        ]
        return sorted(
            articles,
            key=lambda a: (datetime.fromisoformat(a["published_at"]), a["article_id"]),
            reverse=True,
        )

    def ids(self, articles: list[dict]) -> set[int]:
        return {a["article_id"] for a in articles}

    def on(self, days: set[date], channel: str | None = None) -> set[int]:
        return self.ids(
            [
                a
                for a in self.live(channel)
                if datetime.fromisoformat(a["published_at"]).date() in days
            ]
        )

    @property
    def today(self) -> date:
        return self.site.now.date()


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    # Enough articles that date-index pages paginate (>20 a day) and the post sitemap splits.
    site = SampleSite(articles=1100, seed=5)
    with serve(site, host="127.0.0.1", port=0) as running:
        yield Replica(site, running.base_url)


@pytest.fixture
def replica_clean(replica: Replica) -> Iterator[Replica]:
    replica.site.set_faults(FaultSpec.parse(""))
    yield replica
    replica.site.set_faults(FaultSpec.parse(""))


def settings_for(replica: Replica) -> Settings:
    return Settings(
        base_url=replica.base_url,
        rate_per_second=1000.0,
        concurrency=4,
        read_timeout=5.0,
        max_retries=1,
        sources=["rss", "sitemap", "home", "channels", "index"],
    )


def run_discover(
    replica: Replica, sources: list[str] | None = None, hosts: list[str] | None = None
) -> DiscoveryReport:
    async def hook(host: str) -> None:
        if hosts is not None:
            hosts.append(host)

    async def run() -> DiscoveryReport:
        settings = settings_for(replica)
        policy = RetryPolicy(max_retries=1, base_delay=0.01)
        async with Fetcher(settings, before_request=hook, retry_policy=policy) as fetcher:
            return await discover(fetcher, settings, sources, today=replica.today)

    return asyncio.run(run())


def with_extras(replica: Replica, listed: set[int]) -> set[int]:
    """A listing's own items plus what the blocks around them link to (slider, strips, ...)."""
    return listed | {item.article_id for item in replica.site.extras(listed).items()}


def expected_by_source(replica: Replica) -> dict[str, set[int]]:
    s = site_module
    live = replica.live()
    per_channel = {ch: replica.live(ch) for ch in DEFAULT_CHANNELS}
    return {
        "rss": replica.ids(live[: s.FEED_SIZE])
        | {i for arts in per_channel.values() for i in replica.ids(arts[: s.FEED_SIZE])},
        "sitemap": replica.ids(live),
        "home": with_extras(replica, replica.ids(live[: s.HOME_SIZE])),
        "channels": {
            i
            for arts in per_channel.values()
            for i in with_extras(replica, replica.ids(arts[: s.CHANNEL_SIZE]))
        },
        "index": replica.on({replica.today, replica.today - timedelta(days=1)}),
    }


def test_each_source_finds_exactly_what_the_replica_lists(replica_clean: Replica) -> None:
    report = run_discover(replica_clean)
    expected = expected_by_source(replica_clean)
    assert len(replica_clean.live()) > site_module.SITEMAP_PAGE_SIZE  # the sitemap is split
    for name, ids in expected.items():
        source = report.sources[name]
        assert source.article_ids == ids, name
        assert (source.found, source.errors, source.dropped_links) == (len(ids), [], 0), name
    assert report.sources["index"].urls_fetched > 2  # pagination was followed
    all_ids = [ref.article_id for ref in report.refs]
    assert len(all_ids) == len(set(all_ids))
    assert set(all_ids) == set().union(*expected.values())
    by_id = {a["article_id"]: a["url"] for a in replica_clean.live()}
    assert all(ref.url == by_id[ref.article_id] for ref in report.refs)


def test_poisoned_links_are_counted_and_never_requested(replica_clean: Replica) -> None:
    replica_clean.site.set_faults(FaultSpec.parse("offsite_links:/*:1"))
    hosts: list[str] = []
    report = run_discover(replica_clean, hosts=hosts)
    expected = expected_by_source(replica_clean)
    for name, ids in expected.items():
        source = report.sources[name]
        assert source.article_ids == ids, name
        assert source.errors == [], name
        assert source.dropped_urls == POISONED, name
    assert set(hosts) == {replica_clean.base_url.removeprefix("http://")}


def test_a_dead_source_shows_up_and_the_others_still_work(replica_clean: Replica) -> None:
    replica_clean.site.set_faults(FaultSpec.parse("503:/rss*:1;robots_disallow:/indeks/*:1"))
    report = run_discover(replica_clean)
    rss, index = report.sources["rss"], report.sources["index"]
    assert rss.found == 0 and len(rss.errors) == 1 + len(DEFAULT_CHANNELS)
    assert all("http_error" in e and "503" in e for e in rss.errors)
    assert index.found == 0 and all("blocked_by_robots" in e for e in index.errors)
    home = with_extras(
        replica_clean, replica_clean.ids(replica_clean.live()[: site_module.HOME_SIZE])
    )
    assert report.sources["home"].article_ids == home
    assert report.sources["home"].found > site_module.HOME_SIZE
    assert report.sources["sitemap"].article_ids == replica_clean.ids(replica_clean.live())


def test_backfill_walks_every_day_and_page(replica_clean: Replica) -> None:
    start, end = replica_clean.today - timedelta(days=29), replica_clean.today
    days = {start + timedelta(days=n) for n in range(30)}

    async def run(channels: list[str] | None) -> DiscoveryReport:
        settings = settings_for(replica_clean)
        async with Fetcher(settings) as fetcher:
            return await backfill(fetcher, settings, start, end, channels)

    everything = asyncio.run(run(None))
    assert {r.article_id for r in everything.refs} == replica_clean.on(days)
    assert everything.sources["index"].urls_fetched > len(days)  # some days have two pages
    per_channel = asyncio.run(run(["news", "bola"]))
    assert set(per_channel.sources) == {"index/news", "index/bola"}
    for channel in ("news", "bola"):
        found = per_channel.sources[f"index/{channel}"].article_ids
        assert found == replica_clean.on(days, channel)


def test_backfill_rejects_an_empty_range(replica_clean: Replica) -> None:
    async def run() -> None:
        settings = settings_for(replica_clean)
        async with Fetcher(settings) as fetcher:
            await backfill(fetcher, settings, date(2025, 1, 2), date(2025, 1, 1))

    with pytest.raises(ValueError, match="empty"):
        asyncio.run(run())


def test_merge_keeps_the_first_ref_but_prefers_a_non_amp_url() -> None:
    amp = ArticleRef(url="https://www.liputan6.com/amp/7/a", article_id=7)
    www = ArticleRef(url="https://www.liputan6.com/news/read/7/a", article_id=7)
    other = ArticleRef(url="https://www.liputan6.com/bola/read/7/b", article_id=7)
    first = ArticleRef(url="https://www.liputan6.com/news/read/8/c", article_id=8)
    merged = _merge([SimpleNamespace(refs=[amp, first]), SimpleNamespace(refs=[www, other])])
    assert merged == [www, first]

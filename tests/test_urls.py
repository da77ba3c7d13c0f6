"""URL canonicalisation and the host allow-list (parsers.urls)."""

from __future__ import annotations

import pytest

from parsers.urls import (
    absolute,
    article_id,
    canonical_url,
    channel_from_url,
    host_of,
    is_allowed_url,
    is_article_url,
)

CANONICAL = "https://www.liputan6.com/bisnis/read/4289456/awasi-mal"


@pytest.mark.parametrize(
    "variant",
    [
        CANONICAL,
        "http://www.liputan6.com/bisnis/read/4289456/awasi-mal",
        "https://m.liputan6.com/bisnis/read/4289456/awasi-mal",
        "https://liputan6.com/bisnis/read/4289456/awasi-mal",
        "https://www.liputan6.com/bisnis/read/4289456/awasi-mal?page=3",
        "https://www.liputan6.com/bisnis/read/4289456/awasi-mal?utm_source=fb&utm_medium=social",
        "https://m.liputan6.com/bisnis/read/4289456/awasi-mal?source=search&medium=Headline",
        "https://www.liputan6.com/bisnis/read/4289456/awasi-mal#komentar",
        "https://WWW.Liputan6.com/Bisnis/read/4289456/awasi-mal",
        "  https://www.liputan6.com/bisnis/read/4289456/awasi-mal  ",
    ],
)
def test_variants_collapse_to_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == CANONICAL
    assert article_id(variant) == 4289456


def test_hot_channel_canonical_is_on_the_hot_host() -> None:
    expected = "https://hot.liputan6.com/read/4611435/potret"
    assert canonical_url("https://m.liputan6.com/hot/read/4611435/potret?medium=x") == expected
    assert canonical_url("https://hot.liputan6.com/read/4611435/potret") == expected
    assert channel_from_url(expected) == "hot"


def test_legacy_subdomain_becomes_the_channel_segment() -> None:
    assert (
        canonical_url("http://health.liputan6.com/read/2001234/tips-sehat")
        == "https://www.liputan6.com/health/read/2001234/tips-sehat"
    )


def test_amp_urls_keep_the_article_id() -> None:
    assert article_id("https://m.liputan6.com/amp/4289456/awasi-mal") == 4289456
    assert article_id("https://www.liputan6.com/amp/4289456/awasi-mal") == 4289456
    assert canonical_url("https://m.liputan6.com/amp/4289456/awasi-mal") == canonical_url(
        "https://www.liputan6.com/amp/4289456/awasi-mal"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://www.liputan6.com/",
        "https://www.liputan6.com/tag/banjir",
        "https://www.liputan6.com/me/dewi.lestari",
        "https://www.liputan6.com/news/indeks/2024/03/05?page=2",
        "https://feed.liputan6.com/rss/news",
        "mailto:redaksi@liputan6.com",
        "javascript:alert(1)",
        "https://www.liputan6.com:99999/news/read/1/x",
        "",
    ],
)
def test_non_article_urls(url: str) -> None:
    assert not is_article_url(url)
    assert canonical_url(url) is None


def test_mirror_host_keeps_scheme_and_host() -> None:
    url = "http://127.0.0.1:8765/news/read/12/judul?utm_campaign=x"
    assert canonical_url(url) == "http://127.0.0.1:8765/news/read/12/judul"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.liputan6.com/news/read/1/x",
        "https://m.liputan6.com/news/read/1/x",
        "https://hot.liputan6.com/read/1/x",
        "http://feed.liputan6.com/rss",
    ],
)
def test_allow_list_accepts_liputan6_hosts(url: str) -> None:
    assert is_allowed_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/news/read/1/x",
        "https://www.liputan6.com.evil.example/news/read/1/x",
        "https://notliputan6.com/news/read/1/x",
        "https://www.liputan6.com@evil.example/news/read/1/x",
        "https://user:pass@www.liputan6.com/news/read/1/x",
        "http://127.0.0.1/news/read/1/x",
        "http://10.0.0.8/news/read/1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/news/read/1/x",
        "ftp://www.liputan6.com/news/read/1/x",
        "file:///etc/passwd",
    ],
)
def test_allow_list_rejects_other_hosts_private_addresses_and_userinfo(url: str) -> None:
    assert not is_allowed_url(url)


def test_private_address_passes_only_when_listed_with_its_port() -> None:
    assert is_allowed_url("http://127.0.0.1:8765/news/read/1/x", ["127.0.0.1:8765"])
    assert not is_allowed_url("http://127.0.0.1:9999/news/read/1/x", ["127.0.0.1:8765"])
    assert host_of("http://127.0.0.1:8765/x") == "127.0.0.1:8765"


def test_absolute_resolves_relative_links_and_drops_fragments() -> None:
    assert (
        absolute("https://m.liputan6.com/bisnis", "/bisnis/read/5/x#top")
        == "https://m.liputan6.com/bisnis/read/5/x"
    )

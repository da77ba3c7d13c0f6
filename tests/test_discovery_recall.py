"""Discovery recall on listing pages, against an oracle that does not share the parser's view.

The oracle reads the raw HTML with one regular expression: every `href` whose URL has the article
shape of the reference (`/<channel>/read/<id>/…`, `/read/<id>`, `/amp/<id>`) on a liputan6.com
host or the page's own host. It knows nothing of list items, sliders or selectors, so a block the
extractor does not look at shows up as a miss. Real pages come from ../shared/pages (skipped when
absent); replica pages are every listing kind of the sample site, desktop and mobile.
"""

from __future__ import annotations

import asyncio
import html as html_lib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from commands.main import app
from config.settings import Settings
from flows.discovery import discover
from flows.fetching import Fetcher
from parsers.listings import parse_listing
from sample_site import SampleSite, serve
from sample_site import site as site_module

SHARED_PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "pages"
MIN_RECALL = 0.98

_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ARTICLE_HREF = re.compile(
    r"^(?:(?:https?:)?//(?P<host>[^/?#\s]+))?/(?:[A-Za-z0-9_-]+/)?(?:read|amp)/(?P<id>\d+)(?:[/?#]|$)"
)
_NOT_ARTICLE_HOSTS = ("feed.", "cdn.", "static.", "assets.")


def oracle(page: str, page_url: str) -> set[int]:
    """Ids of every article-shaped link on an article host (liputan6.com or the page's own)."""
    own = urlsplit(page_url).netloc.lower()
    ids = set()
    for match in _HREF.finditer(page):
        href = html_lib.unescape(match[1] if match[1] is not None else match[2]).strip()
        article = _ARTICLE_HREF.match(href)
        if article is None:
            continue
        host = (article["host"] or own).lower()
        on_site = host == "liputan6.com" or host.endswith(".liputan6.com")
        if (on_site and not host.startswith(_NOT_ARTICLE_HOSTS)) or host == own:
            ids.add(int(article["id"]))
    return ids


def recall_row(name: str, page: str, page_url: str) -> tuple[str, int, int, int, float]:
    """(page, found ∩ oracle, oracle, found outside the oracle, recall)."""
    found = {ref.article_id for ref in parse_listing(page, page_url)}
    expected = oracle(page, page_url)
    hit = len(found & expected)
    return name, hit, len(expected), len(found - expected), hit / max(1, len(expected))


# --- the oracle itself --------------------------------------------------------------------------


def test_the_oracle_reads_hrefs_not_markup() -> None:
    page = (
        '<a href="https://m.liputan6.com/news/read/11/a?utm_source=x">a</a>'
        "<a href='/bola/read/12/b#top'></a><a HREF=\"https://hot.liputan6.com/read/13/c\">c</a>"
        '<a href="https://www.liputan6.com/amp/14/d">d</a>'
        '<a href="https://www.bola.com/read/15/e">partner</a>'
        '<a href="https://www.liputan6.com/tag/read">tag</a>'
        '<a href="https://feed.liputan6.com/news/read/16/f">feed</a>'
        '<link href="https://www.liputan6.com/news/read/17/g">'
    )
    assert oracle(page, "https://www.liputan6.com/") == {11, 12, 13, 14, 17}


# --- real pages ---------------------------------------------------------------------------------


def _real_listings() -> list[Path]:
    if not SHARED_PAGES.is_dir():
        return []
    return sorted(p for p in SHARED_PAGES.glob("*.html") if "_article_" not in p.name)


@pytest.mark.real_pages
@pytest.mark.parametrize("path", _real_listings(), ids=lambda p: p.name)
def test_real_listing_pages_give_every_article_link(path: Path) -> None:
    base = (
        "https://m.liputan6.com/" if path.name.startswith("mobile") else "https://www.liputan6.com/"
    )
    page = path.read_text(encoding="utf-8", errors="replace")
    name, hit, expected, extra, recall = recall_row(path.name, page, base)
    assert expected >= 20, name  # a listing page: the 2021 home pages link to about a hundred
    assert recall >= MIN_RECALL, f"{name}: {hit}/{expected}"
    assert extra == 0, f"{name}: {extra} refs the oracle does not know"


@pytest.mark.real_pages
def test_real_listing_refs_are_canonical_and_titled() -> None:
    page = (SHARED_PAGES / "mobile_home_2021.html").read_bytes()
    refs = parse_listing(page, "https://m.liputan6.com/")
    assert all(urlsplit(ref.url).netloc in ("www.liputan6.com", "hot.liputan6.com") for ref in refs)
    assert not any("?" in ref.url or "#" in ref.url for ref in refs)
    assert sum(1 for ref in refs if ref.title) >= 0.95 * len(refs)


# --- replica pages ------------------------------------------------------------------------------

BASE = "http://127.0.0.1:8000"
# Listing kind → (path, mobile); the dates are filled from the replica's own articles.
REPLICA_KINDS = {
    "home": ("/", False),
    "home, mobile": ("/?m=1", True),
    "channel": ("/news", False),
    "channel, mobile": ("/bola?m=1", True),
    "tag": ("/tag/{tag}", False),
    "tag, mobile": ("/tag/{tag}?m=1", True),
    "date index": ("/indeks/{day}", False),
    "date index, page 2": ("/indeks/{day}?page=2", False),
    "channel date index": ("/news/indeks/{day}", False),
}
# Blocks each replica listing kind must carry, so the recall figure means something.
DESKTOP_BLOCKS = (
    "breaking-news__click",
    "headline--bottom-slider__link",
    "content-promotion--stm__link",
    "content-promotion--sts__list",
    "popular-analisis",
    "popular-videos-item__bottom-link",
    "text-item__figure-thumbnail-link",
)
MOBILE_BLOCKS = (
    "breaking-news__click",
    "content-promotion--mstm__link",
    "article-video-section__anchor",
    "article-snippet__image-link",
)
INDEX_BLOCKS = ("breaking-news__click", "popular-analisis")


@pytest.fixture(scope="module")
def replica() -> SampleSite:
    return SampleSite(articles=600, seed=3, base_url=BASE)


def replica_pages(site: SampleSite) -> dict[str, tuple[str, str]]:
    """Listing kind → (page URL, HTML), rendered by the replica without a socket."""
    truth = site.truth()["articles"]
    live = [a for a in truth if a["status"] == "live"]
    days = sorted({a["published_at"][:10] for a in live}, reverse=True)
    busiest = max(days[:7], key=lambda d: sum(a["published_at"][:10] == d for a in live))
    tag = max({t for a in live for t in a["tags"]}, key=lambda t: sum(t in a["tags"] for a in live))
    slug = re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")
    pages = {}
    for kind, (path, mobile) in REPLICA_KINDS.items():
        target = path.format(tag=slug, day=busiest.replace("-", "/"))
        response = site.handle("GET", target, {"user-agent": "Mobile" if mobile else "test"})
        assert response.status == 200, (kind, target, response.status)
        pages[kind] = (BASE + target, response.body.decode("utf-8"))
    return pages


def test_replica_listings_carry_every_kind_of_link_block(replica: SampleSite) -> None:
    for kind, (_, page) in replica_pages(replica).items():
        blocks = (
            INDEX_BLOCKS
            if "index" in kind
            else MOBILE_BLOCKS
            if "mobile" in kind
            else DESKTOP_BLOCKS
        )
        missing = [block for block in blocks if block not in page]
        assert not missing, f"{kind}: no {missing}"


@pytest.mark.parametrize("kind", list(REPLICA_KINDS))
def test_replica_listing_pages_give_every_article_link(replica: SampleSite, kind: str) -> None:
    url, page = replica_pages(replica)[kind]
    name, hit, expected, extra, recall = recall_row(kind, page, url)
    if kind != "channel date index":  # one page a day: its blocks repeat its own list
        items = re.findall(r'class="articles--(?:iridescent-list|rows)--item[" ]|data-id=', page)
        assert expected > len(items), f"{kind}: no article links outside the list"
    assert recall >= MIN_RECALL, f"{name}: {hit}/{expected}"
    assert extra == 0


# --- one extractor for `links` and the monitor ---------------------------------------------------


def test_links_command_and_monitor_discovery_find_the_same_articles(tmp_path: Path) -> None:
    """The home source's count in the run summary is what `links` prints for the same page."""
    site = SampleSite(articles=300, seed=4)
    with serve(site, host="127.0.0.1", port=0) as running:
        settings = Settings(
            base_url=running.base_url, rate_per_second=1000.0, concurrency=2, max_retries=0
        )

        async def run():
            async with Fetcher(settings) as fetcher:
                return await discover(fetcher, settings, ["home"])

        report = asyncio.run(run())
        page = site.handle("GET", "/", {}).body
    saved = tmp_path / "home.html"
    saved.write_bytes(page)
    result = CliRunner().invoke(app, ["links", str(saved), "--base-url", running.base_url + "/"])
    assert result.exit_code == 0, result.output
    printed = {json.loads(line)["article_id"] for line in result.output.splitlines() if line}
    expected = oracle(page.decode("utf-8"), running.base_url + "/")
    assert len(expected) > site_module.HOME_SIZE
    assert report.sources["home"].article_ids == printed == expected
    assert report.sources["home"].found == len(expected)

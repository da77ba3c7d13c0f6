"""Fuzzing the parsers: over 10,000 generated and mutated inputs, and only the promised outcomes.

`parse_article` may answer with an `Article`, `NotAnArticle` or `ParseError`, and nothing else;
its last-resort net turns any other exception into `ParseError(missing=["parser"])`, so such an
error counts as a crash here. The listing parsers (listing pages, RSS, Atom, sitemaps, news
sitemaps, sitemap indexes, pagination) answer with lists, whatever they are given. Seeds are the
markup fixtures plus pages rendered by the sample site in every template, mutated the way the
network and broken CMS templates mangle pages; entity bombs must come back unexpanded.

Every input is counted: each fuzz test checks that its fuzzer was fed its whole budget, the
budgets add up to 10,000, and the total is printed at the end of the module.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.article import parse_article
from parsers.listings import (
    next_page_urls,
    parse_atom,
    parse_listing,
    parse_listing_page,
    parse_rss,
    parse_sitemap,
    sitemap_children,
)
from parsers.models import Article, ArticleRef, NotAnArticle, ParseError
from sample_site import SampleSite

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
BASES = ("https://www.liputan6.com/", "http://127.0.0.1:8765/news?page=2")
TARGET_INPUTS = 10_000
# Inputs per fuzzer. Each test checks its fuzzer was fed all of them, so the total holds whatever
# order the tests run in and whichever of them run alone.
BUDGET = {
    "fuzz_mutated_article_pages": 4500,
    "fuzz_mutated_article_pages_as_text": 1500,
    "fuzz_mutated_full_size_pages": 60,
    "fuzz_random_bytes_and_unicode": 1200,
    "fuzz_nested_junk_and_huge_attributes": 120,
    "fuzz_mutated_listings_feeds_and_sitemaps": 1700,
    "fuzz_generated_feeds_and_sitemaps": 1500,
}
OUTCOMES = ("article", "not_an_article", "parse_error")


@dataclass
class Tally:
    """Inputs fed to the parsers and `parse_article`'s outcomes, per fuzzer, for the checks and
    the report at the end of the module."""

    per_test: Counter[str] = field(default_factory=Counter)
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, test: str, outcome: str | None = None) -> None:
        self.per_test[test] += 1
        if outcome is not None:
            self.outcomes[test][outcome] += 1

    @property
    def total(self) -> int:
        return sum(self.per_test.values())


TALLY = Tally()


def _compact(page: bytes) -> bytes:
    """A rendered page without its bulky style sheets and ad/DMP scripts: the same article markup
    at a tenth of the size, so ten times more mutants fit in the time budget."""
    text = page.decode("utf-8")
    text = re.sub(r"<style[^>]*>.*?</style>", "", text, flags=re.S)
    text = re.sub(r"<script>[^<]{5000,}</script>", "", text)
    return text.encode("utf-8")


def _rendered_seeds() -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(article pages, listing pages, XML feeds) from a small sample site, every template."""
    site = SampleSite(articles=24, seed=5)
    by_template: dict[str, object] = {}
    for state in site.states.values():
        by_template.setdefault(state.template, state)
    articles = []
    for state in by_template.values():
        articles.append(site.render_article(state))
        articles.append(site.render_article(state, mobile_view=True))
        articles.append(site.render_article(state, layout_change=True))
        articles.append(site.render_article(state, extra=("http://169.254.169.254/",)))
    day = next(iter(site.states.values())).published_at.date()
    listing_paths = ["/", "/news", f"/indeks/{day:%Y/%m/%d}"]
    listings = [site.handle("GET", path, {}).body for path in listing_paths]
    mobile_home = site.handle("GET", "/", {"user-agent": "Mobile Android"}).body
    xml_paths = ["/rss", "/rss/news", "/sitemap.xml", "/sitemap_post.xml", "/sitemap-news.xml"]
    feeds = [site.handle("GET", path, {}).body for path in xml_paths]
    return articles, [*listings, mobile_home], feeds


FULL_ARTICLES, FULL_LISTINGS, FEEDS = _rendered_seeds()
FIXTURE_PAGES = [path.read_bytes() for path in sorted(FIXTURES.glob("*.html"))]
ARTICLE_SEEDS = FIXTURE_PAGES + [_compact(page) for page in FULL_ARTICLES]
LISTING_SEEDS = FIXTURE_PAGES + [_compact(page) for page in FULL_LISTINGS] + FEEDS

ENTITY_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n<rss><channel><item><title>&lol9;</title>"
    b"<link>https://www.liputan6.com/news/read/5000001/x&lol9;</link></item></channel></rss>"
)
QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "'
    + b"A" * 50_000
    + b'">]><urlset><url><loc>https://www.liputan6.com/news/read/5000002/y</loc>'
    + b"<lastmod>"
    + b"&a;" * 2_000
    + b"</lastmod></url></urlset>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<rss><channel><item><title>&xxe;</title>"
    b"<link>https://www.liputan6.com/news/read/5000003/z</link></item></channel></rss>"
)
FRAGMENTS = [
    b"<",
    b">",
    b"</div>",
    b"</html>",
    b"<div>",
    b"<p>",
    b'<article class="hentry main read-page--core-article" data-article-id="5000001">',
    b'<div class="article-content-body__item-page" data-page="2" data-title="x">',
    b'<meta property="article:published_time" content="2026-13-45T99:99:99+07:00">',
    b'<meta property="og:title" content="">',
    b"window.kmklabs.article = {",
    b'window.kmklabs.article = {"id": "NaN", "type": null};',
    b'<script type="application/ld+json">{"@graph": [[[{',
    b'<script id="rich-card" type="application/ld+json">[{"@type":"NewsArticle"}]</script>',
    b'<meta charset="utf-16">',
    b'<meta charset="x-unknown-charset-name">',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"&#xD800;",
    b"&#99999999999;",
    b"&nbsp;",
    b"&lol9;",
    b'<!DOCTYPE html [<!ENTITY x "xxxxxxxxxx">]>',
    b"<item><link>http://10.0.0.1/news/read/1/a</link></item>",
    b"<url><loc>javascript:alert(1)</loc></url>",
    b"<sitemap><loc>file:///etc/passwd</loc></sitemap>",
    b'<li class="simple-pagination__page-number" data-page="99999999999999999999">',
    b'<time datetime="0000-00-00 25:61:61">',
    b'<a href="//evil.example/news/read/5999999/x">',
    b'<a href="http://[::1]:8765/news/read/5000001/x">',
    b"Liputan6.com, Jakarta -",
]
OPS = ("cut", "flip", "insert", "delete", "duplicate", "bytes", "unicode", "tag_delete")

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutants(draw: st.DrawFn, seeds: list[bytes], max_ops: int = 6) -> bytes:
    """A seed with up to `max_ops` edits, the ways transport and CMS bugs mangle pages.

    Hypothesis draws the seed page and one `Random`, which then places the edits: drawing every
    offset and byte through Hypothesis cost as much time as the parsing, for no better inputs
    (these tests look for crashes, so nothing needs shrinking). A failure still prints the
    `Random`'s seed, so the input can be replayed."""
    page = bytearray(draw(st.sampled_from(seeds)))
    rng = draw(st.randoms(use_true_random=True))
    for _ in range(rng.randint(1, max_ops)):
        where = rng.randint(0, len(page))
        op = rng.choice(OPS)
        if op == "cut":
            del page[where:]
        elif op == "flip" and where < len(page):
            page[where] ^= 1 << rng.randint(0, 7)
        elif op == "insert":
            page[where:where] = rng.choice(FRAGMENTS)
        elif op == "delete":
            del page[where : where + rng.randint(1, 2000)]
        elif op == "duplicate":
            page[where:where] = page[where : where + rng.randint(1, 2000)]
        elif op == "bytes":
            page[where:where] = rng.randbytes(rng.randint(1, 64))
        elif op == "unicode":
            page[where:where] = _random_text(rng, rng.randint(1, 32)).encode("utf-8")
        elif op == "tag_delete":
            end = page.find(b">", where)
            start = page.rfind(b"<", 0, where)
            if 0 <= start < end:
                del page[start : end + 1]
    return bytes(page)


# Code points a mangled page meets: ASCII, Latin-1, the zero-width and bidi marks, CJK, emoji,
# private use, the BMP's last specials and non-characters, and anything above the surrogates
# (which cannot be encoded, so they are left out).
_CODE_POINT_RANGES = (
    (0x00, 0x7F),
    (0x80, 0xFF),
    (0x200B, 0x202E),
    (0x4E00, 0x9FFF),
    (0x1F300, 0x1FAFF),
    (0xE000, 0xF8FF),
    (0xFFF0, 0xFFFF),
    (0xE000, 0x10FFFF),
)


def _random_text(rng: random.Random, length: int) -> str:
    return "".join(chr(rng.randint(*rng.choice(_CODE_POINT_RANGES))) for _ in range(length))


def check_article(content: bytes | str, url: str | None = None) -> str:
    """One input through `parse_article`; only its three outcomes may come back."""
    return _article_outcome(content, url)


def _article_outcome(content: bytes | str, url: str | None) -> str:
    try:
        article = parse_article(content, url)
    except NotAnArticle:
        return "not_an_article"
    except ParseError as exc:
        assert exc.missing, f"a ParseError must name what is missing: {exc}"
        assert "parser" not in exc.missing, f"the parser's safety net caught a crash: {exc}"
        return "parse_error"
    assert isinstance(article, Article)
    assert article.published_at.tzinfo is not None
    assert article.title.strip()
    assert any(page.paragraphs for page in article.pages)
    return "article"


def check_listings(content: bytes | str, base: str) -> None:
    """One input through every listing parser; each must return a list of the promised items."""
    for parse in (parse_listing, parse_listing_page, parse_rss, parse_atom, parse_sitemap):
        refs = parse(content, base)
        assert isinstance(refs, list)
        assert all(isinstance(ref, ArticleRef) for ref in refs)
        assert len({ref.article_id for ref in refs}) == len(refs)
        assert all(ref.url.startswith(("http://", "https://")) for ref in refs)
    children = sitemap_children(content)
    assert isinstance(children, list) and all(isinstance(c, str) for c in children)
    pages = next_page_urls(content, base)
    assert isinstance(pages, list) and all(p.startswith(("http://", "https://")) for p in pages)


@settings(SETTINGS, max_examples=BUDGET["fuzz_mutated_article_pages"])
@given(mutants(ARTICLE_SEEDS))
def fuzz_mutated_article_pages(page: bytes) -> None:
    TALLY.add(
        "fuzz_mutated_article_pages",
        check_article(page, "https://www.liputan6.com/news/read/5000001/x"),
    )


@settings(SETTINGS, max_examples=BUDGET["fuzz_mutated_article_pages_as_text"])
@given(mutants(ARTICLE_SEEDS))
def fuzz_mutated_article_pages_as_text(page: bytes) -> None:
    text = page.decode("utf-8", errors="replace")
    TALLY.add("fuzz_mutated_article_pages_as_text", check_article(text))


@settings(SETTINGS, max_examples=BUDGET["fuzz_mutated_full_size_pages"])
@given(mutants(FULL_ARTICLES, max_ops=10))
def fuzz_mutated_full_size_pages(page: bytes) -> None:
    TALLY.add("fuzz_mutated_full_size_pages", check_article(page))


@settings(SETTINGS, max_examples=BUDGET["fuzz_random_bytes_and_unicode"])
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=3000)))
def fuzz_random_bytes_and_unicode(page: bytes | str) -> None:
    TALLY.add("fuzz_random_bytes_and_unicode", check_article(page))
    check_listings(page, BASES[0])


@st.composite
def nested_junk(draw: st.DrawFn) -> str:
    """Deep nesting, unclosed tags and one huge attribute around a real article's markers."""
    depth = draw(st.integers(1, 5000))
    tag = draw(st.sampled_from(["div", "p", "article", "b", "table", "li", "h2"]))
    attr = draw(st.sampled_from(["data-page", "class", "data-title", "datetime", "href"]))
    unit = draw(st.sampled_from(["x", "\u200b", "&amp;", "\"'<>", "ü", "&lol9;"]))
    huge = unit * draw(st.integers(1, 300_000))
    closed = draw(st.booleans())
    inner = (
        f'<h1 class="read-page--header--title" {attr}="{huge}">Judul</h1>'
        '<div class="article-content-body__item-content"><p>Isi berita.</p></div>'
    )
    return (
        '<html><head><meta property="article:published_time" content="2026-01-02T03:04:05+07:00">'
        f"</head><body>{f'<{tag}>' * depth}{inner}{f'</{tag}>' * depth if closed else ''}"
        "</body></html>"
    )


@settings(SETTINGS, max_examples=BUDGET["fuzz_nested_junk_and_huge_attributes"])
@given(nested_junk())
def fuzz_nested_junk_and_huge_attributes(page: str) -> None:
    TALLY.add(
        "fuzz_nested_junk_and_huge_attributes",
        check_article(page, "https://www.liputan6.com/news/read/5000001/x"),
    )
    check_listings(page, BASES[0])


@settings(SETTINGS, max_examples=BUDGET["fuzz_mutated_listings_feeds_and_sitemaps"])
@given(mutants(LISTING_SEEDS), st.sampled_from(BASES))
def fuzz_mutated_listings_feeds_and_sitemaps(page: bytes, base: str) -> None:
    TALLY.add("fuzz_mutated_listings_feeds_and_sitemaps")
    check_listings(page, base)


_URLISH = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "https://www.liputan6.com/news/read/5000001/judul",
            "https://m.liputan6.com/amp/5000002/x",
            "http://127.0.0.1:8765/bola/read/5000003/y?utm_source=z",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/news/read/1/x",
            "javascript:alert(1)",
            "//evil.example/news/read/5999999/x",
            "https://www.liputan6.com@evil.example/news/read/1/x",
            "https://www.liputan6.com:99999/news/read/1/x",
            "https://[zz::/news/read/1/x",
        ]
    ),
)
_XML_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)


@st.composite
def xml_listings(draw: st.DrawFn) -> str:
    """Well-formed and malformed RSS, Atom, sitemap, news-sitemap and sitemap-index documents."""
    kind = draw(st.sampled_from(["rss", "atom", "urlset", "news", "index"]))
    entries = []
    for _ in range(draw(st.integers(0, 8))):
        url, text, when = draw(_URLISH), draw(_XML_TEXT), draw(_XML_TEXT)
        if kind == "rss":
            entries.append(
                f"<item><title>{text}</title><link>{url}</link><pubDate>{when}</pubDate></item>"
            )
        elif kind == "atom":
            entries.append(
                f'<entry><title>{text}</title><link href="{url}"/><updated>{when}</updated></entry>'
            )
        elif kind == "urlset":
            entries.append(f"<url><loc>{url}</loc><lastmod>{when}</lastmod></url>")
        elif kind == "news":
            entries.append(
                f"<url><loc>{url}</loc><news:news><news:title>{text}</news:title>"
                f"<news:publication_date>{when}</news:publication_date></news:news></url>"
            )
        else:
            entries.append(f"<sitemap><loc>{url}</loc></sitemap>")
    body = "".join(entries)
    document = {
        "rss": f'<rss version="2.0"><channel>{body}</channel></rss>',
        "atom": f'<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>',
        "urlset": f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>',
        "news": (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{body}</urlset>"
        ),
        "index": f"<sitemapindex>{body}</sitemapindex>",
    }[kind]
    prolog = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>', "", "<?xml ?>"]))
    cut = draw(st.integers(0, len(document)))
    return prolog + (document[:cut] if draw(st.booleans()) else document)


@settings(SETTINGS, max_examples=BUDGET["fuzz_generated_feeds_and_sitemaps"])
@given(xml_listings(), st.sampled_from(BASES))
def fuzz_generated_feeds_and_sitemaps(document: str, base: str) -> None:
    TALLY.add("fuzz_generated_feeds_and_sitemaps")
    check_listings(document, base)
    check_listings(document.encode("utf-8"), base)


@pytest.mark.parametrize("bomb", [ENTITY_BOMB, QUADRATIC_BLOWUP, EXTERNAL_ENTITY])
def test_entity_bombs_are_never_expanded(bomb: bytes) -> None:
    TALLY.add("test_entity_bombs_are_never_expanded")
    for parse in (parse_listing, parse_rss, parse_sitemap):
        refs = parse(bomb, BASES[0])
        for ref in refs:
            assert "lollol" not in (ref.title or "") + ref.url
            assert "AAAA" not in (ref.title or "") + ref.url
            assert "root:" not in (ref.title or "")
    assert check_article(bomb) in ("not_an_article", "parse_error")
    html_bomb = bomb.replace(b"<rss>", b"<html><body><h1>").replace(b"</rss>", b"</h1></html>")
    assert check_article(html_bomb) in ("not_an_article", "parse_error")


REGRESSIONS = sorted((Path(__file__).parent / "fixtures" / "fuzz").glob("*"))
LISTING_REGRESSIONS = [
    # (document, article links it still yields)
    # recovery left a tag named "news:" that lxml's QName refused
    (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>'
        b"https://www.liputan6.com/news/read/5000024/x</loc><news:news><news:",
        1,
    ),
    # a news sitemap that never declared its prefix
    (
        b"<urlset><url><loc>https://www.liputan6.com/news/read/5000025/y</loc><news:news>"
        b"<news:title>Judul</news:title></news:news></url></urlset>",
        1,
    ),
    # a broken IPv6 literal made urljoin raise and cost the whole feed
    (
        b"<rss><channel><item><link>http://[zz::/news/read/1/x</link></item>"
        b"<item><link>https://www.liputan6.com/news/read/5000026/z</link></item></channel></rss>",
        1,
    ),
    # references to lone surrogates made lxml raise UnicodeDecodeError on reading a tag or text;
    # they now read as U+FFFD, which spoils that one URL and nothing else
    (
        b'<?xml version="1.0"?><urlset xmlns="&#xD800;http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://www.liputan6.com/news/read/5000027/w</loc></url></urlset>",
        1,
    ),
    (
        b"<urlset><url><loc>&#55296;https://www.liputan6.com/news/read/5000028/v</loc></url>"
        b"<url><loc>https://www.liputan6.com/news/read/5000029/u</loc></url></urlset>",
        1,
    ),
]


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_inputs_that_once_crashed_a_parser(path: Path) -> None:
    check_article(path.read_bytes(), BASES[0] + "news/read/5000001/x")
    check_listings(path.read_bytes(), BASES[0])


@pytest.mark.parametrize(("document", "links"), LISTING_REGRESSIONS)
def test_listings_that_once_crashed_keep_their_good_links(document: bytes, links: int) -> None:
    check_listings(document, BASES[0])
    assert len(parse_listing(document, BASES[0])) == links


@pytest.fixture(scope="module", autouse=True)
def _report_count(request: pytest.FixtureRequest) -> Iterator[None]:
    """The input counts for the end-of-run summary (one line per pytest-xdist worker)."""
    yield
    counts = ", ".join(f"{name}={n}" for name, n in TALLY.per_test.items())
    outcomes = sum(TALLY.outcomes.values(), Counter())
    counts += "; parse_article outcomes: " + ", ".join(f"{k}={v}" for k, v in outcomes.items())
    report(request.config, "fuzz inputs", f"{TALLY.total} ({counts})")


# --- the fuzz tests: each runs one fuzzer and checks it was fed its whole budget ---------------


def fed(fuzzer: Callable[[], None]) -> Counter[str]:
    """Run `fuzzer`; its `parse_article` outcomes. Hypothesis stops early when a strategy runs
    dry, so the number of inputs is checked, not assumed."""
    name = fuzzer.__name__
    fuzzer()
    assert TALLY.per_test[name] >= BUDGET[name], f"{name} fed {TALLY.per_test[name]} inputs"
    return TALLY.outcomes[name]


def test_the_budgets_add_up_to_the_target() -> None:
    assert sum(BUDGET.values()) >= TARGET_INPUTS


def test_mutated_article_pages() -> None:
    outcomes = fed(fuzz_mutated_article_pages)
    # mutants must reach every outcome, or the fuzzing never got past the first checks
    assert all(outcomes[k] > 0 for k in OUTCOMES), outcomes


def test_mutated_article_pages_as_text() -> None:
    outcomes = fed(fuzz_mutated_article_pages_as_text)
    assert all(outcomes[k] > 0 for k in OUTCOMES), outcomes


def test_mutated_full_size_pages() -> None:
    fed(fuzz_mutated_full_size_pages)


def test_random_bytes_and_unicode() -> None:
    fed(fuzz_random_bytes_and_unicode)


def test_nested_junk_and_huge_attributes() -> None:
    fed(fuzz_nested_junk_and_huge_attributes)


def test_mutated_listings_feeds_and_sitemaps() -> None:
    fed(fuzz_mutated_listings_feeds_and_sitemaps)


def test_generated_feeds_and_sitemaps() -> None:
    fed(fuzz_generated_feeds_and_sitemaps)

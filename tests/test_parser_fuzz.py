"""Property tests: however a page is mangled, the parsers answer with their three outcomes only."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.article import parse_article
from parsers.listings import next_page_urls, parse_listing, sitemap_children
from parsers.models import Article, ArticleRef, NotAnArticle, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
SEEDS = [path.read_bytes() for path in sorted(FIXTURES.glob("*.html"))]
FRAGMENTS = [
    b"<",
    b">",
    b"</div>",
    b'<div class="article-content-body">',
    b"{",
    b"}",
    b'"',
    b"window.kmklabs.article = {",
    b'<script type="application/ld+json">{',
    b'<meta charset="utf-16">',
    b"\x00",
    b"\xff\xfe",
    b"<!--",
    b"<![CDATA[",
    b"&#xD800;",
    b"&nbsp;",
    b"Liputan6.com, Jakarta -",
]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    page = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(page)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "duplicate", "bytes"]))
        if action == "cut":
            del page[where:]
        elif action == "insert":
            page[where:where] = draw(st.sampled_from(FRAGMENTS))
        elif action == "delete":
            del page[where : where + draw(st.integers(1, 400))]
        elif action == "duplicate":
            page[where:where] = page[where : where + draw(st.integers(1, 400))]
        else:
            page[where:where] = draw(st.binary(min_size=1, max_size=40))
    return bytes(page)


def _outcome(content: bytes | str) -> str:
    try:
        article = parse_article(content)
    except NotAnArticle:
        return "not_an_article"
    except ParseError as exc:
        assert exc.missing, "a ParseError names what is missing"
        assert "parser" not in exc.missing, f"the safety net caught a parser bug: {exc}"
        return "parse_error"
    assert isinstance(article, Article)
    assert article.published_at.tzinfo is not None
    assert any(page.paragraphs for page in article.pages)
    return "article"


@SETTINGS
@given(mutated_pages())
def test_mutated_pages_give_only_article_not_an_article_or_parse_error(page: bytes) -> None:
    _outcome(page)


@SETTINGS
@given(mutated_pages())
def test_mutated_pages_as_text_too(page: bytes) -> None:
    _outcome(page.decode("utf-8", errors="replace"))


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes(page: bytes) -> None:
    _outcome(page)


@SETTINGS
@given(mutated_pages(), st.sampled_from(["https://www.liputan6.com/", "http://127.0.0.1:8765/x"]))
def test_listing_parsers_never_raise(page: bytes, base: str) -> None:
    refs = parse_listing(page, base)
    assert all(isinstance(ref, ArticleRef) for ref in refs)
    assert len({ref.article_id for ref in refs}) == len(refs)
    assert isinstance(next_page_urls(page, base), list)
    assert isinstance(sitemap_children(page), list)


@SETTINGS
@given(st.text(max_size=500))
def test_listing_parsers_on_random_text(text: str) -> None:
    xml = f'<?xml version="1.0"?><rss><channel><item><link>{text}</link></item></channel></rss>'
    assert isinstance(parse_listing(xml, "https://www.liputan6.com/"), list)
    assert isinstance(parse_listing(text, "https://www.liputan6.com/"), list)

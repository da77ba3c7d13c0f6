"""The parsers on real saved Liputan6 pages (../shared/pages; marked `real_pages`).

Expected values are read from each raw page independently of the parser (byline text, the DOM
tag list, page headings, list containers), so no page text is copied into the repository.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from conftest import SHARED_PAGES

from parsers.article import parse_article
from parsers.article_dates import WIB
from parsers.listings import parse_listing
from parsers.models import NotAnArticle

pytestmark = pytest.mark.real_pages

ARTICLES = sorted(p for p in SHARED_PAGES.glob("*.html") if "_article_" in p.name)
HOMES = sorted(p for p in SHARED_PAGES.glob("*home*.html"))
LEAKS = (
    "Baca Juga",
    "Advertisement",
    "Fakta atau Hoaks",
    "Scroll down untuk melanjutkan",
    "Lanjutkan Membaca",
    "Saksikan Video",
    "Saksikan video",
    "twitter",
    "Perbesar",
    "More Tag",
)
_TAG = re.compile(r"<[^>]+>")
_SITE = re.compile(r"^(liputan6|fimela)\.com$", re.I)


def raw(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(_TAG.sub(" ", fragment)).split())


def body_markup(page: str) -> str:
    """The article body markup, without scripts, Baca Juga boxes and page separators."""
    start = page.index('itemprop="articleBody"')
    end = min(
        i
        for i in (
            page.find("tags--topics", start),
            page.find("fimela-tags--snippet", start),
            page.find("tags--snippet", start),
        )
        if i > 0
    )
    body = page[start:end]
    body = re.sub(r"<script\b.*?</script>", " ", body, flags=re.S)
    body = re.sub(r'<div class="baca-juga".*?</ul>', " ", body, flags=re.S)
    return body


def reference_paragraphs(page: str) -> list[str]:
    """Text of every <p> in the body, minus blank ones and the promo lines named in the brief."""
    paragraphs = [text_of(p) for p in re.findall(r"<p\b[^>]*>(.*?)</p>", body_markup(page), re.S)]
    promos = re.compile(r"^\*|Baca Juga$|^Advertisement$", re.I)
    return [p for p in paragraphs if p and not promos.search(p)]


def page_headings(page: str) -> list[str]:
    found = re.findall(
        r'<h2 class="article-content-body__item-title"[^>]*>(.*?)</h2>', body_markup(page), re.S
    )
    return [text_of(h) for h in found if not re.match(r"saksikan", text_of(h), re.I)]


def token_f1(got: str, want: str) -> float:
    got_tokens, want_tokens = Counter(got.split()), Counter(want.split())
    overlap = sum((got_tokens & want_tokens).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got_tokens.values()), overlap / sum(want_tokens.values())
    return 2 * precision * recall / (precision + recall)


@pytest.fixture(params=ARTICLES, ids=lambda p: p.name)
def real(request):
    path: Path = request.param
    page = raw(path)
    return page, parse_article(path.read_bytes())


def test_title_is_the_headline(real) -> None:
    page, article = real
    h1 = re.search(
        r"<h1 class=\"[^\"]*(?:header__title|header--title)[^\"]*\"[^>]*>(.*?)</h1>", page
    )
    assert h1 is not None
    assert article.title == text_of(h1.group(1))


def test_authors_are_the_byline_writers_never_the_site(real) -> None:
    page, article = real
    names = re.findall(
        r'class="(?:article-header__author-link|read-page--header--author__name[^"]*)"[^>]*>'
        r"([^<]+)<",
        page,
    )
    expected = list(dict.fromkeys(n.strip() for n in names if not _SITE.match(n.strip())))
    assert article.authors == expected
    assert not any(_SITE.match(author) for author in article.authors)


def test_published_matches_the_byline_and_is_wib(real) -> None:
    page, article = real
    stamp = re.search(r'datetime="(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"', page)
    shown = re.search(r'article-header__datetime">\s*pada (\d+ \w+ \d{4}, \d\d:\d\d)', page)
    if stamp:
        expected = datetime.fromisoformat(stamp.group(1)).replace(tzinfo=WIB)
        assert article.published_at == expected
    else:
        assert shown is not None
        assert article.published_at.strftime("%d %b %Y, %H:%M") == shown.group(1)
    assert article.published_at.utcoffset() == WIB.utcoffset(None)
    assert article.modified_at is not None and article.modified_at.tzinfo is not None


def test_tags_are_the_dom_tag_list_in_meta_keyword_order(real) -> None:
    page, article = real
    dom_tags = re.findall(
        r'href="[^"]*/tag/[^"]*">(?:<span class="(?:fimela-)?tags--snippet__name">)?([^<]+)<', page
    )
    keywords = re.search(r'<meta name="keywords" content="([^"]*)"', page)
    assert keywords is not None
    assert article.tags == [t.strip() for t in html_lib.unescape(keywords.group(1)).split(",")]
    assert {t.strip().casefold() for t in dom_tags} == {t.casefold() for t in article.tags}


def test_page_structure(real) -> None:
    page, article = real
    headings = page_headings(page)
    assert [p.title for p in article.pages] == ["", *headings]
    assert article.pages[0].paragraphs


def test_no_boilerplate_in_the_body(real) -> None:
    _, article = real
    for leak in LEAKS:
        assert leak not in article.body, leak
    assert not re.search(r"\d+ dari \d+ halaman", article.body)


def test_body_text_matches_the_article_paragraphs(real) -> None:
    page, article = real
    want = " ".join(reference_paragraphs(page) + page_headings(page))
    got = " ".join(p for page_ in article.pages for p in [page_.title, *page_.paragraphs])
    assert token_f1(got, want) >= 0.99
    assert article.pages[0].paragraphs[0].startswith(("Liputan6.com,", "Fimela.com,"))


@pytest.mark.parametrize("path", HOMES, ids=lambda p: p.name)
def test_home_pages_are_not_articles(path: Path) -> None:
    with pytest.raises(NotAnArticle):
        parse_article(path.read_bytes())


def _listed_ids(page: str) -> set[int]:
    """Article ids linked from list items, counted by splitting the raw HTML at each item."""
    starts = [
        m.start()
        for m in re.finditer(
            r'<article class="articles--iridescent-list--item|<div class="article-snippet[^"]*"'
            r"[^>]*data-id=",
            page,
        )
    ]
    found: set[int] = set()
    for begin, end in zip(starts, [*starts[1:], len(page)], strict=True):
        link = re.search(
            r'href="https?://(?:[\w-]+\.)?liputan6\.com/(?:[\w-]+/)?read/(\d+)/',
            page[begin:end],
        )
        if link:
            found.add(int(link.group(1)))
    return found


@pytest.mark.parametrize("path", HOMES, ids=lambda p: p.name)
def test_home_pages_give_every_listed_article(path: Path) -> None:
    """The list items at least; links elsewhere on the page are in test_discovery_recall.py."""
    page = raw(path)
    refs = parse_listing(path.read_bytes(), "https://www.liputan6.com/")
    expected = _listed_ids(page)
    assert len(expected) > 40
    assert expected <= {ref.article_id for ref in refs}
    assert len(refs) == len({ref.article_id for ref in refs})

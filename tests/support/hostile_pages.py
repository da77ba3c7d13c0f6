"""Hostile article pages, each under the 5 MB fetch cap: what fuzzing from outside found.

One small synthetic article in the site's real markup (our own text), with one hostile part
swapped in: bodies nested thousands of elements deep, JSON-LD and `window.kmklabs` objects nested
as deep, tens of thousands of keywords or authors, terminal escape sequences in the text, and
megabytes of paragraphs. Used by test_parser_robustness.py and benchmarks/hostile_parse_bench.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable

FETCH_CAP = 5 * 1024 * 1024
ARTICLE_URL = "https://www.liputan6.com/news/read/5123456/tanggul-jebol-di-pesisir"
TITLE = "Tanggul Jebol, Ratusan Rumah di Pesisir Terendam"
LEAD = "Liputan6.com, Semarang - Tanggul penahan air laut jebol pada Kamis pagi."
SECOND = "Warga mengungsi ke balai desa sambil menunggu air surut."


def page(
    body: str = f"<p>{LEAD}</p><p>{SECOND}</p>",
    keywords: str = "banjir rob, Semarang, tanggul",
    json_ld: str | None = None,
    kmklabs: str | None = None,
    title: str = TITLE,
) -> str:
    ld = json_ld or json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": "2026-11-20T08:00:00+07:00",
            "author": {"@type": "Person", "name": "Dewi Lestari"},
        }
    )
    km = kmklabs or json.dumps({"id": 5123456, "title": title, "type": "TextTypeArticle"})
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta property="og:title" content="{title}">'
        f'<meta name="keywords" content="{keywords}">'
        '<meta property="article:published_time" content="2026-11-20T08:00:00+07:00">'
        f'<link rel="canonical" href="{ARTICLE_URL}">'
        f'<script type="application/ld+json">{ld}</script>'
        f"<script>window.kmklabs = window.kmklabs || {{}}; window.kmklabs.article = {km};</script>"
        '</head><body><article class="hentry main read-page--core-article" '
        'data-article-id="5123456"><header class="read-page--header">'
        f'<h1 class="read-page--header--title">{title}</h1></header>'
        '<div class="article-content-body" itemprop="articleBody">'
        '<div class="article-content-body__item-page" data-page="1" data-title="">'
        f'<div class="article-content-body__item-content">{body}</div></div></div>'
        '<div class="tags--snippet"><ul><li><a class="tags--snippet__link" href="/tag/banjir">'
        '<span class="tags--snippet__name">banjir</span></a></li></ul></div>'
        "</article></body></html>"
    )


def deep_body(depth: int) -> str:
    """The article text at the bottom of `depth` nested block and inline elements."""
    opening = "".join("<div>" if i % 2 else "<span>" for i in range(depth))
    closing = "".join("</div>" if i % 2 else "</span>" for i in reversed(range(depth)))
    return page(body=f"<p>{LEAD}</p>{opening}{SECOND}{closing}")


def unclosed_nesting(depth: int) -> str:
    """`depth` start tags that are never closed, the text inside the last one."""
    return page(body=f"<p>{LEAD}</p>{'<div><b>' * (depth // 2)}{SECOND}")


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def deep_json_ld(depth: int) -> str:
    ld = '{"@type":"NewsArticle","headline":"' + TITLE + '","junk":' + _nested(depth) + "}"
    return page(json_ld=ld)


def deep_json_ld_lists(depth: int) -> str:
    """A JSON-LD block that is a list nested `depth` deep (list nesting is walked for articles)."""
    return page(json_ld="[" * depth + '{"@type":"NewsArticle","headline":"x"}' + "]" * depth)


def deep_kmklabs(depth: int) -> str:
    return page(kmklabs='{"id":5123456,"title":"' + TITLE + '","junk":' + _nested(depth) + "}")


def many_keywords(count: int) -> str:
    return page(keywords=", ".join(f"kata{i}" for i in range(count)))


def many_authors(count: int) -> str:
    names = [{"@type": "Person", "name": f"Penulis Nomor{i}"} for i in range(count)]
    ld = json.dumps({"@type": "NewsArticle", "headline": TITLE, "author": names})
    return page(json_ld=ld)


def terminal_escapes() -> str:
    """ESC sequences, C0 and C1 controls in the title and body text."""
    sneaky = "\x1b[2J\x1b[31mMERAH\x1b[0m \x1b]0;judul\x07\x9b1m\x08\x7f\x85"
    title = f"{TITLE}\x1b[5m\x00"  # a NUL in text nodes is U+FFFD to an HTML parser; meta is not
    return page(body=f"<p>{LEAD} {sneaky}</p><p>{SECOND}\x1bc</p>", title=title)


def _filled(unit: str, budget: int) -> str:
    """`unit` repeated so the whole page stays just under the fetch cap."""
    room = budget - len(page(body="").encode()) - 1024
    return unit * max(room // len(unit.encode()), 1)


def many_paragraphs(budget: int = FETCH_CAP) -> str:
    return page(body=_filled(f"<p>{SECOND}</p>", budget))


def one_huge_paragraph(budget: int = FETCH_CAP) -> str:
    return page(body=f"<p>{_filled(SECOND + ' ', budget)}</p>")


def many_inline_tags(budget: int = FETCH_CAP) -> str:
    return page(body=f"<p>{_filled('<b>kata</b> ', budget)}</p>")


HOSTILE: dict[str, Callable[[], str]] = {
    "deep_body_1000": lambda: deep_body(1_000),
    "deep_body_20000": lambda: deep_body(20_000),
    "unclosed_nesting_20000": lambda: unclosed_nesting(20_000),
    "deep_json_ld_5000": lambda: deep_json_ld(5_000),
    "deep_json_ld_lists_5000": lambda: deep_json_ld_lists(5_000),
    "deep_kmklabs_5000": lambda: deep_kmklabs(5_000),
    "keywords_40k": lambda: many_keywords(40_000),
    "keywords_200k": lambda: many_keywords(200_000),
    "authors_20k": lambda: many_authors(20_000),
    "terminal_escapes": terminal_escapes,
    "many_paragraphs_5mb": many_paragraphs,
    "one_paragraph_5mb": one_huge_paragraph,
    "inline_tags_5mb": many_inline_tags,
}

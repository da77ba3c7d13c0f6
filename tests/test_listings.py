"""Feeds, sitemaps and listing pages to ArticleRefs (parsers.listings)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from parsers.listings import (
    next_page_urls,
    parse_atom,
    parse_listing,
    parse_listing_page,
    parse_rss,
    parse_sitemap,
    sitemap_children,
)

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
BASE = "https://www.liputan6.com/"
WIB = timezone(timedelta(hours=7))

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Liputan6</title>
<item><title>Gempa Guncang Cianjur</title>
<link>https://www.liputan6.com/news/read/5100001/gempa-guncang-cianjur?utm_source=rss</link>
<pubDate>Tue, 05 Mar 2024 09:30:00 +0700</pubDate></item>
<item><title>Gempa Guncang Cianjur (duplikat)</title>
<link>https://m.liputan6.com/news/read/5100001/gempa-guncang-cianjur</link></item>
<item><title>Bukan artikel</title><link>https://www.liputan6.com/tag/gempa</link></item>
<item><title>Situs lain</title><link>https://evil.example/news/read/5100009/x</link></item>
<item><title><![CDATA[Harga Emas <b>Turun</b>]]></title>
<guid>https://www.liputan6.com/bisnis/read/5100002/harga-emas-turun</guid>
<pubDate>tanggal rusak</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Liputan6</title>
<entry><title>Timnas Berangkat ke Qatar</title>
<link rel="alternate" href="https://www.liputan6.com/bola/read/5200001/timnas-berangkat"/>
<published>2024-01-02T08:00:00+07:00</published></entry>
<entry><title>Resep Rendang</title><link href="/lifestyle/read/5200002/resep-rendang"/>
<updated>2024-01-03T10:00:00Z</updated></entry>
</feed>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.liputan6.com/news/read/5300001/banjir-jakarta</loc><lastmod>2024-02-01T07:00:00+07:00</lastmod></url>
<url><loc>https://www.liputan6.com/news</loc></url>
<url><loc> https://hot.liputan6.com/read/5300002/artis </loc></url>
</urlset>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.liputan6.com/global/read/5400001/pemilu-korea</loc>
<news:news><news:publication><news:name>Liputan6</news:name><news:language>id</news:language></news:publication>
<news:publication_date>2024-04-10T12:00:00+07:00</news:publication_date>
<news:title>Pemilu Korea Selatan Dimulai</news:title></news:news></url>
</urlset>"""

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.liputan6.com/sitemap_post.xml?page=1</loc></sitemap>
<sitemap><loc>https://www.liputan6.com/sitemap_post.xml?page=2</loc></sitemap>
<sitemap><loc>https://www.liputan6.com/sitemap_post.xml?page=1</loc></sitemap>
</sitemapindex>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title>
<link>https://www.liputan6.com/news/read/5500001/x</link></item></channel></rss>"""

DATE_INDEX = (FIXTURES / "date_index.html").read_text(encoding="utf-8")

MOBILE_CHANNEL = (FIXTURES / "mobile_channel.html").read_text(encoding="utf-8")


def ids(refs) -> list[int]:
    return [ref.article_id for ref in refs]


def test_rss_items_deduplicated_canonical_and_on_site_only() -> None:
    refs = parse_rss(RSS, BASE)
    assert ids(refs) == [5100001, 5100002]
    first, second = refs
    assert first.url == "https://www.liputan6.com/news/read/5100001/gempa-guncang-cianjur"
    assert first.title == "Gempa Guncang Cianjur"
    assert first.published_at == datetime(2024, 3, 5, 9, 30, tzinfo=WIB)
    assert second.title == "Harga Emas <b>Turun</b>" and second.published_at is None
    assert parse_listing(RSS, BASE) == refs


def test_atom_entries_resolve_relative_links() -> None:
    refs = parse_atom(ATOM, BASE)
    assert ids(refs) == [5200001, 5200002]
    assert refs[1].url == "https://www.liputan6.com/lifestyle/read/5200002/resep-rendang"
    assert refs[1].published_at == datetime(2024, 1, 3, 10, tzinfo=UTC)
    assert parse_listing(ATOM, BASE) == refs


def test_sitemap_and_google_news_sitemap() -> None:
    refs = parse_sitemap(SITEMAP, BASE)
    assert ids(refs) == [5300001, 5300002]
    assert refs[1].url == "https://hot.liputan6.com/read/5300002/artis"
    news = parse_listing(NEWS_SITEMAP, BASE)
    assert ids(news) == [5400001]
    assert news[0].title == "Pemilu Korea Selatan Dimulai"
    assert news[0].published_at == datetime(2024, 4, 10, 12, tzinfo=WIB)


def test_sitemap_index_lists_children_and_no_articles() -> None:
    assert sitemap_children(SITEMAP_INDEX) == [
        "https://www.liputan6.com/sitemap_post.xml?page=1",
        "https://www.liputan6.com/sitemap_post.xml?page=2",
    ]
    assert parse_listing(SITEMAP_INDEX, BASE) == []
    assert sitemap_children(SITEMAP) == []


def test_external_entities_are_never_resolved() -> None:
    refs = parse_listing(XXE, BASE)
    assert all("root:" not in (ref.title or "") for ref in refs)


@pytest.mark.parametrize(
    "junk",
    [b"", b"\x00\xff\xfe garbage", b"<rss><channel><item><link>", "<<<>>>", b"<urlset>" * 3],
)
def test_junk_gives_an_empty_list(junk) -> None:
    assert parse_listing(junk, BASE) == []
    assert sitemap_children(junk) == []


def test_date_index_items_and_next_pages() -> None:
    refs = parse_listing(DATE_INDEX, "https://www.liputan6.com/indeks/2024/03/05")
    assert ids(refs) == [5600001, 5600002]
    assert refs[0].title == "Sidang Kabinet Digelar"
    assert refs[0].published_at == datetime(2024, 3, 5, 8, tzinfo=WIB)
    assert next_page_urls(DATE_INDEX, "https://www.liputan6.com/indeks/2024/03/05") == [
        "https://www.liputan6.com/indeks/2024/03/05?page=2",
        "https://www.liputan6.com/indeks/2024/03/05?page=3",
    ]
    assert next_page_urls(DATE_INDEX, "https://www.liputan6.com/indeks/2024/03/05?page=2") == [
        "https://www.liputan6.com/indeks/2024/03/05?page=3"
    ]


def test_mobile_channel_page_snippets_and_the_popular_aside() -> None:
    refs = parse_listing_page(MOBILE_CHANNEL, "https://m.liputan6.com/tekno")
    assert ids(refs) == [5700001, 5700003]  # the partner site's snippet (bola.com) is dropped
    assert refs[0].url == "https://www.liputan6.com/tekno/read/5700001/ponsel-baru"
    assert refs[0].title == "Ponsel Baru Dirilis"
    assert refs[1].url == "https://www.liputan6.com/news/read/5700003/populer"
    assert refs[1].title == "Terpopuler"


def test_desktop_channel_page() -> None:
    html = (FIXTURES / "channel_page.html").read_bytes()
    refs = parse_listing(html, BASE)
    assert [(ref.article_id, ref.title) for ref in refs] == [(5700001, "Artikel A")]


def test_page_without_list_markup_falls_back_to_all_article_links() -> None:
    html = (
        '<p><a href="/news/read/1/a">A</a> <a href="/tag/x">tag</a>'
        ' <a href="/news/read/1/a">A</a></p>'
    )
    assert ids(parse_listing(html, BASE)) == [1]


def test_the_base_url_host_is_kept_for_mirrors() -> None:
    html = (
        '<a href="/news/read/8/judul">Judul</a><a href="http://other.example/news/read/9/x">x</a>'
    )
    refs = parse_listing(html, "http://127.0.0.1:8765/news")
    assert [ref.url for ref in refs] == ["http://127.0.0.1:8765/news/read/8/judul"]


def test_links_after_the_closing_html_tag_still_count() -> None:
    """Ad and tracking snippets get appended after `</html>`; libxml2 parses what follows into a
    second root, which the listing parser must search too."""
    html = (
        '<html><body><a href="/news/read/1/a">A</a></body></html><!-- sisipan -->'
        '<div><a href="/news/read/2/b">B</a></div>'
        '<ul><li class="simple-pagination__page-number" data-page="2">'
        '<a href="/news?page=2">2</a></li></ul>'
    )
    assert ids(parse_listing_page(html, BASE + "news")) == [1, 2]
    assert next_page_urls(html, BASE + "news") == [BASE + "news?page=2"]


def test_link_text_skips_comments_and_code_but_keeps_what_follows_them() -> None:
    html = (
        '<a href="/news/read/3/c">Banjir<!-- iklan --> Jakarta<script>var x = "bukan judul";'
        "</script> <b>Surut</b></a>"
    )
    assert [ref.title for ref in parse_listing_page(html, BASE)] == ["Banjir Jakarta Surut"]

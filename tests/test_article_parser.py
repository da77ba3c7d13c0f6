"""parse_article on synthetic pages written in the real Liputan6 markup (tests/fixtures/pages)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from parsers.article import MAX_PAGE_CHARS, parse_article
from parsers.article_dates import parse_indonesian
from parsers.models import Article, NotAnArticle, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
WIB = timezone(timedelta(hours=7))
LEAKS = (
    "Baca Juga",
    "BACA JUGA",
    "Advertisement",
    "Fakta atau Hoaks",
    "kebenaran informasi",
    "WhatsApp Channel",
    "Scroll down",
    "dari 3 halaman",
    "Lanjutkan Membaca",
    "Perbesar",
    "Saksikan",
    "Tonton video",
    "Cuitan warga",
    "pic.twitter",
    "instagram",
    "Tentang Cek Fakta",
    "terverifikasi",
    "More Tag",
    "Infografis",
    "bukan teks artikel",
)


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parse(name: str, url: str | None = None) -> Article:
    return parse_article(page(name), url)


def assert_no_leaks(article: Article) -> None:
    for leak in LEAKS:
        assert leak.lower() not in article.body.lower(), leak


def test_desktop_multipage_article() -> None:
    article = parse("desktop_multipage.html")
    assert article.article_id == 5512345
    assert article.canonical_url == (
        "https://www.liputan6.com/global/read/5512345/warga-bandung-tanam-seribu-pohon"
    )
    assert (article.channel, article.category, article.type) == ("global", "internasional", "text")
    assert article.title == "Warga Bandung Tanam Seribu Pohon di Bantaran Sungai"
    assert article.description.startswith("Ribuan warga menanam pohon")
    assert article.authors == ["Dewi Lestari"]
    assert article.editors == ["Rina Kusuma"]
    assert article.published_at == datetime(2024, 3, 5, 9, 30, tzinfo=WIB)
    assert article.modified_at == datetime(2024, 3, 5, 11, 2, 41, tzinfo=WIB)
    assert article.tags == ["lingkungan", "banjir", "Bandung", "penghijauan"]
    assert [(p.title, len(p.paragraphs)) for p in article.pages] == [
        ("", 3),
        ("Bibit dari Pemerintah Kota", 4),
    ]
    first = article.pages[0].paragraphs[0]
    assert first.startswith("Liputan6.com, Bandung - Sekitar seribu warga Bandung menanam")
    assert "\u00a0" not in article.body and "  " not in article.body
    assert article.pages[1].paragraphs[:2] == [
        "Pemerintah kota menyumbang lima ratus bibit mahoni dan trembesi.",
        "Sisanya dibeli dari hasil iuran warga.",
    ]
    assert article.pages[-1].paragraphs[-1] == "(Dew/Rin)"
    assert article.captions == [
        "Warga menanam bibit pohon di tepi sungai. (Liputan6.com/Dewi)",
        "Bibit pohon mahoni siap ditanam. (Liputan6.com/Dewi)",
    ]
    assert not any(caption in article.body for caption in article.captions)
    assert article.rules_fired == {
        "ad_slot": 2,
        "advertisement_label": 1,
        "baca_juga": 1,
        "embedded_instagram": 1,
        "embedded_tweet": 1,
        "embedded_video": 2,
        "promo_cek_fakta": 1,
        "video_only_page": 1,
        "zoom_label": 1,
    }
    assert_no_leaks(article)


def test_mobile_multipage_article() -> None:
    article = parse("mobile_multipage.html")
    assert (article.article_id, article.channel, article.category) == (5900001, "bisnis", "ekonomi")
    assert article.authors == ["Siti Rahma"]
    assert article.editors == ["Agus Salim", "Maria Ulfa"]
    assert article.tags == ["harga cabai", "Ramadan", "inflasi"]
    assert article.modified_at is not None and article.modified_at < article.published_at
    assert [p.title for p in article.pages] == ["", "Pemerintah Siapkan Operasi Pasar"]
    assert article.pages[0].paragraphs[0].startswith("Liputan6.com, Jakarta Harga cabai rawit")
    assert article.pages[1].paragraphs[-1] == "Reporter: Dimas Pratama"
    assert article.captions == [
        "Pedagang cabai di Pasar Minggu. (Liputan6.com/Siti)",
        "Infografis harga pangan. (Liputan6.com/Abdillah)",
    ]
    for rule in ("infographic_only_page", "promo_whatsapp_channel", "page_separator", "load_more"):
        assert article.rules_fired.get(rule, 0) >= 1, rule
    assert_no_leaks(article)


def test_redesign_reads_indonesian_dates_and_byline_from_the_dom() -> None:
    article = parse("redesign.html")
    assert article.published_at == datetime(2025, 10, 29, 10, 42, tzinfo=WIB)
    assert article.modified_at == datetime(2025, 10, 29, 13, 0, tzinfo=WIB)
    assert article.authors == ["Andi Wijaya"]
    assert article.title == "Timnas Menang Tipis atas Vietnam"
    assert article.tags == ["Timnas Indonesia", "Vietnam"]
    assert article.category is None
    assert article.rules_fired == {"baca_juga": 1, "video_prompt": 1}
    assert_no_leaks(article)


def test_photo_gallery_keeps_the_description_as_body_and_photo_captions_apart() -> None:
    article = parse("photo_gallery.html")
    assert article.type == "photo"
    assert article.canonical_url == (
        "https://www.liputan6.com/photo/read/5400002/foto-festival-layang-layang"
    )
    assert article.body == (
        "Ratusan layang-layang warna-warni menghiasi langit pantai dalam festival tahunan."
    )
    assert len(article.captions) == 2 and article.captions[0].startswith("Peserta menerbangkan")


def test_video_article() -> None:
    article = parse("video_article.html")
    assert article.type == "video"
    assert article.body.startswith("Banjir rob setinggi 50 sentimeter merendam jalur Pantura di")
    assert article.rules_fired == {"embedded_video": 1, "video_prompt": 1}


def test_cek_fakta_drops_promo_and_the_closing_about_section() -> None:
    article = parse("cek_fakta.html")
    assert article.authors == ["Hana Putri"]
    assert article.pages[0].paragraphs[-1] == (
        "Penelusuran menunjukkan video itu direkam di negara lain pada 2019."
    )
    assert article.rules_fired == {"about_cek_fakta": 1, "promo_cek_fakta": 1}
    assert_no_leaks(article)


def test_site_name_is_never_an_author() -> None:
    html = page("desktop_multipage.html").replace("Dewi Lestari", "Liputan6.com")
    assert parse_article(html).authors == []


@pytest.mark.parametrize("name", ["channel_page.html", "plain_page.html"])
def test_listing_and_plain_pages_are_not_articles(name: str) -> None:
    with pytest.raises(NotAnArticle):
        parse(name)


def test_tag_page_type_is_not_an_article() -> None:
    html = page("desktop_multipage.html").replace("pageType = 'ReadPage'", "pageType = 'TagPage'")
    with pytest.raises(NotAnArticle):
        parse_article(html)


@pytest.mark.parametrize(
    ("edit", "missing"),
    [
        (lambda h: h.replace("Harga Cabai Naik Jelang Ramadan", ""), "title"),
        (lambda h: re.sub(r'<meta property="article:published_time"[^>]*>', "", h), None),
        (lambda h: re.sub(r"<p>.*?</p>", "", h, flags=re.S), "body"),
    ],
)
def test_missing_essentials_raise_parse_error_naming_them(edit, missing) -> None:
    html = edit(page("mobile_multipage.html"))
    if missing is None:  # the byline date is the fallback for a missing meta tag
        assert parse_article(html).published_at == datetime(2025, 2, 20, 14, 5, tzinfo=WIB)
        return
    with pytest.raises(ParseError) as raised:
        parse_article(html)
    assert missing in raised.value.missing
    assert missing in str(raised.value)


def test_missing_published_time_everywhere_is_named() -> None:
    html = re.sub(r'<meta property="article:published_time"[^>]*>', "", page("redesign.html"))
    html = html.replace("Diterbitkan 29 Oktober 2025, 10:42 WIB", "")
    with pytest.raises(ParseError) as raised:
        parse_article(html)
    assert raised.value.missing == ["published_at"]


def test_missing_id_and_canonical_are_named_unless_the_url_is_given() -> None:
    html = page("redesign.html").replace('<link rel="canonical"', '<link rel="alternate"')
    with pytest.raises(ParseError) as raised:
        parse_article(html)
    assert {"article_id", "canonical_url"} <= set(raised.value.missing)
    article = parse_article(html, "https://m.liputan6.com/bola/read/6200001/timnas?utm_source=x")
    assert article.article_id == 6200001
    assert article.canonical_url == "https://www.liputan6.com/bola/read/6200001/timnas"


def test_page_without_any_meta_tags_falls_back_to_kmklabs_json_ld_and_dom() -> None:
    html = re.sub(r"<meta\b[^>]*>|<link\b[^>]*>", "", page("desktop_multipage.html"))
    article = parse_article(html)
    assert article.title == "Warga Bandung Tanam Seribu Pohon di Bantaran Sungai"
    assert article.published_at == datetime(2024, 3, 5, 9, 30, tzinfo=WIB)
    assert article.tags == ["lingkungan", "banjir", "Bandung", "penghijauan"]
    assert article.canonical_url is not None and article.article_id == 5512345


def test_malformed_json_ld_and_kmklabs_are_skipped_not_fatal() -> None:
    html = page("desktop_multipage.html")
    html = html.replace('"@type":"NewsArticle",', '"@type":"NewsArticle",,,')
    html = html.replace('window.kmklabs.gtm = {"articleId"', 'window.kmklabs.gtm = {articleId: {{"')
    article = parse_article(html)
    assert article.authors == ["Dewi Lestari"]  # from the byline now
    assert article.editors == []


def test_unterminated_kmklabs_object_is_reported_when_fields_are_missing() -> None:
    html = page("video_article.html").replace('"type":"VideoGallery"};', '"type":"Video')
    html = html.replace('<link rel="canonical"', '<link rel="x"')
    with pytest.raises(ParseError) as raised:
        parse_article(html)
    assert "article_id" in raised.value.missing
    assert "window.kmklabs.article" in str(raised.value)


@pytest.mark.parametrize(
    "content",
    [b"", "", "   \n", b"\x00\x01\x02\xff" * 500, "just some words, no markup at all"],
)
def test_empty_and_binary_input_raise_parse_error(content) -> None:
    with pytest.raises(ParseError):
        parse_article(content)


def test_huge_input_is_refused_with_a_parse_error() -> None:
    with pytest.raises(ParseError, match="too large"):
        parse_article("<html>" + " " * MAX_PAGE_CHARS)


def test_wrong_type_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_article(12345)  # type: ignore[arg-type]


def test_every_truncation_gives_only_the_three_outcomes() -> None:
    html = page("mobile_multipage.html")
    outcomes: set[str] = set()
    for cut in range(0, len(html), 97):
        try:
            parse_article(html[:cut])
            outcomes.add("article")
        except NotAnArticle:
            outcomes.add("not_an_article")
        except ParseError:
            outcomes.add("parse_error")
    assert outcomes <= {"article", "not_an_article", "parse_error"}
    assert "article" in outcomes and "parse_error" in outcomes


def test_bytes_honour_the_declared_charset() -> None:
    html = page("desktop_multipage.html").replace('charset="utf-8"', 'charset="windows-1252"')
    html = html.replace("Budi Santoso", "Budi Santoso – café")
    article = parse_article(html.encode("windows-1252", errors="replace"))
    assert "Budi Santoso – café" in article.body


def test_bytes_with_a_bom_win_over_the_meta_charset() -> None:
    html = page("mobile_multipage.html").replace("Rp 90 ribu", "Rp 90 ribu – naik")
    article = parse_article("\ufeff".encode("utf-16-le") + html.encode("utf-16-le"))
    assert "Rp 90 ribu – naik" in article.body


def test_undecodable_bytes_are_replaced_not_fatal() -> None:
    """A stray bad byte in a UTF-8 page is U+FFFD; the page's other non-ASCII text stays intact."""
    html = page("mobile_multipage.html").replace("Rp 90 ribu", "Rp 90 ribu – naik")
    data = html.encode("utf-8").replace(b"Rp 90", b"Rp \xff\xfe90")
    article = parse_article(data)
    assert "Rp \ufffd\ufffd90 ribu – naik" in article.body


def test_unknown_declared_charset_falls_back_to_utf8() -> None:
    html = page("redesign.html").replace('charset="utf-8"', 'charset="klingon-8"')
    assert parse_article(html.encode("utf-8")).title == "Timnas Menang Tipis atas Vietnam"


def test_article_survives_a_json_round_trip() -> None:
    article = parse("desktop_multipage.html")
    again = Article.model_validate_json(article.model_dump_json())
    assert again == article
    assert again.published_at.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Diterbitkan 29 Oktober 2025, 10:42 WIB", datetime(2025, 10, 29, 10, 42, tzinfo=WIB)),
        (" pada 23 Jan 2021, 13:30 WIB", datetime(2021, 1, 23, 13, 30, tzinfo=WIB)),
        ("Diperbaharui 1 Agu 2024, 07.05 WIB", datetime(2024, 8, 1, 7, 5, tzinfo=WIB)),
        ("5 Mei 2023", datetime(2023, 5, 5, tzinfo=WIB)),
        ("31 Desember 2022, 23:59 WIB", datetime(2022, 12, 31, 23, 59, tzinfo=WIB)),
        ("30 Februari 2024, 10:00 WIB", None),
        ("12 Brumaire 2024", None),
    ],
)
def test_indonesian_dates(text: str, expected: datetime | None) -> None:
    assert parse_indonesian(text) == expected

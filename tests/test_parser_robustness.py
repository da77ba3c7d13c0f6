"""Hostile inputs found by fuzzing from outside, and the paragraph rule for source whitespace.

Every hostile page must still parse to its article (nothing here may end as "parser failure");
caps are checked at their documented values. How fast they parse is measured in
benchmarks/hostile_parse_bench.py, not here.
"""

from __future__ import annotations

import codecs

import pytest
from support.hostile_pages import (
    ARTICLE_URL,
    LEAD,
    SECOND,
    TITLE,
    deep_body,
    deep_json_ld,
    deep_json_ld_lists,
    deep_kmklabs,
    many_authors,
    many_keywords,
    many_paragraphs,
    one_huge_paragraph,
    page,
    terminal_escapes,
    unclosed_nesting,
)

from parsers.article import parse_article
from parsers.article_fields import MAX_PEOPLE, MAX_TAGS
from parsers.article_region import MAX_REGION_TAGS
from parsers.encodings import codec_for_label, decode_document
from parsers.models import Article
from parsers.text import normalize_space
from warehouse.normalize import normalize_text


def parse(html: str | bytes) -> Article:
    return parse_article(html, ARTICLE_URL)


def body_of(article: Article) -> list[str]:
    return [p for pg in article.pages for p in pg.paragraphs]


# --- whitespace and paragraphs --------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<p>Banjir rob\n        merendam <b>ratusan</b>\n   rumah warga.</p>",
        "<p>Banjir rob\r\n\tmerendam <b>ratusan</b> rumah\r\n warga.</p>",
        "<p>Banjir   rob merendam<i>\n</i>ratusan rumah warga.</p>".replace("<i>\n</i>", " "),
        "<p>\n  Banjir rob merendam\n  <a href='/x'>ratusan</a>\n  rumah warga.\n</p>",
        "<div>Banjir rob <span>merendam\n</span><em>ratusan</em>\n rumah warga.</div>",
        "Banjir rob merendam <strong>ratusan</strong>\n rumah warga.",
    ],
)
def test_source_whitespace_is_a_space_never_a_paragraph_break(markup: str) -> None:
    assert body_of(parse(page(body=markup))) == ["Banjir rob merendam ratusan rumah warga."]


def test_only_blocks_and_br_end_a_paragraph() -> None:
    markup = (
        "<p>Satu dua.<br>Tiga empat.</p><div>Lima <b>enam</b></div>tujuh delapan"
        "<ul><li>sembilan</li><li>sepuluh<br/>sebelas</li></ul>"
    )
    assert body_of(parse(page(body=markup))) == [
        "Satu dua.",
        "Tiga empat.",
        "Lima enam",
        "tujuh delapan",
        "sembilan",
        "sepuluh",
        "sebelas",
    ]


def test_comment_or_script_inside_a_word_does_not_split_it() -> None:
    markup = "<p>Pemer<!-- iklan -->intah daerah ber<script>x()</script>janji.</p>"
    assert body_of(parse(page(body=markup))) == ["Pemerintah daerah berjanji."]


def test_empty_inline_element_holding_a_space_still_separates_words() -> None:
    assert body_of(parse(page(body="<p>Banjir<span> </span>rob.</p>"))) == ["Banjir rob."]


# --- nesting --------------------------------------------------------------------------------


def test_body_nested_a_thousand_elements_deep_parses() -> None:
    assert body_of(parse(deep_body(1_000))) == [LEAD, SECOND]


def test_body_nested_beyond_the_region_cap_keeps_its_first_part_and_says_so() -> None:
    article = parse(deep_body(3 * MAX_REGION_TAGS))
    assert body_of(article) == [LEAD]
    assert article.rules_fired["region_truncated"] == 1


def test_unclosed_nesting_parses() -> None:
    assert body_of(parse(unclosed_nesting(2_000)))[:2] == [LEAD, SECOND]


@pytest.mark.parametrize("make", [deep_json_ld, deep_json_ld_lists, deep_kmklabs])
def test_deeply_nested_metadata_is_skipped_not_fatal(make) -> None:
    article = parse(make(5_000))
    assert article.title == TITLE and body_of(article) == [LEAD, SECOND]


def test_metadata_nested_within_the_decoder_limit_is_still_read() -> None:
    article = parse(deep_json_ld(50))
    assert article.title == TITLE and article.authors == []  # this JSON-LD names no author


# --- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [40_000, 200_000])
def test_keywords_are_deduplicated_and_capped(count: int) -> None:
    tags = parse(many_keywords(count)).tags
    assert tags == [f"kata{i}" for i in range(MAX_TAGS)]


def test_duplicate_keywords_keep_the_first_spelling() -> None:
    tags = parse(page(keywords="Banjir, banjir, BANJIR, Rob, rob ,  Semarang")).tags
    assert tags == ["Banjir", "Rob", "Semarang"]


def test_authors_are_capped() -> None:
    authors = parse(many_authors(20_000)).authors
    assert authors == [f"Penulis Nomor{i}" for i in range(MAX_PEOPLE)]


def test_megabytes_of_paragraphs_parse_up_to_the_cap() -> None:
    article = parse(many_paragraphs())
    paragraphs = body_of(article)
    assert paragraphs[0] == SECOND and set(paragraphs) == {SECOND}
    assert article.rules_fired["region_truncated"] == 1


def test_one_huge_paragraph_is_cut_inside_its_text_not_dropped() -> None:
    article = parse(one_huge_paragraph())
    (paragraph,) = body_of(article)
    assert paragraph.startswith(SECOND) and len(paragraph) > 500_000


# --- control characters ---------------------------------------------------------------------


def test_control_characters_and_escape_sequences_are_stripped() -> None:
    article = parse(terminal_escapes())
    texts = [article.title, *body_of(article)]
    assert all(text.isprintable() for text in texts), texts
    assert article.title == TITLE
    assert body_of(article) == [f"{LEAD} MERAH", SECOND]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[31mb\x1b[0mc", "abc"),
        ("a\x1b]0;judul\x07b", "ab"),
        ("a\x1b]8;;http://x\x1b\\b", "ab"),
        ("a\x9b2Jb\x9d0;t\x9cc", "abc"),
        ("a\x00b\x08c\x7fd\x85e", "abcde"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("a\x1bcb", "ab"),
    ],
)
def test_text_normalisation_strips_controls(raw: str, clean: str) -> None:
    assert normalize_space(raw) == clean
    assert normalize_text(raw) == clean


# --- charsets -------------------------------------------------------------------------------


def test_utf7_is_never_honoured() -> None:
    data = page(body="<p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</p>").replace(
        '<meta charset="utf-8">', '<meta charset="utf-7">'
    )
    assert "+ADw-script" in body_of(parse(data.encode("ascii")))[0]
    decoded = decode_document(data.encode("ascii"), "text/html; charset=UTF-7")
    assert decoded.charset == "utf-8" and "+ADw-script+AD4-alert(1)" in decoded.text


@pytest.mark.parametrize("label", ["rot13", "rot_13", "base64", "idna", "punycode", "zlib", "hex"])
def test_non_text_codec_labels_fall_back_to_utf8(label: str) -> None:
    html = page().replace('<meta charset="utf-8">', f'<meta charset="{label}">')
    data = html.replace(SECOND, "Warga café mengungsi.").encode("utf-8")
    assert body_of(parse(data)) == [LEAD, "Warga café mengungsi."]
    assert decode_document(data).text == data.decode("utf-8")
    assert decode_document(data, f"text/html; charset={label}").charset == "utf-8"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("latin1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("  Windows-1252 ", "cp1252"),
        ("gb2312", "gb18030"),
        ("x-sjis", "cp932"),
        ("utf8", "utf-8"),
        ("unicode-1-1-utf-8", "utf-8"),
        ("iso-8859-9", "cp1254"),
        ("utf-7", None),
        ("rot13", None),
        ("mbcs", None),
    ],
)
def test_charset_labels_follow_the_whatwg_table(label: str, codec: str | None) -> None:
    assert codec_for_label(label) == codec
    if codec:
        codecs.lookup(codec)

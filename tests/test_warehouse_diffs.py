"""Word diffs and their three renderings; article text is never trusted as markup."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from parsers.text import strip_controls
from warehouse.diffing import diff_snapshots, list_ops, paragraph_diffs, word_ops
from warehouse.normalize import _PUNCTUATION, PageText, Snapshot, normalize_text
from warehouse.render_html import render_html
from warehouse.render_term import render_term
from warehouse.render_text import render_text

WHEN = datetime(2026, 11, 20, tzinfo=UTC)
SCRIPT = '<script>alert("xss")</script>'


def snapshot(title: str, paragraphs: list[str], tags: tuple[str, ...] = ("banjir",)) -> Snapshot:
    return Snapshot(
        title=title,
        description="",
        pages=(PageText("", tuple(paragraphs)),),
        tags=tags,
        authors=("Dewi Lestari",),
        published_at=WHEN,
    )


def test_normalize_text_removes_only_cosmetic_differences():
    assert normalize_text("\u201cSiap\u201d\u00a0 \u2014  kata\u200bnya ") == '"Siap" - katanya'
    assert normalize_text("Ｒｐ１０") == "Rp10"
    assert normalize_text("naik") != normalize_text("turun")


@given(st.text())
def test_normalize_text_fast_path_agrees_with_the_full_rule(text):
    visible = strip_controls(text)
    full = " ".join(unicodedata.normalize("NFKC", visible).translate(_PUNCTUATION).split())
    assert normalize_text(text) == full


def test_word_ops_merge_runs():
    ops = word_ops("harga cabai naik tajam hari ini", "harga bawang turun hari ini")
    assert ops == [
        ("=", "harga"),
        ("-", "cabai naik tajam"),
        ("+", "bawang turun"),
        ("=", "hari ini"),
    ]


def test_paragraphs_are_aligned_before_words_are_compared():
    before = ["satu", "dua tiga", "empat"]
    after = ["nol", "satu", "dua tiga lima", "empat"]
    kinds = [(p.kind, p.ops) for p in paragraph_diffs(before, after)]
    assert kinds == [
        ("insert", [("+", "nol")]),
        ("equal", [("=", "satu")]),
        ("replace", [("=", "dua tiga"), ("+", "lima")]),
        ("equal", [("=", "empat")]),
    ]


def test_list_ops_ignore_case():
    assert list_ops(("Banjir", "Jakarta"), ("banjir", "BMKG")) == [
        ("=", "Banjir"),
        ("-", "Jakarta"),
        ("+", "BMKG"),
    ]


def test_stored_json_keeps_changes_and_counts_equal_paragraphs():
    diff = diff_snapshots(snapshot("A", ["x", "y", "z"]), snapshot("A", ["x", "y", "z w"]))
    stored = json.loads(diff.to_json())
    assert stored == {
        "fields": {},
        "body": [
            {"kind": "equal", "count": 2},
            {"kind": "replace", "ops": [["=", "z"], ["+", "w"]]},
        ],
    }
    assert diff.changed_fields == ["body"] and diff.words_added == 1


def test_html_page_escapes_article_text():
    before = snapshot("Judul biasa", ["Paragraf aman."])
    after = snapshot(f"Judul {SCRIPT}", ["Paragraf aman.", f"Kutipan {SCRIPT} & <b>tebal</b>"])
    page = render_html(diff_snapshots(before, after), f"artikel {SCRIPT}", "v1", "v2")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in page
    assert "&amp; &lt;b&gt;tebal&lt;/b&gt;" in page
    assert "<ins>Kutipan &lt;script&gt;" in page
    assert "<del>biasa</del>" in page
    assert "default-src 'none'" in page


def test_text_rendering_marks_words():
    diff = diff_snapshots(snapshot("Harga naik", ["a b"]), snapshot("Harga turun", ["a b c"]))
    text = render_text(diff, "artikel 1")
    assert "Harga [-naik-] {+turun+}" in text
    assert "@@ paragraph 1 (replace) @@\na b {+c+}" in text


def test_terminal_rendering_does_not_read_text_as_markup():
    before = snapshot("[bold]Judul[/bold]", ["x"])
    after = snapshot("[red]Judul baru[/red]", ["x"])
    console = Console(record=True, width=120, color_system="truecolor")
    console.print(render_term(diff_snapshots(before, after), "artikel 1"))
    plain = console.export_text(clear=False)
    assert "[bold]Judul[/bold]" in plain and "[red]Judul baru[/red]" in plain
    styled = console.export_text(styles=True)
    assert "\x1b[1;9;31m[bold]Judul[/bold]" in styled  # removed: bold red struck through
    assert "\x1b[1;32m[red]Judul baru[/red]" in styled  # added: bold green


def test_no_differences_is_said():
    same = snapshot("A", ["x"])
    assert "(no differences)" in render_text(diff_snapshots(same, same), "h")

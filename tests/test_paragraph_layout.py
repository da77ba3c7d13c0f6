"""How words are split into paragraphs is not an edit: hashing, diffs, renderers and the loader.

A paragraph split in two, two joined, or a `<br>` that became a `<p>` leaves every field's word
sequence as it was: no version, a cosmetic check. A real edit inside a re-split paragraph counts
only the words that changed, in the stored counts and in every renderer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
from rich.console import Console
from support.warehouse_support import PARAGRAPHS, T0, batch, make_article, ok, raw_page, rows

from warehouse import load_batch
from warehouse.diffing import diff_snapshots
from warehouse.kinds import Count
from warehouse.normalize import PageText, Snapshot
from warehouse.render_html import render_html
from warehouse.render_term import render_term
from warehouse.render_text import render_text

H = timedelta(hours=1)
WHEN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
JOINED = " ".join(PARAGRAPHS)


def snapshot(*pages: tuple[str, list[str]]) -> Snapshot:
    return Snapshot(
        title="Judul",
        description="Ringkasan.",
        pages=tuple(PageText(title, tuple(paragraphs)) for title, paragraphs in pages),
        tags=("banjir",),
        authors=("Dewi Lestari",),
        published_at=WHEN,
    )


def term_text(rendered) -> str:
    console = Console(record=True, width=200, color_system=None)
    console.print(rendered)
    return console.export_text()


def test_paragraph_layout_is_not_part_of_the_content_hash():
    one = snapshot(("", ["a b c", "d e f"]))
    assert snapshot(("", ["a b c d e f"])).content_hash == one.content_hash
    assert snapshot(("", ["a b", "c d", "e f"])).content_hash == one.content_hash
    assert snapshot(("", ["a b c"]), ("d", ["e f"])).content_hash == one.content_hash
    assert snapshot(("", ["a b c", "d e g"])).content_hash != one.content_hash
    assert snapshot(("", ["a b c", "d f e"])).content_hash != one.content_hash


def test_moving_a_paragraph_boundary_counts_no_words_in_any_renderer():
    before = snapshot(("", ["nol satu", "dua tiga empat lima", "enam"]))
    after = snapshot(("", ["nol satu dua", "tiga empat", "lima enam"]))
    diff = diff_snapshots(before, after)
    assert (diff.changed_fields, diff.words_added, diff.words_removed) == ([], 0, 0)
    assert render_text(diff, "h").endswith("(no differences)\n")
    assert "(no differences)" in term_text(render_term(diff, "h"))
    html = render_html(diff, "t", "v1", "v2")
    assert "<del>" not in html and "<ins>" not in html


def test_an_edit_inside_a_split_paragraph_counts_only_the_changed_words():
    before = snapshot(("", ["Warga mengungsi ke balai desa sejak pagi hari ini.", "Akhir."]))
    after = snapshot(("", ["Warga mengungsi ke balai", "kota sejak pagi hari ini.", "Akhir."]))
    diff = diff_snapshots(before, after)
    assert (diff.changed_fields, diff.words_added, diff.words_removed) == (["body"], 1, 1)
    assert [p.kind for p in diff.body] == ["equal", "replace", "equal"]
    text = render_text(diff, "h")
    assert "@@ paragraph 2 (replace) @@\n[-desa-] {+kota+} sejak pagi hari ini." in text
    assert "paragraph 1" not in text and "paragraph 3" not in text
    assert "¶2 replace\ndesa kota sejak pagi hari ini." in term_text(render_term(diff, "h"))
    html = render_html(diff, "t", "v1", "v2")
    assert html.count("<del>") == 1 and "<del>desa</del>" in html
    assert html.count("<ins>") == 1 and "<ins>kota</ins>" in html


def test_words_removed_at_a_boundary_go_with_the_words_that_follow_them():
    before = snapshot(("", ["a b c d e f", "g"]))
    after = snapshot(("", ["a b", "e f", "g h"]))
    diff = diff_snapshots(before, after)
    assert [(p.kind, p.ops) for p in diff.body] == [
        ("equal", [("=", "a b")]),
        ("replace", [("-", "c d"), ("=", "e f")]),
        ("replace", [("=", "g"), ("+", "h")]),
    ]
    assert (diff.words_added, diff.words_removed) == (1, 2)
    tail = diff_snapshots(snapshot(("", ["a b", "c d"])), snapshot(("", ["a", "b"])))
    assert [(p.kind, p.ops) for p in tail.body] == [
        ("equal", [("=", "a")]),
        ("replace", [("=", "b"), ("-", "c d")]),
    ]


def test_a_re_split_article_is_a_cosmetic_check_not_a_version(tmp_path):
    db = tmp_path / "w.duckdb"
    load_batch(db, batch(ok(make_article(), T0)))
    joined = make_article(paragraphs=[JOINED])
    split = make_article(paragraphs=[w for p in PARAGRAPHS for w in p.split(". ") if w])
    for at, article in ((T0 + H, joined), (T0 + 2 * H, split)):
        report = load_batch(db, batch(ok(article, at, raw_html=raw_page(article))))
        assert (report[Count.cosmetic], report[Count.changed], report[Count.revert]) == (1, 0, 0)
    assert rows(db, "SELECT count(*) FROM versions") == [(1,)]
    assert rows(db, "SELECT cosmetic_count FROM articles") == [(2,)]


def test_an_edit_in_a_re_split_article_is_stored_with_exact_counts(tmp_path):
    db = tmp_path / "w.duckdb"
    load_batch(db, batch(ok(make_article(), T0)))
    edited = make_article(paragraphs=[JOINED.replace("Kamis pagi", "Jumat pagi")])
    report = load_batch(db, batch(ok(edited, T0 + H)))
    (change,) = report.changes
    assert (change.changed_fields, change.words_added, change.words_removed) == (["body"], 1, 1)
    assert rows(db, "SELECT words_added, words_removed FROM article_changes") == [(1, 1)]


def test_back_to_earlier_words_in_another_layout_is_a_revert(tmp_path):
    db = tmp_path / "w.duckdb"
    load_batch(db, batch(ok(make_article(), T0)))
    load_batch(db, batch(ok(make_article(paragraphs=[*PARAGRAPHS, "Tambahan."]), T0 + H)))
    report = load_batch(db, batch(ok(make_article(paragraphs=[JOINED]), T0 + 2 * H)))
    assert (report[Count.revert], report[Count.changed]) == (1, 0)
    assert rows(db, "SELECT count(*) FROM versions") == [(2,)]


def test_identity_is_recomputed_from_stored_fields_not_read_from_the_hash_column(tmp_path):
    """Versions written by an earlier release hold another digest in `content_hash`."""
    db = tmp_path / "w.duckdb"
    load_batch(db, batch(ok(make_article(), T0)))
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE versions SET content_hash = 'digest-of-an-older-release'")
    report = load_batch(
        db, batch(ok(make_article(), T0 + H, raw_html=raw_page(make_article(), "ad-7")))
    )
    assert (report[Count.cosmetic], report[Count.changed]) == (1, 0)

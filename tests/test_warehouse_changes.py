"""Change detection through load_batch, on real DuckDB files: every kind, noise, flip-flops."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from support.warehouse_support import (
    ARTICLE_ID,
    PARAGRAPHS,
    T0,
    batch,
    failed,
    gone,
    make_article,
    not_modified,
    ok,
    raw_page,
    rows,
)

from parsers.models import Page, TopicTag
from warehouse import load_batch, load_batches, migrate
from warehouse.batch_rows import compress_pages
from warehouse.kinds import Count
from warehouse.loading import apply_batches
from warehouse.locking import connect
from warehouse.normalize import raw_hash
from warehouse.rawpages import decompress
from warehouse.records import Batch
from warehouse.scheduling import Ladder

H = timedelta(hours=1)
EDITED_TITLE = "Banjir Rob Rendam Ribuan Rumah di Pesisir Utara"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "warehouse.duckdb"


def versions(db) -> list[tuple]:
    return rows(db, "SELECT version, title FROM versions ORDER BY version")


def changes(db) -> list[tuple]:
    return rows(
        db,
        """SELECT kind, from_version, to_version, changed_fields FROM article_changes
           ORDER BY change_id""",
    )


def article_row(db) -> tuple:
    return rows(
        db,
        """SELECT status, current_version, check_count, cosmetic_count, last_checked
           FROM articles""",
    )[0]


def test_first_sighting_creates_version_one_and_schedules_a_recheck(db):
    report = load_batch(db, batch(ok(make_article(), T0)))
    assert report[Count.new] == 1
    (summary,) = report.changes
    assert (summary.kind, summary.version_from, summary.version_to) == ("new", None, 1)
    assert summary.title_after == "Banjir Rob Rendam Ratusan Rumah di Pesisir Utara"
    assert summary.words_added == 8 + 11 + sum(len(p.split()) for p in PARAGRAPHS)
    assert changes(db) == []  # a first sighting is a version, not a change row
    assert versions(db) == [(1, "Banjir Rob Rendam Ratusan Rumah di Pesisir Utara")]
    status, version, checks, _, _ = article_row(db)
    assert (status, version, checks) == ("live", 1, 1)
    # published one hour before the check: inside the first 3 h, so 15 minutes.
    assert rows(db, "SELECT next_check_at FROM articles")[0][0] == T0 + timedelta(minutes=15)


def test_cosmetic_differences_create_no_version(db):
    load_batch(db, batch(ok(make_article(), T0)))
    noisy = make_article(
        title="Banjir  Rob Rendam Ratusan Rumah di\u00a0Pesisir Utara ",
        paragraphs=[p.replace("Liputan6.com,", "Liputan6.com,\u00a0 ") for p in PARAGRAPHS]
        + ["   "],
        tags=["Cuaca Ekstrem", "banjir  rob", "semarang"],
        description="Air laut pasang merendam ratusan rumah warga di pesisir utara Jawa. ",
    )
    report = load_batch(db, batch(ok(noisy, T0 + H, raw_html=raw_page(noisy, ad_id="ad-99"))))
    assert report[Count.cosmetic] == 1 and report[Count.changed] == 0
    assert len(versions(db)) == 1 and changes(db) == []
    _, version, checks, cosmetic, last_checked = article_row(db)
    assert (version, checks, cosmetic, last_checked) == (1, 2, 1, T0 + H)


def test_curly_quotes_and_dashes_are_cosmetic(db):
    plain = make_article(paragraphs=['Ia berkata, "Kami siap" - lalu pergi.'])
    curly = make_article(paragraphs=["Ia berkata, \u201cKami siap\u201d \u2014 lalu pergi."])
    load_batch(db, batch(ok(plain, T0)))
    assert load_batch(db, batch(ok(curly, T0 + H)))[Count.cosmetic] == 1


def test_identical_page_is_unchanged(db):
    article = make_article()
    load_batch(db, batch(ok(article, T0)))
    report = load_batch(db, batch(ok(article, T0 + H)))
    assert report[Count.unchanged] == 1 and report[Count.cosmetic] == 0
    assert article_row(db)[2] == 2


def test_edit_records_fields_words_and_diff(db):
    load_batch(db, batch(ok(make_article(), T0)))
    edited = make_article(
        title=EDITED_TITLE,
        paragraphs=[*PARAGRAPHS[:2], "Warga meminta tanggul segera diperbaiki.", "Paragraf baru."],
        tags=["banjir rob", "Semarang", "cuaca ekstrem", "BMKG"],
    )
    report = load_batch(db, batch(ok(edited, T0 + H)))
    assert report[Count.changed] == 1
    (summary,) = report.changes
    assert summary.kind == "edit"
    assert summary.changed_fields == ["title", "body", "tags"]
    assert (summary.version_from, summary.version_to) == (1, 2)
    assert summary.title_after == EDITED_TITLE
    assert summary.words_added > 0 and summary.words_removed > 0
    assert changes(db) == [("edit", 1, 2, ["title", "body", "tags"])]
    diff = json.loads(rows(db, "SELECT diff FROM changes")[0][0])
    assert ["-", "Ratusan"] in diff["fields"]["title"]
    assert ["+", "BMKG"] in diff["fields"]["tags"]
    assert diff["body"][0] == {"kind": "equal", "count": 2}
    assert [p["kind"] for p in diff["body"][1:]] == ["replace", "insert"]
    assert rows(db, "SELECT current_version FROM articles")[0][0] == 2


def test_words_counted_exactly(db):
    load_batch(db, batch(ok(make_article(description="satu dua tiga"), T0)))
    report = load_batch(db, batch(ok(make_article(description="satu empat lima enam"), T0 + H)))
    (summary,) = report.changes
    assert (summary.words_added, summary.words_removed) == (3, 2)
    assert summary.changed_fields == ["description"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("authors", ["Dewi Lestari", "Andi Pratama"]),
        ("published_at", T0 - timedelta(hours=5)),
    ],
)
def test_author_and_date_changes_are_flagged(db, field, value):
    load_batch(db, batch(ok(make_article(), T0)))
    report = load_batch(db, batch(ok(make_article(**{field: value}), T0 + H)))
    assert report.changes[0].changed_fields == [field]


def test_return_to_earlier_content_is_a_revert_without_new_version(db):
    first, second = make_article(), make_article(title=EDITED_TITLE)
    load_batch(db, batch(ok(first, T0)))
    load_batch(db, batch(ok(second, T0 + H)))
    report = load_batch(db, batch(ok(first, T0 + 2 * H)))
    assert report[Count.revert] == 1
    assert len(versions(db)) == 2
    assert changes(db)[-1] == ("revert", 2, 1, ["title"])
    assert rows(db, "SELECT current_version FROM articles")[0][0] == 1


def test_flip_flops_within_a_day_are_suppressed_then_recorded_after(db):
    a, b = make_article(), make_article(title=EDITED_TITLE)
    sequence = [a, b, a, b, a, b]
    report = load_batch(db, batch(*(ok(x, T0 + i * H) for i, x in enumerate(sequence))))
    assert (report[Count.new], report[Count.changed], report[Count.revert]) == (1, 1, 1)
    # after the revert to A: B suppressed, A the current version (unchanged), B suppressed
    assert (
        report[Count.flip_flop_suppressed],
        report[Count.unchanged],
        report[Count.cosmetic],
    ) == (2, 1, 0)
    assert [c[0] for c in changes(db)] == ["edit", "revert"]
    assert rows(db, "SELECT current_version, check_count FROM articles")[0] == (1, 6)
    later = load_batch(db, batch(ok(b, T0 + 2 * H + timedelta(hours=25))))
    assert later[Count.revert] == 1
    assert changes(db)[-1] == ("revert", 1, 2, ["title"])


def test_removal_and_restoration(db):
    article = make_article()
    load_batch(db, batch(ok(article, T0)))
    report = load_batch(db, batch(gone(ARTICLE_ID, T0 + H)))
    assert report[Count.removed] == 1
    assert article_row(db)[0] == "removed"
    again = load_batch(db, batch(gone(ARTICLE_ID, T0 + 2 * H, status=410)))
    assert again[Count.removed] == 0 and again[Count.unchanged] == 1
    back = load_batch(db, batch(ok(article, T0 + 3 * H)))
    assert back[Count.restored] == 1
    assert [c[:3] for c in changes(db)] == [("removed", 1, None), ("restored", 1, 1)]
    assert article_row(db)[0] == "live"
    assert len(versions(db)) == 1


def test_restoration_with_new_content_creates_the_version(db):
    load_batch(db, batch(ok(make_article(), T0)))
    load_batch(db, batch(gone(ARTICLE_ID, T0 + H)))
    report = load_batch(db, batch(ok(make_article(title=EDITED_TITLE), T0 + 2 * H)))
    assert report[Count.restored] == 1 and report[Count.changed] == 0
    assert changes(db)[-1] == ("restored", 1, 2, ["title"])
    assert len(versions(db)) == 2


def test_removed_article_stays_on_the_recheck_ladder(db):
    load_batch(db, batch(ok(make_article(), T0)))
    load_batch(db, batch(gone(ARTICLE_ID, T0 + H)))
    next_check = rows(db, "SELECT next_check_at FROM articles")[0][0]
    assert next_check == T0 + H + timedelta(minutes=15)


def test_removal_of_an_unknown_article_is_logged_not_invented(db, caplog):
    report = load_batch(db, batch(gone(777, T0)))
    assert report[Count.skipped] == 1
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == 0
    assert rows(db, "SELECT outcome FROM observation_errors") == [("skipped",)]
    assert rows(db, "SELECT status FROM fetch_log") == [(404,)]
    assert "before the first successful fetch" in caplog.text


def test_reparse_of_same_raw_html_is_a_parser_change(db):
    article = make_article()
    html = raw_page(article)
    load_batch(db, batch(ok(article, T0, raw_html=html)))
    better = make_article(
        extra_pages=[Page(title="Halaman 2", paragraphs=["Teks yang dulu terlewat."])],
        parser_version="1.1.0",
    )
    reparse = ok(better, T0, raw_html=html, reparse=True)  # dated when the HTML was fetched
    report = load_batch(db, Batch(run_id="reparse", created_at=T0 + H, observations=[reparse]))
    assert report[Count.parser_change] == 1 and report[Count.changed] == 0
    assert changes(db) == [("parser_change", 1, 2, ["body"])]
    assert rows(db, "SELECT detected_at FROM changes")[0][0] == T0 + H
    assert rows(db, "SELECT fetched_at FROM versions WHERE version = 2")[0][0] == T0
    assert rows(db, "SELECT parser_version FROM versions WHERE version = 2")[0][0] == "1.1.0"
    # a re-parse is not a check: counters and schedule untouched
    assert rows(db, "SELECT check_count, last_checked FROM articles")[0] == (1, T0)


def test_same_raw_html_with_different_output_is_a_parser_change_even_unflagged(db):
    article = make_article()
    html = raw_page(article)
    load_batch(db, batch(ok(article, T0, raw_html=html)))
    report = load_batch(db, batch(ok(make_article(title=EDITED_TITLE), T0 + H, raw_html=html)))
    assert report[Count.parser_change] == 1 and report[Count.changed] == 0


def test_failures_are_recorded_but_create_nothing(db):
    load_batch(db, batch(ok(make_article(), T0)))
    report = load_batch(
        db, batch(failed(ARTICLE_ID, T0 + H), failed(ARTICLE_ID, T0 + 2 * H, "parse_error"))
    )
    assert (report[Count.failed], report[Count.parse_error]) == (1, 1)
    assert len(versions(db)) == 1 and changes(db) == []
    assert rows(db, "SELECT check_count, last_checked FROM articles")[0] == (1, T0)
    assert rows(db, "SELECT outcome, error FROM observation_errors ORDER BY observed_at") == [
        ("failed", "503 Service Unavailable"),
        ("parse_error", "missing: title"),
    ]
    assert rows(db, "SELECT count(*) FROM fetch_log")[0][0] == 5


def test_not_modified_only_counts_the_check(db):
    load_batch(db, batch(ok(make_article(), T0)))
    report = load_batch(db, batch(not_modified(ARTICLE_ID, T0 + H)))
    assert report[Count.not_modified] == 1
    assert article_row(db)[2:] == (2, 0, T0 + H)


def test_same_batch_twice_changes_nothing(db):
    one = batch(ok(make_article(), T0), ok(make_article(title=EDITED_TITLE), T0 + H))
    load_batch(db, one)
    tables = ["articles", "versions", "changes", "fetches", "raw_pages", "loaded_batches"]
    before = {t: rows(db, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    again = load_batch(db, one)
    assert again.already_loaded and again.counts()[Count.changed] == 0
    assert {t: rows(db, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_topics_are_stored_per_version_and_diffed(db):
    politics = TopicTag(topic="politik", source="taxonomy", score=0.9, evidence=["pemilu"])
    disaster = TopicTag(topic="bencana", source="taxonomy", score=0.8, evidence=["banjir"])
    load_batch(db, batch(ok(make_article(), T0, topics=[disaster])))
    report = load_batch(
        db, batch(ok(make_article(title=EDITED_TITLE), T0 + H, topics=[disaster, politics]))
    )
    assert report.changes[0].changed_fields == ["title", "topics"]
    assert rows(db, "SELECT version, topic FROM version_topics ORDER BY ALL") == [
        (1, "bencana"),
        (2, "bencana"),
        (2, "politik"),
    ]
    assert rows(db, "SELECT topic, evidence FROM article_topics ORDER BY topic") == [
        ("bencana", ["banjir"]),
        ("politik", ["pemilu"]),
    ]
    trends = rows(
        db,
        "SELECT topic, articles, edits FROM topic_trends WHERE period = 'day' ORDER BY topic",
    )
    assert trends == [("bencana", 1, 1), ("politik", 1, 1)]


def test_custom_ladder_is_used(db):
    ladder = Ladder(steps=((timedelta(days=2), timedelta(minutes=5)),))
    load_batch(db, batch(ok(make_article(), T0)), ladder=ladder)
    assert rows(db, "SELECT next_check_at FROM articles")[0][0] == T0 + timedelta(minutes=5)
    old = make_article(article_id=42, published_at=T0 - timedelta(days=3))
    load_batch(db, batch(ok(old, T0)), ladder=ladder)
    assert rows(db, "SELECT next_check_at FROM articles WHERE article_id = 42")[0][0] is None


def test_multi_page_article_reads_back_identically(db):
    article = make_article(
        paragraphs=PARAGRAPHS[:1],
        extra_pages=[
            Page(title="Tanggul Jebol", paragraphs=["Tanggul sepanjang 20 meter jebol."]),
            Page(title="Kosong", paragraphs=[]),
            Page(paragraphs=["Halaman tanpa judul.", "  ", "Paragraf terakhir."]),
        ],
    )
    load_batch(db, batch(ok(article, T0)))
    report = load_batch(db, batch(ok(article, T0 + H, raw_html=raw_page(article, ad_id="x"))))
    assert report[Count.cosmetic] == 1 and report[Count.changed] == 0
    body = rows(db, "SELECT body FROM article_versions")[0][0]
    assert body.split("\n\n") == [
        PARAGRAPHS[0],
        "Tanggul Jebol",
        "Tanggul sepanjang 20 meter jebol.",
        "Kosong",
        "Halaman tanpa judul.",
        "Paragraf terakhir.",
    ]
    moved = make_article(paragraphs=PARAGRAPHS[:1], extra_pages=[Page(title="Tanggul Jebol")])
    assert load_batch(db, batch(ok(moved, T0 + 2 * H))).changes[0].changed_fields == ["body"]


def test_load_batches_applies_each_batch_once_over_one_connection(db):
    first = batch(ok(make_article(), T0), run_id="a")
    second = batch(ok(make_article(title=EDITED_TITLE), T0 + H), run_id="b")
    reports = load_batches(db, [first, second, first])
    assert [(r[Count.new], r[Count.changed], r.already_loaded) for r in reports] == [
        (1, 0, False),
        (0, 1, False),
        (0, 0, True),
    ]
    assert rows(db, "SELECT count(*) FROM loaded_batches")[0][0] == 2


def test_a_topic_given_twice_is_stored_once_with_a_warning(db, caplog):
    first = TopicTag(topic="bencana", source="taxonomy", score=0.8, evidence=["banjir"])
    again = TopicTag(topic="bencana", source="taxonomy", score=0.2, evidence=[])
    other = TopicTag(topic="bencana", source="site_tag", score=1.0, evidence=["Bencana"])
    with caplog.at_level("WARNING", logger="warehouse.batch_rows"):
        report = load_batch(db, batch(ok(make_article(), T0, topics=[first, again, other])))
    assert report[Count.new] == 1
    assert rows(db, "SELECT source, score FROM version_topics ORDER BY source") == [
        ("site_tag", 1.0),
        ("taxonomy", 0.8),
    ]
    assert "topic bencana (taxonomy) given twice" in caplog.text


def test_raw_pages_compressed_before_the_file_opens_or_inside_are_the_same(tmp_path):
    observation = ok(make_article(), T0)
    page = raw_hash(observation.raw_html)
    assert list(compress_pages([batch(observation)])) == [page]
    assert compress_pages([batch(ok(make_article(), T0, reparse=True))]) == {}
    assert compress_pages([batch(gone(ARTICLE_ID, T0))]) == {}
    loaded, held = tmp_path / "loaded.duckdb", tmp_path / "held.duckdb"
    load_batch(loaded, batch(observation))  # compressed before the file is opened
    migrate(held)
    with connect(held, read_only=False, lock_timeout=5.0) as con:
        apply_batches(con, [batch(observation)], Ladder())  # compressed in the transaction
    query = "SELECT raw_hash, codec, content FROM raw_pages"
    assert rows(loaded, query) == rows(held, query)
    (_, codec, content), *_ = rows(held, query)
    assert rows(held, "SELECT raw_hash FROM raw_pages") == [(page,)]
    assert decompress(codec, content) == observation.raw_html

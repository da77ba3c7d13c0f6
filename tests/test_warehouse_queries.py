"""Read paths for the flows: known ids, the recheck queue, stored raw pages; and the ladder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import SHARED_PAGES
from support.warehouse_support import ARTICLE_ID, T0, batch, gone, make_article, ok, raw_page, rows

from config.settings import Settings
from warehouse import (
    Ladder,
    WarehouseMissing,
    due_for_recheck,
    known_article_ids,
    load_batch,
    open_readonly,
    stored_raw_pages,
)

MIN = timedelta(minutes=1)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "warehouse.duckdb"


def test_missing_database_reads_as_empty_or_fails_clearly(db):
    assert known_article_ids(db, [1, 2]) == set()
    assert due_for_recheck(db, T0) == []
    assert list(stored_raw_pages(db)) == []
    with pytest.raises(WarehouseMissing, match="no warehouse database"), open_readonly(db):
        pass


def test_known_article_ids(db):
    load_batch(db, batch(ok(make_article(article_id=1), T0), ok(make_article(article_id=2), T0)))
    assert known_article_ids(db, [2, 3, 1, 2]) == {1, 2}
    assert known_article_ids(db, []) == set()


def test_due_for_recheck_follows_the_ladder(db):
    fresh = make_article(article_id=1)  # published an hour before: every 15 min
    week_old = make_article(article_id=2, published_at=T0 - timedelta(days=3))  # every 3 h
    ancient = make_article(article_id=3, published_at=T0 - timedelta(days=400))  # never
    load_batch(db, batch(ok(fresh, T0), ok(week_old, T0), ok(ancient, T0)))
    assert due_for_recheck(db, T0 + 14 * MIN) == []
    assert [d.article_id for d in due_for_recheck(db, T0 + 15 * MIN)] == [1]
    due = due_for_recheck(db, T0 + timedelta(hours=3))
    assert [d.article_id for d in due] == [1, 2]
    assert due[0].url == fresh.canonical_url and due[0].etag == f'"{T0.timestamp():.0f}"'
    assert [d.article_id for d in due_for_recheck(db, T0 + timedelta(days=999), limit=1)] == [1]
    assert rows(db, "SELECT next_check_at FROM articles WHERE article_id = 3") == [(None,)]


def test_removed_articles_are_still_due(db):
    load_batch(db, batch(ok(make_article(), T0)))
    load_batch(db, batch(gone(ARTICLE_ID, T0 + MIN)))
    assert [d.article_id for d in due_for_recheck(db, T0 + 16 * MIN)] == [ARTICLE_ID]


def test_ladder_defaults_match_newsdiffs_and_settings():
    ladder = Ladder()
    assert ladder == Ladder.from_steps(Settings().recheck_ladder)
    expected = [
        (timedelta(hours=2), timedelta(minutes=15)),
        (timedelta(hours=5), timedelta(hours=1)),
        (timedelta(days=2), timedelta(hours=3)),
        (timedelta(days=10), timedelta(days=3)),
        (timedelta(days=100), timedelta(days=30)),
        (timedelta(days=366), None),
    ]
    assert [(age, ladder.interval(age)) for age, _ in expected] == expected
    with pytest.raises(ValueError, match="increasing"):
        Ladder(steps=((timedelta(days=2), timedelta(hours=1)), (timedelta(days=1), MIN)))


def test_raw_pages_come_back_for_reparse_and_are_stored_once(db):
    first, second = make_article(article_id=1), make_article(article_id=2, title="Lain")
    shared_html = raw_page(first) + "<!-- identical page served for two ids -->"
    load_batch(db, batch(ok(first, T0, raw_html=shared_html), ok(second, T0, raw_html=shared_html)))
    edited = make_article(article_id=1, title="Judul Diperbarui")
    load_batch(db, batch(ok(edited, T0 + MIN, raw_html=raw_page(edited))))
    pages = {p.article_id: p for p in stored_raw_pages(db)}
    assert pages[1].html == raw_page(edited) and pages[1].version == 2
    assert pages[2].html == shared_html and pages[2].fetched_at == T0
    assert [p.article_id for p in stored_raw_pages(db, [2])] == [2]
    assert rows(db, "SELECT count(*) FROM raw_pages")[0][0] == 2


@pytest.mark.real_pages
def test_real_pages_compress_to_a_fifth_or_less(db):
    html_files = sorted(SHARED_PAGES.glob("*article*.html"))
    assert html_files, f"no saved article pages in {SHARED_PAGES}"
    observations = [
        ok(make_article(article_id=i), T0, raw_html=path.read_text(encoding="utf-8"))
        for i, path in enumerate(html_files, start=1)
    ]
    load_batch(db, batch(*observations))
    for size, stored in rows(db, "SELECT size_bytes, stored_bytes FROM raw_pages"):
        assert stored <= 0.2 * size
    assert {p.html for p in stored_raw_pages(db)} == {o.raw_html for o in observations}

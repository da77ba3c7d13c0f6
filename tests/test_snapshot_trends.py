"""`topic_trends` and `freshness` materialised in the read snapshot: after every publication,
full or incremental, each table holds exactly what the live file's view returns, including when
an old article's new version moves it (and its old edits) to other topics."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from support.warehouse_support import ARTICLE_ID, PARAGRAPHS, batch, make_article, not_modified, ok

from parsers.models import Article, TopicTag
from warehouse import load_batch
from warehouse.snapshot import publish, snapshot_path

NOW = datetime.now(UTC).replace(microsecond=0)
MONTHS_AGO = NOW - timedelta(days=100)
OLD_ID = ARTICLE_ID + 50


def tag(*topics: str) -> list[TopicTag]:
    return [TopicTag(topic=t, source="taxonomy", score=1.0, evidence=[t]) for t in topics]


def article(n: int, published: datetime, title: str, body: str = "") -> Article:
    return make_article(
        article_id=ARTICLE_ID + n,
        title=title,
        published_at=published,
        paragraphs=[*PARAGRAPHS[:2], body or f"Paragraf penutup nomor {n}."],
    )


def trends(path: Path, view: str = "topic_trends") -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()


def same_as_live(db: Path) -> bool:
    return all(
        trends(snapshot_path(db), view) == trends(db, view)
        for view in ("topic_trends", "freshness")
    )


def kind_in_snapshot(db: Path, view: str = "topic_trends") -> str:
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:
        found = con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [view]
        ).fetchone()
    return found[0] if found else ""


def old_week_topics(path: Path) -> set[str]:
    week = (MONTHS_AGO + timedelta(hours=7)).date()
    week -= timedelta(days=week.weekday())
    with duckdb.connect(str(path), read_only=True) as con:
        found = con.execute(
            "SELECT topic FROM topic_trends WHERE period = 'week' AND period_start = ?", [week]
        ).fetchall()
    return {row[0] for row in found}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An old article edited twice months ago (the second time 20 days later), three recent ones."""
    path = tmp_path / "warehouse.duckdb"
    old = article(50, MONTHS_AGO, "Banjir Bandang Terjang Desa")
    load_batch(path, batch(ok(old, MONTHS_AGO + timedelta(hours=1), topics=tag("bencana"))))
    for hours, body in ((5, "Air mulai surut di sebagian desa."), (480, "Bantuan logistik tiba.")):
        edited = article(50, MONTHS_AGO, "Banjir Bandang Terjang Desa", body)
        at = MONTHS_AGO + timedelta(hours=hours)
        load_batch(path, batch(ok(edited, at, topics=tag("bencana"))))
    recent = [
        ok(
            article(1, NOW - timedelta(days=9), "Jembatan Baru Diresmikan"),
            NOW,
            topics=tag("ekonomi"),
        ),
        ok(article(2, NOW - timedelta(days=2), "Pemilu Daerah Digelar"), NOW, topics=tag("pemilu")),
        ok(
            article(3, NOW - timedelta(hours=3), "Gempa Guncang Pesisir"),
            NOW,
            topics=tag("bencana"),
        ),
    ]
    load_batch(path, batch(*recent))
    return path


def test_the_table_equals_the_view_after_every_publication(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = publish(db)
    assert first.mode == "full" and kind_in_snapshot(db) == "BASE TABLE"
    assert kind_in_snapshot(db, "freshness") == "BASE TABLE"
    assert len(trends(db, "freshness")) >= 3  # days of the old edits and of today's fetches
    assert same_as_live(db)
    assert old_week_topics(snapshot_path(db)) == {"bencana"}

    later = NOW + timedelta(hours=1)
    new = article(4, later - timedelta(minutes=10), "Harga Beras Naik")
    load_batch(
        db, batch(ok(new, later, topics=tag("ekonomi")), not_modified(ARTICLE_ID + 1, later))
    )
    assert publish(db).mode == "incremental"
    assert same_as_live(db)

    retagged = article(2, NOW - timedelta(days=2), "Pemilu Daerah Ricuh", "Polisi berjaga.")
    load_batch(db, batch(ok(retagged, later + timedelta(hours=1), topics=tag("pemilu", "hukum"))))
    assert publish(db).mode == "incremental"
    assert same_as_live(db)

    # An old article's new version changes its topics: its publication week months ago and the
    # weeks of its old edits now count under the new topic, in both copies.
    moved = article(50, MONTHS_AGO, "Banjir Bandang Disebut Akibat Tambang Ilegal", "Izin dicabut.")
    caplog.set_level(logging.INFO, logger="warehouse.snapshot")
    for step in range(2):
        at = later + timedelta(hours=2 + step)
        load_batch(db, batch(ok(moved, at, topics=tag("hukum", "lingkungan"))))
        assert publish(db).mode == "incremental"
        assert same_as_live(db)
        assert old_week_topics(snapshot_path(db)) == {"hukum", "lingkungan"}
    assert kind_in_snapshot(db) == "BASE TABLE"
    recomputed = [r.getMessage() for r in caplog.records if "topic_trends" in r.getMessage()]
    assert recomputed and all(m.endswith(" weeks") for m in recomputed), recomputed
    days = [r.getMessage() for r in caplog.records if "freshness" in r.getMessage()]
    assert days and all(m.endswith(" days") for m in days), days


def test_a_live_view_of_another_release_is_published_as_that_view(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(
            "CREATE OR REPLACE VIEW topic_trends AS "
            "SELECT 'day' AS period, current_date AS period_start, 'x' AS topic"
        )
    publish(db)
    assert kind_in_snapshot(db) == "VIEW"
    assert same_as_live(db)

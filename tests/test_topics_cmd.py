"""`liputan6-monitor topics` against a real DuckDB warehouse loaded with tagged observations."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from typer.testing import CliRunner

from commands.main import app
from commands.options import parse_duration
from parsers.models import Article, Page
from parsers.topics import tag_topics
from warehouse import load_batch
from warehouse.records import Batch, Observation

WIB = ZoneInfo("Asia/Jakarta")
runner = CliRunner(env={"COLUMNS": "200"})  # wide enough that no cell wraps


def _article(
    article_id: int, title: str, body: str, published: datetime, tags: list[str]
) -> Article:
    return Article(
        article_id=article_id,
        canonical_url=f"https://www.liputan6.com/news/read/{article_id}/contoh",
        channel="news",
        title=title,
        published_at=published,
        tags=tags,
        pages=[Page(paragraphs=[body])],
    )


def _observe(article: Article, at: datetime) -> Observation:
    return Observation(
        article_id=article.article_id,
        url=article.canonical_url,
        observed_at=at,
        outcome="ok",
        article=article,
        topics=tag_topics(article),
    )


@pytest.fixture
def warehouse_db(tmp_path: Path) -> Path:
    """Two flood stories (one edited once) and one old election story outside a 7-day window."""
    now = datetime.now(WIB).replace(microsecond=0)
    flood = (
        "Banjir bandang melanda dua kecamatan. BPBD mengevakuasi warga ke lokasi pengungsian,"
        " dan tanah longsor menutup jalan desa."
    )
    first = _article(
        11, "Banjir Bandang Landa Dua Kecamatan", flood, now - timedelta(days=1), ["Banjir"]
    )
    edited = first.model_copy(update={"title": "Banjir Bandang Landa Tiga Kecamatan"})
    second = _article(
        12, "Warga Mengungsi Akibat Banjir", flood, now - timedelta(days=2), ["banjir", "BPBD"]
    )
    election = _article(
        13,
        "KPU Tetapkan Daftar Pemilih Tetap",
        "KPU menetapkan daftar pemilih tetap untuk pilkada. Bawaslu mengawasi rekapitulasi suara.",
        now - timedelta(days=40),
        ["Pilkada"],
    )
    path = tmp_path / "warehouse.duckdb"
    seen = now - timedelta(hours=5)
    batches = [
        [_observe(first, seen), _observe(second, seen), _observe(election, seen)],
        [_observe(edited, seen + timedelta(hours=2))],
    ]
    for number, observations in enumerate(batches):
        load_batch(path, Batch(run_id=f"run-{number}", created_at=seen, observations=observations))
    return path


def test_lists_topics_with_article_and_edit_counts(warehouse_db: Path) -> None:
    result = runner.invoke(app, ["topics", "--db", str(warehouse_db), "--since", "7d"])

    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "bencana" in rows
    cells = [cell.strip() for cell in rows["bencana"].split("│")]
    assert cells[2:5] == ["2", "1", "taxonomy"]  # two flood articles, one edit
    assert "banjir bandang" in cells[5]
    assert "pemilu" not in rows  # published 40 days ago


def test_filters_by_topic_and_source(warehouse_db: Path) -> None:
    by_topic = runner.invoke(
        app, ["topics", "--db", str(warehouse_db), "--since", "60d", "--topic", "Pemilu"]
    )
    site_tags = runner.invoke(
        app, ["topics", "--db", str(warehouse_db), "--since", "7d", "--source", "site_tag"]
    )

    assert by_topic.exit_code == 0, by_topic.output
    listed = [line.split("│")[1].strip() for line in by_topic.output.splitlines() if "│" in line]
    assert listed == ["pemilu"]
    assert site_tags.exit_code == 0, site_tags.output
    assert "banjir" in site_tags.output and "bencana" not in site_tags.output


def test_missing_database_and_bad_window_are_clear_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["topics", "--db", str(tmp_path / "none.duckdb")])

    assert missing.exit_code == 1
    assert "no warehouse database" in missing.output
    with pytest.raises(typer.BadParameter, match="unit m, h, d or w"):
        parse_duration("7 days")
    assert parse_duration("36h") == timedelta(hours=36)

"""The Parquet export: every view readable by DuckDB and Polars, month partitions, and re-runs
that rewrite only the months that changed (nothing at all when nothing is new)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from support.warehouse_support import ARTICLE_ID, batch, make_article, ok
from test_snapshot import FLOOD, START, build

from parsers.models import TopicTag
from warehouse import load_batch
from warehouse.export import EXPORTS, STATE_FILE, export
from warehouse.snapshot import open_read, publish

MONTHS_AGO = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
COURT = TopicTag(topic="hukum", source="taxonomy", score=1.0, evidence=["sidang"])


def files(root: Path) -> dict[str, int]:
    """Every file under `root` with its modification time, to prove what a re-run touched."""
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def run_export(db: Path, target: str):
    with open_read(db) as con:
        return export(con, target, "test warehouse")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    build(path)
    publish(path)
    return path


def test_every_view_reads_back_in_duckdb_and_polars(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    report = run_export(db, str(out))
    assert report.partitions_written >= len(EXPORTS) - 1  # `runs` is empty here
    assert (out / "README.md").read_text().startswith("# liputan6-monitor: Parquet export")
    assert (out / "article_changes" / f"month={datetime.now(UTC):%Y-%m}").is_dir()
    with open_read(db) as con:
        for spec in EXPORTS:
            expected = con.execute(f"SELECT count(*) FROM {spec.view}").fetchone()[0]
            pattern = str(out / spec.view / ("*/*.parquet" if spec.partition_by else "*.parquet"))
            if not expected:
                assert not list(out.glob(f"{spec.view}/**/*.parquet"))
                continue
            found = duckdb.sql(
                f"SELECT count(*) FROM read_parquet('{pattern}', hive_partitioning = true)"
            ).fetchall()[0][0]
            assert found == expected, spec.view
            frame = pl.scan_parquet(
                str(out / spec.view / "**" / "*.parquet"), hive_partitioning=True
            ).collect()
            assert frame.height == expected, spec.view
        titles = con.execute(
            "SELECT title_before, title_after, diff::VARCHAR FROM article_changes "
            "WHERE kind = 'edit'"
        ).fetchall()
    changes = pl.scan_parquet(
        str(out / "article_changes" / "**" / "*.parquet"), hive_partitioning=True
    ).collect()
    edit = changes.filter(pl.col("kind") == "edit")
    assert edit.select("title_before", "title_after", "diff").rows() == titles
    assert changes.schema["diff"] == pl.String
    assert set(changes["month"]) == {f"{datetime.now(UTC):%Y-%m}"}


def exported(root: Path) -> dict[str, list[tuple]]:
    """Every view's rows as read back from an export (with the `month` of each row's folder)."""
    found = {}
    for spec in EXPORTS:
        pattern = root / spec.view / ("*/*.parquet" if spec.partition_by else "*.parquet")
        if not list(root.glob(str(pattern.relative_to(root)))):
            found[spec.view] = []  # `runs` is empty here
            continue
        found[spec.view] = duckdb.sql(
            f"SELECT * FROM read_parquet('{pattern}', hive_partitioning = true) ORDER BY ALL"
        ).fetchall()
    return found


def test_a_rerun_with_nothing_new_writes_nothing(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert run_export(db, str(out)).basis == "fingerprints"
    before = files(out)
    again = run_export(db, str(out))
    assert again.basis == "new rows"
    assert again.partitions_written == again.partitions_removed == again.rows == 0
    assert files(out) == before
    publish(db)  # a publication with nothing new loaded: the other copy, same rows
    assert run_export(db, str(out)).partitions_written == 0
    assert files(out) == before


def test_a_change_to_an_old_article_rewrites_exactly_its_partitions(
    db: Path, tmp_path: Path
) -> None:
    """An article from March, edited in March, gets a new version now with other topics: its
    March versions (one is no longer current), its March latest row and topics, and this month's
    changes and fetches are rewritten; nothing else. The result equals a full export."""
    out = tmp_path / "export"
    old = make_article(article_id=ARTICLE_ID + 7, title="Arsip Maret", published_at=MONTHS_AGO)
    edited = make_article(
        article_id=ARTICLE_ID + 7, title="Arsip Maret Diperbarui", published_at=MONTHS_AGO
    )
    load_batch(db, batch(ok(old, MONTHS_AGO + timedelta(hours=1), topics=[FLOOD])))
    load_batch(db, batch(ok(edited, MONTHS_AGO + timedelta(days=2), topics=[FLOOD])))
    publish(db)
    run_export(db, str(out))
    before = files(out)
    now = f"{datetime.now(UTC):%Y-%m}"
    retitled = make_article(
        article_id=ARTICLE_ID + 7, title="Arsip Maret Dikoreksi", published_at=MONTHS_AGO
    )
    load_batch(db, batch(ok(retitled, START + timedelta(hours=4), topics=[COURT])))
    publish(db)
    report = run_export(db, str(out))
    assert report.basis == "new rows"
    assert report.written == {
        "latest_articles": ["2026-03"],
        "article_versions": ["2026-03"],
        "article_changes": [now],
        "article_topics": ["2026-03"],
        "fetch_log": [now],
        "topic_trends": ["all"],
    }
    after = files(out)
    rewritten = {f"{view}/month={m}" for view, months in report.written.items() for m in months}
    for name, mtime in before.items():
        if name.rsplit("/", 1)[0] not in rewritten and "topic_trends" not in name:
            assert after[name] == mtime or name in (STATE_FILE, "README.md"), name
    full = tmp_path / "full"
    assert run_export(db, str(full)).basis == "fingerprints"
    assert exported(out) == exported(full)
    assert json.loads((out / STATE_FILE).read_text()) == json.loads((full / STATE_FILE).read_text())


def test_only_the_changed_months_are_rewritten(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    run_export(db, str(out))
    before = files(out)
    older = make_article(article_id=ARTICLE_ID + 7, title="Arsip Maret", published_at=MONTHS_AGO)
    load_batch(db, batch(ok(older, START + timedelta(hours=3))))
    publish(db)
    report = run_export(db, str(out))
    assert report.written["article_versions"] == ["2026-03"]
    assert report.written["latest_articles"] == ["2026-03"]
    after = files(out)
    untouched = [name for name in before if "month=2026-11" in name]
    assert untouched and all(after[name] == before[name] for name in untouched)
    assert "article_versions/month=2026-03/part_0.parquet" in after
    assert after[STATE_FILE] != before[STATE_FILE]


def test_an_fsspec_url_target(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "via-fsspec"
    report = run_export(db, f"file://{out}")
    assert report.partitions_written and (out / STATE_FILE).is_file()
    assert run_export(db, f"file://{out}").partitions_written == 0
    found = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/article_versions/*/*.parquet')"
    ).fetchall()
    assert found == [(2,)]

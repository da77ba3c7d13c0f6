"""The Parquet export: every view readable by DuckDB and Polars, month partitions, and re-runs
that rewrite only the months that changed (nothing at all when nothing is new)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from support.warehouse_support import ARTICLE_ID, batch, make_article, ok
from test_snapshot import START, build

from warehouse import load_batch
from warehouse.export import EXPORTS, STATE_FILE, export
from warehouse.snapshot import open_read, publish

MONTHS_AGO = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


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


def test_a_rerun_with_nothing_new_writes_nothing(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    run_export(db, str(out))
    before = files(out)
    again = run_export(db, str(out))
    assert again.partitions_written == again.partitions_removed == again.rows == 0
    assert files(out) == before


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

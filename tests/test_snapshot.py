"""The read snapshot: same rows as the live file in every view, a format DuckDB 1.x opens,
incremental updates, and a reader holding a copy open never blocks a load or a publication."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from support.snapshot_support import README_QUERIES, cli_version, duckdb_cli, held_open, run_cli
from support.warehouse_support import (
    ARTICLE_ID,
    PARAGRAPHS,
    batch,
    gone,
    make_article,
    not_modified,
    ok,
)

from parsers.models import Article, TopicTag
from warehouse import load_batch, snapshot
from warehouse.schema import VIEWS
from warehouse.snapshot import (
    SNAPSHOT_STORAGE_VERSION,
    SnapshotMissing,
    copy_path,
    needs_publication,
    open_read,
    pending_marker,
    publish,
    publish_after_load,
    snapshot_info,
    snapshot_path,
)

FLOOD = TopicTag(topic="bencana", source="taxonomy", score=1.0, evidence=["banjir"])
START = datetime.now(UTC) - timedelta(hours=6)


def build(db: Path) -> None:
    edited = make_article(
        title="Banjir Rob Rendam Ribuan Rumah",
        paragraphs=[*PARAGRAPHS[:2], "Pompa air mati total."],
    )
    load_batch(db, batch(ok(make_article(), START, topics=[FLOOD])))
    load_batch(db, batch(ok(edited, START + timedelta(hours=1), topics=[FLOOD])))
    load_batch(db, batch(gone(ARTICLE_ID, START + timedelta(hours=2))))


def other_article(n: int) -> Article:
    return make_article(article_id=ARTICLE_ID + n, title=f"Jembatan Baru Nomor {n} Diresmikan")


def view_rows(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return {
            name: sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in VIEWS
        }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    build(path)
    return path


def test_snapshot_has_every_view_with_the_live_rows(db: Path) -> None:
    first = publish(db)
    assert first.published and first.mode == "full" and first.copy == "a"
    assert view_rows(snapshot_path(db)) == view_rows(db)
    with open_read(db) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    assert "raw_pages" not in tables
    info = snapshot_info(db)
    assert info is not None
    assert info["loaded_batches"] == 3 and info["storage_version"] == SNAPSHOT_STORAGE_VERSION


def test_later_publications_are_incremental_and_alternate_copies(db: Path) -> None:
    publish(db)
    load_batch(db, batch(ok(other_article(1), START + timedelta(hours=3))))
    second = publish(db)
    assert (second.mode, second.copy) == ("incremental", "b")
    assert view_rows(snapshot_path(db)) == view_rows(db)
    load_batch(db, batch(ok(other_article(2), START + timedelta(hours=4))))
    third = publish(db)
    assert (third.mode, third.copy) == ("incremental", "a")
    assert view_rows(snapshot_path(db)) == view_rows(db)
    assert snapshot_path(db).stat().st_ino == copy_path(db, "a").stat().st_ino
    assert snapshot_info(db)["loaded_batches"] == 5  # type: ignore[index]
    recheck = START + timedelta(hours=5)
    load_batch(db, batch(not_modified(ARTICLE_ID + 1, recheck), ok(make_article(), recheck)))
    assert publish(db).mode == "incremental"
    assert view_rows(snapshot_path(db)) == view_rows(db)  # updated article rows included


def test_file_is_storage_version_64_and_every_view_works_in_the_1x_cli(db: Path) -> None:
    """Storage number 64 is what DuckDB 1.0 to 1.5 all read (the 1.5.6 CLI reads 64 to 68)."""
    publish(db)
    header = snapshot_path(db).read_bytes()[8:16]
    assert header[:4] == b"DUCK" and int.from_bytes(header[4:], "little") == 64
    cli = duckdb_cli()
    assert cli_version(cli).startswith("v1.")
    counts = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM {name}" for name in VIEWS)
    result = run_cli(cli, snapshot_path(db), counts + ";")
    assert result.returncode == 0, result.stderr
    live = {name: len(rows) for name, rows in view_rows(db).items()}
    found = dict(line.rsplit(",", 1) for line in result.stdout.splitlines()[1:])
    assert {name: int(n) for name, n in found.items()} == live
    for query in README_QUERIES:
        ran = run_cli(cli, snapshot_path(db), query)
        assert ran.returncode == 0, (query, ran.stderr)


def test_a_held_idle_copy_is_skipped_then_caught_up(db: Path) -> None:
    cli = duckdb_cli()
    publish(db)  # copy a, published
    with held_open(cli, snapshot_path(db)):  # holds copy a
        load_batch(db, batch(ok(other_article(1), START + timedelta(hours=3))))
        assert publish(db).copy == "b"  # b was idle: published, readers move to it
        load_batch(db, batch(ok(other_article(2), START + timedelta(hours=4))))
        skipped = publish(db)  # a is idle but still held
        assert not skipped.published and "held" in skipped.reason
        assert pending_marker(db).exists()
        assert snapshot_info(db)["loaded_batches"] == 4  # type: ignore[index]
    caught_up = publish(db)
    assert caught_up.published and caught_up.copy == "a" and caught_up.mode == "incremental"
    assert not pending_marker(db).exists()
    assert view_rows(snapshot_path(db)) == view_rows(db)


def test_a_changed_schema_or_shrunk_table_rebuilds_the_copy(db: Path) -> None:
    publish(db)
    publish(db)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM fetches WHERE attempt = 1 AND rowid = 0")
    rebuilt = publish(db)
    assert rebuilt.mode == "full"
    assert view_rows(snapshot_path(db)) == view_rows(db)


def test_open_read_before_the_first_publication(db: Path, tmp_path: Path) -> None:
    with open_read(db) as con:  # falls back to the live file, read-only
        assert con.execute("SELECT count(*) FROM latest_articles").fetchone() == (1,)
    with (
        pytest.raises(SnapshotMissing, match="published after the first successful load"),
        open_read(db, fallback_to_live=False),
    ):
        pass
    publish(db)
    with open_read(db) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("CREATE TABLE scratch (x INTEGER)")


def test_a_publication_running_elsewhere_is_not_waited_for(db: Path) -> None:
    lock = db.with_name(db.name + ".publish.lock")
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        skipped = publish_after_load(db)
        fcntl.flock(held, fcntl.LOCK_UN)
    assert not skipped.published and "another publication" in skipped.reason
    assert "not published" in skipped.line()
    assert needs_publication(db, loaded_batches=0)
    assert publish_after_load(db).published
    assert not needs_publication(db, loaded_batches=0)


def _publish_and_die_while_applying(db: Path) -> None:
    """A publication whose process dies between reading the live file and committing the copy,
    as a SIGKILL would: no handler, no `finally`, no exit hook runs."""

    def die(*_: object) -> None:
        os._exit(9)

    snapshot._apply = die  # type: ignore[assignment]
    snapshot.publish(db)


def test_a_publication_killed_midway_is_owed_to_the_next_run(db: Path) -> None:
    """The load's batches are in the live file but not in the copy readers see: whichever run
    comes next must publish, even one that loads nothing (a recheck of unchanged pages)."""
    publish(db)
    load_batch(db, batch(ok(other_article(1), START + timedelta(hours=3))))
    killed = multiprocessing.get_context("fork").Process(
        target=_publish_and_die_while_applying, args=(db,)
    )
    killed.start()
    killed.join(timeout=60)
    assert killed.exitcode == 9
    assert snapshot_info(db)["loaded_batches"] == 3  # type: ignore[index]

    assert needs_publication(db, loaded_batches=0)
    # and one killed while settling, between claiming the marker and removing it, left its claim
    stray = pending_marker(db).with_name(pending_marker(db).name + ".0123abcd")
    stray.write_text("0123abcd")
    assert publish_after_load(db).published
    assert view_rows(snapshot_path(db)) == view_rows(db)
    assert not needs_publication(db, loaded_batches=0)
    assert not stray.exists()


def test_a_load_skipped_during_a_publication_stays_owed(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load that commits after this publication read the live file, and whose own publication
    was skipped because this one held the lock, is not in the copy: the marker it wrote stays."""
    publish(db)
    apply = snapshot._apply

    def apply_while_another_load_lands(*args: object) -> None:
        apply(*args)  # type: ignore[arg-type]
        load_batch(db, batch(ok(other_article(1), START + timedelta(hours=3))))
        assert not publish_after_load(db).published  # this publication holds the lock

    monkeypatch.setattr(snapshot, "_apply", apply_while_another_load_lands)
    assert publish(db).published
    assert needs_publication(db, loaded_batches=0)
    monkeypatch.setattr(snapshot, "_apply", apply)
    assert publish_after_load(db).published
    assert view_rows(snapshot_path(db)) == view_rows(db)
    assert not needs_publication(db, loaded_batches=0)

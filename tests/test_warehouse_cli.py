"""The read-only warehouse commands: history, diff, changes, sql."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from support.warehouse_support import ARTICLE_ID, PARAGRAPHS, batch, gone, make_article, ok, rows
from typer.testing import CliRunner

from commands.main import app
from warehouse import load_batch, open_readonly
from warehouse.history import article_change_rows, article_versions, recent_changes

SCRIPT = "<script>alert(1)</script>"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "warehouse.duckdb"
    start = datetime.now(UTC) - timedelta(hours=5)
    edited = make_article(
        title=f"Banjir Rob Rendam Ribuan Rumah {SCRIPT}",
        paragraphs=[*PARAGRAPHS[:2], "Pompa air mati total."],
    )
    load_batch(path, batch(ok(make_article(), start)))
    load_batch(path, batch(ok(edited, start + timedelta(hours=1))))
    load_batch(path, batch(gone(ARTICLE_ID, start + timedelta(hours=2))))
    old = make_article(article_id=11, title="Berita Lama")
    load_batch(path, batch(ok(old, start - timedelta(days=3))))
    load_batch(path, batch(gone(11, start - timedelta(days=2))))
    return path


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_history_lists_versions_and_changes(db):
    result = invoke("history", str(ARTICLE_ID), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "Ratusan" in result.output and "Ribuan" in result.output
    assert "edit" in result.output and "removed" in result.output


def test_history_of_unknown_article_fails_clearly(db):
    result = invoke("history", "1", "--db", str(db))
    assert result.exit_code == 1
    assert "article 1 is not in the warehouse" in result.output


def test_diff_text_defaults_to_the_latest_change(db):
    result = invoke("diff", str(ARTICLE_ID), "--format", "text", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "version 1 -> 2" in result.output
    assert "[-Ratusan-] {+Ribuan+}" in result.output
    assert "{+Pompa air mati total.+}" in result.output


def test_diff_html_to_file_is_escaped(db, tmp_path):
    out = tmp_path / "diff.html"
    result = invoke(
        "diff", str(ARTICLE_ID), "--from", "1", "--to", "2", "--format", "html",
        "--output", str(out), "--db", str(db),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<del>Ratusan</del>" in page


def test_diff_terminal_and_bad_versions(db):
    term = invoke("diff", str(ARTICLE_ID), "--db", str(db))
    assert term.exit_code == 0 and "Ribuan" in term.output
    missing = invoke("diff", str(ARTICLE_ID), "--from", "1", "--to", "9", "--db", str(db))
    assert missing.exit_code == 1 and "has no version 9 (it has 1, 2)" in missing.output
    single = invoke("diff", "11", "--db", str(db))
    assert single.exit_code == 1 and "single version" in single.output


def test_changes_window_and_kind_filter(db):
    recent = invoke("changes", "--since", "24h", "--db", str(db))
    assert recent.exit_code == 0, recent.output
    assert str(ARTICLE_ID) in recent.output and "Berita Lama" not in recent.output
    removed = invoke("changes", "--since", "7d", "--kind", "removed", "--db", str(db))
    assert "Berita Lama" in removed.output and "edit" not in removed.output
    assert invoke("changes", "--since", "soon", "--db", str(db)).exit_code == 2
    assert invoke("changes", "--kind", "nonsense", "--db", str(db)).exit_code == 2


def test_read_paths_return_named_records(db):
    """The CLI reads fields by name: a column added to or moved in a query cannot shift them."""
    with open_readonly(db) as con:
        versions = article_versions(con, ARTICLE_ID)
        changes = article_change_rows(con, ARTICLE_ID)
        recent = recent_changes(con, datetime.now(UTC) - timedelta(days=7), ["removed"], 10)

    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert "Ribuan" in versions[1].title and len(versions[1].content_hash) == 12
    assert [(c.kind, c.from_version, c.to_version) for c in changes] == [
        ("edit", 1, 2),
        ("removed", 2, None),
    ]
    assert "title" in changes[0].changed_fields and changes[0].words_added > 0
    assert {(c.article_id, c.kind) for c in recent} == {(ARTICLE_ID, "removed"), (11, "removed")}
    assert {c.title for c in recent} >= {"Berita Lama"}


def test_sql_formats(db):
    query = "SELECT article_id, kind FROM article_changes ORDER BY change_id"
    as_json = invoke("sql", query, "--format", "json", "--db", str(db))
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)[0] == {"article_id": ARTICLE_ID, "kind": "edit"}
    as_csv = invoke("sql", query, "--format", "csv", "--db", str(db))
    table = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert table[0] == ["article_id", "kind"] and table[1] == [str(ARTICLE_ID), "edit"]
    as_table = invoke("sql", "SELECT title FROM latest_articles", "--db", str(db))
    assert as_table.exit_code == 0 and "Berita Lama" in as_table.output


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("DELETE FROM articles", "DELETE"),
        ("UPDATE articles SET status = 'live'", "UPDATE"),
        ("CREATE TABLE x (a INT)", "CREATE"),
        ("COPY articles TO 'out.csv'", "COPY"),
        ("SELECT 1; DROP TABLE articles", "exactly one statement"),
    ],
)
def test_sql_rejects_writes(db, query, named):
    result = invoke("sql", query, "--db", str(db))
    assert result.exit_code == 2
    assert named in result.output
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == 2


def test_sql_errors_and_missing_database(db, tmp_path):
    bad = invoke("sql", "SELECT nope FROM articles", "--db", str(db))
    assert bad.exit_code == 1 and "nope" in bad.output
    missing = invoke("changes", "--db", str(tmp_path / "absent.duckdb"))
    assert missing.exit_code == 1 and "no warehouse database" in missing.output


def test_diff_to_a_pipe_keeps_its_markers(db):
    """Piped to a file or a log, colours are gone: the words must still say what changed."""
    cli = [sys.executable, "-c", "from commands.main import app; app()"]
    piped = subprocess.run(
        [*cli, "diff", str(ARTICLE_ID), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TERM": "xterm-256color", "FORCE_COLOR": ""},
    )
    assert piped.returncode == 0, piped.stderr
    assert "[-Ratusan-] {+Ribuan+}" in piped.stdout
    assert "\x1b[" not in piped.stdout


def test_tables_to_a_pipe_do_not_wrap_at_80_columns(db):
    query = "SELECT url || '/' || repeat('panjang-sekali-', 12) AS long_url FROM latest_articles"
    result = invoke("sql", query, "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "panjang-sekali-" * 12 in result.output  # on one line, not one word per line
    assert max(len(line) for line in result.output.splitlines()) > 200


# Every command that reads the warehouse: `topics` and `export` once died with a traceback here.
READERS = [["changes"], ["history", "1"], ["sql", "SELECT 1"], ["topics"], ["export", "OUT"]]


@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize("content", [b"hello, not a database\n", b"\x00" * 5000, "truncated"])
def test_db_that_is_not_duckdb_is_one_line_and_exit_1(db, tmp_path, command, content):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(db.read_bytes()[:20_000] if content == "truncated" else content)
    args = [str(tmp_path / "out") if arg == "OUT" else arg for arg in command]
    result = invoke(*args, "--db", str(bad))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "is not a readable DuckDB database" in lines[0], result.output


@pytest.mark.parametrize("content", [b"hello, not a database\n", b"\x00" * 5000, "truncated"])
def test_publishing_a_db_that_is_not_duckdb_is_one_line_and_exit_1(db, tmp_path, content):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(db.read_bytes()[:20_000] if content == "truncated" else content)
    result = invoke("publish-snapshot", "--db", str(bad))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert f"(warehouse {bad})" in lines[0]

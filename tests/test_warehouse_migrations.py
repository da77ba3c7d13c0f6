"""Migrations upgrade an older database in place and keep every row."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest
from support.warehouse_support import T0, batch, make_article, ok, rows

from warehouse import SCHEMA_VERSION, load_batch, migrate
from warehouse.kinds import Count
from warehouse.schema import MigrationRefused

# The schema as release 1 wrote it, spelled out here so a later edit to the code cannot hide a
# break with databases already in the field.
V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE articles (article_id BIGINT PRIMARY KEY, url VARCHAR NOT NULL, channel VARCHAR,
    category VARCHAR, status VARCHAR NOT NULL, current_version INTEGER,
    first_seen TIMESTAMPTZ NOT NULL, last_checked TIMESTAMPTZ, last_changed TIMESTAMPTZ,
    check_count INTEGER NOT NULL DEFAULT 0, next_check_at TIMESTAMPTZ, etag VARCHAR,
    last_modified VARCHAR, page_fingerprint VARCHAR);
CREATE INDEX articles_next_check ON articles (next_check_at);
CREATE TABLE versions (article_id BIGINT NOT NULL, version INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL, title VARCHAR NOT NULL, description VARCHAR NOT NULL,
    body VARCHAR NOT NULL, pages JSON NOT NULL, tags VARCHAR[] NOT NULL,
    authors VARCHAR[] NOT NULL, editors VARCHAR[], published_at TIMESTAMPTZ NOT NULL,
    modified_at TIMESTAMPTZ, channel VARCHAR, category VARCHAR, type VARCHAR,
    parser_version VARCHAR NOT NULL, fetched_at TIMESTAMPTZ NOT NULL, raw_hash VARCHAR,
    run_id VARCHAR, PRIMARY KEY (article_id, version));
CREATE TABLE raw_pages (raw_hash VARCHAR PRIMARY KEY, codec VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL, stored_bytes BIGINT NOT NULL, content BLOB NOT NULL,
    first_fetched_at TIMESTAMPTZ NOT NULL);
CREATE TABLE fetches (article_id BIGINT, url VARCHAR NOT NULL, final_url VARCHAR,
    status INTEGER, outcome VARCHAR NOT NULL, bytes BIGINT NOT NULL, etag VARCHAR,
    last_modified VARCHAR, elapsed_ms DOUBLE NOT NULL, error VARCHAR,
    attempted_at TIMESTAMPTZ NOT NULL, attempt INTEGER NOT NULL, run_id VARCHAR,
    batch_id VARCHAR);
CREATE SEQUENCE change_ids;
CREATE TABLE changes (change_id BIGINT PRIMARY KEY DEFAULT nextval('change_ids'),
    article_id BIGINT NOT NULL, kind VARCHAR NOT NULL, version_from INTEGER,
    version_to INTEGER, detected_at TIMESTAMPTZ NOT NULL, changed_fields VARCHAR[] NOT NULL,
    title_before VARCHAR, title_after VARCHAR, words_added INTEGER NOT NULL,
    words_removed INTEGER NOT NULL, diff JSON, run_id VARCHAR, batch_id VARCHAR);
CREATE INDEX changes_detected_at ON changes (detected_at);
CREATE TABLE observation_errors (article_id BIGINT NOT NULL, url VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL, outcome VARCHAR NOT NULL, error VARCHAR,
    run_id VARCHAR, batch_id VARCHAR);
CREATE TABLE run_records (run_id VARCHAR PRIMARY KEY, flow VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, state VARCHAR NOT NULL,
    counts JSON, message VARCHAR);
CREATE TABLE loaded_batches (batch_id VARCHAR PRIMARY KEY, run_id VARCHAR,
    loaded_at TIMESTAMPTZ NOT NULL, observations INTEGER NOT NULL, counts JSON NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
"""

V1_DATA = """
INSERT INTO articles VALUES (5123456, 'https://www.liputan6.com/news/read/5123456/banjir',
    'news', 'peristiwa', 'live', 1, TIMESTAMPTZ '2026-11-20 01:00:00+00',
    TIMESTAMPTZ '2026-11-20 01:00:00+00', TIMESTAMPTZ '2026-11-20 00:00:00+00', 1,
    TIMESTAMPTZ '2026-11-20 01:15:00+00', NULL, NULL, 'fp-1');
INSERT INTO versions VALUES (5123456, 1, 'hash-from-v1', 'Judul Lama', 'Ringkasan lama.',
    'Isi lama.', '[{"title": "", "paragraphs": 1}]', ['banjir'], ['Dewi Lestari'],
    [], TIMESTAMPTZ '2026-11-20 00:00:00+00', NULL, 'news', 'peristiwa', 'text', '1.0.0',
    TIMESTAMPTZ '2026-11-20 01:00:00+00', NULL, 'old-run');
INSERT INTO fetches VALUES (5123456, 'https://www.liputan6.com/news/read/5123456/banjir',
    NULL, 200, 'ok', 1234, NULL, NULL, 10.0, NULL, TIMESTAMPTZ '2026-11-20 01:00:00+00', 1,
    'old-run', 'b1');
INSERT INTO run_records VALUES ('old-run', 'monitor', TIMESTAMPTZ '2026-11-20 01:00:00+00',
    TIMESTAMPTZ '2026-11-20 01:05:00+00', 'completed', '{}', NULL);
INSERT INTO loaded_batches VALUES ('b1', 'old-run', TIMESTAMPTZ '2026-11-20 01:05:00+00', 1,
    '{}');
"""


# The schema as release 4 left it (v1 plus the v2-v4 migrations), spelled out the same way, with
# a row in every table: the v5 migration rebuilds four tables and must keep every row.
V4_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE articles (article_id BIGINT PRIMARY KEY, url VARCHAR NOT NULL, channel VARCHAR,
    category VARCHAR, status VARCHAR NOT NULL, current_version INTEGER,
    first_seen TIMESTAMPTZ NOT NULL, last_checked TIMESTAMPTZ, last_changed TIMESTAMPTZ,
    check_count INTEGER NOT NULL DEFAULT 0, next_check_at TIMESTAMPTZ, etag VARCHAR,
    last_modified VARCHAR, page_fingerprint VARCHAR, cosmetic_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX articles_next_check ON articles (next_check_at);
CREATE TABLE versions (article_id BIGINT NOT NULL, version INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL, title VARCHAR NOT NULL, description VARCHAR NOT NULL,
    body VARCHAR NOT NULL, pages JSON NOT NULL, tags VARCHAR[] NOT NULL,
    authors VARCHAR[] NOT NULL, editors VARCHAR[], published_at TIMESTAMPTZ NOT NULL,
    modified_at TIMESTAMPTZ, channel VARCHAR, category VARCHAR, type VARCHAR,
    parser_version VARCHAR NOT NULL, fetched_at TIMESTAMPTZ NOT NULL, raw_hash VARCHAR,
    run_id VARCHAR, PRIMARY KEY (article_id, version));
CREATE TABLE raw_pages (raw_hash VARCHAR PRIMARY KEY, codec VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL, stored_bytes BIGINT NOT NULL, content BLOB NOT NULL,
    first_fetched_at TIMESTAMPTZ NOT NULL);
CREATE TABLE fetches (article_id BIGINT, url VARCHAR NOT NULL, final_url VARCHAR,
    status INTEGER, outcome VARCHAR NOT NULL, bytes BIGINT NOT NULL, etag VARCHAR,
    last_modified VARCHAR, elapsed_ms DOUBLE NOT NULL, error VARCHAR,
    attempted_at TIMESTAMPTZ NOT NULL, attempt INTEGER NOT NULL, run_id VARCHAR,
    batch_id VARCHAR, cause VARCHAR);
CREATE SEQUENCE change_ids;
CREATE TABLE changes (change_id BIGINT PRIMARY KEY DEFAULT nextval('change_ids'),
    article_id BIGINT NOT NULL, kind VARCHAR NOT NULL, version_from INTEGER,
    version_to INTEGER, detected_at TIMESTAMPTZ NOT NULL, changed_fields VARCHAR[] NOT NULL,
    title_before VARCHAR, title_after VARCHAR, words_added INTEGER NOT NULL,
    words_removed INTEGER NOT NULL, diff JSON, run_id VARCHAR, batch_id VARCHAR);
CREATE INDEX changes_detected_at ON changes (detected_at);
CREATE TABLE observation_errors (article_id BIGINT NOT NULL, url VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL, outcome VARCHAR NOT NULL, error VARCHAR,
    run_id VARCHAR, batch_id VARCHAR);
CREATE TABLE run_records (run_id VARCHAR PRIMARY KEY, flow VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, state VARCHAR NOT NULL,
    counts JSON, message VARCHAR, pid INTEGER, hostname VARCHAR);
CREATE TABLE loaded_batches (batch_id VARCHAR PRIMARY KEY, run_id VARCHAR,
    loaded_at TIMESTAMPTZ NOT NULL, observations INTEGER NOT NULL, counts JSON NOT NULL);
CREATE TABLE version_topics (article_id BIGINT NOT NULL, version INTEGER NOT NULL,
    topic VARCHAR NOT NULL, source VARCHAR NOT NULL, score DOUBLE NOT NULL,
    evidence VARCHAR[] NOT NULL);
CREATE TABLE change_hints (article_id BIGINT NOT NULL, source VARCHAR NOT NULL,
    hinted_at TIMESTAMPTZ NOT NULL, seen_at TIMESTAMPTZ NOT NULL,
    claims_change BOOLEAN NOT NULL, run_id VARCHAR);
INSERT INTO schema_version (version) VALUES (1), (2), (3), (4);
"""

V4_DATA = """
INSERT INTO articles VALUES
    (5123456, 'https://www.liputan6.com/news/read/5123456/banjir', 'news', 'peristiwa', 'live',
     2, TIMESTAMPTZ '2026-11-20 01:00:00+00', TIMESTAMPTZ '2026-11-20 03:00:00+00',
     TIMESTAMPTZ '2026-11-20 02:00:00+00', 3, TIMESTAMPTZ '2026-11-20 04:00:00+00', '"e2"',
     NULL, 'fp-2', 1),
    (5123457, 'https://www.liputan6.com/news/read/5123457/gempa', 'news', NULL, 'removed',
     1, TIMESTAMPTZ '2026-11-20 01:00:00+00', TIMESTAMPTZ '2026-11-20 02:00:00+00',
     TIMESTAMPTZ '2026-11-20 02:00:00+00', 2, TIMESTAMPTZ '2026-11-21 02:00:00+00', NULL,
     NULL, 'fp-3', 0);
INSERT INTO versions VALUES
    (5123456, 1, 'hash-1', 'Judul Lama', 'Ringkasan lama.', 'Isi lama.',
     '[{"title": "", "paragraphs": 1}]', ['banjir'], ['Dewi Lestari'], [],
     TIMESTAMPTZ '2026-11-20 00:00:00+00', NULL, 'news', 'peristiwa', 'text', '1.0.0',
     TIMESTAMPTZ '2026-11-20 01:00:00+00', 'raw-1', 'run-4'),
    (5123456, 2, 'hash-2', 'Judul Baru', 'Ringkasan lama.', 'Isi baru.',
     '[{"title": "", "paragraphs": 1}]', ['banjir'], ['Dewi Lestari'], [],
     TIMESTAMPTZ '2026-11-20 00:00:00+00', NULL, 'news', 'peristiwa', 'text', '1.0.0',
     TIMESTAMPTZ '2026-11-20 02:00:00+00', NULL, 'run-4'),
    (5123457, 1, 'hash-3', 'Gempa', 'Ringkasan.', 'Isi.', '[{"title": "", "paragraphs": 1}]',
     [], [], NULL, TIMESTAMPTZ '2026-11-20 00:00:00+00', NULL, 'news', NULL, 'text', '1.0.0',
     TIMESTAMPTZ '2026-11-20 01:00:00+00', NULL, 'run-4');
INSERT INTO raw_pages VALUES ('raw-1', 'xz1', 10, 4, '\x01\x02'::BLOB,
    TIMESTAMPTZ '2026-11-20 01:00:00+00');
INSERT INTO fetches VALUES
    (5123456, 'https://www.liputan6.com/news/read/5123456/banjir', NULL, 200, 'ok', 1234,
     '"e2"', NULL, 10.0, NULL, TIMESTAMPTZ '2026-11-20 02:00:00+00', 1, 'run-4', 'b4', NULL),
    (5123457, 'https://www.liputan6.com/news/read/5123457/gempa', NULL, NULL, 'network_error',
     0, NULL, NULL, 5.0, 'ConnectError', TIMESTAMPTZ '2026-11-20 01:30:00+00', 1, 'run-4',
     'b4', 'dns'),
    (NULL, 'https://www.liputan6.com/robots.txt', NULL, 200, 'ok', 80, NULL, NULL, 3.0, NULL,
     TIMESTAMPTZ '2026-11-20 01:00:00+00', 1, 'run-4', 'b4', NULL);
INSERT INTO changes (article_id, kind, version_from, version_to, detected_at, changed_fields,
    title_before, title_after, words_added, words_removed, diff, run_id, batch_id) VALUES
    (5123456, 'edit', 1, 2, TIMESTAMPTZ '2026-11-20 02:00:00+00', ['title', 'body'],
     'Judul Lama', 'Judul Baru', 2, 2, '{"fields": []}', 'run-4', 'b4'),
    (5123457, 'removed', 1, NULL, TIMESTAMPTZ '2026-11-20 02:00:00+00', [], 'Gempa', NULL, 0,
     0, NULL, 'run-4', 'b4');
INSERT INTO observation_errors VALUES (5123457, 'https://www.liputan6.com/news/read/5123457/gempa',
    TIMESTAMPTZ '2026-11-20 01:30:00+00', 'failed', 'ConnectError', 'run-4', 'b4');
INSERT INTO run_records VALUES ('run-4', 'monitor', TIMESTAMPTZ '2026-11-20 01:00:00+00',
    TIMESTAMPTZ '2026-11-20 02:05:00+00', 'completed', '{"new": 2}', NULL, 4321, 'host-a');
INSERT INTO loaded_batches VALUES ('b4', 'run-4', TIMESTAMPTZ '2026-11-20 02:05:00+00', 3,
    '{"new": 2}');
INSERT INTO version_topics VALUES
    (5123456, 1, 'bencana', 'taxonomy', 0.8, ['banjir']),
    (5123456, 1, 'banjir', 'site_tag', 1.0, ['Banjir']),
    (5123456, 2, 'bencana', 'taxonomy', 0.7, ['banjir']);
INSERT INTO change_hints VALUES (5123456, 'sitemap', TIMESTAMPTZ '2026-11-20 01:50:00+00',
    TIMESTAMPTZ '2026-11-20 02:00:00+00', true, 'run-4');
"""
V4_TABLES = (
    "articles",
    "versions",
    "raw_pages",
    "fetches",
    "changes",
    "observation_errors",
    "run_records",
    "loaded_batches",
    "version_topics",
    "change_hints",
)


@pytest.fixture
def v1_db(tmp_path):
    path = tmp_path / "v1.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(V1_SCHEMA)
        con.execute(V1_DATA)
    return path


def test_v1_database_is_upgraded_in_place_with_its_data(v1_db):
    assert migrate(v1_db) == SCHEMA_VERSION
    expected = [(n,) for n in range(1, SCHEMA_VERSION + 1)]
    assert rows(v1_db, "SELECT version FROM schema_version ORDER BY 1") == expected
    assert rows(
        v1_db, "SELECT article_id, version, title, cosmetic_count FROM latest_articles"
    ) == [(5123456, 1, "Judul Lama", 0)]
    assert rows(v1_db, "SELECT count(*) FROM fetch_log")[0][0] == 1
    assert rows(v1_db, "SELECT run_id FROM runs") == [("old-run",)]
    assert rows(v1_db, "SELECT count(*) FROM article_topics")[0][0] == 0
    assert migrate(v1_db) == SCHEMA_VERSION  # a second run is a no-op


def test_upgraded_database_keeps_working(v1_db):
    migrate(v1_db)
    report = load_batch(v1_db, batch(ok(make_article(title="Judul Baru"), T0)))
    assert report[Count.changed] == 1
    assert rows(v1_db, "SELECT from_version, to_version, title_before FROM article_changes") == [
        (1, 2, "Judul Lama")
    ]
    assert rows(v1_db, "SELECT count(*) FROM versions")[0][0] == 2


def test_loading_into_a_v1_database_migrates_it_first(v1_db):
    load_batch(v1_db, batch(ok(make_article(article_id=1), T0)))
    assert rows(v1_db, "SELECT max(version) FROM schema_version")[0][0] == SCHEMA_VERSION
    assert rows(v1_db, "SELECT count(*) FROM articles")[0][0] == 2


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "future.duckdb"
    migrate(path)
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(RuntimeError, match="newer than this release"):
        migrate(path)


def _v4_db(path, extra: str = ""):
    with duckdb.connect(str(path)) as con:
        con.execute(V4_SCHEMA)
        con.execute(V4_DATA)
        if extra:
            con.execute(extra)
    return path


def _contents(path) -> dict[str, list[tuple]]:
    """Every row of every v4 table, in storage order."""
    return {table: rows(path, f"SELECT * FROM {table} ORDER BY rowid") for table in V4_TABLES}


@pytest.fixture
def v4_db(tmp_path):
    return _v4_db(tmp_path / "v4.duckdb")


def test_v4_database_is_upgraded_in_place_with_every_row(v4_db):
    before = _contents(v4_db)
    assert migrate(v4_db) == SCHEMA_VERSION
    assert _contents(v4_db) == before
    assert rows(v4_db, "SELECT version FROM schema_version ORDER BY 1") == [
        (n,) for n in range(1, SCHEMA_VERSION + 1)
    ]
    assert rows(v4_db, "SELECT kind, title_before FROM article_changes ORDER BY change_id") == [
        ("edit", "Judul Lama"),
        ("removed", "Gempa"),
    ]
    assert migrate(v4_db) == SCHEMA_VERSION


def test_v5_has_the_checks_the_key_and_only_the_due_index(v4_db):
    migrate(v4_db)
    checked = rows(
        v4_db,
        """SELECT table_name, constraint_column_names FROM duckdb_constraints()
           WHERE constraint_type = 'CHECK' ORDER BY 1""",
    )
    assert checked == [
        ("articles", ["status"]),
        ("changes", ["kind"]),
        ("fetches", ["outcome"]),
        ("observation_errors", ["outcome"]),
    ]
    assert rows(
        v4_db,
        """SELECT constraint_column_names FROM duckdb_constraints()
           WHERE table_name = 'version_topics' AND constraint_type = 'PRIMARY KEY'""",
    ) == [(["article_id", "version", "source", "topic"],)]
    assert rows(v4_db, "SELECT index_name, sql FROM duckdb_indexes()") == [
        ("articles_next_check", "CREATE INDEX articles_next_check ON articles(next_check_at);")
    ]
    with duckdb.connect(str(v4_db)) as con, pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO version_topics VALUES (5123456, 1, 'bencana', 'taxonomy', 1, [])")


def test_upgraded_v4_database_keeps_loading_and_numbering_changes(v4_db):
    migrate(v4_db)
    back = ok(make_article(article_id=5123457, title="Gempa"), T0 + timedelta(days=1))
    report = load_batch(v4_db, batch(back))
    assert report[Count.restored] == 1
    assert rows(v4_db, "SELECT change_id, kind FROM changes ORDER BY change_id") == [
        (1, "edit"),
        (2, "removed"),
        (3, "restored"),
    ]


@pytest.mark.parametrize(
    ("bad_row", "named"),
    [
        ("UPDATE changes SET kind = 'rewrite' WHERE kind = 'edit'", "changes.kind holds 'rewrite'"),
        ("UPDATE articles SET status = 'hidden' WHERE status = 'removed'", "articles.status"),
        ("UPDATE fetches SET outcome = 'teapot' WHERE cause = 'dns'", "fetches.outcome"),
        ("UPDATE observation_errors SET outcome = 'ok'", "observation_errors.outcome"),
        (
            "INSERT INTO version_topics VALUES (5123456, 2, 'bencana', 'taxonomy', 0.1, [])",
            "version_topics has 1",
        ),
    ],
)
def test_v4_rows_the_v5_schema_cannot_hold_stop_the_upgrade_and_lose_nothing(
    tmp_path, bad_row, named
):
    db = _v4_db(tmp_path / "bad.duckdb", bad_row)
    before = _contents(db)
    with pytest.raises(MigrationRefused, match="nothing was changed") as refused:
        migrate(db)
    assert named in str(refused.value)
    assert _contents(db) == before
    assert rows(db, "SELECT max(version) FROM schema_version") == [(4,)]
    assert len(rows(db, "SELECT index_name FROM duckdb_indexes()")) == 2

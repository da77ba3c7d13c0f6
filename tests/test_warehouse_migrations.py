"""Migrations upgrade an older database in place and keep every row."""

from __future__ import annotations

import duckdb
import pytest
from test_warehouse_support import T0, batch, make_article, ok, rows

from warehouse import SCHEMA_VERSION, load_batch, migrate
from warehouse.kinds import Count

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

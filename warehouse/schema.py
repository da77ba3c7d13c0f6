"""The warehouse schema, its in-place migrations, and the public views.

Migrations run in order inside one transaction each: a database written by an older release is
upgraded where it lies and keeps every row; a migration that cannot keep them all raises and
changes nothing. Views hold no data, so they are recreated on every migration; they are the
stable public interface (see README-sql.md), the tables behind them may grow.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import duckdb

from warehouse.kinds import ERROR_EVENTS, ArticleStatus, ChangeKind, FetchOutcome, sql_in
from warehouse.locking import connect


class MigrationRefused(RuntimeError):
    """The database holds rows the next schema version cannot keep; nothing was changed."""


_V1 = """
CREATE TABLE schema_version (
    version INTEGER NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE articles (
    article_id BIGINT PRIMARY KEY,
    url VARCHAR NOT NULL,
    channel VARCHAR,
    category VARCHAR,
    status VARCHAR NOT NULL,
    current_version INTEGER,
    first_seen TIMESTAMPTZ NOT NULL,
    last_checked TIMESTAMPTZ,
    last_changed TIMESTAMPTZ,
    check_count INTEGER NOT NULL DEFAULT 0,
    next_check_at TIMESTAMPTZ,
    etag VARCHAR,
    last_modified VARCHAR,
    page_fingerprint VARCHAR
);
CREATE INDEX articles_next_check ON articles (next_check_at);
CREATE TABLE versions (
    article_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    pages JSON NOT NULL,
    tags VARCHAR[] NOT NULL,
    authors VARCHAR[] NOT NULL,
    editors VARCHAR[],
    published_at TIMESTAMPTZ NOT NULL,
    modified_at TIMESTAMPTZ,
    channel VARCHAR,
    category VARCHAR,
    type VARCHAR,
    parser_version VARCHAR NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    raw_hash VARCHAR,
    run_id VARCHAR,
    PRIMARY KEY (article_id, version)
);
CREATE TABLE raw_pages (
    raw_hash VARCHAR PRIMARY KEY,
    codec VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_bytes BIGINT NOT NULL,
    content BLOB NOT NULL,
    first_fetched_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE fetches (
    article_id BIGINT,
    url VARCHAR NOT NULL,
    final_url VARCHAR,
    status INTEGER,
    outcome VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    etag VARCHAR,
    last_modified VARCHAR,
    elapsed_ms DOUBLE NOT NULL,
    error VARCHAR,
    attempted_at TIMESTAMPTZ NOT NULL,
    attempt INTEGER NOT NULL,
    run_id VARCHAR,
    batch_id VARCHAR
);
CREATE SEQUENCE change_ids;
CREATE TABLE changes (
    change_id BIGINT PRIMARY KEY DEFAULT nextval('change_ids'),
    article_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    version_from INTEGER,
    version_to INTEGER,
    detected_at TIMESTAMPTZ NOT NULL,
    changed_fields VARCHAR[] NOT NULL,
    title_before VARCHAR,
    title_after VARCHAR,
    words_added INTEGER NOT NULL,
    words_removed INTEGER NOT NULL,
    diff JSON,
    run_id VARCHAR,
    batch_id VARCHAR
);
CREATE INDEX changes_detected_at ON changes (detected_at);
CREATE TABLE observation_errors (
    article_id BIGINT NOT NULL,
    url VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    outcome VARCHAR NOT NULL,
    error VARCHAR,
    run_id VARCHAR,
    batch_id VARCHAR
);
CREATE TABLE run_records (
    run_id VARCHAR PRIMARY KEY,
    flow VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    state VARCHAR NOT NULL,
    counts JSON,
    message VARCHAR
);
CREATE TABLE loaded_batches (
    batch_id VARCHAR PRIMARY KEY,
    run_id VARCHAR,
    loaded_at TIMESTAMPTZ NOT NULL,
    observations INTEGER NOT NULL,
    counts JSON NOT NULL
);
"""

# v2: topics per version (issue 6) and a count of cosmetic-only rechecks per article.
# DuckDB cannot alter a table that has an index, so the index is dropped and rebuilt around it.
_V2 = """
DROP INDEX articles_next_check;
ALTER TABLE articles ADD COLUMN cosmetic_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_next_check ON articles (next_check_at);
CREATE TABLE version_topics (
    article_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    topic VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    evidence VARCHAR[] NOT NULL
);
"""

# v3: change hints read from the site (sitemap <lastmod>, RSS pubDate), for the recheck policy
# (issue 12). `claims_change`: the hint dates a change after the article's last check.
_V3 = """
CREATE TABLE change_hints (
    article_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    hinted_at TIMESTAMPTZ NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL,
    claims_change BOOLEAN NOT NULL,
    run_id VARCHAR
);
"""

# v4: why each failed fetch attempt failed (dns, timeout, bot_wall, ...; see flows/fetching/causes),
# and which process runs a run, so a run killed with SIGKILL can be marked crashed later.
_V4 = """
ALTER TABLE fetches ADD COLUMN cause VARCHAR;
ALTER TABLE run_records ADD COLUMN pid INTEGER;
ALTER TABLE run_records ADD COLUMN hostname VARCHAR;
"""

# v5: CHECK constraints derived from warehouse/kinds.py on every closed-vocabulary column, a key
# on version_topics, and one secondary index fewer. benchmarks/index_bench.py (1,000,000
# articles and changes) shows the `changes(detected_at)` index unused by every query filtering
# on detected_at (same rows scanned without it: changes arrive in time order, so zone maps
# already skip old row groups), and dropping it changed no write time measurably: it goes. The
# `articles(next_check_at)` index stays: the due query does use it (1,000 rows read instead of
# 1,000,000), and at 1,000,000 articles a load's upsert of `articles` took 2.4 times as long
# without it (at 200,000 it was faster without: the balance turns as the archive grows).
# DuckDB cannot add a CHECK constraint to an existing table, so the four tables are rebuilt
# (same columns, same order, same rows in the same order) inside the migration's transaction.
CHECKED: tuple[tuple[str, str, tuple[StrEnum, ...]], ...] = (
    ("articles", "status", tuple(ArticleStatus)),
    ("changes", "kind", tuple(ChangeKind)),
    ("fetches", "outcome", tuple(FetchOutcome)),
    ("observation_errors", "outcome", ERROR_EVENTS),
)
"""The columns with a closed vocabulary: table, column, the values its CHECK allows."""

VERSION_TOPICS_KEY = ("article_id", "version", "source", "topic")


def _v5_tables() -> dict[str, str]:
    checks = {(table, column): sql_in(column, values) for table, column, values in CHECKED}
    return {
        "articles": f"""(
            article_id BIGINT PRIMARY KEY,
            url VARCHAR NOT NULL,
            channel VARCHAR,
            category VARCHAR,
            status VARCHAR NOT NULL CHECK ({checks["articles", "status"]}),
            current_version INTEGER,
            first_seen TIMESTAMPTZ NOT NULL,
            last_checked TIMESTAMPTZ,
            last_changed TIMESTAMPTZ,
            check_count INTEGER NOT NULL DEFAULT 0,
            next_check_at TIMESTAMPTZ,
            etag VARCHAR,
            last_modified VARCHAR,
            page_fingerprint VARCHAR,
            cosmetic_count INTEGER NOT NULL DEFAULT 0
        )""",
        "changes": f"""(
            change_id BIGINT PRIMARY KEY DEFAULT nextval('change_ids'),
            article_id BIGINT NOT NULL,
            kind VARCHAR NOT NULL CHECK ({checks["changes", "kind"]}),
            version_from INTEGER,
            version_to INTEGER,
            detected_at TIMESTAMPTZ NOT NULL,
            changed_fields VARCHAR[] NOT NULL,
            title_before VARCHAR,
            title_after VARCHAR,
            words_added INTEGER NOT NULL,
            words_removed INTEGER NOT NULL,
            diff JSON,
            run_id VARCHAR,
            batch_id VARCHAR
        )""",
        "fetches": f"""(
            article_id BIGINT,
            url VARCHAR NOT NULL,
            final_url VARCHAR,
            status INTEGER,
            outcome VARCHAR NOT NULL CHECK ({checks["fetches", "outcome"]}),
            bytes BIGINT NOT NULL,
            etag VARCHAR,
            last_modified VARCHAR,
            elapsed_ms DOUBLE NOT NULL,
            error VARCHAR,
            attempted_at TIMESTAMPTZ NOT NULL,
            attempt INTEGER NOT NULL,
            run_id VARCHAR,
            batch_id VARCHAR,
            cause VARCHAR
        )""",
        "observation_errors": f"""(
            article_id BIGINT NOT NULL,
            url VARCHAR NOT NULL,
            observed_at TIMESTAMPTZ NOT NULL,
            outcome VARCHAR NOT NULL CHECK ({checks["observation_errors", "outcome"]}),
            error VARCHAR,
            run_id VARCHAR,
            batch_id VARCHAR
        )""",
    }


def _v5(con: duckdb.DuckDBPyConnection) -> None:
    problems = [*_values_outside_checks(con), *_duplicate_topic_keys(con)]
    if problems:
        raise MigrationRefused(
            "cannot upgrade the database to schema version 5, nothing was changed: "
            + "; ".join(problems)
            + ". Correct or delete those rows (they are listed by the queries above), then run "
            "again."
        )
    for table, columns in _v5_tables().items():
        _rebuild(con, table, columns)
    con.execute("CREATE INDEX articles_next_check ON articles (next_check_at)")
    con.execute(f"ALTER TABLE version_topics ADD PRIMARY KEY ({', '.join(VERSION_TOPICS_KEY)})")


def _values_outside_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    found = []
    for table, column, values in CHECKED:
        where = f"NOT ({sql_in(column, values)})"
        bad = con.execute(
            f"SELECT {column}, count(*) FROM {table} WHERE {where} GROUP BY ALL ORDER BY 1"
        ).fetchall()
        if bad:
            listed = ", ".join(f"{value!r} ({n} rows)" for value, n in bad)
            found.append(
                f"{table}.{column} holds {listed} (SELECT * FROM {table} WHERE {where}); "
                f"allowed: {', '.join(v.value for v in values)}"
            )
    return found


def _duplicate_topic_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    key = ", ".join(VERSION_TOPICS_KEY)
    duplicated = con.execute(
        f"SELECT count(*) FROM (SELECT {key} FROM version_topics GROUP BY ALL HAVING count(*) > 1)"
    ).fetchall()[0][0]
    if not duplicated:
        return []
    return [
        f"version_topics has {duplicated} ({key}) keys on more than one row "
        f"(SELECT {key}, count(*) FROM version_topics GROUP BY ALL HAVING count(*) > 1)"
    ]


def _rebuild(con: duckdb.DuckDBPyConnection, table: str, definition: str) -> None:
    """Recreate `table` with `definition` and every row, in the same order (so rowids, which the
    read snapshot's incremental copy counts on, are kept)."""
    columns = ", ".join(
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
    )
    con.execute(f"CREATE TABLE {table}_v5 {definition}")
    con.execute(f"INSERT INTO {table}_v5 ({columns}) SELECT {columns} FROM {table} ORDER BY rowid")
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {table}_v5 RENAME TO {table}")


Migration = str | Callable[[duckdb.DuckDBPyConnection], None]
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4, _v5)
SCHEMA_VERSION = len(MIGRATIONS)


def _latest_topics(articles: str = "articles") -> str:
    """Topics of each article's current version (of the articles in `articles`)."""
    return f"""
    SELECT t.article_id, a.current_version AS version, t.topic, t.source, t.score, t.evidence
    FROM {articles} a
    JOIN version_topics t ON t.article_id = a.article_id AND t.version = a.current_version
"""


def topic_trends_sql(
    versions: str = "versions", changes: str = "changes", articles: str = "articles"
) -> str:
    """The `topic_trends` view's query over the given sources (default: the tables).

    The read snapshot materialises the view and recomputes only some weeks by passing filtered
    sources (warehouse/snapshot_trends.py); both use this one query so they cannot drift apart.
    """
    return f"""
        WITH tagged AS (
            SELECT DISTINCT lt.article_id, lt.topic, v.published_at
            FROM ({_latest_topics(articles)}) lt
            JOIN {versions} v ON v.article_id = lt.article_id AND v.version = lt.version
        ),
        periods AS (SELECT unnest(['day', 'week']) AS period),
        published AS (
            SELECT period, topic,
                   date_trunc(period, published_at AT TIME ZONE 'Asia/Jakarta')::DATE AS start,
                   count(DISTINCT article_id) AS articles
            FROM tagged, periods GROUP BY ALL
        ),
        edited AS (
            SELECT period, t.topic,
                   date_trunc(period, c.detected_at AT TIME ZONE 'Asia/Jakarta')::DATE AS start,
                   count(*) AS edits, count(DISTINCT c.article_id) AS edited_articles
            FROM {changes} c
            JOIN (SELECT DISTINCT article_id, topic FROM tagged) t USING (article_id), periods
            WHERE c.kind = '{ChangeKind.edit}'
            GROUP BY ALL
        )
        SELECT period, start AS period_start, topic, coalesce(articles, 0) AS articles,
               coalesce(edits, 0) AS edits, coalesce(edited_articles, 0) AS edited_articles
        FROM published FULL JOIN edited USING (period, topic, start)
    """


def freshness_sql(
    changes: str = "changes", versions: str = "versions", fetches: str = "fetches"
) -> str:
    """The `freshness` view's query over the given sources (default: the tables).

    The read snapshot materialises the view and recomputes only the days new rows fall on
    (warehouse/snapshot_freshness.py), with this same query over those days' rows.
    """
    return f"""
        WITH detected AS (
            SELECT (c.detected_at AT TIME ZONE 'Asia/Jakarta')::DATE AS day,
                   CASE WHEN v.modified_at <= c.detected_at
                        THEN date_diff('second', v.modified_at, c.detected_at) / 60.0
                   END AS delay_minutes
            FROM {changes} c
            LEFT JOIN {versions} v ON v.article_id = c.article_id AND v.version = c.version_to
            WHERE c.kind = '{ChangeKind.edit}'
        ),
        by_day AS (
            SELECT day, count(*) AS versions_detected, count(delay_minutes) AS dated_versions,
                   median(delay_minutes) AS median_delay_minutes,
                   quantile_cont(delay_minutes, 0.95) AS p95_delay_minutes
            FROM detected GROUP BY day
        ),
        requests AS (
            SELECT (attempted_at AT TIME ZONE 'Asia/Jakarta')::DATE AS day, count(*) AS requests
            FROM {fetches} GROUP BY day
        )
        SELECT day, coalesce(versions_detected, 0) AS versions_detected,
               coalesce(dated_versions, 0) AS dated_versions, median_delay_minutes,
               p95_delay_minutes, coalesce(requests, 0) AS requests
        FROM by_day FULL JOIN requests USING (day)
    """


VIEWS: dict[str, str] = {
    "latest_articles": """
        SELECT a.article_id, a.url, a.channel, a.category, a.status,
               a.current_version AS version, v.title, v.description, v.body, v.tags,
               v.authors, v.published_at, v.modified_at, v.parser_version,
               a.first_seen, a.last_checked, a.last_changed, a.check_count,
               a.cosmetic_count, a.next_check_at
        FROM articles a
        LEFT JOIN versions v ON v.article_id = a.article_id AND v.version = a.current_version
    """,
    "article_versions": """
        SELECT v.article_id, v.version, v.fetched_at, v.content_hash, v.title, v.description,
               v.body, v.pages, v.tags, v.authors, v.editors, v.published_at, v.modified_at,
               v.channel, v.category, v.type, v.parser_version,
               v.version = a.current_version AS is_current, a.url
        FROM versions v JOIN articles a USING (article_id)
    """,
    "article_changes": """
        SELECT c.change_id, c.article_id, a.url, c.kind, c.version_from AS from_version,
               c.version_to AS to_version, c.detected_at, c.changed_fields, c.title_before,
               c.title_after, c.words_added, c.words_removed, c.diff, c.run_id
        FROM changes c JOIN articles a USING (article_id)
    """,
    "fetch_log": """
        SELECT attempted_at, article_id, url, final_url, status, outcome, bytes, etag,
               last_modified, elapsed_ms, error, attempt, run_id, cause
        FROM fetches
    """,
    "runs": """
        SELECT run_id, flow, started_at, finished_at, state,
               date_diff('millisecond', started_at, finished_at) / 1000.0 AS duration_s,
               counts, message
        FROM run_records
    """,
    "article_topics": f"""
        SELECT lt.article_id, a.url, lt.version, lt.topic, lt.source, lt.score, lt.evidence,
               v.title, v.published_at
        FROM ({_latest_topics()}) lt
        JOIN articles a USING (article_id)
        JOIN versions v ON v.article_id = lt.article_id AND v.version = lt.version
    """,
    "topic_trends": topic_trends_sql(),
    "freshness": freshness_sql(),
}


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database; 0 for an empty file."""
    try:
        found = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
    except duckdb.CatalogException:
        return 0
    return found or 0


def apply_migrations(con: duckdb.DuckDBPyConnection) -> int:
    """Bring an open read-write database to SCHEMA_VERSION; returns it."""
    found = current_version(con)
    if found > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {found} is newer than this release ({SCHEMA_VERSION})"
        )
    if found == SCHEMA_VERSION:
        return found
    for number, script in enumerate(MIGRATIONS[found:], start=found + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            if isinstance(script, str):
                con.execute(script)
            else:
                script(con)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
            _create_views(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _create_views(con: duckdb.DuckDBPyConnection) -> None:
    if current_version(con) < SCHEMA_VERSION:
        return
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")


def migrate(path: Path | str, lock_timeout: float = 10.0) -> int:
    """Create or upgrade the database at `path` in place; returns the schema version."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with connect(path, read_only=False, lock_timeout=lock_timeout) as con:
        return apply_migrations(con)

"""Read-only access for the flows and the CLI: what is known, what is due, what was stored.

Every function opens the file read-only and closes it before returning (or before yielding), so
a reader never keeps a writer waiting longer than one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.locking import DatabaseLocked, connect
from warehouse.normalize import DIFFED_TOPIC_SQL, Snapshot, snapshot_from_row
from warehouse.rawpages import decompress

RAW_CHUNK = 50
DUE_SQL = """SELECT article_id, url, etag, last_modified FROM articles
             WHERE next_check_at <= ? ORDER BY next_check_at, article_id"""


class WarehouseMissing(FileNotFoundError):
    """The database file does not exist yet."""


# How long a read waits for a writer by default. A flow run passes its own `lock_timeout` instead:
# a run that meets a held file waits that long at each read, as at each write, before it spools.
READ_LOCK_TIMEOUT = 5.0


@contextmanager
def open_readonly(
    path: Path | str, lock_timeout: float = READ_LOCK_TIMEOUT, shared: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; several can share the file, but not with a running writer.
    `shared` as in `warehouse.locking.connect`."""
    require_warehouse(path)
    with connect(path, read_only=True, lock_timeout=lock_timeout, shared=shared) as con:
        yield con


def require_warehouse(path: Path | str) -> None:
    """WarehouseMissing unless the warehouse file exists: checked without opening it."""
    if not Path(path).is_file():
        raise WarehouseMissing(
            f"no warehouse database at {path}: run a monitoring flow first, or pass --db"
        )


def database_problem(path: Path | str) -> str | None:
    """Why `path` cannot be used as the warehouse (not DuckDB, truncated, corrupt), or None.

    A missing file is fine (a run creates it) and so is a busy one (the run spools); checked
    before a run starts so that a wrong `--db` costs one line, not a traceback mid-run.
    """
    if not Path(path).exists():
        return None
    if not Path(path).is_file():
        return f"{path} is not a file"
    try:
        with connect(path, read_only=True, lock_timeout=0) as con:
            con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
    except DatabaseLocked:
        return None
    except duckdb.Error as error:
        return f"{path} is not a readable DuckDB database: {first_line(error)}"
    return None


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


@dataclass(frozen=True)
class DueArticle:
    article_id: int
    url: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class RawPage:
    article_id: int
    url: str
    fetched_at: datetime
    html: str
    version: int
    parser_version: str


@dataclass(frozen=True)
class VersionSnapshot:
    snapshot: Snapshot
    topics: tuple[str, ...]  # the diffed topic sources only (DIFFED_TOPIC_SOURCES)


def known_article_ids(
    path: Path | str, ids: Iterable[int], lock_timeout: float = READ_LOCK_TIMEOUT
) -> set[int]:
    """The subset of `ids` already in the warehouse (none when there is no database yet)."""
    wanted = sorted(set(ids))
    if not wanted or not Path(path).is_file():
        return set()
    with open_readonly(path, lock_timeout) as con:
        rows = con.execute(
            "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::BIGINT[]))",
            [wanted],
        ).fetchall()
    return {row[0] for row in rows}


def due_for_recheck(
    path: Path | str,
    now: datetime,
    limit: int | None = None,
    lock_timeout: float = READ_LOCK_TIMEOUT,
) -> list[DueArticle]:
    """Articles whose next check is due, most overdue first; removed ones included."""
    if not Path(path).is_file():
        return []
    with open_readonly(path, lock_timeout) as con:
        return due_articles(con, now, limit)


def due_articles(
    con: duckdb.DuckDBPyConnection, now: datetime, limit: int | None = None
) -> list[DueArticle]:
    """`due_for_recheck` over an open connection."""
    sql = DUE_SQL
    params: list[object] = [now]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [DueArticle(*row) for row in con.execute(sql, params).fetchall()]


def stored_raw_pages(
    path: Path | str, article_ids: Iterable[int] | None = None
) -> Iterator[RawPage]:
    """The raw page behind each article's current version, for re-parsing with a newer parser.

    Pages are read in chunks with the file closed between chunks, so the caller can load the
    re-parsed batches as it goes.
    """
    if not Path(path).is_file():
        return
    where = "v.raw_hash IS NOT NULL"
    params: list[object] = []
    if article_ids is not None:
        where += " AND a.article_id IN (SELECT unnest(?::BIGINT[]))"
        params.append(sorted(set(article_ids)))
    with open_readonly(path) as con:
        index = con.execute(
            f"""SELECT a.article_id, a.url, v.fetched_at, v.version, v.parser_version, v.raw_hash
                FROM articles a
                JOIN versions v ON v.article_id = a.article_id AND v.version = a.current_version
                WHERE {where} ORDER BY a.article_id""",
            params,
        ).fetchall()
    for start in range(0, len(index), RAW_CHUNK):
        chunk = index[start : start + RAW_CHUNK]
        with open_readonly(path) as con:
            blobs = {
                h: (codec, content)
                for h, codec, content in con.execute(
                    """SELECT raw_hash, codec, content FROM raw_pages
                       WHERE raw_hash IN (SELECT unnest(?::VARCHAR[]))""",
                    [[row[5] for row in chunk]],
                ).fetchall()
            }
        for article_id, url, fetched_at, version, parser_version, raw_hash in chunk:
            codec, content = blobs[raw_hash]
            html = decompress(codec, content)
            yield RawPage(article_id, url, fetched_at, html, version, parser_version)


def version_snapshots(
    con: duckdb.DuckDBPyConnection, article_id: int
) -> dict[int, VersionSnapshot]:
    """Every version of one article with its topics, for diffs between any two of them."""
    topics: dict[int, tuple[str, ...]] = {
        version: tuple(sorted(names))
        for version, names in con.execute(
            f"""SELECT version, list(DISTINCT topic) FROM version_topics
               WHERE article_id = ? AND source IN {DIFFED_TOPIC_SQL} GROUP BY version""",
            [article_id],
        ).fetchall()
    }
    return {
        row[0]: VersionSnapshot(snapshot_from_row(*row[1:]), topics.get(row[0], ()))
        for row in con.execute(
            """SELECT version, title, description, body, pages, tags, authors, published_at
               FROM versions WHERE article_id = ? ORDER BY version""",
            [article_id],
        ).fetchall()
    }

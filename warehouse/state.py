"""Reading what the warehouse knows of a set of articles, for change detection."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import duckdb

from warehouse.change_detection import ArticleState, StoredVersion
from warehouse.kinds import ArticleStatus
from warehouse.normalize import DIFFED_TOPIC_SQL, snapshot_from_row

_IDS = "(SELECT unnest(?::BIGINT[]))"


def load_states(
    con: duckdb.DuckDBPyConnection, ids: list[int], reverts_since: datetime
) -> dict[int, ArticleState]:
    """States of the known articles among `ids`, with reverts since `reverts_since`."""
    if not ids:
        return {}
    versions = _versions(con, ids)
    reverts: dict[int, list[tuple[int, int, datetime]]] = defaultdict(list)
    for article_id, old, new, at in con.execute(
        f"""SELECT article_id, version_from, version_to, detected_at FROM changes
            WHERE kind = 'revert' AND detected_at >= ? AND article_id IN {_IDS}""",
        [reverts_since, ids],
    ).fetchall():
        reverts[article_id].append((old, new, at))
    states: dict[int, ArticleState] = {}
    for row in con.execute(
        f"""SELECT article_id, url, status, current_version, first_seen, last_checked,
                   last_changed, check_count, cosmetic_count, next_check_at, channel, category,
                   etag, last_modified, page_fingerprint
            FROM articles WHERE article_id IN {_IDS}""",
        [ids],
    ).fetchall():
        article_id = row[0]
        states[article_id] = ArticleState(
            article_id=article_id,
            url=row[1],
            status=ArticleStatus(row[2]),
            current_version=row[3],
            versions=versions[article_id],
            first_seen=row[4],
            last_checked=row[5],
            last_changed=row[6],
            check_count=row[7],
            cosmetic_count=row[8],
            next_check_at=row[9],
            channel=row[10],
            category=row[11],
            etag=row[12],
            last_modified=row[13],
            page_fingerprint=row[14],
            reverts=reverts[article_id],
        )
    return states


def _versions(
    con: duckdb.DuckDBPyConnection, ids: list[int]
) -> dict[int, dict[int, StoredVersion]]:
    topics: dict[tuple[int, int], tuple[str, ...]] = {
        (article_id, version): tuple(sorted(names))
        for article_id, version, names in con.execute(
            f"""SELECT article_id, version, list(DISTINCT topic) FROM version_topics
                WHERE article_id IN {_IDS} AND source IN {DIFFED_TOPIC_SQL} GROUP BY ALL""",
            [ids],
        ).fetchall()
    }
    versions: dict[int, dict[int, StoredVersion]] = defaultdict(dict)
    for row in con.execute(
        f"""SELECT article_id, version, raw_hash, title, description, body,
                   pages, tags, authors, published_at
            FROM versions WHERE article_id IN {_IDS}""",
        [ids],
    ).fetchall():
        article_id, version = row[0], row[1]
        snapshot = snapshot_from_row(*row[3:])
        versions[article_id][version] = StoredVersion(
            version=version,
            content_hash=snapshot.content_hash,  # the column may hold an older release's digest
            snapshot=snapshot,
            raw_hash=row[2],
            topics=topics.get((article_id, version), ()),
        )
    return versions

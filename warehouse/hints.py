"""Change hints from the site, and how far each source has earned our trust.

The site says when an article changed in two places: the sitemap's `<lastmod>` and the RSS
item's `pubDate`. Neither is known to be truthful on Liputan6, so every hint is stored and
judged against what the monitor itself later found:

- a hint *claims a change* when it dates a change after the article's last check;
- it is *confirmed* when the first check after it was seen found a real change (an edit, a
  removal, a restoration or a revert);
- a source's **reliability** is the share of its resolved change claims that were confirmed;
- its **coverage** is the share of the changes the monitor detected that the source hinted at
  within an hour either side.

A source the site never updates, or updates for every comment, shows up as low reliability,
and the recheck policy stops spending requests on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from warehouse.kinds import ChangeKind

CONFIRMING_KINDS = (ChangeKind.edit, ChangeKind.removed, ChangeKind.restored, ChangeKind.revert)
_KINDS_SQL = "(" + ", ".join(f"'{k}'" for k in CONFIRMING_KINDS) + ")"
HINT_SOURCES = ("sitemap", "rss")


@dataclass(frozen=True)
class Hint:
    article_id: int
    source: str
    hinted_at: datetime


@dataclass(frozen=True)
class SourceQuality:
    source: str
    claims: int  # resolved change claims
    confirmed: int
    changes: int  # changes detected in the window
    covered: int  # of which this source hinted at

    @property
    def reliability(self) -> float:
        """Confirmed share of claims, with one pseudo-claim each way so a new source is 0.5."""
        return (self.confirmed + 1) / (self.claims + 2)

    @property
    def coverage(self) -> float:
        return self.covered / self.changes if self.changes else 0.0


def record_hints(
    con: duckdb.DuckDBPyConnection,
    hints: Sequence[Hint],
    seen_at: datetime,
    run_id: str | None = None,
) -> int:
    """Store the hints that are new (later than the last one stored for the article and source),
    for articles already in the warehouse; returns how many were stored."""
    if not hints:
        return 0
    before = con.execute("SELECT count(*) FROM change_hints").fetchall()[0][0]
    con.execute(
        """
        INSERT INTO change_hints (article_id, source, hinted_at, seen_at, claims_change, run_id)
        SELECT h.article_id, h.source, h.hinted_at, ?, h.hinted_at > coalesce(
                   a.last_checked, a.first_seen), ?
        FROM (SELECT unnest(?::BIGINT[]) AS article_id, unnest(?::VARCHAR[]) AS source,
                     unnest(?::TIMESTAMPTZ[]) AS hinted_at) h
        JOIN articles a USING (article_id)
        LEFT JOIN (SELECT article_id, source, max(hinted_at) AS latest FROM change_hints
                   GROUP BY ALL) p USING (article_id, source)
        WHERE p.latest IS NULL OR h.hinted_at > p.latest
        """,
        [
            seen_at,
            run_id,
            [h.article_id for h in hints],
            [h.source for h in hints],
            [h.hinted_at for h in hints],
        ],
    )
    return con.execute("SELECT count(*) FROM change_hints").fetchall()[0][0] - before


def source_quality(
    con: duckdb.DuckDBPyConnection, now: datetime, window: timedelta = timedelta(days=14)
) -> dict[str, SourceQuality]:
    """Reliability and coverage of each hint source over the last `window`."""
    since = now - window
    claims = {
        source: (resolved, confirmed)
        for source, resolved, confirmed in con.execute(
            f"""
            WITH claims AS (
                SELECT h.source, h.article_id, h.seen_at,
                       (SELECT min(f.attempted_at) FROM fetches f
                        WHERE f.article_id = h.article_id AND f.attempted_at >= h.seen_at
                       ) AS resolved_at
                FROM change_hints h WHERE h.claims_change AND h.seen_at >= ?
            )
            SELECT source, count(*),
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM changes c
                       WHERE c.article_id = claims.article_id AND c.kind IN {_KINDS_SQL}
                         AND c.detected_at BETWEEN claims.seen_at
                             AND claims.resolved_at + INTERVAL 5 MINUTE))
            FROM claims WHERE resolved_at IS NOT NULL GROUP BY source
            """,
            [since],
        ).fetchall()
    }
    changes = con.execute(
        f"SELECT count(*) FROM changes WHERE kind IN {_KINDS_SQL} AND detected_at >= ?", [since]
    ).fetchall()[0][0]
    covered = dict(
        con.execute(
            f"""
            SELECT h.source, count(DISTINCT c.change_id)
            FROM changes c JOIN change_hints h USING (article_id)
            WHERE c.kind IN {_KINDS_SQL} AND c.detected_at >= ? AND h.claims_change
              AND h.seen_at BETWEEN c.detected_at - INTERVAL 1 HOUR
                  AND c.detected_at + INTERVAL 1 HOUR
            GROUP BY h.source
            """,
            [since],
        ).fetchall()
    )
    sources = set(claims) | set(covered)
    return {
        s: SourceQuality(s, *claims.get(s, (0, 0)), changes, covered.get(s, 0)) for s in sources
    }

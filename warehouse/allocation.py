"""Which articles to check now: the requests go where they catch the most versions.

The rule is the index policy behind the anchors' optimal freshness crawls. Cho and Garcia-Molina
("Effective page refresh policies for Web crawlers", ACM TODS 2003) model changes as a Poisson
process per page and show the optimal refresh rates under a bandwidth limit equalise the
marginal gain per refresh across pages (a Lagrange condition), not the refresh intervals.
Kolobov, Peres, Lubetzky and Horvitz ("Optimal Freshness Crawl Under Politeness Constraints",
SIGIR 2019) solve the same problem with the politeness limit as the constraint: the Lagrange
multiplier is the price of one request, and a page is crawled when what a crawl is expected to
gain reaches that price. Kolobov, Peres, Lu and Horvitz (NeurIPS 2019) add sources with
(possibly incomplete) change observations, such as sitemaps: a change signal is acted on as
soon as it arrives, and the change model is learned online from what crawls observe. Olston and
Pandey (WWW 2008) show the equivalent threshold form: refresh whenever the utility of a refresh
reaches a constant.

Here, the utility of checking article i now is the expected number of versions it would catch
that are still undetected:

    U_i = (1 - trust) * (H_i(age now) - H_i(age at last check)) + max_s reliability_s * pending_s

where H_i is the cumulative edit hazard of the article's channel, for articles already seen to
change or not (warehouse/hazards.py), the
second term counts a pending change hint from source s (a `<lastmod>` later than our last
check) at the source's measured reliability (warehouse/hints.py), and `trust` is the coverage
of the reliable hint sources (capped, so scheduled checks never stop: a sitemap that goes quiet
must not blind the monitor). Each pass spends its request budget on the highest utilities, and
nothing below `min_utility`: the marginal check's utility is the Lagrange price, set by the
budget. After downtime every utility has grown, the backlog drains highest first, and the budget
(below the politeness limit) never grows to catch up. Articles first seen in the last
`fresh_hours` are offered `fresh_share` of each pass first: a backlog's versions are late
already, a new article's can still be caught on time, so a drain never starves new articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.hazards import AGE_EDGES_H, CHANGED, POOLED, HazardTable
from warehouse.hints import SourceQuality


@dataclass(frozen=True)
class PolicySettings:
    min_utility: float = 0.005  # expected versions a check must be worth
    min_reliability: float = 0.3  # hint sources below this are ignored (demoted)
    max_trust: float = 0.8  # at most this much of the hazard is left to hints
    horizon_days: int = 365  # older articles are never rechecked (as on the ladder)
    fresh_hours: float = 3.0  # articles first seen this recently...
    fresh_share: float = 0.5  # ...are offered this share of each pass's budget first


@dataclass(frozen=True)
class Plan:
    checks: list[Check]  # best first
    waiting: int  # worthwhile checks left for later passes
    expected_versions: float  # sum of the utilities of all worthwhile checks: the backlog


@dataclass(frozen=True)
class Check:
    article_id: int
    url: str
    etag: str | None
    last_modified: str | None
    utility: float
    hinted: bool


def hint_weights(
    quality: dict[str, SourceQuality], settings: PolicySettings
) -> tuple[dict[str, float], float]:
    """Reliability per trusted source, and the hazard share the trusted sources cover."""
    trusted = {
        s: q.reliability for s, q in quality.items() if q.reliability >= settings.min_reliability
    }
    coverage = max((quality[s].coverage for s in trusted), default=0.0)
    return trusted, min(coverage, settings.max_trust)


def load_hazard_cells(con: duckdb.DuckDBPyConnection, hazards: HazardTable) -> None:
    """The hazard table as a temp table of the connection, one row per channel and age bucket
    (numbered from 1), so a pass finds an article's cell by an equality join on its bucket
    number, computed by arithmetic, not by a range join over the archive."""
    rows = hazards.rows()
    buckets = len(AGE_EDGES_H)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hazard_cells AS
           SELECT unnest(?::VARCHAR[]) AS channel, unnest(?::INTEGER[]) AS i,
                  unnest(?::DOUBLE[]) AS lo, unnest(?::DOUBLE[]) AS rate,
                  unnest(?::DOUBLE[]) AS cum""",
        [
            [r[0] for r in rows],
            [n % buckets + 1 for n in range(len(rows))],
            *([r[i] for r in rows] for i in (1, 3, 4)),
        ],
    )


def _bucket(age: str) -> str:
    """SQL for the 1-based age bucket of `age` (hours) over AGE_EDGES_H."""
    whens = " ".join(f"WHEN {age} < {hi} THEN {i}" for i, hi in enumerate(AGE_EDGES_H[1:], 1))
    return f"CASE {whens} ELSE {len(AGE_EDGES_H)} END"


def select_checks(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    budget: int,
    hazards: HazardTable,
    quality: dict[str, SourceQuality],
    settings: PolicySettings = PolicySettings(),
) -> Plan:
    """The `budget` checks worth most now, best first, and what waits."""
    trusted, trust = hint_weights(quality, settings)
    # every call, not cached per connection: a pass's connection is new each time (a cache keyed
    # on it once skipped the load for a connection that reused a closed one's id), and the load
    # is ~4 ms against a pass every few minutes
    load_hazard_cells(con, hazards)
    query = f"""
        WITH watched AS (
            SELECT a.article_id, a.url, a.etag, a.last_modified,
                   CASE WHEN a.channel IN (SELECT channel FROM hazard_cells) THEN a.channel
                        ELSE '{POOLED}' END
                   || CASE WHEN a.last_changed > p.published_at THEN '{CHANGED}' ELSE '' END
                       AS channel,
                   coalesce(a.last_checked, a.first_seen) AS checked, a.first_seen,
                   greatest(epoch(?::TIMESTAMPTZ) - epoch(p.published_at), 0) / 3600.0
                       AS age_now,
                   greatest(epoch(coalesce(a.last_checked, a.first_seen)) - epoch(p.published_at),
                            0) / 3600.0 AS age_then
            FROM articles a JOIN versions p ON p.article_id = a.article_id AND p.version = 1
            WHERE p.published_at > ? - to_days(?)
        ),
        hinted AS (
            SELECT h.article_id, max(w.weight) AS weight
            FROM change_hints h
            JOIN (SELECT unnest(?::VARCHAR[]) AS source, unnest(?::DOUBLE[]) AS weight) w
                USING (source)
            JOIN watched USING (article_id)
            WHERE h.claims_change AND h.seen_at > watched.checked
              AND h.hinted_at > watched.checked
            GROUP BY h.article_id
        ),
        bucketed AS (
            SELECT w.*, {_bucket("w.age_now")} AS i_now, {_bucket("w.age_then")} AS i_then
            FROM watched w
        ),
        scored AS (
            SELECT w.article_id, w.url, w.etag, w.last_modified,
                   (1 - ?) * ((n.cum + n.rate * (w.age_now - n.lo))
                              - (t.cum + t.rate * (w.age_then - t.lo)))
                   + coalesce(h.weight, 0) AS utility,
                   h.weight IS NOT NULL AS hinted,
                   w.first_seen > ? - to_microseconds(CAST(? * 3600e6 AS BIGINT)) AS fresh
            FROM bucketed w
            JOIN hazard_cells n ON n.channel = w.channel AND n.i = w.i_now
            JOIN hazard_cells t ON t.channel = w.channel AND t.i = w.i_then
            LEFT JOIN hinted h USING (article_id)
        )
        SELECT article_id, url, etag, last_modified, utility, hinted,
               count(*) OVER () AS worthwhile, sum(utility) OVER () AS mass,
               fresh AND row_number() OVER (PARTITION BY fresh ORDER BY utility DESC) <= ?
                   AS reserved
        FROM scored WHERE utility >= ?
        ORDER BY reserved DESC, utility DESC, article_id
        LIMIT ?
    """
    found = con.execute(
        query,
        [
            now,
            now,
            settings.horizon_days,
            list(trusted),
            list(trusted.values()),
            trust,
            now,
            settings.fresh_hours,
            int(budget * settings.fresh_share),
            settings.min_utility,
            max(budget, 1),  # one row at least, to count what waits
        ],
    ).fetchall()
    checks = [Check(*row[:6]) for row in found[: max(budget, 0)]]
    if not found:
        return Plan(checks, 0, 0.0)
    return Plan(checks, found[0][6] - len(checks), found[0][7])

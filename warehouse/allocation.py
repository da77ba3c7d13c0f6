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
that are still undetected, plus what it would catch on time, plus an obligation:

    U_i = (1 - trust) * (H_i(age now) - H_i(age at last check)
                         + on_time_hours * h_i(age now - on_time + pass)
                           [if last checked before then])
          + max_s reliability_s * pending_s
          + 1 [if younger than max_gap_days and unchecked for max_gap_hours]

where H_i is the cumulative edit hazard of the article's channel, for articles already seen to
change or not, and h_i its rate (warehouse/hazards.py). The second term prices detection delay:
a version made `on_time` minutes ago (a fact-checker's "soon"), less the `pass` until the next
pass, turns late if this check waits for that pass, and the rate at which such versions are
made is h_i(age now - on_time + pass); it is worth `on_time_hours` of hazard, and nothing once
the last check came after it. Without it the rule buys only recall, and spends most of the
budget on the first hours, where edits are densest but every check catches them on time anyway,
while an edit a day later waits hours. The third term
counts a pending change hint from source s (a `<lastmod>` later than our last check) at the
source's measured reliability (warehouse/hints.py), and `trust` is the coverage of the reliable
hint sources (capped, so scheduled checks never stop: a sitemap that goes quiet must not blind
the monitor). The last is a floor under the allocation, not part of it: an article of its first
`max_gap_days` is checked at least every `max_gap_hours` whatever its hazard says, so no late
correction in the first week waits more than two days (an article the hazards call quiet is
exactly where an unexpected correction would otherwise wait for ever). Each pass spends its
request budget on the highest utilities, and nothing below `min_utility`: the marginal check's
utility is the Lagrange price, set by the budget. After downtime every utility has grown, the
backlog drains highest first, and the budget (below the politeness limit) never grows to catch
up; new articles are fetched by the monitor flow, on its own schedule, meanwhile.
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
    on_time_minutes: float = 30.0  # a version caught within this is caught on time...
    on_time_hours: float = 2.5  # ...and worth this many hours of its article's hazard
    max_gap_hours: float = 48.0  # no article younger than `max_gap_days` waits longer
    max_gap_days: float = 10.0


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
    next_pass_seconds: float = 0.0,
) -> Plan:
    """The `budget` checks worth most now, best first, and what waits.

    `next_pass_seconds`: how long until the next pass could check instead. An edit turns late
    if it is not caught within `on_time_minutes`, so what waiting costs is the edits made that
    long ago minus one pass; priced at `on_time_minutes` alone, a check came one pass after its
    edits' deadline, and the hazard it was meant to catch on time had turned late already."""
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
                            0) / 3600.0 AS age_then,
                   greatest(epoch(?::TIMESTAMPTZ) - epoch(p.published_at) - ?, 0) / 3600.0
                       AS age_on_time
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
            SELECT w.*, {_bucket("w.age_now")} AS i_now, {_bucket("w.age_then")} AS i_then,
                   {_bucket("w.age_on_time")} AS i_on_time
            FROM watched w
        ),
        scored AS (
            SELECT w.article_id, w.url, w.etag, w.last_modified,
                   (1 - ?) * ((n.cum + n.rate * (w.age_now - n.lo))
                              - (t.cum + t.rate * (w.age_then - t.lo))
                              + CASE WHEN w.age_then < w.age_on_time THEN ? * o.rate ELSE 0 END)
                   + coalesce(h.weight, 0)
                   + CASE WHEN w.age_now < ? * 24 AND w.age_now - w.age_then >= ? THEN 1 ELSE 0 END
                       AS utility,
                   h.weight IS NOT NULL AS hinted
            FROM bucketed w
            JOIN hazard_cells n ON n.channel = w.channel AND n.i = w.i_now
            JOIN hazard_cells t ON t.channel = w.channel AND t.i = w.i_then
            JOIN hazard_cells o ON o.channel = w.channel AND o.i = w.i_on_time
            LEFT JOIN hinted h USING (article_id)
        )
        SELECT article_id, url, etag, last_modified, utility, hinted,
               count(*) OVER () AS worthwhile, sum(utility) OVER () AS mass
        FROM scored WHERE utility >= ?
        ORDER BY utility DESC, article_id
        LIMIT ?
    """
    found = con.execute(
        query,
        [
            now,
            now,
            max(settings.on_time_minutes * 60 - next_pass_seconds, 0.0),
            now,
            settings.horizon_days,
            list(trusted),
            list(trusted.values()),
            trust,
            settings.on_time_hours,
            settings.max_gap_days,
            settings.max_gap_hours,
            settings.min_utility,
            max(budget, 1),  # one row at least, to count what waits
        ],
    ).fetchall()
    checks = [Check(*row[:6]) for row in found[: max(budget, 0)]]
    if not found:
        return Plan(checks, 0, 0.0)
    return Plan(checks, found[0][6] - len(checks), found[0][7])

"""Edit hazards by article age and channel, learned from the warehouse's own history.

The hazard is the expected number of changes per hour an article of a given age (since
publication) and channel goes through. It is estimated per age bucket as

    changes dated in the bucket / article-hours the warehouse watched in the bucket

where a change is dated by the page's own `modified_at` when the site gives one, else midway
between the look that saw it and the look before (the edit happened in between; dated at
detection, an early edit that a rarely checked article showed late counted as a late one, and
inflated the late hazard of exactly the articles that are rarely corrected), and an article is
watched from its first sighting to its last check: after the last check nobody knows yet whether
it changed, so counting those hours (with no change in them) would bias every rate down, most of
all at the ages the policy checks least, and those ages would then be checked less still. A
warehouse warm-started with one look at each old article learns nothing from it until it checks
it again. Thin cells are shrunk towards a prior (a Gamma prior, i.e. pseudo-counts): a channel's
rate towards the all-channel rate, and the all-channel rate towards the rate implied by the
NewsDiffs ladder. The ladder prior is chosen so that, with no history at all, the allocation
policy checks an article about as often as the ladder would: an interval `tau` at threshold
`theta` means a hazard `theta/tau`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

import duckdb

from warehouse.hints import CONFIRMING_KINDS
from warehouse.kinds import FetchOutcome, sql_in
from warehouse.scheduling import Ladder

# Age-bucket edges in hours, finer where edits crowd (the first hours), to a year.
AGE_EDGES_H: tuple[float, ...] = (
    0,
    0.25,
    0.5,
    1,
    2,
    3,
    4,
    6,
    9,
    12,
    18,
    24,
    36,
    48,
    72,
    96,
    120,
    168,
    336,
    720,
    2160,
    8760,
)
POOLED = "*"
CHANGED = "+"  # suffix of the rows for articles already seen to change
# fetch outcomes that saw the article as it was (a failed attempt saw nothing)
LOOKED = (FetchOutcome.ok, FetchOutcome.not_modified, FetchOutcome.removed)
_KINDS_SQL = "(" + ", ".join(f"'{k}'" for k in CONFIRMING_KINDS) + ")"


@dataclass
class HazardTable:
    """Piecewise-constant hazard per channel over AGE_EDGES_H; `rates[channel][i]` per hour."""

    rates: dict[str, tuple[float, ...]]
    changes_seen: int
    watched_hours: float

    def rate(self, channel: str | None, age_h: float) -> float:
        row = self.rates.get(channel or POOLED, self.rates[POOLED])
        for i in range(len(AGE_EDGES_H) - 1):
            if age_h < AGE_EDGES_H[i + 1]:
                return row[i]
        return 0.0

    def rows(self) -> list[tuple[str, float, float, float, float]]:
        """(channel, lo_h, hi_h, rate_per_h, cumulative hazard at lo): for the SQL policy."""
        out = []
        for channel, row in self.rates.items():
            cumulative = 0.0
            for i, rate in enumerate(row):
                lo, hi = AGE_EDGES_H[i], AGE_EDGES_H[i + 1]
                out.append((channel, lo, hi, rate, cumulative))
                cumulative += rate * (hi - lo)
            out.append((channel, AGE_EDGES_H[-1], float("inf"), 0.0, cumulative))
        return out


def ladder_prior(ladder: Ladder, threshold: float) -> tuple[float, ...]:
    """The hazard under which checking at `threshold` expected changes reproduces the ladder."""
    rates = []
    for i in range(len(AGE_EDGES_H) - 1):
        mid = timedelta(hours=(AGE_EDGES_H[i] + AGE_EDGES_H[i + 1]) / 2)
        interval = ladder.interval(mid)
        rates.append(threshold / (interval.total_seconds() / 3600) if interval else 0.0)
    return tuple(rates)


def learn(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    prior: tuple[float, ...],
    prior_hours: float = 100.0,
    channel_hours: float = 200.0,
) -> HazardTable:
    """Hazards from the changes the warehouse detected and the article-hours it watched.

    Each channel has two rows: articles never seen to change (`channel`) and articles seen to
    change at least once (`channel` + CHANGED). Edits cluster in a minority of articles (most
    stories are never edited; an edited one is edited 2-3 times, NewsEdits), so one detected
    change says more about the next than age alone; this is the warehouse's own evidence per
    article, in the spirit of the per-source rates Kolobov et al. (NeurIPS 2019) learn from each
    source's change history. An article's watched hours count in the first row until its first
    detected change and in the second after it; a change counts in the row the article was in
    when it happened.

    `prior_hours` and `channel_hours` are the pseudo-exposures (article-hours) behind the ladder
    prior and the all-channel rate: a cell needs about that much watching before its own data
    outweighs them.
    """
    edges = list(AGE_EDGES_H)
    buckets = len(edges) - 1
    counts: dict[str, list[float]] = {}
    exposure: dict[str, list[float]] = {}
    for key, bucket, n in con.execute(
        f"""
        WITH confirmed AS (
            SELECT c.*, v.modified_at,
                   row_number() OVER (PARTITION BY c.article_id
                                      ORDER BY c.detected_at, c.change_id) AS n
            FROM changes c
            LEFT JOIN versions v ON v.article_id = c.article_id AND v.version = c.version_to
            WHERE c.kind IN {_KINDS_SQL} AND c.detected_at <= ?
        ),
        undated AS (
            SELECT change_id, article_id, detected_at FROM confirmed WHERE modified_at IS NULL
        ),
        looks AS (
            SELECT f.article_id, f.attempted_at,
                   lag(f.attempted_at) OVER (PARTITION BY f.article_id
                                             ORDER BY f.attempted_at) AS look_before
            FROM fetches f
            WHERE {sql_in("f.outcome", LOOKED)}
              AND f.article_id IN (SELECT article_id FROM undated)
        ),
        bracketed AS (
            SELECT u.change_id, l.look_before
            FROM undated u ASOF JOIN looks l
                ON l.article_id = u.article_id AND u.detected_at >= l.attempted_at
        ),
        dated AS (
            SELECT coalesce(a.channel, '{POOLED}') || CASE WHEN c.n > 1 THEN '{CHANGED}'
                                                      ELSE '' END AS key,
                   (CASE WHEN c.modified_at IS NOT NULL
                         THEN epoch(least(c.modified_at, c.detected_at))
                         ELSE coalesce((epoch(b.look_before) + epoch(c.detected_at)) / 2,
                                       epoch(c.detected_at)) END
                    - epoch(p.published_at)) / 3600.0 AS age
            FROM confirmed c
            JOIN articles a USING (article_id)
            JOIN versions p ON p.article_id = c.article_id AND p.version = 1
            LEFT JOIN bracketed b USING (change_id)
        )
        SELECT d.key, b.i, count(*)
        FROM dated d
        JOIN (SELECT unnest(range(?)) AS i, unnest(?::DOUBLE[]) AS lo,
                     unnest(?::DOUBLE[]) AS hi) b ON greatest(d.age, 0) >= b.lo AND d.age < b.hi
        GROUP BY ALL
        """,
        [now, buckets, edges[:-1], edges[1:]],
    ).fetchall():
        counts.setdefault(key, [0.0] * buckets)[bucket] += n
    spans = ", ".join(
        f"sum(greatest(least(af, {hi}) - greatest(a0, {lo}), 0)), "
        f"sum(greatest(least(a1, {hi}) - greatest(af, {lo}), 0))"
        for lo, hi in pairwise(edges)
    )
    for channel, *hours in con.execute(
        f"""
        WITH first_change AS (
            SELECT article_id, min(detected_at) AS at FROM changes
            WHERE kind IN {_KINDS_SQL} AND detected_at <= ? GROUP BY article_id
        ),
        looked AS (
            SELECT a.article_id, coalesce(a.channel, '{POOLED}') AS channel, a.first_seen,
                   least(coalesce(a.last_checked, a.first_seen), ?::TIMESTAMPTZ) AS seen
            FROM articles a WHERE a.first_seen <= ?
        ),
        watched AS (
            SELECT l.channel,
                   greatest(epoch(l.first_seen) - epoch(p.published_at), 0) / 3600.0 AS a0,
                   greatest(epoch(coalesce(f.at, l.seen)) - epoch(p.published_at), 0)
                       / 3600.0 AS af,
                   greatest(epoch(l.seen) - epoch(p.published_at), 0) / 3600.0 AS a1
            FROM looked l JOIN versions p ON p.article_id = l.article_id AND p.version = 1
            LEFT JOIN first_change f ON f.article_id = l.article_id
        )
        SELECT channel, {spans} FROM watched GROUP BY channel
        """,
        [now, now, now],
    ).fetchall():
        exposure[channel] = [float(h or 0.0) for h in hours[0::2]]
        exposure[channel + CHANGED] = [float(h or 0.0) for h in hours[1::2]]
    rates: dict[str, tuple[float, ...]] = {}
    for state in ("", CHANGED):
        keys = [k for k in exposure if k.endswith(CHANGED) == (state == CHANGED)]
        total_n = [sum(counts.get(k, [0.0] * buckets)[i] for k in keys) for i in range(buckets)]
        total_x = [sum(exposure[k][i] for k in keys) for i in range(buckets)]
        pooled = tuple(
            (total_n[i] + prior[i] * prior_hours) / (total_x[i] + prior_hours)
            for i in range(buckets)
        )
        rates[POOLED + state] = pooled
        for key in keys:
            n, x = counts.get(key, [0.0] * buckets), exposure[key]
            rates[key] = tuple(
                (n[i] + pooled[i] * channel_hours) / (x[i] + channel_hours) for i in range(buckets)
            )
    seen = sum(sum(c) for c in counts.values())
    watched = sum(sum(x) for x in exposure.values())
    return HazardTable(rates, int(seen), watched)

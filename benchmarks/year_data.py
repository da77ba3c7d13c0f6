"""A synthetic stretch of Liputan6, day by day, as loader batches: the replica's text, real edits.

Articles come from the sample site's generator (sample_site/content.py and vocab.py) and are
edited with its timeline's edit kinds, so titles, bodies, tags and topics look like the replica's
and every edit is a real content change. Text only (no raw HTML). One batch per day, in order, for
`warehouse.load_batches`.

    for batch in daily_batches(days=365, per_day=1500): load_batches(db, [batch])
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from parsers.models import Article, TopicTag
from sample_site import content
from sample_site.content import ArticleState
from sample_site.timeline import EDIT_KINDS, edit
from warehouse.records import Batch, FetchAttempt, Observation

LIPUTAN6_PER_DAY = 1500  # about 550,000 articles a year
END = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass
class YearState:
    """The replica's state of every article so far, for edits after the year is loaded."""

    seed: int
    states: dict[int, ArticleState] = field(default_factory=dict)
    removed: list[int] = field(default_factory=list)
    salt: int = 0


def article_of(seed: int, state: ArticleState) -> Article:
    expected = content.expected(seed, state)
    _, slug, _, _ = content.meta(seed, state)
    url = f"https://www.liputan6.com/{state.channel}/read/{state.article_id}/{slug}"
    return Article.model_validate({**expected, "canonical_url": url})


def seen(seed: int, state: ArticleState, at: datetime) -> Observation:
    article = article_of(seed, state)
    attempt = FetchAttempt(url=article.canonical_url, status=200, outcome="ok", attempted_at=at)
    topics = [TopicTag(topic=t, source="taxonomy", score=1.0, evidence=[t]) for t in state.topics]
    return Observation(
        article_id=state.article_id,
        url=article.canonical_url,
        observed_at=at,
        outcome="ok",
        article=article,
        topics=topics,
        attempts=[attempt],
    )


def gone(state: ArticleState, at: datetime, seed: int) -> Observation:
    url = article_of(seed, state).canonical_url
    attempt = FetchAttempt(url=url, status=404, outcome="removed", attempted_at=at)
    return Observation(
        article_id=state.article_id, url=url, observed_at=at, outcome="removed", attempts=[attempt]
    )


def edits(year: YearState, ids: list[int], at: datetime) -> list[Observation]:
    """One real edit of each article (the timeline's edit kinds in turn), observed at `at`."""
    found = []
    for article_id in ids:
        state = year.states[article_id]
        year.salt += 1
        changed = edit(year.seed, state, EDIT_KINDS[year.salt % len(EDIT_KINDS)], year.salt)
        year.states[article_id] = changed
        found.append(seen(year.seed, changed, at))
    return found


def daily_batches(
    days: int,
    per_day: int = LIPUTAN6_PER_DAY,
    end: datetime = END,
    seed: int = 7,
    edit_share: float = 0.9,
    removed_share: float = 0.02,
    year: YearState | None = None,
) -> Iterator[Batch]:
    """`days` days ending at `end`: each day `per_day` new articles, `edit_share` of that many
    edits of the last three days' articles, `removed_share` removals, and half of the earlier
    removals restored."""
    year = year or YearState(seed)
    rng = random.Random(f"{seed}:year")
    next_id = 6_000_000 + len(year.states)
    recent: list[int] = []
    for day in range(days):
        start = end - timedelta(days=days - day)
        observations: list[Observation] = []
        todays = []
        for _ in range(per_day):
            at = start + timedelta(seconds=rng.randrange(82_800))  # before the day's edits
            state = content.new_state(rng, next_id, at)
            state.published_at = state.modified_at = at
            year.states[next_id] = state
            observations.append(seen(seed, state, at))
            todays.append(next_id)
            next_id += 1
        late = start + timedelta(hours=23, minutes=30)
        pool = [a for a in recent + todays if a not in year.removed]
        picked = rng.sample(pool, k=min(len(pool), round(per_day * edit_share)))
        observations += edits(year, picked, late)
        for article_id in rng.sample(pool, k=min(len(pool), round(per_day * removed_share))):
            if article_id not in year.removed:
                year.removed.append(article_id)
                observations.append(gone(year.states[article_id], late, seed))
        for article_id in year.removed[: len(year.removed) // 2]:
            observations.append(seen(seed, year.states[article_id], late + timedelta(minutes=20)))
        del year.removed[: len(year.removed) // 2]
        recent = (recent + todays)[-3 * per_day :]
        yield Batch(run_id=f"year-day-{day}", created_at=late, observations=observations)

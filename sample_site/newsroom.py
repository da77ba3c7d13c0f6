"""A newsroom in virtual time: what gets published, edited, deleted and restored, and when.

The monitor's freshness (share of versions caught, delay to catch them) depends on a process we
cannot observe directly: how often, and how long after publication, Liputan6 edits a story. This
module makes that process explicit and tunable so schedulers can be compared on it:

- publication follows a daily cycle in WIB (quiet at night, busiest late morning and evening),
  1,500 articles a day by default, spread over the site's channels;
- a share of articles is ever edited; an edited article gets 1 + Poisson(extra) edits, so with
  the default extra of 1.6 an edited article has 3.6 versions, NewsEdits' figure (Spangher et
  al., NAACL 2022: 4.6M versions of 1.28M tracked articles);
- edit times: most in the first hours (exponential in age), some in quick bursts (live
  updates), the rest a tail of late corrections spread log-uniformly over days;
- a small share of articles is deleted, and some of those restored later;
- what the site exposes about edits, per hint mode: sitemap `<lastmod>`, RSS `pubDate` and the
  page's `article:modified_time` are truthful, absent, or stale and noisy.

Everything is drawn up front from a seed, so one newsroom can be replayed against several
schedulers. Nothing here is visible to a scheduler: simulators hand it only what a fetch of the
site would return.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")

# Relative publication intensity per WIB hour: near silence before dawn, a morning peak, a
# steady afternoon and a smaller evening peak.
HOURLY_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.3, 0.6, 1.0, 1.4, 1.6, 1.7, 1.7, 1.6,
    1.4, 1.4, 1.5, 1.5, 1.4, 1.3, 1.3, 1.4, 1.3, 1.0, 0.7, 0.4,
)  # fmt: skip

# (channel, share of output, multiplier on the chance of being edited)
CHANNELS: tuple[tuple[str, float, float], ...] = (
    ("news", 0.30, 1.6),
    ("bisnis", 0.12, 1.0),
    ("bola", 0.12, 1.4),
    ("showbiz", 0.10, 0.6),
    ("tekno", 0.06, 0.7),
    ("global", 0.06, 1.0),
    ("regional", 0.10, 0.9),
    ("health", 0.04, 0.6),
    ("lifestyle", 0.05, 0.4),
    ("otomotif", 0.03, 0.5),
    ("cek-fakta", 0.02, 1.2),
)


class HintMode(StrEnum):
    TRUTHFUL = "truthful"  # lastmod and modified_time move exactly with each edit
    ABSENT = "absent"  # no lastmod, no modified_time; RSS pubDate is the publication time
    NOISY = "noisy"  # lastmod stale on half the edits, bumped without edits; RSS re-dated


@dataclass(frozen=True)
class Profile:
    name: str
    edited_share: float  # share of articles ever edited (before the channel multiplier)
    extra_edits: float = 1.6  # Poisson mean of edits beyond the first, per edited article
    early_share: float = 0.75  # share of edits in the first hours
    early_mean: timedelta = timedelta(hours=1)  # exponential mean of an early edit's age
    burst_share: float = 0.2  # share of edits following the previous one within minutes
    late_span: tuple[timedelta, timedelta] = (timedelta(hours=6), timedelta(days=7))
    deleted_share: float = 0.01
    restored_share: float = 0.3


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "breaking",
            edited_share=0.45,
            early_share=0.85,
            early_mean=timedelta(minutes=50),
            burst_share=0.35,
            late_span=(timedelta(hours=6), timedelta(days=3)),
        ),
        Profile("calm", edited_share=0.2, extra_edits=1.0, early_mean=timedelta(hours=2)),
        Profile(
            "late-corrections",
            edited_share=0.3,
            early_share=0.4,
            early_mean=timedelta(hours=2),
            burst_share=0.05,
            late_span=(timedelta(hours=12), timedelta(days=7)),
        ),
    )
}


@dataclass
class SimArticle:
    """One article's whole life, drawn up front. Version n (1-based) starts at versions[n-1]."""

    article_id: int
    channel: str
    published_at: datetime
    versions: list[datetime]
    deleted_at: datetime | None = None
    restored_at: datetime | None = None
    stale_lastmod: frozenset[int] = frozenset()  # versions whose edit the lastmod missed
    noise: list[datetime] = field(default_factory=list)  # lastmod bumps without an edit

    @property
    def url(self) -> str:
        return f"https://www.liputan6.com/{self.channel}/read/{self.article_id}/kabar-{self.article_id}"

    def version_at(self, t: datetime) -> int:
        """The version live at `t` (0 before publication)."""
        return bisect.bisect_right(self.versions, t)

    def deleted(self, t: datetime) -> bool:
        if self.deleted_at is None or t < self.deleted_at:
            return False
        return self.restored_at is None or t < self.restored_at

    def modified_at(self, t: datetime, mode: HintMode) -> datetime | None:
        """The page's article:modified_time at `t`."""
        version = self.version_at(t)
        if mode is HintMode.ABSENT or version == 0:
            return None
        if mode is HintMode.NOISY:
            shown = max(
                (v for v in range(1, version + 1) if v == 1 or v not in self.stale_lastmod),
                default=1,
            )
            return self.versions[shown - 1]
        return self.versions[version - 1]

    def lastmod(self, t: datetime, mode: HintMode) -> datetime | None:
        """The sitemap `<lastmod>` at `t`: the page's time, plus noise bumps in noisy mode."""
        shown = self.modified_at(t, mode)
        if mode is HintMode.NOISY and shown is not None:
            bumps = [b for b in self.noise if b <= t]
            return max([shown, *bumps])
        return shown

    def rss_date(self, t: datetime, mode: HintMode) -> datetime:
        """The RSS `pubDate`: the publication, re-dated by the noise bumps in noisy mode."""
        if mode is HintMode.NOISY:
            return max([self.published_at, *(b for b in self.noise if b <= t)])
        return self.published_at


@dataclass
class Newsroom:
    profile: Profile
    start: datetime
    articles: list[SimArticle]

    def published_between(self, since: datetime, until: datetime) -> list[SimArticle]:
        """Articles published in (since, until], oldest first."""
        lo = bisect.bisect_right(self._times, since)
        hi = bisect.bisect_right(self._times, until)
        return self.articles[lo:hi]

    def by_id(self, article_id: int) -> SimArticle:
        return self._index[article_id]

    def __post_init__(self) -> None:
        self.articles.sort(key=lambda a: a.published_at)
        self._times = [a.published_at for a in self.articles]
        self._index = {a.article_id: a for a in self.articles}


def generate(
    profile: Profile,
    start: datetime,
    days: float,
    per_day: int = 1500,
    seed: int = 0,
    first_id: int = 5_000_000,
) -> Newsroom:
    """A newsroom publishing `per_day` articles a day for `days` days from `start` (UTC)."""
    rng = random.Random(f"{profile.name}:{seed}")
    total = round(per_day * days)
    times = sorted(_publication_time(rng, start, days) for _ in range(total))
    names = [c[0] for c in CHANNELS]
    shares = [c[1] for c in CHANNELS]
    multipliers = {c[0]: c[2] for c in CHANNELS}
    articles = []
    for n, published in enumerate(times):
        channel = rng.choices(names, shares)[0]
        edited = rng.random() < min(1.0, profile.edited_share * multipliers[channel])
        edits = _edit_ages(rng, profile) if edited else []
        versions = [published, *(published + age for age in edits)]
        article = SimArticle(first_id + n, channel, published, versions)
        article.stale_lastmod = frozenset(
            v for v in range(2, len(versions) + 1) if rng.random() < 0.5
        )
        article.noise = sorted(
            published + timedelta(hours=rng.uniform(0.5, 72)) for _ in range(_poisson(rng, 0.6))
        )
        if rng.random() < profile.deleted_share:
            article.deleted_at = published + timedelta(hours=rng.expovariate(1 / 6))
            if rng.random() < profile.restored_share:
                article.restored_at = article.deleted_at + timedelta(hours=rng.uniform(1, 24))
        articles.append(article)
    return Newsroom(profile, start, articles)


def _publication_time(rng: random.Random, start: datetime, days: float) -> datetime:
    """A time in [start, start + days) drawn from the daily WIB cycle (by rejection)."""
    peak = max(HOURLY_WEIGHTS)
    while True:
        t = start + timedelta(seconds=rng.uniform(0, days * 86400))
        if rng.random() * peak < HOURLY_WEIGHTS[t.astimezone(WIB).hour]:
            return t


def _edit_ages(rng: random.Random, profile: Profile) -> list[timedelta]:
    count = 1 + _poisson(rng, profile.extra_edits)
    ages: list[timedelta] = []
    lo, hi = (span.total_seconds() for span in profile.late_span)
    for _ in range(count):
        if ages and rng.random() < profile.burst_share:
            ages.append(max(ages) + timedelta(minutes=rng.uniform(2, 20)))
        elif rng.random() < profile.early_share:
            ages.append(
                timedelta(seconds=60 + rng.expovariate(1 / profile.early_mean.total_seconds()))
            )
        else:
            ages.append(timedelta(seconds=math.exp(rng.uniform(math.log(lo), math.log(hi)))))
    return sorted(set(ages))


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method; means here are small."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)

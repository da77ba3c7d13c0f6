"""Run the monitor's real scheduling and change detection against a simulated newsroom.

Virtual time, no sleeping: every pass (a minute by default) the simulator lets the newsroom
move on, then does what the deployments do, in the order they share the request budget:

1. monitor (every `discovery_every`): read the listings (RSS feeds and the sitemap, a fixed
   number of requests), record their change hints, fetch the articles not seen yet, newest
   first, as far as the budget goes (the rest wait for the next pass);
2. hint poll (every `hint_every`, new policy only): read the news sitemap: its `<lastmod>`s,
   and the new articles it lists, fetched at once (as the recheck flow does);
3. recheck: the real policy picks the checks (`due_for_recheck` on the ladder, or
   `select_checks` on learned hazards and hints) with what is left of the budget.

Fetches are simulated (no HTML): the page at the virtual instant of the request, as the parsed
Article the parser would return, with an ETag so an unchanged page costs a 304. Observations are
loaded with the real `load_batches` into a real DuckDB file, so versions, changes and the
next-check times are the warehouse's own. A pass never spends more than `rate_per_second` times
its length: the politeness budget.

The scheduler sees only the warehouse and what the simulated site serves; the newsroom's
parameters never reach it (no peeking). Scoring compares the warehouse with the newsroom's truth
afterwards: each page's title carries its true version number, so a stored version is matched
to the edit that made it.

A warehouse that has run for a while watches a year of articles, and the ladder's spend grows
with that archive. `archive_days` starts the simulation from such a warehouse: the newsroom's
articles of the preceding `archive_days`, each loaded (with the real loader) as seen at its last
ladder check before the start, drawn uniformly within its current ladder interval, so the
ladder's checks are spread as in its steady state from the first pass. Both policies inherit the
same archive; the warehouse holds no detected change from before the start, so the hazards are
learned from the simulation alone.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Literal

from parsers.models import Article, Page
from sample_site.newsroom import HintMode, Newsroom, Profile, SimArticle, generate
from warehouse.hints import Hint
from warehouse.kinds import FetchOutcome, ObservationOutcome
from warehouse.loading import apply_batches
from warehouse.locking import connect
from warehouse.queries import due_articles
from warehouse.recheck_planner import Planner, PlannerSettings, record_site_hints
from warehouse.records import Batch, FetchAttempt, Observation
from warehouse.scheduling import Ladder
from warehouse.schema import migrate

Policy = Literal["ladder", "allocation"]
RSS_FEEDS = 12  # the all-channel feed and one per channel
SITEMAP_PAGE = 1000  # URLs per sitemap file
SITEMAP_WINDOW = timedelta(days=7)
NEWS_SITEMAP_WINDOW = timedelta(hours=48)
RSS_ITEMS = 50
_VERSION = re.compile(r"\[v(\d+)\]$")


@dataclass(frozen=True)
class SimConfig:
    profile: Profile
    mode: HintMode
    policy: Policy
    start: datetime
    days: float = 7.0
    per_day: int = 1500
    seed: int = 0
    rate_per_second: float = 2.0
    pass_seconds: int = 300  # the ladder is simulated at its deployed cadence, 900
    discovery_every: timedelta = timedelta(minutes=10)
    hint_every: timedelta = timedelta(minutes=2)
    planner: PlannerSettings = field(default_factory=PlannerSettings)
    recheck_share: float = 0.15  # the allocation policy's recheck budget, share of the rate
    downtime: tuple[timedelta, timedelta] | None = None  # (offset from start, length)
    warmup: timedelta = timedelta(days=1)  # edits before start + warmup are not scored
    # Nor are edits in the last `tail`: each scored version has that long to be caught, so a
    # version counts as missed when it was superseded or removed before any check, or went
    # unchecked for `tail`, not merely because the simulation ended soon after it.
    tail: timedelta = timedelta(hours=1)
    archive_days: float = 0.0  # start from a warehouse watching this many days of articles


@dataclass
class PassRecord:
    at: datetime
    requests: int
    rechecks: int
    backlog: int  # ladder: due articles left; allocation: worthwhile checks left
    expected_versions: float = 0.0  # allocation: expected undetected versions (sum of utility)
    hint_polls: int = 0


@dataclass
class SimResult:
    config: SimConfig
    versions_total: int
    versions_caught: int
    latencies_min: list[float]
    requests: int
    recheck_requests: int
    days_scored: float
    passes: list[PassRecord] = field(default_factory=list)
    first_fetch_delay_min: list[tuple[datetime, float]] = field(default_factory=list)
    first_recheck_delay_min: list[tuple[datetime, float]] = field(default_factory=list)
    hint_requests: int = 0

    @property
    def recall(self) -> float:
        return self.versions_caught / self.versions_total if self.versions_total else 1.0

    def latency(self, q: float) -> float:
        if not self.latencies_min:
            return math.nan
        if len(self.latencies_min) == 1:
            return self.latencies_min[0]
        return statistics.quantiles(self.latencies_min, n=100, method="inclusive")[
            round(q * 100) - 1
        ]

    @property
    def requests_per_day(self) -> float:
        return self.requests / self.days_scored

    @property
    def peak_backlog(self) -> int:
        return max((p.backlog for p in self.passes), default=0)


ARCHIVE_FIRST_ID = 4_000_000


def with_archive(config: SimConfig) -> Newsroom:
    """The newsroom of the simulated span, preceded by `archive_days` of its past output."""
    site = generate(config.profile, config.start, config.days, config.per_day, config.seed)
    if config.archive_days <= 0:
        return site
    past = generate(
        config.profile,
        config.start - timedelta(days=config.archive_days),
        config.archive_days,
        config.per_day,
        config.seed + 1_000_003,
        first_id=ARCHIVE_FIRST_ID,
    )
    return Newsroom(site.profile, site.start, past.articles + site.articles)


class Simulator:
    def __init__(
        self,
        config: SimConfig,
        db_path: Path,
        newsroom: Newsroom | None = None,
        archive: Path | None = None,
    ):
        """`archive`: a warehouse file from `build_archive` for this config, copied as the
        starting state (building it takes longer than most simulations)."""
        self.cfg = config
        self.db = db_path
        self.archive = archive
        self.site = newsroom or with_archive(config)
        self.ladder = Ladder()
        self.planner = Planner(config.planner, self.ladder)
        self.known: set[int] = set()
        self.queue: list[SimArticle] = []  # discovered, not fetched yet
        self.last_discovery: datetime | None = None
        self.last_hints: datetime | None = None
        self.first_fetch: dict[int, datetime] = {}
        self.first_recheck: dict[int, datetime] = {}
        self.passes: list[PassRecord] = []
        self.requests = 0
        self.recheck_requests = 0
        self.hint_requests = 0
        self.batches = 0
        self.hinted: dict[tuple[int, str], datetime] = {}  # what the listings said last time

    # -- the site, as a fetch sees it ---------------------------------------------------------

    def fetch(self, article_id: int, etag: str | None, at: datetime) -> Observation:
        art = self.site.by_id(article_id)
        observed = partial(Observation, article_id=article_id, url=art.url, observed_at=at)
        if art.deleted(at):
            attempt = FetchAttempt(
                url=art.url, status=404, outcome=FetchOutcome.removed, attempted_at=at
            )
            return observed(outcome=ObservationOutcome.removed, attempts=[attempt])
        version = art.version_at(at)
        tag = f'"{article_id}-{version}"'
        if etag == tag:
            attempt = FetchAttempt(
                url=art.url,
                status=304,
                outcome=FetchOutcome.not_modified,
                etag=tag,
                attempted_at=at,
            )
            return observed(outcome=ObservationOutcome.not_modified, etag=tag, attempts=[attempt])
        attempt = FetchAttempt(
            url=art.url, status=200, outcome=FetchOutcome.ok, etag=tag, bytes=4000, attempted_at=at
        )
        article = page(art, version, at, self.cfg.mode)
        return observed(
            outcome=ObservationOutcome.ok, article=article, etag=tag, attempts=[attempt]
        )

    def hints(self, now: datetime, sitemap_window: timedelta, rss: bool) -> list[Hint]:
        """What the listings say about known articles (`<lastmod>`, RSS `pubDate`) that they
        did not say at the last read: a reader remembers the dates it saw."""
        return [h for h in self._listed_hints(now, sitemap_window, rss) if self._new(h)]

    def _new(self, hint: Hint) -> bool:
        key = (hint.article_id, hint.source)
        if self.hinted.get(key) == hint.hinted_at:
            return False
        self.hinted[key] = hint.hinted_at
        return True

    def _listed_hints(self, now: datetime, sitemap_window: timedelta, rss: bool) -> list[Hint]:
        mode = self.cfg.mode
        listed = self.site.published_between(now - sitemap_window, now)
        found = []
        for art in listed:
            if art.article_id not in self.known:
                continue
            lastmod = art.lastmod(now, mode)
            if lastmod is not None:
                found.append(Hint(art.article_id, "sitemap", lastmod))
        if rss:
            recent = sorted(listed, key=lambda a: a.rss_date(now, mode))[-RSS_ITEMS:]
            found.extend(
                Hint(a.article_id, "rss", a.rss_date(now, mode))
                for a in recent
                if a.article_id in self.known
            )
        return found

    # -- one pass -----------------------------------------------------------------------------

    def run(self) -> SimResult:
        """The whole simulation over one read-write connection (reopening would dominate)."""
        if self.archive is not None:
            shutil.copy(self.archive, self.db)
        migrate(self.db)
        with connect(self.db, read_only=False, lock_timeout=10, shared=False) as self.con:
            self.con.execute("SET threads TO 1")  # small queries; the machine runs several sims
            if self.cfg.archive_days > 0 and self.archive is None:
                self.load_archive()
            self.known.update(
                a.article_id
                for a in self.site.published_between(
                    self.cfg.start - timedelta(days=self.cfg.archive_days + 1), self.cfg.start
                )
            )
            return self._run()

    def _last_ladder_check(self, art: SimArticle, rng: random.Random) -> datetime | None:
        """The ladder's last check of `art` before the start, walking its checks from a first
        sighting within a discovery interval of publication (None: the ladder is done)."""
        at = art.published_at + self.cfg.discovery_every * rng.random()
        if at >= self.cfg.start:
            return None
        while (after := self.ladder.next_check(at, art.published_at)) is not None:
            if after > self.cfg.start:
                return at
            at = after
        return None

    def load_archive(self, chunk: int = 5000) -> None:
        """Load every article published before the start as seen at its last ladder check."""
        rng = random.Random(f"archive:{self.cfg.seed}")
        seen = []
        for art in self.site.published_between(
            self.cfg.start - timedelta(days=self.cfg.archive_days + 1), self.cfg.start
        ):
            at = self._last_ladder_check(art, rng)
            if at is not None and not art.deleted(at):
                seen.append((at, art.article_id))
        seen.sort()
        for i in range(0, len(seen), chunk):
            part = seen[i : i + chunk]
            observations = [self.fetch(article_id, None, at) for at, article_id in part]
            batch = Batch(run_id="archive", created_at=part[-1][0], observations=observations)
            apply_batches(self.con, [batch], self.ladder)

    def _run(self) -> SimResult:
        end = self.cfg.start + timedelta(days=self.cfg.days)
        now = self.cfg.start
        step = timedelta(seconds=self.cfg.pass_seconds)
        while now < end:
            if not self._down(now):
                self.one_pass(now)
            else:
                self.passes.append(PassRecord(now, 0, 0, *self._backlog(now)))
            now += step
        return self.score(end)

    def _discover(self, now: datetime, window: timedelta) -> None:
        """Queue the articles a listing covering `window` shows that were never fetched."""
        fresh = [
            a
            for a in self.site.published_between(now - window, now)
            if a.article_id not in self.known
        ]
        self.queue.extend(fresh)
        self.known.update(a.article_id for a in fresh)

    def _down(self, now: datetime) -> bool:
        if self.cfg.downtime is None:
            return False
        offset, length = self.cfg.downtime
        return self.cfg.start + offset <= now < self.cfg.start + offset + length

    def one_pass(self, now: datetime) -> None:
        budget = int(self.cfg.rate_per_second * self.cfg.pass_seconds)
        spent = 0
        polls = self.hint_requests
        clock = _Clock(now, self.cfg.rate_per_second)
        observations: list[Observation] = []
        hints: list[Hint] = []
        if self.last_discovery is None or now - self.last_discovery >= self.cfg.discovery_every:
            self.last_discovery = now
            listed = len(self.site.published_between(now - SITEMAP_WINDOW, now))
            spent += RSS_FEEDS + 2 + math.ceil(listed / SITEMAP_PAGE)
            clock.skip(spent)
            self._discover(now, SITEMAP_WINDOW)
            hints.extend(self.hints(now, SITEMAP_WINDOW, rss=True))
        if self.cfg.policy == "allocation" and (
            self.last_hints is None or now - self.last_hints >= self.cfg.hint_every
        ):
            self.last_hints = now
            spent += 1
            self.hint_requests += 1
            self.planner.charge(1)
            clock.skip(1)
            self._discover(now, NEWS_SITEMAP_WINDOW)  # the news sitemap lists new articles too
            hints.extend(self.hints(now, NEWS_SITEMAP_WINDOW, rss=False))
        if self.queue:
            self.queue.sort(key=lambda a: a.published_at)
            take = self.queue[-(budget - spent) :] if budget > spent else []
            del self.queue[len(self.queue) - len(take) :]
            for art in reversed(take):
                at = clock.next()
                observations.append(self.fetch(art.article_id, None, at))
                self.first_fetch[art.article_id] = at
            spent += len(take)
        if hints:
            record_site_hints(self.con, hints, now)
        allowed = budget - spent
        if self.cfg.policy == "allocation":
            allowed = min(allowed, int(self.cfg.recheck_share * budget))
        targets, backlog, mass = self._select(now, allowed, self.cfg.pass_seconds)
        for article_id, etag in targets:
            at = clock.next()
            observations.append(self.fetch(article_id, etag, at))
            self.first_recheck.setdefault(article_id, at)
        spent += len(targets)
        if observations:
            self._load(observations, now)
        assert spent <= budget, f"pass at {now} spent {spent} of {budget} requests"
        self.requests += spent
        self.recheck_requests += len(targets)
        self.passes.append(
            PassRecord(now, spent, len(targets), backlog, mass, self.hint_requests - polls)
        )

    def _select(
        self, now: datetime, budget: int, seconds: float | None = None
    ) -> tuple[list[tuple[int, str | None]], int, float]:
        """The checks for this pass (`seconds` long, None: only looking); what is left
        waiting (count, expected versions)."""
        if self.cfg.policy == "ladder":
            due = due_articles(self.con, now)
            chosen = due[: max(budget, 0)]
            return [(d.article_id, d.etag) for d in chosen], len(due) - len(chosen), 0.0
        plan = self.planner.plan(self.con, now, budget, seconds)
        mass = plan.expected_versions - sum(c.utility for c in plan.checks)
        return [(c.article_id, c.etag) for c in plan.checks], plan.waiting, mass

    def _backlog(self, now: datetime) -> tuple[int, float]:
        _, waiting, mass = self._select(now, 0)
        return waiting, mass

    def _load(self, observations: list[Observation], now: datetime) -> None:
        """One batch per pass: the monitor's first sightings and the rechecks together."""
        self.batches += 1
        batch = Batch(run_id="sim", created_at=now, observations=observations)
        apply_batches(self.con, [batch], self.ladder)

    # -- scoring ------------------------------------------------------------------------------

    def score(self, end: datetime) -> SimResult:
        """Versions made by edits after the warm-up and at least `tail` before the end."""
        scored_from = self.cfg.start + self.cfg.warmup
        scored_to = end - self.cfg.tail
        stored = self.con.execute(
            "SELECT article_id, title, min(fetched_at) FROM versions GROUP BY ALL"
        ).fetchall()
        caught: dict[tuple[int, int], datetime] = {}
        for article_id, title, fetched in stored:
            match = _VERSION.search(title)
            if match:
                key = (article_id, int(match.group(1)))
                caught[key] = min(fetched, caught.get(key, fetched))
        total, latencies = 0, []
        for art in self.site.articles:
            for number, made in enumerate(art.versions[1:], start=2):
                if not scored_from <= made < scored_to or art.deleted(made):
                    continue
                total += 1
                if (art.article_id, number) in caught:
                    latencies.append((caught[art.article_id, number] - made).total_seconds() / 60)
        days = (end - self.cfg.start).total_seconds() / 86400
        days -= self.cfg.warmup.total_seconds() / 86400
        if self.cfg.downtime:
            days -= self.cfg.downtime[1].total_seconds() / 86400
        scored = [p for p in self.passes if p.at >= scored_from]
        result = SimResult(
            self.cfg,
            total,
            len(latencies),
            latencies,
            sum(p.requests for p in scored),
            sum(p.rechecks for p in scored),
            days,
            self.passes,
            hint_requests=sum(p.hint_polls for p in scored),
        )
        for article_id, at in self.first_fetch.items():
            art = self.site.by_id(article_id)
            result.first_fetch_delay_min.append(
                (art.published_at, (at - art.published_at).total_seconds() / 60)
            )
            if article_id in self.first_recheck:
                delay = (self.first_recheck[article_id] - at).total_seconds() / 60
                result.first_recheck_delay_min.append((art.published_at, delay))
        return result


def build_archive(config: SimConfig, path: Path) -> Path:
    """A warehouse file holding `config`'s archive (see the module docstring), to copy into
    every simulation of the same profile, size and seed."""
    sim = Simulator(config, path)
    migrate(path)
    with connect(path, read_only=False, lock_timeout=10, shared=False) as sim.con:
        sim.con.execute("SET threads TO 1")
        sim.load_archive()
        sim.con.execute("CHECKPOINT")
    return path


class _Clock:
    """Request times within a pass, spaced by the rate limit."""

    def __init__(self, start: datetime, rate: float) -> None:
        self.at = start
        self.gap = timedelta(seconds=1 / rate)

    def skip(self, n: int) -> None:
        self.at += self.gap * n

    def next(self) -> datetime:
        self.at += self.gap
        return self.at


def page(art: SimArticle, version: int, at: datetime, mode: HintMode) -> Article:
    """The parsed page of `art` at `version`: the title carries the true version number."""
    return Article(
        article_id=art.article_id,
        canonical_url=art.url,
        channel=art.channel,
        title=f"Kabar {art.article_id} dari redaksi [v{version}]",
        description=f"Ringkasan kabar {art.article_id}, versi {version}.",
        authors=["Redaksi"],
        published_at=art.published_at,
        modified_at=art.modified_at(at, mode),
        tags=[art.channel],
        pages=[Page(paragraphs=[f"Isi kabar {art.article_id}.", f"Pembaruan ke-{version}."])],
    )

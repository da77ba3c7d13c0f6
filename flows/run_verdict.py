"""Whether a run did its job, and if not, the one line that says why.

A monitor that reached nothing must not look green: offline, behind a bot wall or with the site
down, the run ends Failed and names the dominant cause, the host and the count, e.g.
`site unreachable: 27 of 27 attempts failed (DNS: www.liputan6.com)`. The data a run did load
stays loaded; only its verdict changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flows.fetching.causes import CAUSE_LABELS
from parsers.urls import host_of
from warehouse.kinds import ObservationOutcome
from warehouse.records import Observation

MIN_ATTEMPTS_FOR_SHARE = 5
_FETCHED = frozenset(ObservationOutcome) - {ObservationOutcome.failed}


class RunFailed(RuntimeError):
    """Raised at the end of a run that failed at its job; `counts` are what it did manage."""

    def __init__(self, message: str, counts: Mapping[str, int] | None = None) -> None:
        super().__init__(message)
        self.counts = dict(counts or {})


@dataclass(frozen=True)
class ListingFetch:
    """How one listing fetch of discovery ended."""

    url: str
    ok: bool
    cause: str | None = None
    error: str | None = None


@dataclass
class FailureTally:
    """Failed fetches by (cause, host), with one error text per cause for the message."""

    attempted: int = 0
    failed: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add_failure(self, cause: str | None, url: str, error: str | None) -> None:
        key = cause or "http_error"
        self.failed[(key, host_of(url) or url)] += 1
        self.examples.setdefault(key, error or key)

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def merge(self, other: FailureTally) -> None:
        self.attempted += other.attempted
        self.failed.update(other.failed)
        for cause, error in other.examples.items():
            self.examples.setdefault(cause, error)

    def dominant(self, robots_causes: Mapping[str, str]) -> str:
        """`DNS: www.liputan6.com`, the most frequent cause; an unreachable robots.txt is named by
        what made it unreachable."""
        if not self.failed:
            return "no failures"
        (cause, host), _ = self.failed.most_common(1)[0]
        root = robots_causes.get(host) if cause == "robots_unreachable" else None
        return f"{CAUSE_LABELS.get(root or cause, root or cause)}: {host}"

    def describe(self, prefix: str, robots_causes: Mapping[str, str]) -> str:
        (cause, _), _ = self.failed.most_common(1)[0]
        counted = f"{self.failures} of {self.attempted} attempts failed"
        detail = f"({self.dominant(robots_causes)})"
        if cause == "robots_unreachable":
            # "site unreachable: robots.txt could not be fetched (HTTP 503 ...)": never "disallowed"
            return f"{self.examples[cause]}; {counted} {detail}"
        return f"{prefix}: {counted} {detail}"


@dataclass
class ArticleFetches:
    """The article fetches of a run: what was asked, what came back, what robots.txt refused."""

    tally: FailureTally = field(default_factory=FailureTally)
    fetched: int = 0
    disallowed: int = 0

    def add(self, observations: Iterable[Observation]) -> None:
        for obs in observations:
            if obs.outcome in _FETCHED:
                self.fetched += 1
                self.tally.attempted += 1
                continue
            last = obs.attempts[-1] if obs.attempts else None
            if last is not None and last.cause == "robots_disallowed":
                self.disallowed += 1
                continue
            self.tally.attempted += 1
            self.tally.add_failure(last.cause if last else None, obs.url, obs.error)

    def merge(self, other: ArticleFetches) -> None:
        self.tally.merge(other.tally)
        self.fetched += other.fetched
        self.disallowed += other.disallowed


def listing_tally(fetches: Iterable[ListingFetch]) -> FailureTally:
    """Listing fetches of discovery, one per URL asked for."""
    tally = FailureTally()
    for fetch in fetches:
        tally.attempted += 1
        if not fetch.ok:
            tally.add_failure(fetch.cause, fetch.url, fetch.error)
    return tally


def verdict(
    articles: ArticleFetches,
    *,
    sources_ok: Mapping[str, int] | None,
    listings: FailureTally | None,
    targets: int,
    max_failure_share: float,
    robots_causes: Mapping[str, str],
) -> str | None:
    """The reason a run failed, or None when it did its job.

    `sources_ok` maps each discovery source to the listing pages it read (None: no discovery);
    `targets` is how many pages were due or discovered.
    """
    every_source_failed = sources_ok and all(ok == 0 for ok in sources_ok.values())
    if every_source_failed and listings is not None and listings.failures:
        return _every_source_failed(listings, robots_causes)
    tally = articles.tally
    if targets and articles.fetched == 0 and (tally.attempted or articles.disallowed):
        if not tally.failures:
            return (
                f"nothing fetched: {articles.disallowed} of {articles.disallowed} pages "
                "disallowed by robots.txt"
            )
        return tally.describe("site unreachable", robots_causes)
    if tally.attempted >= MIN_ATTEMPTS_FOR_SHARE:
        share = tally.failures / tally.attempted
        if share > max_failure_share:
            return tally.describe(
                f"too many failed fetches ({share:.0%} > {max_failure_share:.0%})", robots_causes
            )
    return None


def _every_source_failed(listings: FailureTally, robots_causes: Mapping[str, str]) -> str:
    text = listings.describe("site unreachable", robots_causes)
    return f"{text}; every discovery source failed"

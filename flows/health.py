"""Extraction health: the alarm for parser rot.

NewsDiffs' worst failure was a layout change that silently broke its scraper for months. Every run
measures how many fetched pages lack a title, body, date or tags, and which boilerplate rules went
quiet; below the threshold the run fails loudly, after its data is safely loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flows.run_verdict import RunFailed
from warehouse.records import Observation

MIN_PAGES_TO_JUDGE = 10
_FIELDS = ("title", "body", "published_at", "tags")


@dataclass(frozen=True)
class HealthReport:
    """`attempted`: article pages we tried to fetch (robots.txt disallows and 304s aside);
    `pages`: those that came back and went through the parser."""

    pages: int
    healthy: int
    missing: dict[str, int]
    parse_errors: int
    rules_fired: dict[str, int]
    rules_silent: list[str] = field(default_factory=list)
    attempted: int = 0

    @property
    def healthy_share(self) -> float | None:
        """Complete pages over attempted ones: 0 of 27 is 0%, and no attempt at all is None."""
        attempted = max(self.attempted, self.pages)
        return self.healthy / attempted if attempted else None

    @property
    def share_text(self) -> str:
        share = self.healthy_share
        return "n/a" if share is None else f"{share:.1%}"

    def failed(self, threshold: float) -> bool:
        """Parser rot: judged on the pages that were parsed; fetch failures fail a run elsewhere."""
        return self.pages >= MIN_PAGES_TO_JUDGE and self.healthy / self.pages < threshold

    def message(self, threshold: float) -> str:
        missing = ", ".join(f"{k} {v}" for k, v in self.missing.items() if v) or "none"
        parsed = f"{self.healthy / self.pages:.0%}" if self.pages else "n/a"
        text = (
            f"extraction health {parsed} of {self.pages} parsed pages complete "
            f"({self.healthy} of {max(self.attempted, self.pages)} attempted, "
            f"threshold {threshold:.0%}); missing: {missing}; parse errors: {self.parse_errors}"
        )
        if self.rules_silent:
            text += f"; rules that stopped firing: {', '.join(self.rules_silent)}"
        return text


def assess(observations: Sequence[Observation]) -> HealthReport:
    """Score one batch of fetched pages; `merge` combines batches into the run's report."""
    parsed = [o for o in observations if o.outcome in ("ok", "parse_error")]
    missing: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    healthy = 0
    for obs in parsed:
        article = obs.article
        if article is None:
            missing.update(_FIELDS)
            continue
        absent = [
            name
            for name, value in (
                ("title", article.title),
                ("body", article.body),
                ("published_at", article.published_at),
                ("tags", article.tags),
            )
            if not value
        ]
        missing.update(absent)
        healthy += not absent
        rules.update({name: 1 for name in article.rules_fired})
    return HealthReport(
        pages=len(parsed),
        healthy=healthy,
        missing={name: missing[name] for name in _FIELDS},
        parse_errors=sum(o.outcome == "parse_error" for o in parsed),
        rules_fired=dict(sorted(rules.items())),
        attempted=len(parsed) + sum(_attempted_and_failed(o) for o in observations),
    )


def _attempted_and_failed(obs: Observation) -> bool:
    """A failed fetch counts against health, except a page robots.txt told us not to ask for."""
    if obs.outcome != "failed":
        return False
    return not obs.attempts or obs.attempts[-1].cause != "robots_disallowed"


class ExtractionHealthError(RunFailed):
    """Raised at the end of a run whose pages mostly failed to extract: the parser needs work."""


def merge(
    reports: Sequence[HealthReport], usual_rules: Mapping[str, float] | None = None
) -> HealthReport:
    """The run's report. `usual_rules` maps each rule to the share of pages it fired on in earlier
    runs, so a rule that usually fires and now never does is named: that is how rot shows first."""
    missing: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for r in reports:
        missing.update(r.missing)
        rules.update(r.rules_fired)
    pages = sum(r.pages for r in reports)
    return HealthReport(
        pages=pages,
        healthy=sum(r.healthy for r in reports),
        missing={name: missing[name] for name in _FIELDS},
        parse_errors=sum(r.parse_errors for r in reports),
        rules_fired=dict(sorted(rules.items())),
        rules_silent=_silent(rules, pages, usual_rules),
        attempted=sum(r.attempted for r in reports),
    )


def _silent(rules: Counter[str], pages: int, usual_rules: Mapping[str, float] | None) -> list[str]:
    """Rules that usually fire on at least a fifth of pages but fired on none of these."""
    if not usual_rules or pages < MIN_PAGES_TO_JUDGE:
        return []
    return sorted(name for name, share in usual_rules.items() if share >= 0.2 and not rules[name])

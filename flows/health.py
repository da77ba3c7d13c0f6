"""Extraction health: the alarm for parser rot.

NewsDiffs' worst failure was a layout change that silently broke its scraper for months. Every run
measures how many fetched pages lack a title, body, date or tags, and which boilerplate rules went
quiet; below the threshold the run fails loudly, after its data is safely loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from warehouse.records import Observation

MIN_PAGES_TO_JUDGE = 10
_FIELDS = ("title", "body", "published_at", "tags")


@dataclass(frozen=True)
class HealthReport:
    pages: int
    healthy: int
    missing: dict[str, int]
    parse_errors: int
    rules_fired: dict[str, int]
    rules_silent: list[str] = field(default_factory=list)

    @property
    def healthy_share(self) -> float:
        return self.healthy / self.pages if self.pages else 1.0

    def failed(self, threshold: float) -> bool:
        return self.pages >= MIN_PAGES_TO_JUDGE and self.healthy_share < threshold

    def message(self, threshold: float) -> str:
        missing = ", ".join(f"{k} {v}" for k, v in self.missing.items() if v) or "none"
        text = (
            f"extraction health {self.healthy_share:.0%} of {self.pages} pages complete "
            f"(threshold {threshold:.0%}); missing: {missing}; parse errors: {self.parse_errors}"
        )
        if self.rules_silent:
            text += f"; rules that stopped firing: {', '.join(self.rules_silent)}"
        return text


def assess(
    observations: Sequence[Observation], usual_rules: Mapping[str, float] | None = None
) -> HealthReport:
    """Score the pages fetched in this run; `usual_rules` maps rule name to the share of pages it
    fired on in earlier runs, so a rule that usually fires on many pages and now never does is named."""
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
    silent = []
    if usual_rules and len(parsed) >= MIN_PAGES_TO_JUDGE:
        silent = sorted(name for name, share in usual_rules.items() if share >= 0.2 and not rules[name])
    return HealthReport(
        pages=len(parsed),
        healthy=healthy,
        missing={name: missing[name] for name in _FIELDS},
        parse_errors=sum(o.outcome == "parse_error" for o in parsed),
        rules_fired=dict(sorted(rules.items())),
        rules_silent=silent,
    )


class ExtractionHealthError(RuntimeError):
    """Raised at the end of a run whose pages mostly failed to extract: the parser needs work."""

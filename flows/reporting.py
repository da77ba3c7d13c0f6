"""What a run tells the Prefect UI: a summary table, a change list, one event per change.

Artifact keys are stable per flow so the UI's Artifacts page shows each one's history across runs;
events carry `liputan6.article.<id>` as resource id so users can build automations on them
("notify me when a headline changes").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.events import emit_event

from flows.health import HealthReport
from warehouse import ChangeSummary
from warehouse.kinds import RUN_COUNTS, Count, EventKind

MAX_LISTED_CHANGES = 200
_URL_SAFE = "/:?#=&%+,;@!$*.~_-"
_EVENT_FOR_KIND = {
    EventKind.new: "new",
    EventKind.edit: "changed",
    EventKind.revert: "changed",
    EventKind.restored: "changed",
    EventKind.removed: "removed",
}


@dataclass
class RunSummary:
    flow: str
    sources: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (found, new)
    counts: dict[Count, int] = field(default_factory=lambda: dict.fromkeys(RUN_COUNTS, 0))
    changes: list[ChangeSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    health: HealthReport | None = None
    snapshot: str | None = None  # the read snapshot's last publication, for staleness
    freshness: str | None = None  # recheck: today's line of the `freshness` view

    def add(self, counts: dict[Count, int]) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value

    def as_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = [
            {"item": f"source: {name}", "found": found, "new": new, "count": ""}
            for name, (found, new) in sorted(self.sources.items())
        ]
        rows += [
            {"item": k.value, "found": "", "new": "", "count": v} for k, v in self.counts.items()
        ]
        if self.health is not None:
            rows.append(
                {
                    "item": "extraction health",
                    "found": max(self.health.attempted, self.health.pages),
                    "new": "",
                    "count": self.health.share_text,
                }
            )
        if self.snapshot is not None:
            rows.append({"item": "read snapshot", "found": "", "new": "", "count": self.snapshot})
        if self.freshness:
            rows.append({"item": "freshness", "found": "", "new": "", "count": self.freshness})
        return rows


def _md(text: str | None) -> str:
    """Escape Markdown so a headline cannot inject links or formatting into the UI."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~&])", r"\\\1", text or "")


def _md_link(label: str, url: str | None) -> str:
    """A Markdown link whose target cannot break out: only http(s), and every character that
    could end the link or open HTML (`)`, `]`, `<`, quotes, spaces) percent-encoded."""
    target = url or ""
    if urlsplit(target).scheme.lower() not in ("http", "https"):
        return _md(label)
    return f"[{_md(label)}]({quote(target, safe=_URL_SAFE)})"


def changes_markdown(
    flow: str,
    changes: Sequence[ChangeSummary],
    warnings: Sequence[str],
    page_url: Callable[[ChangeSummary], str | None] = lambda change: None,
) -> str:
    lines = [f"# {flow}: {len(changes)} change(s)", ""]
    for w in warnings:
        lines.append(f"> **Warning:** {_md(w)}")
    if warnings:
        lines.append("")
    if not changes:
        lines.append("No article changed in this run.")
    for c in changes[:MAX_LISTED_CHANGES]:
        head = f"- **{_md(c.kind)}** {_md_link(str(c.article_id), c.url)}"
        if c.kind == EventKind.new:
            lines.append(f"{head}: {_md(c.title_after)}")
            continue
        if c.title_before != c.title_after and c.title_after is not None:
            head += f": ~~{_md(c.title_before)}~~ → {_md(c.title_after)}"
        elif c.title_after or c.title_before:
            head += f": {_md(c.title_after or c.title_before)}"
        fields = ", ".join(c.changed_fields)
        if fields:
            head += f" — {fields}"
        if c.words_added or c.words_removed:
            head += f" (+{c.words_added} / −{c.words_removed} words)"
        page = page_url(c)
        if page:
            head += f" · [history]({page})"
        lines.append(head)
    if len(changes) > MAX_LISTED_CHANGES:
        extra = len(changes) - MAX_LISTED_CHANGES
        lines.append(f"- … and {extra} more: `liputan6-monitor changes --since 24h`")
    return "\n".join(lines)


async def publish(
    summary: RunSummary, page_url: Callable[[ChangeSummary], str | None] = lambda change: None
) -> None:
    """Create the run's artifacts and events (inside a flow run); `page_url` links each change
    to its page on the published site."""
    await acreate_table_artifact(
        summary.as_rows(),
        key=f"{summary.flow}-summary",
        description=f"liputan6-monitor {summary.flow}: per-source discovery and load counts",
    )
    await acreate_markdown_artifact(
        changes_markdown(summary.flow, summary.changes, summary.warnings, page_url),
        key=f"{summary.flow}-changes",
        description=f"liputan6-monitor {summary.flow}: what changed in this run",
    )
    for change in summary.changes:
        emit_article_event(change)


def emit_article_event(change: ChangeSummary) -> None:
    suffix = _EVENT_FOR_KIND.get(change.kind)
    if suffix is None:
        return
    emit_event(
        event=f"liputan6.article.{suffix}",
        resource={
            "prefect.resource.id": f"liputan6.article.{change.article_id}",
            "prefect.resource.name": (change.title_after or change.title_before or "")[:200],
            "liputan6.url": change.url,
        },
        payload={
            "kind": change.kind,
            "title_before": change.title_before,
            "title_after": change.title_after,
            "changed_fields": list(change.changed_fields),
            "words_added": change.words_added,
            "words_removed": change.words_removed,
        },
    )

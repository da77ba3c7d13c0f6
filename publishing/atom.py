"""Atom feeds (RFC 4287) of changes: stable entry ids, `updated` times, headline before/after.

An entry's id is derived from what the change is (article, kind, versions, time), not from the
database's row number, so a rebuilt warehouse or site keeps feed readers from showing old entries
again. All text goes out as `type="text"`: a headline quoting HTML or Markdown stays text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr

from publishing import paths
from publishing.entries import Context, wib
from warehouse.site_source import ChangeRecord

_NAMESPACE = uuid.UUID("6f0e7c55-2f7c-4b8e-9a43-5d1c7b0e2a61")
# Characters XML 1.0 does not allow at all (escaping cannot help).
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def text(value: str) -> str:
    return _xml_escape(_INVALID_XML.sub("", value))


def attr(value: str) -> str:
    return quoteattr(_INVALID_XML.sub("", value))


def entry_id(change: ChangeRecord) -> str:
    key = (
        f"change:{change.article_id}:{change.kind}:{change.version_from}:{change.version_to}:"
        f"{change.detected_at.astimezone(UTC).isoformat()}"
    )
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"


def feed_id(path: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'feed:' + path)}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _href(feed_path: str, target: str, base_url: str | None) -> str:
    if base_url:
        return base_url.rstrip("/") + "/" + target
    return paths.relative(feed_path, target)


def summary(change: ChangeRecord, ctx: Context) -> str:
    """Plain text: headline before and after, then when, what and how many words."""
    labels = ctx.labels
    lines = [
        f"{labels('before')}: {change.title_before or ''}",
        f"{labels('after')}: {change.title_after or change.title_before or ''}",
        f"{wib(change.detected_at)} · {labels('kind.' + change.kind)}",
    ]
    if change.changed_fields:
        names = ", ".join(labels("field." + name) for name in change.changed_fields)
        lines.append(f"{labels('fields')}: {names}")
    if change.words_added or change.words_removed:
        lines.append(labels("words", added=change.words_added, removed=change.words_removed))
    return "\n".join(lines)


def _entry(feed_path: str, change: ChangeRecord, ctx: Context, base_url: str | None) -> str:
    title = change.title_after or change.title_before or str(change.article_id)
    target = paths.article(change.article_id) + "#" + paths.change_anchor(change.change_id)
    live = paths.live_url(change.url, ctx.live_hosts)
    related = f'<link rel="related" href={attr(live)}/>' if live else ""
    return (
        f"<entry><id>{entry_id(change)}</id>"
        f'<title type="text">{text(ctx.labels("kind." + change.kind))}: {text(title)}</title>'
        f"<updated>{_stamp(change.detected_at)}</updated>"
        f'<link rel="alternate" type="text/html" href={attr(_href(feed_path, target, base_url))}/>'
        f"{related}<category term={attr(change.kind)}/>"
        f'<summary type="text">{text(summary(change, ctx))}</summary></entry>'
    )


def render_feed(
    path: str,
    title: str,
    changes: Sequence[ChangeRecord],
    ctx: Context,
    base_url: str | None = None,
) -> str:
    """The feed at `path` holding `changes` (newest first)."""
    updated = changes[0].detected_at if changes else _EPOCH
    self_href = _href(path, path, base_url)
    home = _href(path, paths.INDEX, base_url)
    entries = "".join(_entry(path, c, ctx, base_url) for c in changes)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{ctx.labels.lang}">'
        f'<id>{feed_id(path)}</id><title type="text">{text(title)}</title>'
        f"<updated>{_stamp(updated)}</updated>"
        f"<author><name>liputan6-monitor</name></author>"
        f'<link rel="self" type="application/atom+xml" href={attr(self_href)}/>'
        f'<link rel="alternate" type="text/html" href={attr(home)}/>'
        f"<generator>liputan6-monitor</generator>{entries}</feed>\n"
    )

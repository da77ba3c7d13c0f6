"""Deciding what one observation means for one article: new, edit, noise, revert, deletion...

Pure logic over an in-memory ArticleState, so the rules can be read (and tested) apart from SQL.
The rules, in order:

- failed / parse_error: recorded by the loader as errors; the article is untouched, stays due.
- removed (404/410, redirect home): a live article becomes `removed` (a change row); an article
  already removed is only re-checked; an article never seen before is logged and skipped.
- not_modified (304): only the check is recorded; a removed article answering 304 is `restored`.
- ok, same normalised content as the current version: `cosmetic` if the page differed in any
  other way (spacing, quotes, ad ids, raw HTML), else `unchanged`; no version either way. A
  removed article seen again is `restored`. A re-parse is not a check: it leaves the check
  counters and the recheck schedule alone.
- ok, different content, and the observation is a re-parse or its raw HTML is byte-identical to
  the current version's: `parser_change` (a new version, never shown as a newsroom edit).
- ok, content equal to an earlier version: `revert` to that version (no new version), unless it
  is a flip-flop (below).
- ok, content never seen: `edit`, a new version.

Stale-CDN guard (flip-flops): a revert between two versions is recorded at most once per 24 hours
per pair. When the content flips back again within 24 hours of a recorded revert between the same
two versions, the observation counts as `flip_flop`: only the check is recorded and the current
version stays the last recorded one. A flip after the 24 hours is recorded as a revert again, so
a real change of mind by the newsroom surfaces within a day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from parsers.models import Article, TopicTag
from warehouse.diffing import VersionDiff, diff_snapshots
from warehouse.kinds import ArticleStatus, ChangeKind, EventKind, ObservationOutcome
from warehouse.normalize import (
    DIFFED_TOPIC_SOURCES,
    Snapshot,
    page_fingerprint,
    raw_hash,
    snapshot_of,
)
from warehouse.records import Observation
from warehouse.scheduling import Ladder

FLIP_FLOP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class StoredVersion:
    version: int
    content_hash: str
    snapshot: Snapshot
    raw_hash: str | None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewVersion:
    """A version to insert, with everything the loader writes beside it."""

    stored: StoredVersion
    article: Article
    observed_at: datetime
    raw_html: str | None
    topic_tags: tuple[TopicTag, ...]


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    version_from: int | None
    version_to: int | None
    title_before: str | None
    title_after: str | None
    diff: VersionDiff | None


@dataclass
class ArticleState:
    """What the warehouse knows of one article; mutated as observations are applied."""

    article_id: int
    url: str
    status: ArticleStatus
    current_version: int
    versions: dict[int, StoredVersion]
    first_seen: datetime
    last_checked: datetime | None
    last_changed: datetime
    check_count: int = 0
    cosmetic_count: int = 0
    next_check_at: datetime | None = None
    channel: str | None = None
    category: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    page_fingerprint: str | None = None
    reverts: list[tuple[int, int, datetime]] = field(default_factory=list)

    @property
    def current(self) -> StoredVersion:
        return self.versions[self.current_version]

    def version_with(self, content_hash: str) -> StoredVersion | None:
        return next((v for v in self.versions.values() if v.content_hash == content_hash), None)


@dataclass(frozen=True)
class Event:
    kind: EventKind
    observation: Observation
    new_version: NewVersion | None = None
    change: Change | None = None
    message: str | None = None


def observe(
    state: ArticleState | None, obs: Observation, ladder: Ladder
) -> tuple[ArticleState | None, Event]:
    """Apply one observation; returns the new state (None if still unknown) and what happened."""
    if obs.outcome in (ObservationOutcome.failed, ObservationOutcome.parse_error):
        return state, Event(EventKind(obs.outcome), obs, message=obs.error)
    if obs.outcome == ObservationOutcome.ok and obs.article is None:
        return state, Event(EventKind.parse_error, obs, message="outcome ok but no parsed article")
    if state is None:
        if obs.outcome != ObservationOutcome.ok:
            message = f"{obs.outcome} before the first successful fetch"
            return None, Event(EventKind.skipped, obs, message=message)
        return _first_sighting(obs, ladder)
    if obs.outcome == ObservationOutcome.removed:
        return state, _removed(state, obs, ladder)
    if obs.outcome == ObservationOutcome.not_modified:
        event = _not_modified(state, obs)
    else:
        event = _content(state, obs)
    if not obs.reparse:
        _touch(state, obs, ladder, page_seen=event.kind != EventKind.flip_flop)
    return state, event


def _first_sighting(obs: Observation, ladder: Ladder) -> tuple[ArticleState, Event]:
    assert obs.article is not None
    snap = snapshot_of(obs.article)
    stored = _stored(1, snap, obs)
    published = obs.article.modified_at or obs.article.published_at
    state = ArticleState(
        article_id=obs.article_id,
        url=obs.article.canonical_url or obs.url,
        status=ArticleStatus.live,
        current_version=1,
        versions={1: stored},
        first_seen=obs.observed_at,
        last_checked=None,
        last_changed=min(max(published, obs.article.published_at), obs.observed_at),
    )
    _touch(state, obs, ladder)
    return state, Event(EventKind.new, obs, new_version=_new_version(stored, obs))


def _removed(state: ArticleState, obs: Observation, ladder: Ladder) -> Event:
    if state.status == ArticleStatus.removed:
        _touch(state, obs, ladder)
        return Event(EventKind.unchanged, obs)
    state.status = ArticleStatus.removed
    state.last_changed = obs.observed_at
    _touch(state, obs, ladder)
    title = state.current.snapshot.title
    change = Change(ChangeKind.removed, state.current_version, None, title, None, None)
    return Event(EventKind.removed, obs, change=change)


def _not_modified(state: ArticleState, obs: Observation) -> Event:
    if state.status == ArticleStatus.live:
        return Event(EventKind.not_modified, obs)
    return _restore(state, obs, state.current, None)


def _content(state: ArticleState, obs: Observation) -> Event:
    assert obs.article is not None
    snap = snapshot_of(obs.article)
    content_hash = snap.content_hash
    current = state.current
    if content_hash == current.content_hash:
        if obs.reparse:
            return Event(EventKind.unchanged, obs)
        if state.status == ArticleStatus.removed:
            return _restore(state, obs, current, None)
        fingerprint = page_fingerprint(obs.article, obs.raw_html)
        if fingerprint == state.page_fingerprint:
            return Event(EventKind.unchanged, obs)
        state.cosmetic_count += 1
        return Event(EventKind.cosmetic, obs)
    earlier = state.version_with(content_hash)
    same_raw = obs.raw_html is not None and raw_hash(obs.raw_html) == current.raw_hash
    if obs.reparse or same_raw:
        return _switch(state, obs, ChangeKind.parser_change, earlier, snap)
    if state.status == ArticleStatus.removed:
        target = earlier or _stored(max(state.versions) + 1, snap, obs)
        return _restore(state, obs, target, None if earlier else _new_version(target, obs))
    if earlier is None:
        return _switch(state, obs, ChangeKind.edit, None, snap)
    if _is_flip_flop(state, earlier.version, obs.observed_at):
        message = f"back to version {earlier.version} within a day"
        return Event(EventKind.flip_flop, obs, message=message)
    state.reverts.append((current.version, earlier.version, obs.observed_at))
    return _switch(state, obs, ChangeKind.revert, earlier, snap)


def _switch(
    state: ArticleState,
    obs: Observation,
    kind: ChangeKind,
    earlier: StoredVersion | None,
    snap: Snapshot,
) -> Event:
    """Make `earlier` (or a new version of `snap`) current, with a change row from the old one."""
    before = state.current
    target = earlier or _stored(max(state.versions) + 1, snap, obs)
    new_version = None if earlier else _new_version(target, obs)
    state.versions[target.version] = target
    state.current_version = target.version
    if kind != ChangeKind.parser_change:
        state.last_changed = obs.observed_at
    change = _change(kind, before, target)
    return Event(EventKind(kind), obs, new_version=new_version, change=change)


def _restore(
    state: ArticleState, obs: Observation, target: StoredVersion, new_version: NewVersion | None
) -> Event:
    before = state.current
    state.versions[target.version] = target
    state.current_version = target.version
    state.status = ArticleStatus.live
    state.last_changed = obs.observed_at
    change = _change(ChangeKind.restored, before, target)
    return Event(EventKind.restored, obs, new_version=new_version, change=change)


def _change(
    kind: ChangeKind,
    before: StoredVersion,
    after: StoredVersion,
) -> Change:
    diff = diff_snapshots(before.snapshot, after.snapshot, before.topics, after.topics)
    return Change(
        kind, before.version, after.version, before.snapshot.title, after.snapshot.title, diff
    )


def _is_flip_flop(state: ArticleState, target: int, at: datetime) -> bool:
    pair = {state.current_version, target}
    return any(
        {old, new} == pair and timedelta(0) <= at - when < FLIP_FLOP_WINDOW
        for old, new, when in state.reverts
    )


def _stored(number: int, snap: Snapshot, obs: Observation) -> StoredVersion:
    return StoredVersion(
        version=number,
        content_hash=snap.content_hash,
        snapshot=snap,
        raw_hash=raw_hash(obs.raw_html) if obs.raw_html is not None else None,
        topics=tuple(sorted({t.topic for t in obs.topics if t.source in DIFFED_TOPIC_SOURCES})),
    )


def _new_version(stored: StoredVersion, obs: Observation) -> NewVersion:
    assert obs.article is not None
    return NewVersion(stored, obs.article, obs.observed_at, obs.raw_html, tuple(obs.topics))


def _touch(state: ArticleState, obs: Observation, ladder: Ladder, page_seen: bool = True) -> None:
    """Record a successful check: counters, validators, fingerprint and the next check time.

    A suppressed flip-flop page is not "seen": validators and fingerprint stay those of the
    current version, so the next copy of that version reads as unchanged, not cosmetic.
    """
    state.last_checked = obs.observed_at
    state.check_count += 1
    state.next_check_at = ladder.next_check(obs.observed_at, state.last_changed)
    if page_seen and obs.outcome == ObservationOutcome.ok and obs.article is not None:
        state.etag, state.last_modified = obs.etag, obs.last_modified
        state.page_fingerprint = page_fingerprint(obs.article, obs.raw_html)
        state.url = obs.article.canonical_url or state.url
        state.channel, state.category = obs.article.channel, obs.article.category

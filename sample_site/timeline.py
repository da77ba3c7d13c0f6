"""The edit timeline: each step applies a deterministic mix of edits, deletions and additions.

Every change is recorded with the fields whose normalised content actually changed (found by
comparing `expected()` before and after), so tests compare a change detector against truth,
not against the generator's intentions.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from sample_site.content import ArticleState, expected, new_state

FIELDS = ("title", "description", "body", "tags", "authors")
# Cycled over the articles edited in a step, so step 1 already shows every kind of edit.
EDIT_KINDS: tuple[tuple[str, ...], ...] = (
    ("title",),
    ("reword",),
    ("add",),
    ("remove",),
    ("tags",),
    ("description",),
    ("authors",),
    ("title", "add"),
)


def _fields(before: dict, after: dict) -> list[str]:
    keys = {"body": "pages", "title": "title", "description": "description"}
    keys |= {"tags": "tags", "authors": "authors"}
    return [f for f in FIELDS if before[keys[f]] != after[keys[f]]]


def edit(seed: int, state: ArticleState, kinds: tuple[str, ...], salt: int) -> ArticleState:
    """A new version of `state` with the given edits applied."""
    changes: dict = {}
    for kind in kinds:
        if kind == "title":
            changes["title_rev"] = state.title_rev + 1
        elif kind == "description":
            changes["description_rev"] = state.description_rev + 1
        elif kind == "tags":
            changes["tags_rev"] = state.tags_rev + 1
        elif kind == "authors":
            changes["authors_rev"] = state.authors_rev + 1
        else:
            changes["body_ops"] = (*changes.get("body_ops", state.body_ops), (kind, salt))
    return replace(state, **changes)


def advance(seed: int, states: dict[int, ArticleState], step: int, now) -> list[dict]:
    """Apply step `step` (at time `now`) to `states` in place; returns the change records."""
    rng = random.Random(f"{seed}:step:{step}")
    live = [s for s in states.values() if s.status == "live"]
    removed = [s for s in states.values() if s.status == "removed"]
    n_edit = max(len(EDIT_KINDS), round(0.05 * len(live)))
    n_remove = max(1, round(0.02 * len(live)))
    n_cosmetic = max(1, round(0.10 * len(live)))
    picks = rng.sample(live, k=min(len(live), n_edit + n_remove + n_cosmetic))
    records: list[dict] = []

    def record(article_id: int, kind: str, fields: list[str]) -> None:
        records.append({"step": step, "article_id": article_id, "kind": kind, "fields": fields})

    for index, state in enumerate(picks[:n_edit]):
        before = expected(seed, state)
        kinds = EDIT_KINDS[index % len(EDIT_KINDS)]
        for attempt in range(5):
            changed = edit(seed, state, kinds, salt=step * 1000 + index * 10 + attempt)
            fields = _fields(before, expected(seed, changed))
            if fields:
                break
            kinds = ("add",)  # e.g. nothing left to remove on a short page
        changed.modified_at = now
        states[state.article_id] = changed
        record(state.article_id, "edit", fields)
    for state in picks[n_edit : n_edit + n_remove]:
        state.status = "removed"
        record(state.article_id, "removed", [])
    for state in picks[n_edit + n_remove :]:
        state.cosmetic_rev += 1
        record(state.article_id, "cosmetic", [])
    if step >= 2 and removed:
        for state in rng.sample(removed, k=max(1, len(removed) // 2)):
            state.status = "live"
            record(state.article_id, "restored", [])
    next_id = max(states) + 1
    for offset in range(max(1, round(0.02 * len(live)))):
        published = now - timedelta(minutes=rng.randint(1, 59))
        state = new_state(rng, next_id + offset, published)
        state.published_at = state.modified_at = published
        states[state.article_id] = state
        record(state.article_id, "new", list(FIELDS))
    return records

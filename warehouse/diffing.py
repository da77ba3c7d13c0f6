"""Word-level diffs between two versions, per field and per paragraph, as structured ops.

Ops are `(op, text)` pairs with op `=` (kept), `-` (removed) or `+` (added), so a diff can be
stored as JSON, queried in SQL and rendered three ways without re-running the comparison.
Paragraphs are aligned first, then each changed pair is compared word by word, which keeps a
moved or inserted paragraph from smearing the diff over the whole body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from warehouse.normalize import Snapshot

OpCode = Literal["=", "-", "+"]
Op = tuple[OpCode, str]
ParagraphKind = Literal["equal", "insert", "delete", "replace"]

TEXT_FIELDS = ("title", "description")
LIST_FIELDS = ("tags", "authors")


@dataclass(frozen=True)
class ParagraphDiff:
    kind: ParagraphKind
    ops: list[Op]


@dataclass(frozen=True)
class VersionDiff:
    """What changed from one version to another; `fields` holds only the changed ones."""

    fields: dict[str, list[Op]] = field(default_factory=dict)
    body: list[ParagraphDiff] = field(default_factory=list)

    @property
    def changed_fields(self) -> list[str]:
        names = list(self.fields)
        if any(p.kind != "equal" for p in self.body):
            names.append("body")
        order = ("title", "description", "body", "tags", "authors", "published_at", "topics")
        return sorted(names, key=lambda name: order.index(name) if name in order else len(order))

    @property
    def words_added(self) -> int:
        return self._count_words("+")

    @property
    def words_removed(self) -> int:
        return self._count_words("-")

    def _count_words(self, code: OpCode) -> int:
        ops = [op for name in TEXT_FIELDS for op in self.fields.get(name, [])]
        ops += [op for paragraph in self.body for op in paragraph.ops]
        return sum(len(text.split()) for op, text in ops if op == code)

    def to_json(self) -> str:
        """Compact form for the changes table: unchanged paragraphs are kept as counts only."""
        body: list[dict[str, object]] = []
        for paragraph in self.body:
            if paragraph.kind == "equal" and body and body[-1]["kind"] == "equal":
                body[-1]["count"] = int(str(body[-1]["count"])) + 1
            elif paragraph.kind == "equal":
                body.append({"kind": "equal", "count": 1})
            else:
                body.append({"kind": paragraph.kind, "ops": [list(op) for op in paragraph.ops]})
        fields = {name: [list(op) for op in ops] for name, ops in self.fields.items()}
        return json.dumps({"fields": fields, "body": body}, ensure_ascii=False)


def word_ops(before: str, after: str) -> list[Op]:
    """Word diff of two texts; runs of the same op are merged into one op."""
    old, new = before.split(), after.split()
    ops: list[Op] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _push(ops, "=", old[i1:i2])
            continue
        _push(ops, "-", old[i1:i2])
        _push(ops, "+", new[j1:j2])
    return ops


def _push(ops: list[Op], code: OpCode, words: list[str]) -> None:
    if words:
        ops.append((code, " ".join(words)))


def list_ops(before: tuple[str, ...], after: tuple[str, ...]) -> list[Op]:
    """Item diff of two lists compared case-insensitively (tags, authors)."""
    after_keys = {item.casefold() for item in after}
    before_keys = {item.casefold() for item in before}
    ops: list[Op] = [("=" if item.casefold() in after_keys else "-", item) for item in before]
    ops += [("+", item) for item in after if item.casefold() not in before_keys]
    return ops


def paragraph_diffs(before: list[str], after: list[str]) -> list[ParagraphDiff]:
    diffs: list[ParagraphDiff] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            diffs.extend(ParagraphDiff("equal", [("=", p)]) for p in before[i1:i2])
            continue
        old, new = before[i1:i2], after[j1:j2]
        paired = min(len(old), len(new))
        pairs = zip(old[:paired], new[:paired], strict=True)
        diffs.extend(ParagraphDiff("replace", word_ops(a, b)) for a, b in pairs)
        diffs.extend(ParagraphDiff("delete", [("-", p)]) for p in old[paired:])
        diffs.extend(ParagraphDiff("insert", [("+", p)]) for p in new[paired:])
    return diffs


def diff_snapshots(
    before: Snapshot,
    after: Snapshot,
    topics_before: tuple[str, ...] = (),
    topics_after: tuple[str, ...] = (),
) -> VersionDiff:
    """The diff from `before` to `after`; topics are diffed too, so a re-tagging shows up."""
    fields: dict[str, list[Op]] = {}
    for name in TEXT_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            fields[name] = word_ops(old, new)
    if before.tag_set != after.tag_set:
        fields["tags"] = list_ops(before.tags, after.tags)
    if before.authors != after.authors:
        fields["authors"] = list_ops(before.authors, after.authors)
    if before.published_at != after.published_at:
        fields["published_at"] = [
            ("-", before.published_at.isoformat()),
            ("+", after.published_at.isoformat()),
        ]
    if sorted(topics_before) != sorted(topics_after):
        fields["topics"] = list_ops(tuple(sorted(topics_before)), tuple(sorted(topics_after)))
    body = paragraph_diffs(before.paragraphs, after.paragraphs)
    return VersionDiff(fields=fields, body=body)

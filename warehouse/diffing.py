"""Word-level diffs between two versions, per field and per paragraph, as structured ops.

Ops are `(op, text)` pairs with op `=` (kept), `-` (removed) or `+` (added), so a diff can be
stored as JSON, queried in SQL and rendered three ways without re-running the comparison.
The body is diffed as one word sequence, as a reader sees it: identical paragraphs anchor the
alignment (cheap, and it keeps a moved paragraph from smearing the diff), and every run of
paragraphs between anchors is compared word by word as a whole. So moving a paragraph boundary
(a paragraph split in two, two joined, a `<br>` that became a `<p>`) changes no word, and an edit
inside a split paragraph counts only the words that changed. The word ops are then laid out over
the newer version's paragraphs, which is how every renderer shows them.
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
    if not words:
        return
    if ops and ops[-1][0] == code:
        ops[-1] = (code, f"{ops[-1][1]} {' '.join(words)}")
    else:
        ops.append((code, " ".join(words)))


def list_ops(before: tuple[str, ...], after: tuple[str, ...]) -> list[Op]:
    """Item diff of two lists compared case-insensitively (tags, authors)."""
    after_keys = {item.casefold() for item in after}
    before_keys = {item.casefold() for item in before}
    ops: list[Op] = [("=" if item.casefold() in after_keys else "-", item) for item in before]
    ops += [("+", item) for item in after if item.casefold() not in before_keys]
    return ops


def paragraph_diffs(before: list[str], after: list[str]) -> list[ParagraphDiff]:
    """The body diff, one entry per paragraph of `after` (plus `delete` entries for paragraphs
    that went away whole); `equal` means the paragraph's words are all unchanged."""
    diffs: list[ParagraphDiff] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            diffs.extend(ParagraphDiff("equal", [("=", p)]) for p in before[i1:i2])
        elif j1 == j2:
            diffs.extend(ParagraphDiff("delete", [("-", p)]) for p in before[i1:i2])
        elif i1 == i2:
            diffs.extend(ParagraphDiff("insert", [("+", p)]) for p in after[j1:j2])
        else:
            ops = word_ops(" ".join(before[i1:i2]), " ".join(after[j1:j2]))
            diffs.extend(_lay_out(ops, [len(p.split()) for p in after[j1:j2]]))
    return diffs


def _lay_out(ops: list[Op], sizes: list[int]) -> list[ParagraphDiff]:
    """Split word ops over paragraphs of `sizes` words (the newer version's layout).

    Kept and added words fill the paragraphs in order. Removed words go with the next word
    placed (so a replaced word stays beside its replacement), or at the end of the last
    paragraph when nothing follows them.
    """
    laid: list[list[Op]] = [[] for _ in sizes]
    index, room = 0, sizes[0]
    removed: list[str] = []
    for code, text in ops:
        words = text.split()
        if code == "-":
            removed += words
            continue
        while words:
            if room == 0 and index + 1 < len(sizes):
                index, room = index + 1, sizes[index + 1]
            _push(laid[index], "-", removed)
            removed = []
            take = words[:room] if index + 1 < len(sizes) else words
            _push(laid[index], code, take)
            words = words[len(take) :]
            room -= len(take)
    _push(laid[index], "-", removed)
    return [ParagraphDiff(_kind(paragraph), paragraph) for paragraph in laid]


def _kind(ops: list[Op]) -> ParagraphKind:
    codes = {code for code, _ in ops}
    if codes == {"="}:
        return "equal"
    if codes == {"+"}:
        return "insert"
    return "replace"


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

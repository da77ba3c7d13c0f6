"""Plain-text word diff, in the `[-removed-]{+added+}` style of `git diff --word-diff=plain`."""

from __future__ import annotations

from warehouse.diffing import Op, VersionDiff

_MARKS = {"=": ("", ""), "-": ("[-", "-]"), "+": ("{+", "+}")}


def inline(ops: list[Op]) -> str:
    return " ".join(f"{_MARKS[op][0]}{text}{_MARKS[op][1]}" for op, text in ops)


def render_text(diff: VersionDiff, header: str) -> str:
    """Changed fields first, then each changed paragraph numbered as in the newer version."""
    lines = [header]
    for name, ops in diff.fields.items():
        lines += [f"== {name} ==", inline(ops)]
    if "body" in diff.changed_fields:
        lines.append("== body ==")
        number = 0
        for paragraph in diff.body:
            if paragraph.kind != "delete":
                number += 1
            if paragraph.kind != "equal":
                lines += [f"@@ paragraph {number} ({paragraph.kind}) @@", inline(paragraph.ops)]
    if len(lines) == 1:
        lines.append("(no differences)")
    return "\n".join(lines) + "\n"

"""Coloured terminal word diff (rich): removed words red and struck through, added words green.

Article text goes in as rich Text segments, never as markup, so brackets in a headline cannot be
read as style tags.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from warehouse.diffing import Op, VersionDiff

_STYLES = {"=": "", "-": "bold red strike", "+": "bold green"}


def _line(ops: list[Op]) -> Text:
    text = Text()
    for index, (op, words) in enumerate(ops):
        if index:
            text.append(" ")
        text.append(words, style=_STYLES[op])
    return text


def render_term(diff: VersionDiff, header: str) -> Group:
    parts: list[Text] = [Text(header, style="bold")]
    for name, ops in diff.fields.items():
        parts += [Text(name, style="cyan"), _line(ops)]
    if "body" in diff.changed_fields:
        parts.append(Text("body", style="cyan"))
        number = 0
        for paragraph in diff.body:
            if paragraph.kind != "delete":
                number += 1
            if paragraph.kind != "equal":
                parts += [Text(f"¶{number} {paragraph.kind}", style="dim"), _line(paragraph.ops)]
    if len(parts) == 1:
        parts.append(Text("(no differences)", style="dim"))
    return Group(*parts)

"""A self-contained HTML page showing two versions side by side, with <del> and <ins>.

Every piece of article text passes through html.escape, and the page forbids scripts and remote
content in its Content-Security-Policy, so a story quoting `<script>` stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape as _escape

from warehouse.diffing import Op, VersionDiff

# Control characters and noncharacters are invalid in HTML text: a stored body carrying one is
# shown without it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")

DIFF_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{border:1px solid #ddd;padding:.5em;vertical-align:top;text-align:left}
th.field{background:#f4f4f4}
del{background:#fdd;color:#900}
ins{background:#dfd;color:#060;text-decoration:none}
tr.equal td{color:#777}
"""


def escape(text: str) -> str:
    """Text safe inside an element or a quoted attribute."""
    return _escape(_CONTROL.sub("", text))


def _side(ops: list[Op], keep: str) -> str:
    """One side of a row: kept words plus the words only that side has."""
    tag = "del" if keep == "-" else "ins"
    parts = []
    for op, text in ops:
        if op == "=":
            parts.append(escape(text))
        elif op == keep:
            parts.append(f"<{tag}>{escape(text)}</{tag}>")
    return " ".join(parts)


def _row(ops: list[Op], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<tr{cls}><td>{_side(ops, '-')}</td><td>{_side(ops, '+')}</td></tr>"


def diff_table(
    diff: VersionDiff, left: str, right: str, names: Mapping[str, str] | None = None
) -> str:
    """The side-by-side table alone, for pages that show several diffs (the published site);
    `names` translates field names for the row headings."""
    names = names or {}
    rows = [f"<tr><th>{escape(left)}</th><th>{escape(right)}</th></tr>"]
    for name, ops in [*diff.fields.items(), ("body", None)]:
        rows.append(f'<tr><th class="field" colspan="2">{escape(names.get(name, name))}</th></tr>')
        if ops is not None:
            rows.append(_row(ops))
    rows += [_row(p.ops, "equal" if p.kind == "equal" else p.kind) for p in diff.body]
    return f'<table class="diff">{"".join(rows)}</table>'


def render_html(diff: VersionDiff, title: str, left: str, right: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{DIFF_CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1>{diff_table(diff, left, right)}</body></html>\n"
    )

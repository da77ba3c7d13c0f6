"""A self-contained HTML page showing two versions side by side, with <del> and <ins>.

Every piece of article text passes through html.escape, and the page forbids scripts and remote
content in its Content-Security-Policy, so a story quoting `<script>` stays text.
"""

from __future__ import annotations

from html import escape

from warehouse.diffing import Op, VersionDiff

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{border:1px solid #ddd;padding:.5em;vertical-align:top;text-align:left}
th.field{background:#f4f4f4}
del{background:#fdd;color:#900}
ins{background:#dfd;color:#060;text-decoration:none}
tr.equal td{color:#777}
"""


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


def render_html(diff: VersionDiff, title: str, left: str, right: str) -> str:
    rows = [f"<tr><th>{escape(left)}</th><th>{escape(right)}</th></tr>"]
    for name, ops in diff.fields.items():
        rows.append(f'<tr><th class="field" colspan="2">{escape(name)}</th></tr>')
        rows.append(_row(ops))
    rows.append('<tr><th class="field" colspan="2">body</th></tr>')
    rows += [_row(p.ops, "equal" if p.kind == "equal" else p.kind) for p in diff.body]
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1><table>{''.join(rows)}</table></body></html>\n"
    )

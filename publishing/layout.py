"""The frame around every page: CSP, one inline style sheet, navigation, and the footer.

The style sheet is allowed by its hash rather than by `'unsafe-inline'`, so even an injected
`style` attribute or element would be ignored; nothing else (scripts, images, fonts, frames,
forms) may load at all.
"""

from __future__ import annotations

import base64
import hashlib

from publishing import paths
from publishing.labels import Labels
from warehouse.render_html import DIFF_CSS, escape

_SITE_CSS = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;
background:#fafafa;overflow-wrap:anywhere}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:.75rem;border-bottom:1px solid #ddd}
header .site{font-weight:700;color:#1d1d1f;text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0}
nav a{color:#0b57d0}
h1{font-size:1.5rem;line-height:1.25;margin:1rem 0 .5rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:0 0 .25rem}
a{color:#0b57d0}
ol.changes{list-style:none;padding:0;margin:0}
li.change,section.change{background:#fff;border:1px solid #e2e2e2;border-radius:6px;
padding:.6rem .8rem;margin:.5rem 0}
.meta{font-size:.875rem;color:#555}
.kind{font-weight:600;color:#1d1d1f}
.kind-removed .kind{color:#b3261e}.kind-restored .kind{color:#146c2e}
.headline{margin:.25rem 0;font-size:1.05rem}
.headline del{background:#fdd;color:#900}
.headline ins{background:#dfd;color:#060;text-decoration:none}
.links{font-size:.875rem;margin:.25rem 0 0}
.pager{display:flex;justify-content:space-between;margin:1rem 0}
table{font-size:.9rem}
table.diff{margin:.5rem 0}
table.versions td,table.versions th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left}
table.versions{border-collapse:collapse;width:100%;table-layout:auto}
table.versions td,table.versions th{overflow-wrap:normal}
footer{color:#666;font-size:.8rem;padding:2rem 1rem}
@media (max-width:600px){body{font-size:15px}table.diff td,table.diff th{padding:.3rem;
font-size:.8rem}h1{font-size:1.25rem}table.versions .parser{display:none}}
"""
CSS = DIFF_CSS + _SITE_CSS
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def page(path: str, title: str, body: str, labels: Labels) -> str:
    """A complete page at `path` (which decides the relative links of the navigation)."""

    def link(target: str, text: str) -> str:
        return f'<a href="{escape(paths.relative(path, target))}">{escape(text)}</a>'

    nav = " ".join(
        (
            link(paths.INDEX, labels("index")),
            link(paths.HEADLINES, labels("headlines")),
            link(paths.REMOVALS, labels("removals")),
            link(paths.TOPICS, labels("topics")),
            link(paths.ARCHIVE, labels("archive")),
        )
    )
    feed = escape(paths.relative(path, paths.FEED_ALL))
    return (
        f'<!DOCTYPE html>\n<html lang="{labels.lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · {escape(labels('site'))}</title>"
        f'<link rel="alternate" type="application/atom+xml" title="{escape(labels("feed_all"))}"'
        f' href="{feed}">'
        f"<style>{CSS}</style></head><body>"
        f'<header><a class="site" href="{escape(paths.relative(path, paths.INDEX))}">'
        f"{escape(labels('site'))}</a><nav>{nav}</nav></header>"
        f"<main><h1>{escape(title)}</h1>{body}</main>"
        f"<footer>{escape(labels('generated'))}</footer></body></html>\n"
    )

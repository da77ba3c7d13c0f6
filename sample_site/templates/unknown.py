"""An unknown template (the layout_change fault): renamed classes, no kmklabs, no JSON-LD.

This is what a site redesign looks like to a parser; it must fail loudly, not return chrome.
"""

from __future__ import annotations

from html import escape

from sample_site.content import normalise
from sample_site.templates.blocks import BodyContext


def render(bc: BodyContext) -> str:
    body = bc.body
    paras = "".join(
        f"<p>{escape(normalise(b.text))}</p>"
        for page in body.pages
        if page.role == "text"
        for b in page.blocks
        if b.kind in ("p", "credit", "credit_strong")
    )
    return (
        f"<!DOCTYPE html><html><head><title>{escape(body.title)}</title>"
        '<meta charset="utf-8"></head><body><div class="story-v9">'
        f'<div class="story-v9__headline">{escape(body.title)}</div>'
        f'<section class="story-v9__text">{paras}</section></div></body></html>'
    )

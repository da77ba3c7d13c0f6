"""Liputan6's own tags, normalised: one entry per tag however the newsroom typed it.

Editors type tags freely, so "Pemilu 2024", "pemilu  2024" and "Pemilu2024" all appear and must be
one tag, or every per-tag count is split three ways. The slug is the stable key; the first display
form seen is kept for people to read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from parsers.stemming import fold

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class SiteTag:
    """One normalised tag: `slug` is the key, `display` the first spelling, `variants` all seen."""

    slug: str
    display: str
    variants: tuple[str, ...] = field(default=())


def tag_slug(tag: str) -> str:
    """ "Pemilu  2024!" → "pemilu-2024": folded case and accents, runs of other characters → "-"."""
    return _NON_ALNUM.sub("-", fold(tag)).strip("-")


def _merge_key(slug: str) -> str:
    """Separators removed, so "cek-fakta" and "cekfakta" (a missing space) are one tag."""
    return slug.replace("-", "")


def normalise_tags(tags: Iterable[str]) -> list[SiteTag]:
    """Distinct tags in first-seen order; tags with no letters or digits are dropped."""
    merged: dict[str, SiteTag] = {}
    for raw in tags:
        display = " ".join(raw.split())
        slug = tag_slug(display)
        if not slug:
            continue
        key = _merge_key(slug)
        known = merged.get(key)
        if known is None:
            merged[key] = SiteTag(slug, display, (display,))
        elif display not in known.variants:
            merged[key] = SiteTag(known.slug, known.display, (*known.variants, display))
    return list(merged.values())

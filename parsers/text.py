"""Text clean-up shared by the parsers: decoding bytes and normalising whitespace.

Diffs between two versions of an article must not show an edit where only a non-breaking space or
a zero-width character changed, so every string that leaves the parsers goes through here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

_SPACE = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalize_space(text: str) -> str:
    """One plain space between words, none at the ends; NBSP and zero-width marks removed."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def decode_html(data: bytes) -> str:
    """Bytes to text: a BOM wins, then a `<meta charset>` in the first 4 KB, then UTF-8.

    Undecodable bytes become U+FFFD rather than an exception: a page with one bad byte still has
    an article in it.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            encoding = "utf-8"
        if encoding not in ("utf-16", "utf-32"):  # a meta tag readable as ASCII cannot be UTF-16
            return data.decode(encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def slugify(text: str) -> str:
    """The URL slug form of a name ("Cek Fakta" -> "cek-fakta"), as the site builds its paths."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

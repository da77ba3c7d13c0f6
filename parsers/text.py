"""Text clean-up shared by the parsers: decoding bytes and normalising whitespace.

Diffs between two versions of an article must not show an edit where only a non-breaking space or
a zero-width character changed, so every string that leaves the parsers goes through here.
Control characters are removed too: stored text reaches terminals (`diff`, `history`, `sql`), and
an escape sequence in a headline must not be able to recolour or rewrite the user's screen.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from parsers.encodings import codec_for_meta

_SPACE = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# ANSI/ECMA-48 escape sequences (CSI with 7-bit ESC [ or 8-bit U+009B, OSC/DCS/PM/APC strings up
# to their terminator, two-character escapes), then any C0 control but whitespace, DEL and C1.
_CONTROL = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]P^_]|[\x90\x9d-\x9f])[^\x07\x1b\x90\x9c-\x9f]*+(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x7e]?"
    r"|[\x00-\x08\x0e-\x1f\x7f-\x9f]"
)
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
    """One plain space between words, none at the ends; NBSP, zero-width marks and control
    characters (escape sequences whole) removed."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", strip_controls(text))).strip()


def strip_controls(text: str) -> str:
    """`text` without escape sequences and control characters; whitespace controls are kept."""
    return _CONTROL.sub("", text) if not text.isprintable() else text


def decode_html(data: bytes) -> str:
    """Bytes to text: a BOM wins, then a `<meta charset>` in the first 4 KB, then UTF-8.

    The label is read through the WHATWG label table (parsers.encodings): UTF-7 and non-text
    codecs (`rot13`, `base64`, `idna`) are unknown labels there and fall back to UTF-8.
    Undecodable bytes become U+FFFD rather than an exception: a page with one bad byte still has
    an article in it.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    meta_encoding = codec_for_meta(declared.group(1).decode("ascii")) if declared else None
    return data.decode(meta_encoding or "utf-8", errors="replace")


def slugify(text: str) -> str:
    """The URL slug form of a name ("Cek Fakta" -> "cek-fakta"), as the site builds its paths."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

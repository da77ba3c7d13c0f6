"""Text clean-up shared by the parsers: normalising whitespace, removing control characters.

Diffs between two versions of an article must not show an edit where only a non-breaking space or
a zero-width character changed, so every string that leaves the parsers goes through here.
Control characters are removed too: stored text reaches terminals (`diff`, `history`, `sql`), and
an escape sequence in a headline must not be able to recolour or rewrite the user's screen.
"""

from __future__ import annotations

import re
import unicodedata

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


def normalize_space(text: str) -> str:
    """One plain space between words, none at the ends; NBSP, zero-width marks and control
    characters (escape sequences whole) removed."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", strip_controls(text))).strip()


def strip_controls(text: str) -> str:
    """`text` without escape sequences and control characters; whitespace controls are kept."""
    return _CONTROL.sub("", text) if not text.isprintable() else text


def slugify(text: str) -> str:
    """The URL slug form of a name ("Cek Fakta" -> "cek-fakta"), as the site builds its paths."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

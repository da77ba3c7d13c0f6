"""Publication and update times, from ISO strings or the Indonesian text of the byline.

Liputan6 writes times in WIB (UTC+07:00). A time without an offset is taken as WIB, so every
datetime that leaves the parser is timezone-aware and comparable across versions.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8,
    "agu": 8, "agt": 8, "agust": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "oct": 10, "november": 11, "nov": 11, "nopember": 11, "desember": 12, "des": 12,
    "dec": 12, "may": 5,
}  # fmt: skip

_TEXT_DATE = re.compile(
    r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?\s+(?P<year>\d{4})"
    r"(?:\s*,?\s*(?:pukul\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2}))?",
    re.IGNORECASE,
)
_UPDATED = re.compile(r"diperbaharui|diperbarui|diupdate|updated", re.IGNORECASE)


def parse_iso(value: object) -> datetime | None:
    """An ISO 8601 string ("2020-06-26T13:58:07+07:00", "2020-06-03 10:15:43") as aware time."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=WIB)


def parse_indonesian(text: str) -> datetime | None:
    """ "pada 23 Jan 2021, 13:30 WIB", "Diterbitkan 29 Oktober 2025, 10:42 WIB" -> WIB time."""
    match = _TEXT_DATE.search(text)
    if not match:
        return None
    month = MONTHS.get(match.group("month").lower())
    if month is None:
        return None
    try:
        return datetime(
            int(match.group("year")),
            month,
            int(match.group("day")),
            int(match.group("hour") or 0),
            int(match.group("minute") or 0),
            tzinfo=WIB,
        )
    except ValueError:
        return None


def is_update_label(text: str) -> bool:
    """True for byline text announcing an update time ("Diperbarui ...") rather than publication."""
    return bool(_UPDATED.search(text))

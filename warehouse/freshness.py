"""Today's line of the `freshness` view, for the recheck run's summary artifact."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from warehouse.queries import READ_LOCK_TIMEOUT, open_readonly

SITE_TIMEZONE = ZoneInfo("Asia/Jakarta")  # the view's days are WIB days


def today_line(
    path: Path | str, now: datetime, lock_timeout: float = READ_LOCK_TIMEOUT
) -> str | None:
    """Versions detected today (WIB), their median and p95 delay where the site dates its edits,
    and the requests spent; None when there is no warehouse or nothing today."""
    if not Path(path).is_file():
        return None
    with open_readonly(path, lock_timeout) as con:
        rows = con.execute(
            """SELECT versions_detected, dated_versions, median_delay_minutes, p95_delay_minutes,
                      requests
               FROM freshness WHERE day = ?""",
            [now.astimezone(SITE_TIMEZONE).date()],
        ).fetchall()
    if not rows:
        return None
    versions, dated, median, p95, requests = rows[0]
    delays = (
        f"median delay {median:.1f} min, p95 {p95:.1f} min (of {dated} dated)"
        if dated
        else "delay unknown (the site gives no modified time)"
    )
    return f"{versions} version(s) detected today, {delays}; {requests} requests"

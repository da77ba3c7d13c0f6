"""What several commands accept alike: one `--db` and one `--live` option, and one time-window
syntax.

Spelled once so that `changes --since 30m` and `topics --since 30m` mean the same, and every
command names and resolves its database the same way.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from config.settings import Settings

DbOption = Annotated[
    Path | None, typer.Option("--db", help="DuckDB file (default: LIPUTAN6_DB_PATH setting).")
]
LiveOption = Annotated[
    bool,
    typer.Option(
        "--live",
        help="Read the live file (read-only, locks loads out while it lasts) instead of the "
        "published read snapshot.",
    ),
]

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def db_path(db: Path | None) -> Path:
    """The `--db` flag when given, else the LIPUTAN6_DB_PATH setting."""
    return db or Settings().db_path


def parse_duration(text: str) -> timedelta:
    """`30m`, `24h`, `7d`, `2w` as a timedelta; anything else, zero included, is a usage error
    rather than a guess (an empty window would silently list nothing)."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise typer.BadParameter(
            f"{text!r}: use a whole number above 0 and a unit m, h, d or w, e.g. 30m, 24h, 7d, 2w"
        )
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})

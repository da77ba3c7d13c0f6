"""The fault-drill table (scenario → outcome) printed at the end of the session.

Apart from the drills' helpers so the pytest controller, which prints the table, does not import
Prefect and the flows for it.
"""

from __future__ import annotations

import pytest

DRILL_ROWS = pytest.StashKey[list[tuple[str, str]]]()


def render_table(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(name) for name, _ in rows)
    lines = [f"{'scenario'.ljust(width)}  outcome", f"{'-' * width}  {'-' * 40}"]
    lines += [f"{name.ljust(width)}  {outcome}" for name, outcome in rows]
    return lines

"""`Figure`: one measured number with the baseline it is judged against, shared by every benchmark.

Each benchmark script exposes `measure(size) -> list[Figure]` so `report.py` can import it and
print one table, rather than parse free-form output.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """`ratio` is oriented so that higher is better, and `target` states what it must reach."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        def num(x: float | None) -> str:
            return "-" if x is None else f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"

        verdict = {True: "yes", False: "NO", None: "-"}[self.met]
        return [
            self.name,
            f"{num(self.value)} {self.unit}",
            num(self.baseline),
            num(self.ratio),
            self.target,
            verdict,
        ]

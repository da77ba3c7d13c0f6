"""Opening the warehouse: what each short connection of a flow run costs.

A monitor run opens the file seven or eight times (run record, hints, known ids, rule history,
load, snapshot extract, run record again), closing it in between so that readers and other runs
get it. `warehouse.locking.connect` attaches the file to one in-memory DuckDB instance kept for
the process; the baseline, measured in the same run on the same file, is what every open cost
before: an instance of its own (`duckdb.connect(path)`), which DuckDB starts from nothing.

Each round opens the file, runs one small query and closes it, read-only and read-write.

    python benchmarks/connect_bench.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from figures import Figure

from warehouse.locking import connect

TARGET_MS = 5.0  # a run's seven or eight opens then stay under 40 ms of CPU together
QUERY = "SELECT count(*) FROM runs_probe"


def _own_instance(db: Path, read_only: bool) -> None:
    with duckdb.connect(str(db), read_only=read_only) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(QUERY).fetchall()


def _shared(db: Path, read_only: bool) -> None:
    with connect(db, read_only=read_only, lock_timeout=0) as con:
        con.execute(QUERY).fetchall()


def _cpu_ms(step: Callable[[], None], rounds: int) -> list[float]:
    """CPU time, not wall time: an open is CPU-bound, and the machine's other load is not ours."""
    step()  # the first open of a process also starts the shared instance; counted apart below
    times = []
    for _ in range(rounds):
        started = time.process_time()
        step()
        times.append((time.process_time() - started) * 1000)
    return times


def measure(rounds: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        with duckdb.connect(str(db)) as con:
            con.execute("CREATE TABLE runs_probe AS SELECT range AS i FROM range(1000)")
        figures = []
        for read_only, label in ((True, "read-only"), (False, "read-write")):
            # Interleaved in blocks, so a slow spell of the machine hits both alike.
            own: list[float] = []
            shared: list[float] = []
            for _ in range(4):
                own += _cpu_ms(lambda ro=read_only: _own_instance(db, ro), rounds // 4)
                shared += _cpu_ms(lambda ro=read_only: _shared(db, ro), rounds // 4)
            base, value = statistics.median(own), statistics.median(shared)
            figures.append(
                Figure(
                    f"open, query, close ({label}), CPU",
                    value,
                    "ms",
                    base,
                    base / value,
                    f"< {TARGET_MS:.0f} ms",
                    value < TARGET_MS,
                )
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    print(f"{'figure':40} {'value':>10} {'baseline':>10} {'ratio':>7}  target")
    for figure in measure(args.rounds):
        cells = figure.cells()
        print(f"{cells[0]:40} {cells[1]:>10} {cells[2]:>10} {cells[3]:>7}  {cells[4]} {cells[5]}")


if __name__ == "__main__":
    main()

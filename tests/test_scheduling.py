"""The suite's own pytest-xdist scheduling (support/scheduling.py), run by real xdist workers.

A module's fixtures are meant to be built once, on one worker. When the mechanism broke (pytest
9.2 stopped reading the node ids that `--dist loadgroup` marks), nothing failed: each worker built
its own copy, and the suite only got slower.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent

GROUPED = """
import os, pytest

@pytest.fixture(scope="module")
def built():
    with open(os.environ["BUILDS"], "a") as out:
        out.write("built\\n")

@pytest.mark.parametrize("n", range(6))
def test_grouped(built, n):
    with open(os.environ["RAN"], "a") as out:
        out.write(f"grouped {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""

SPREAD = """
import os, time, pytest

@pytest.mark.parametrize("n", range(4))
def test_spread(n):
    time.sleep(0.3)
    with open(os.environ["RAN"], "a") as out:
        out.write(f"spread {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""


def test_a_module_runs_on_one_worker_and_a_spread_module_on_all(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "test_drills.py").write_text(SPREAD)  # a name in scheduling.SPREAD
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(TESTS),
        "BUILDS": str(tmp_path / "builds"),
        "RAN": str(tmp_path / "ran"),
    }
    args = ["-n", "2", "--dist", "loadscope", "--no-loadscope-reorder", "-p", "no:randomly"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "support.scheduling", *args, "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    ran = (tmp_path / "ran").read_text().split("\n")[:-1]
    workers = {
        kind: {line.split()[1] for line in ran if line.startswith(kind)}
        for kind in ("grouped", "spread")
    }
    assert (tmp_path / "builds").read_text() == "built\n"
    assert len(workers["grouped"]) == 1
    assert workers["spread"] == {"gw0", "gw1"}

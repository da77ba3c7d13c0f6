"""Crash safety: SIGKILL the flow process at random moments, then check nothing was lost,
duplicated or half-written, and that finishing the work gives the database a clean run gives.

Each flow run is a process of its own, forked by a driver that imported the flows once
(tests/support/crash_driver.py), against the replica served by this process and the session's
Prefect server. Kill points come from timing only, with no hooks in
product code: a random delay after a line the run logs (or after launch), over many trials. Each
kill is classified afterwards, from the run's own log, as landing in start-up, spool replay /
discovery, fetch + spool write, the DuckDB load, or the final report; the count per phase goes into
the drill table. Batches are 4 URLs, so one run alternates fetch/spool and load many times.

After every kill no process of that run may remain (a server, a flow-run process): the runs'
processes are found by a token in their environment (tests/support/process_support.py), which
every process but the driver itself must have left.

Left-over `.tmp` spool files are allowed: they are what an interrupted atomic write leaves, are
never read, and are swept by `flows.spool` once stale. Every raw page must be referenced by a
version: both are written in the same transaction.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.drill_support import (
    DRILL_ENV,
    World,
    drill_world,
    duplicate_versions,
    mismatches,
    query,
)
from support.drill_table import DRILL_ROWS
from support.process_support import TOKEN_VAR, project_processes

from flows import spool
from warehouse import open_readonly
from warehouse.snapshot import snapshot_path

pytestmark = [pytest.mark.drill, pytest.mark.usefixtures("prefect_harness")]

DRIVER = Path(__file__).parent / "support" / "crash_driver.py"
KILLS = 10
MAX_TRIALS = 24

# Lines the runs log, each as the parts a line must all contain. Kills are aimed and classified by
# them, so the test requires a kill after each (below): a flow that stops logging one fails it
# instead of being killed less. (Recheck's line once changed, and its fetch kills quietly stopped.)
DISCOVERED = ("Task run 'discover", "Finished in state")  # a monitor run starts fetching
TO_CHECK = ("article(s) to check",)  # a recheck run starts fetching
SPOOLED = ("Task run 'fetch-parse-spool", "Finished in state")  # a batch's load begins
# Where each trial aims its kill: after a marker, a random delay of up to the spread. "load" lands
# inside the ~100 ms spool load that follows a spooled batch; "fetch" in the fetching, parsing and
# spool writing of the first batch (50-130 ms on a quiet machine); "any" at a random moment of the
# run (spread None: up to the length of the last run that ended before its kill, at first 5 s).
AIMS: dict[str, tuple[tuple[tuple[str, ...], ...], float | None]] = {
    "fetch": ((DISCOVERED, TO_CHECK), 0.1),
    "load": ((SPOOLED,), 0.06),
    "any": ((), None),
}
# The (flow, aim) pairs that must each have killed a run: every marker above, in the flow that
# logs it with work to do (a monitor run after the first finds no new article to fetch or load).
MUST_KILL = {("monitor", "fetch"), ("recheck", "fetch"), ("recheck", "load")}


ORPHANS = {
    "versions without an article": """
        SELECT count(*) FROM versions v ANTI JOIN articles a USING (article_id)""",
    "articles whose current version is missing": """
        SELECT count(*) FROM articles a ANTI JOIN versions v
        ON v.article_id = a.article_id AND v.version = a.current_version""",
    "changes pointing to a missing version": """
        SELECT count(*) FROM changes c WHERE
          (c.version_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM versions v
             WHERE v.article_id = c.article_id AND v.version = c.version_to))
          OR (c.version_from IS NOT NULL AND NOT EXISTS (SELECT 1 FROM versions v
             WHERE v.article_id = c.article_id AND v.version = c.version_from))""",
    "topics of a missing version": """
        SELECT count(*) FROM version_topics t ANTI JOIN versions v
        ON v.article_id = t.article_id AND v.version = t.version""",
    "versions whose raw page is missing": """
        SELECT count(*) FROM versions v WHERE v.raw_hash IS NOT NULL
          AND v.raw_hash NOT IN (SELECT raw_hash FROM raw_pages)""",
    "raw pages no version references": """
        SELECT count(*) FROM raw_pages WHERE raw_hash NOT IN
          (SELECT raw_hash FROM versions WHERE raw_hash IS NOT NULL)""",
    "fetches of a batch never recorded as loaded": """
        SELECT count(*) FROM fetches WHERE batch_id NOT IN (SELECT batch_id FROM loaded_batches)""",
}


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with drill_world(tmp_path, monkeypatch, articles=20, seed=9) as w:
        yield w


def driver_env(world: World, db: Path, spool_dir: Path, home: Path) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {
        **os.environ,
        **DRILL_ENV,
        "LIPUTAN6_BASE_URL": world.base_url,
        "LIPUTAN6_DB_PATH": str(db),
        "LIPUTAN6_SPOOL_DIR": str(spool_dir),
        "LIPUTAN6_BATCH_SIZE": "4",
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_HOME": str(home),
        "PREFECT_LOGGING_LEVEL": "INFO",  # kills are aimed at the run's INFO lines
    }


class Driver:
    """The forking driver (tests/support/crash_driver.py): it starts runs and reaps them."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.token = uuid.uuid4().hex
        self.log = log
        with open(log, "wb") as errors:
            self.proc = subprocess.Popen(
                [sys.executable, str(DRIVER)],
                env={**env, TOKEN_VAR: self.token},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )

    def _ask(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        assert answer and not answer.startswith("error"), self.log.read_text(errors="replace")
        return answer

    def start(self, flow: str, log: Path, env: dict[str, str] | None = None) -> int:
        """A new run's pid; `env` overrides the driver's environment for that run only."""
        return int(
            self._ask("run " + json.dumps({"flow": flow, "log": str(log), "env": env or {}}))
        )

    def wait(self, pid: int, timeout: float) -> int | None:
        """The run's exit status (negative: the signal that ended it), or None if still running."""
        answer = self._ask(f"wait {pid} {timeout}")
        return None if answer == "running" else int(answer)

    def assert_no_process_left(self, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while (left := self._runs_processes()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == {}, f"processes left behind by a killed run: {left}"

    def _runs_processes(self) -> dict[int, str]:
        return {p: c for p, c in project_processes(self.token).items() if p != self.proc.pid}

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def crash_paths(tmp_path: Path) -> tuple[Path, Path]:
    """The warehouse and spool the killed runs share."""
    return tmp_path / "crash.duckdb", tmp_path / "crash-spool"


@pytest.fixture
def driver(world: World, tmp_path: Path) -> Iterator[Driver]:
    db, spool_dir = crash_paths(tmp_path)
    running = Driver(
        driver_env(world, db, spool_dir, tmp_path / "prefect-home"), tmp_path / "d.log"
    )
    try:
        yield running
    finally:
        running.close()


def logged(line: str, marker: tuple[str, ...]) -> bool:
    return all(part in line for part in marker)


def phase_at_kill(log: Path) -> str:
    """Where the run was when killed, from the last milestone it logged."""
    phase = "start-up"
    for line in log.read_text(errors="replace").splitlines():
        finished = "Finished in state" in line
        if "Beginning flow run" in line:
            phase = "spool replay / discovery"
        elif logged(line, DISCOVERED) or logged(line, TO_CHECK):
            phase = "fetch + spool write"
        elif logged(line, SPOOLED):
            phase = "DuckDB load"
        elif "Task run 'load-spool" in line and finished and phase == "DuckDB load":
            phase = "fetch + spool write"
        elif "extraction health" in line or ("Flow run" in line and finished):
            phase = "report"
    return phase


def assert_spool_whole(spool_dir: Path) -> None:
    """Only complete, readable batches, or `.tmp` files from an interrupted atomic write."""
    if not spool_dir.exists():
        return
    for path in spool_dir.iterdir():
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            continue
        assert path.name.endswith(spool.SUFFIX), f"unexpected file in the spool: {path.name}"
    for item in spool.pending(spool_dir):
        spool.read(item)  # raises on a half-written file


def assert_no_orphans(db: Path) -> None:
    with open_readonly(db) as con:
        found = {name: con.execute(sql).fetchall()[0][0] for name, sql in ORPHANS.items()}
    assert found == dict.fromkeys(ORPHANS, 0)


def current_content(db: Path) -> dict[int, tuple[str, str]]:
    rows = query(
        db, "SELECT article_id, content_hash, title FROM article_versions WHERE is_current"
    )
    return {i: (h, t) for i, h, t in rows}


def run_to_completion(
    driver: Driver, flow: str, log: Path, env: dict[str, str] | None = None
) -> None:
    status = driver.wait(driver.start(flow, log, env), 120)
    assert status == 0, log.read_text(errors="replace")[-3000:]
    driver.assert_no_process_left()


def wait_for(log: Path, markers: tuple[tuple[str, ...], ...], driver: Driver, pid: int) -> bool:
    """Until the run logs a line with one of `markers` (True), or exits first (False)."""
    deadline = time.monotonic() + 60
    while driver.wait(pid, 0) is None and time.monotonic() < deadline:
        lines = log.read_text(errors="replace").splitlines()
        if any(logged(line, marker) for line in lines for marker in markers):
            return True
        time.sleep(0.02)
    return False


@dataclass
class Aimer:
    """Kill aims: `run_seconds`, the length of the last run that ended before its kill, bounds
    the "any" aim, so kills keep landing inside runs however fast the machine runs them."""

    rng: random.Random
    run_seconds: float = 5.0

    def kill_one(self, driver: Driver, flow: str, aim: str, log: Path) -> str | None:
        """Run `flow` and SIGKILL it as aimed; the phase it was in, or None if it ended first."""
        markers, spread = AIMS[aim]
        started = time.monotonic()
        pid = driver.start(flow, log)
        if markers and not wait_for(log, markers, driver, pid):
            assert driver.wait(pid, 60) is not None, f"run {pid} neither logged {markers} nor ended"
            return None
        time.sleep(self.rng.uniform(0, self.run_seconds if spread is None else spread))
        if driver.wait(pid, 0) is not None:
            self.run_seconds = time.monotonic() - started
            return None
        os.kill(pid, signal.SIGKILL)  # a zombie until the driver reaps it: the pid is not reused
        assert driver.wait(pid, 30) == -signal.SIGKILL
        driver.assert_no_process_left()
        return phase_at_kill(log)


def test_sigkill_at_random_points_loses_nothing(
    world: World, driver: Driver, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    aimer = Aimer(random.Random(20261125))
    db, spool_dir = crash_paths(tmp_path)
    phases: Counter[str] = Counter()
    killed: set[tuple[str, str]] = set()
    aims = list(AIMS)
    trial = 0
    # Kill until both phases that matter most were hit and every marker led to a kill, not only
    # until KILLS: where a kill lands is timing, and a fast machine can miss a phase in ten.
    while trial < MAX_TRIALS and (
        sum(phases.values()) < KILLS
        or not (phases["DuckDB load"] and phases["fetch + spool write"])
        or not killed >= MUST_KILL
    ):
        if trial % 4 == 3:
            world.site.advance()  # later rechecks then load real edits, not only 304s
        flow = "monitor" if trial % 2 == 0 else "recheck"
        aim = aims[trial % len(aims)]
        phase = aimer.kill_one(driver, flow, aim, tmp_path / f"trial-{trial}.log")
        if phase is not None:
            phases[phase] += 1
            killed.add((flow, aim))
        trial += 1
        assert_spool_whole(spool_dir)
        if db.exists():
            assert duplicate_versions(db) == []
            assert_no_orphans(db)
    assert sum(phases.values()) >= KILLS, f"only {dict(phases)} kills in {trial} trials"
    assert phases["DuckDB load"] and phases["fetch + spool write"], dict(phases)
    assert killed >= MUST_KILL, f"no kill after these markers: {MUST_KILL - killed}"

    run_to_completion(driver, "monitor", tmp_path / "final-monitor.log")
    run_to_completion(driver, "recheck", tmp_path / "final-recheck.log")
    assert spool.pending(spool_dir) == []
    assert_spool_whole(spool_dir)
    assert duplicate_versions(db) == []
    assert_no_orphans(db)
    assert mismatches(db, world.site) == []
    # Readers see the snapshot: a kill during a publication must not leave it behind for good.
    assert current_content(snapshot_path(db)) == current_content(db)

    clean = tmp_path / "clean.duckdb"
    clean_env = {
        "LIPUTAN6_DB_PATH": str(clean),
        "LIPUTAN6_SPOOL_DIR": str(tmp_path / "clean-spool"),
    }
    run_to_completion(driver, "monitor", tmp_path / "clean.log", clean_env)
    live = {a["article_id"] for a in world.site.truth()["articles"] if a["status"] == "live"}
    crashed = {i: v for i, v in current_content(db).items() if i in live}
    assert crashed == current_content(clean)
    kills = sum(phases.values())
    outcome = f"{kills} SIGKILLs in {trial} trials {dict(phases)}; final DB = clean run = truth"
    request.config.stash.setdefault(DRILL_ROWS, []).append(("crash safety (SIGKILL)", outcome))

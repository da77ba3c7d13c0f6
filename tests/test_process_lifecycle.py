"""No process left behind: `serve`, `run` and `demo` signalled at each moment of their life.

Each case launches the real CLI in its own session, waits for a moment (the Prefect server is
starting, the UI line is printed, deployments are being registered, a flow run is running), sends
SIGTERM (to the CLI, as systemd, docker and `timeout` do), SIGINT (to the whole process group, as
Ctrl-C in a terminal does) or SIGKILL, and then requires that within 10 s no process of that launch
is alive and nothing answers on the ports it listened on.

All cases share one PREFECT_HOME, seeded with a migrated database (support/prefect_database.py),
so what a case waits for is looked up among records made after that case's launch.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from support.prefect_database import seed_home
from support.process_support import (
    API_POLL,
    Launch,
    cli_env,
    launch,
    launch_code,
    listening_ports,
)

from flows.local_server import healthy
from sample_site import SampleSite, serve

SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGKILL]
PORT_ARG = re.compile(r"--port[= ](\d+)")
UI_LINE = re.compile(r"Prefect UI:\s*http://127\.0\.0\.1:(\d+)")
STARTUP = 240.0  # waits only; generous for a busy 2-core CI machine


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, prefect_database: Path) -> Path:
    return seed_home(tmp_path_factory.mktemp("prefect-home"), prefect_database)


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """A replica slow enough (rate limit) that a monitor run lasts a few seconds."""
    with serve(SampleSite(articles=30, seed=4, now=datetime.now(UTC))) as running:
        yield running.base_url


def settings(tmp_path: Path, site_url: str, home: Path) -> dict[str, str]:
    return cli_env(
        home,
        LIPUTAN6_BASE_URL=site_url,
        LIPUTAN6_DB_PATH=str(tmp_path / "w.duckdb"),
        LIPUTAN6_SPOOL_DIR=str(tmp_path / "spool"),
        LIPUTAN6_RATE_PER_SECOND="4",
        LIPUTAN6_CONCURRENCY="2",
        LIPUTAN6_SOURCES='["sitemap"]',
        LIPUTAN6_CHANNELS="[]",
    )


def server_port(cli: Launch) -> int | None:
    """The port of the Prefect server the CLI started (from its command line or the UI line)."""
    for cmd in cli.children().values():
        if match := PORT_ARG.search(cmd):
            return int(match.group(1))
    for line in cli.lines:
        if match := UI_LINE.search(line):
            return int(match.group(1))
    return None


def api(port: int, path: str, body: dict | None = None) -> object:
    try:
        response = httpx.post(f"http://127.0.0.1:{port}/api{path}", json=body or {}, timeout=5)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code < 300 else None


def deployments(cli: Launch, port: int) -> list[dict]:
    """Deployments registered (or re-registered) since the launch."""
    found = api(port, "/deployments/filter") or []
    return [d for d in found if datetime.fromisoformat(d["updated"]) > cli.started]  # type: ignore[union-attr]


def flow_running(cli: Launch, port: int) -> bool:
    body = {
        "flow_runs": {
            "state": {"type": {"any_": ["RUNNING"]}},
            "start_time": {"after_": cli.started.isoformat()},
        }
    }
    return bool(api(port, "/flow_runs/filter", body))


def wait_server_starting(cli: Launch) -> None:
    cli.wait_for(lambda: server_port(cli), STARTUP, "Prefect server process")


def wait_healthy(cli: Launch) -> int:
    port = cli.wait_for(lambda: server_port(cli), STARTUP, "Prefect server process")
    assert isinstance(port, int)
    url = f"http://127.0.0.1:{port}/api"
    cli.wait_for(lambda: healthy(url), STARTUP, "healthy Prefect server")
    return port


def wait_ui_line(cli: Launch) -> None:
    cli.wait_for(lambda: cli.line_with("Prefect UI"), STARTUP, "UI line")


def wait_registration(cli: Launch) -> None:
    wait_ui_line(cli)
    port = server_port(cli)
    assert port is not None
    cli.wait_for(lambda: deployments(cli, port), STARTUP, "first registered deployment")


def wait_serve_flow_running(cli: Launch) -> None:
    wait_ui_line(cli)
    port = server_port(cli)
    assert port is not None
    found = cli.wait_for(
        lambda: len(d := deployments(cli, port)) == 4 and d, 60, "4 deployments", every=API_POLL
    )
    # All cases share one PREFECT_HOME: the deployments an earlier case paused are live again,
    # so finding them paused after this case's stop means this stop paused them.
    assert [d["name"] for d in found if d["paused"]] == []  # type: ignore[union-attr]
    monitor = next(d for d in found if d["name"] == "monitor")  # type: ignore[union-attr]
    api(port, f"/deployments/{monitor['id']}/create_flow_run")
    cli.wait_for(lambda: flow_running(cli, port), STARTUP, "a running flow run", every=API_POLL)


def wait_flow_running(cli: Launch) -> None:
    port = wait_healthy(cli)
    cli.wait_for(lambda: flow_running(cli, port), STARTUP, "a running flow run", every=API_POLL)


SERVE_MOMENTS = {
    "server starting": wait_server_starting,
    "UI line printed": wait_ui_line,
    "registering deployments": wait_registration,
    "flow run running": wait_serve_flow_running,
}
RUN_MOMENTS = {"server starting": wait_server_starting, "flow run running": wait_flow_running}


def signal_at(cli: Launch, moment, sig: signal.Signals) -> list[str]:
    try:
        moment(cli)
        ports = listening_ports(set(cli.processes())) | {server_port(cli) or 0}
        cli.send(sig)
        return cli.leftovers(ports - {0})
    finally:
        cli.kill_leftovers()


# Every signal at every moment costs ~5 min (a Prefect server start per case), over the CI budget;
# by default each moment gets one signal, rotated so each signal meets the costly moments of
# every command. LIPUTAN6_FULL_LIFECYCLE=1 runs the full matrix (as measured for the README).
FULL_MATRIX = os.environ.get("LIPUTAN6_FULL_LIFECYCLE") == "1"
DEFAULT_CASES = {
    "serve": {
        ("server starting", "SIGKILL"),
        ("UI line printed", "SIGTERM"),
        ("registering deployments", "SIGINT"),
        ("flow run running", "SIGTERM"),
        ("flow run running", "SIGKILL"),
    },
    "run": {("server starting", "SIGINT"), ("flow run running", "SIGKILL")},
    "demo": {("server starting", "SIGTERM"), ("flow run running", "SIGINT")},
}


def _cases(command: str, moments: dict) -> list:
    return [
        pytest.param(m, s, id=f"{m}-{s.name}")
        for m in moments
        for s in SIGNALS
        if FULL_MATRIX or (m, s.name) in DEFAULT_CASES[command]
    ]


@pytest.mark.parametrize(("moment", "sig"), _cases("serve", SERVE_MOMENTS))
def test_serve_leaves_nothing_running(
    moment: str, sig: signal.Signals, tmp_path: Path, site_url: str, home: Path
) -> None:
    cli = launch(["serve"], settings(tmp_path, site_url, home), tmp_path)
    left = signal_at(cli, SERVE_MOMENTS[moment], sig)
    print(f"serve | {moment} | {sig.name} | left running: {left or 'nothing'}")
    assert left == [], cli.output()[-3000:]
    if moment == "flow run running" and sig != signal.SIGKILL:
        # The server outlived the terminal's Ctrl-C (or SIGTERM) until serve had paused.
        assert paused_deployments(home) == {"monitor", "recheck", "reparse", "backfill"}


def test_serve_started_in_the_background_stops_on_sigterm(
    tmp_path: Path, site_url: str, home: Path
) -> None:
    """`serve &` or `nohup serve &` from a script: SIGINT arrives ignored, in serve and its flow
    runs. `kill` (SIGTERM) must still stop them all and pause the deployments; a stop relayed
    through SIGINT once left serve running."""
    cli = launch(["serve"], settings(tmp_path, site_url, home), tmp_path, background=True)
    left = signal_at(cli, wait_serve_flow_running, signal.SIGTERM)
    print(f"serve &, SIGTERM while a flow run runs | left running: {left or 'nothing'}")
    assert left == [], cli.output()[-3000:]
    assert paused_deployments(home) == {"monitor", "recheck", "reparse", "backfill"}


def paused_deployments(home: Path) -> set[str]:
    with closing(sqlite3.connect(home / "prefect.db")) as db:
        return {name for (name,) in db.execute("SELECT name FROM deployment WHERE paused")}


@pytest.mark.parametrize(("moment", "sig"), _cases("run", RUN_MOMENTS))
def test_run_leaves_nothing_running(
    moment: str, sig: signal.Signals, tmp_path: Path, site_url: str, home: Path
) -> None:
    cli = launch(["run"], settings(tmp_path, site_url, home), tmp_path)
    left = signal_at(cli, RUN_MOMENTS[moment], sig)
    print(f"run | {moment} | {sig.name} | left running: {left or 'nothing'}")
    assert left == [], cli.output()[-3000:]


@pytest.mark.parametrize(("moment", "sig"), _cases("demo", RUN_MOMENTS))
def test_demo_leaves_nothing_running(
    moment: str, sig: signal.Signals, tmp_path: Path, site_url: str, home: Path
) -> None:
    args = ["demo", "--articles", "20", "--workdir", str(tmp_path / "demo")]
    cli = launch(args, settings(tmp_path, site_url, home), tmp_path)
    left = signal_at(cli, RUN_MOMENTS[moment], sig)
    print(f"demo | {moment} | {sig.name} | left running: {left or 'nothing'}")
    assert left == [], cli.output()[-3000:]


CHILD = "import flows, time; print('child ready', flush=True); time.sleep(60)"
PARENT = """
import os, subprocess, sys
from flows.lifecycle import managed_children
with managed_children():
    child = subprocess.Popen([sys.executable, '-c', sys.argv[1]], stdout=subprocess.PIPE, text=True)
    print(child.stdout.readline().strip(), flush=True)
    os.kill(os.getpid(), 9)
"""


LATE_CHILD = "import time; time.sleep(3); import flows; time.sleep(60)"
QUICK_PARENT = """
import os, subprocess, sys
from flows.lifecycle import managed_children
with managed_children():
    subprocess.Popen([sys.executable, '-c', sys.argv[1]])
    os.kill(os.getpid(), 9)
"""


def test_a_child_whose_parent_died_before_it_imported_flows_exits(tmp_path: Path) -> None:
    """The parent is SIGKILLed before the child can ask for PR_SET_PDEATHSIG, and stays an
    unreaped zombie meanwhile: the child must see that and exit, not run on as an orphan."""
    parent = launch_code(QUICK_PARENT, [LATE_CHILD], cli_env(tmp_path / "home"), tmp_path)
    time.sleep(6)  # the child imports flows while its killed parent is still a zombie
    assert parent.proc.wait(timeout=60) == -signal.SIGKILL
    assert parent.leftovers(set(), within=10) == []


def test_a_child_importing_flows_dies_with_a_killed_parent(tmp_path: Path) -> None:
    """PR_SET_PDEATHSIG on its own: the parent SIGKILLs itself once its child is ready."""
    parent = launch_code(PARENT, [CHILD], cli_env(tmp_path / "home"), tmp_path)
    assert parent.proc.wait(timeout=60) == -signal.SIGKILL
    parent.wait_for(lambda: parent.line_with("child ready"), 5, "child ready line", exited=True)
    assert parent.leftovers(set(), within=5) == []

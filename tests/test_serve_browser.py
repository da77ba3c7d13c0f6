"""`serve` as a user sees it: its printed UI address opened in headless Chromium.

Starts the real `serve` command against the replica, lets it run `monitor` at start, sends a
second monitor run while the first is busy (the deployment's concurrency limit must cancel it),
then opens the printed URL and checks the rendered pages: the deployments page lists the four
deployments, and the flow run's summary and changes artifacts show what the replica holds.
Screenshots go to tests/output/browser/ (gitignored), or to LIPUTAN6_SCREENSHOTS when set, for a
person to look at.

Needs Playwright for Python and Debian's `chromium` (or LIPUTAN6_CHROMIUM); without them the test
skips with one line, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from support.browser_support import CHROMIUM_FLAGS, chromium
from support.process_support import API_POLL, Launch, cli_env, launch

from flows.local_server import free_port
from sample_site import SampleSite, serve
from sample_site.faults import FaultSpec

SHOTS = Path(
    os.environ.get("LIPUTAN6_SCREENSHOTS") or Path(__file__).resolve().parent / "output" / "browser"
)
ARTICLES = 10
WAIT = 240.0  # seconds; waits only, generous for a busy 2-core CI machine
DEPLOYMENTS = ("monitor", "recheck", "reparse", "backfill")
FINISHED = re.compile(r"^monitor (\w+) .*→ (http://\S+/runs/flow-run/([0-9a-f-]{36}))$")


@dataclass
class Served:
    cli: Launch
    ui: str
    site: SampleSite
    env: dict[str, str]  # serve's settings: its PREFECT_HOME, replica and warehouse


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    chromium()
    tmp = tmp_path_factory.mktemp("serve-browser")
    # Article pages are held until a test releases them, so the first run is still busy, on any
    # machine, when the second one is sent.
    held = FaultSpec.parse(f"hold:/*/read/*:1:delay={WAIT:g}")
    site = SampleSite(articles=ARTICLES, seed=11, now=datetime.now(UTC), faults=held)
    with serve(site) as running:
        env = cli_env(
            tmp / "prefect-home",
            LIPUTAN6_BASE_URL=running.base_url,
            LIPUTAN6_DB_PATH=str(tmp / "w.duckdb"),
            LIPUTAN6_SPOOL_DIR=str(tmp / "spool"),
            LIPUTAN6_RATE_PER_SECOND="3",
            LIPUTAN6_READ_TIMEOUT=str(WAIT),
            LIPUTAN6_TOTAL_TIMEOUT=str(2 * WAIT),
            LIPUTAN6_SOURCES='["sitemap"]',
            LIPUTAN6_CHANNELS="[]",
        )
        cli = launch(["serve", "--port", str(free_port())], env, tmp)
        try:
            line = cli.wait_for(lambda: cli.line_with("Prefect UI: "), WAIT, "UI line")
            assert isinstance(line, str)
            yield Served(cli, line.split("Prefect UI: ", 1)[1].strip(), site, env)
            cli.send(signal.SIGTERM)
            assert cli.proc.wait(timeout=60) == 0, cli.output()[-3000:]
            assert cli.leftovers(set()) == []
        finally:
            cli.kill_leftovers()


def api(served: Served, path: str, body: dict | None = None) -> list | dict:
    """POST to the server's API; a 503 (its SQLite database busy) is retried, as Prefect's own
    client does."""
    for _ in range(10):
        response = httpx.post(f"{served.ui}/api{path}", json=body or {}, timeout=30)
        if response.status_code != 503:
            break
        time.sleep(1)
    response.raise_for_status()
    return response.json()


def running_monitor(served: Served) -> dict | None:
    runs = api(
        served, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}}
    )
    return next(iter(runs), None)  # type: ignore[arg-type]


def state_of(served: Served, run_id: str) -> str | None:
    run = httpx.get(f"{served.ui}/api/flow_runs/{run_id}", timeout=30)
    return run.json()["state_type"] if run.status_code == 200 else None


def release(served: Served) -> None:
    served.site.set_faults(FaultSpec())


def finished_lines(served: Served) -> list[re.Match[str]]:
    return [m for line in served.cli.lines if (m := FINISHED.match(line.strip()))]


def test_ui_talks_to_its_own_api(served: Served) -> None:
    settings = httpx.get(f"{served.ui}/ui-settings", timeout=10).json()
    assert settings["api_url"] == f"{served.ui}/api"


@dataclass
class Overlap:
    first: dict
    second: dict
    first_state: str | None  # the first run's, once the second was cancelled


@pytest.fixture(scope="module")
def overlap(served: Served) -> Overlap:
    """A second monitor run sent while serve's first one is held busy, then the pages released
    and both runs over: each test reads this, so neither depends on the other having run."""
    cli = served.cli
    first = cli.wait_for(
        lambda: running_monitor(served), WAIT, "the first monitor run running", every=API_POLL
    )
    deployment = next(d for d in api(served, "/deployments/filter") if d["name"] == "monitor")
    second = api(served, f"/deployments/{deployment['id']}/create_flow_run")
    assert isinstance(first, dict) and isinstance(second, dict)
    cli.wait_for(
        lambda: state_of(served, second["id"]) == "CANCELLED",
        WAIT,
        "the second run cancelled",
        every=API_POLL,
    )
    first_state = state_of(served, first["id"])
    release(served)
    cli.wait_for(lambda: len(finished_lines(served)) >= 2, WAIT, "two finished-run lines")
    return Overlap(first, second, first_state)


def test_serve_runs_monitor_at_start_and_cancels_an_overlapping_run(
    served: Served, overlap: Overlap
) -> None:
    cli, first, second = served.cli, overlap.first, overlap.second
    assert overlap.first_state == "RUNNING"
    states = {m.group(3): m.group(1) for m in finished_lines(served)}
    assert states[first["id"]] == "Completed", cli.output()[-3000:]
    assert states[second["id"]] == "Cancelled", cli.output()[-3000:]
    done = next(line for line in cli.lines if first["id"] in line and "Completed" in line)
    assert f"new {ARTICLES}" in done and f"health 100.0% of {ARTICLES} pages" in done
    for name in ("monitor", "recheck"):
        assert re.search(rf"^{name}: next runs at \d\d:\d\d:\d\d", cli.output(), re.M)
    for name in ("reparse", "backfill"):
        assert f"{name}: on demand" in cli.output()


VIEW_AT = re.compile(r"View at (http://\S+)/runs/flow-run/([0-9a-f-]{36})")


def test_run_beside_serve_uses_its_server(served: Served, overlap: Overlap, tmp_path: Path) -> None:
    """`run` in a second terminal, same PREFECT_HOME: its flow runs go to serve's server, whose
    UI outlives `run`, instead of to a second server of its own on the same SQLite file."""
    cli = launch(["run", "--log-dir", str(tmp_path / "logs")], served.env, tmp_path)
    started_servers: set[str] = set()

    def exited() -> bool:
        started_servers.update(c for c in cli.children().values() if "server_process" in c)
        return cli.proc.poll() is not None

    cli.wait_for(exited, WAIT, "run to finish", exited=True)
    assert cli.proc.wait() == 0, cli.output()[-3000:]
    cli.wait_for(lambda: cli.line_with("recheck"), 10, "recheck's counts", exited=True)
    assert started_servers == set()
    runs = {run_id: ui for ui, run_id in VIEW_AT.findall(cli.output())}
    assert len(runs) == 2 and set(runs.values()) == {served.ui}, cli.output()[-3000:]
    assert all(state_of(served, run_id) == "COMPLETED" for run_id in runs)


def test_browser_shows_deployments_and_run_artifacts(served: Served, overlap: Overlap) -> None:
    from playwright.sync_api import sync_playwright

    binary = chromium()
    done = served.cli.wait_for(
        lambda: next((m for m in finished_lines(served) if m.group(1) == "Completed"), None),
        WAIT,
        "a completed monitor run",
    )
    assert isinstance(done, re.Match)
    run_url = done.group(2)
    titles = [a["title"] for a in served.site.truth()["articles"]]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(f"{served.ui}/deployments")
            for name in DEPLOYMENTS:
                page.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
            page.get_by_text("Every 10 minutes").wait_for()
            body = page.inner_text("body")
            assert "4 Deployments" in body and "Can't connect" not in body
            page.screenshot(path=SHOTS / "1-deployments.png", full_page=True)

            page.goto(run_url)
            page.locator("li.p-tab#artifacts").click()
            page.get_by_text("monitor-summary", exact=True).wait_for(timeout=30_000)
            page.get_by_text("monitor-changes", exact=True).wait_for()
            page.screenshot(path=SHOTS / "2-flow-run-artifacts.png", full_page=True)

            page.get_by_text("monitor-summary", exact=True).click()
            page.get_by_text("extraction health").wait_for(timeout=30_000)
            table = page.inner_text("main") if page.locator("main").count() else ""
            table = table or page.inner_text("body")
            assert re.search(rf"discovered\s+{ARTICLES}\b", table), table[:2000]
            assert re.search(rf"new\s+{ARTICLES}\b", table), table[:2000]
            assert "100.0%" in table
            page.screenshot(path=SHOTS / "3-summary-artifact.png", full_page=True)

            page.goto(run_url)
            page.locator("li.p-tab#artifacts").click()
            page.get_by_text("monitor-changes", exact=True).click()
            page.get_by_text(f"monitor: {ARTICLES} change(s)").wait_for(timeout=30_000)
            rendered = page.inner_text("body")
            assert all(title in rendered for title in titles), rendered[:3000]
            page.screenshot(path=SHOTS / "4-changes-artifact.png", full_page=True)
        finally:
            browser.close()

"""Runs fail when they should, and say why: failure scenarios from outside.

Each scenario is a real monitor run (real Prefect server, real DuckDB file) against the real
replica over 127.0.0.1 with one of its fault modes, a closed port, or a host name that cannot
resolve. The run's Prefect state, its one-line message, the `runs` row and `fetch_log` are
checked; the loaded data stays loaded whatever the verdict.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commands.main import app
from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from flows.run_history import process_alive
from sample_site import FaultSpec, SampleSite, serve
from sample_site.faults import FaultRule
from warehouse import RunRecord, open_readonly, record_run
from warehouse.runs import mark_crashed

pytestmark = pytest.mark.usefixtures("prefect_harness")

ARTICLES = 12
SEED = 4


@dataclass
class Replica:
    site: SampleSite
    base_url: str


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    site = SampleSite(articles=ARTICLES, seed=SEED, now=datetime.now(UTC))
    with serve(site) as running:
        yield Replica(site, running.base_url)


@pytest.fixture(autouse=True)
def fast_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "SPOOL_DIR": str(tmp_path / "spool"),
        "RATE_PER_SECOND": "500",
        "CONCURRENCY": "8",
        "MAX_RETRIES": "0",
        # generous: a 1 s budget once timed out a healthy feed on a loaded 2-core machine and
        # added a stray `timeout` cause; only the timeout scenario shortens them
        "CONNECT_TIMEOUT": "5",
        "READ_TIMEOUT": "5",
        "TOTAL_TIMEOUT": "10",
        "LOCK_TIMEOUT": "2",
        "EXTRA_HOSTS": '["nonexistent.invalid"]',
    }.items():
        monkeypatch.setenv(f"LIPUTAN6_{name}", value)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_monitor(base_url: str, db: Path):
    return asyncio.run(monitor(base_url=base_url, db_path=str(db), return_state=True))


def query(db: Path, sql: str) -> list[tuple]:
    with open_readonly(db) as con:
        return con.execute(sql).fetchall()


def with_faults(replica: Replica, spec: str) -> None:
    replica.site.set_faults(FaultSpec.parse(spec))


def test_dns_failure_fails_the_run_naming_dns_and_the_host(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    state = run_monitor("http://nonexistent.invalid", db)
    assert state.is_failed()
    assert state.message.startswith("site unreachable: robots.txt could not be fetched (")
    assert "attempts failed (DNS: nonexistent.invalid)" in state.message
    assert "disallowed" not in state.message
    causes = dict(query(db, "SELECT cause, count(*) FROM fetch_log GROUP BY cause"))
    assert causes["dns"] >= 1  # the robots.txt attempt itself
    assert causes["robots_unreachable"] == 26  # every listing, each with its row
    assert query(db, "SELECT state, message FROM runs") == [("failed", state.message)]


def test_connection_refused_fails_the_run(tmp_path: Path) -> None:
    port = closed_port()
    state = run_monitor(f"http://127.0.0.1:{port}", tmp_path / "w.duckdb")
    assert state.is_failed()
    assert f"(connection refused or reset: 127.0.0.1:{port})" in state.message


def test_bot_wall_on_every_page_fails_the_run(replica: Replica, tmp_path: Path) -> None:
    with_faults(replica, "bot_wall:/*:1")
    db = tmp_path / "w.duckdb"
    state = run_monitor(replica.base_url, db)
    host = replica.base_url.removeprefix("http://")
    assert state.is_failed()
    assert state.message == (
        f"site unreachable: 26 of 26 attempts failed (bot wall: {host}); "
        "every discovery source failed"
    )
    assert query(db, "SELECT DISTINCT status, cause FROM fetch_log WHERE cause IS NOT NULL") == [
        (403, "bot_wall")
    ]


def test_robots_txt_5xx_is_reported_as_unreachable_never_as_disallowed(
    replica: Replica, tmp_path: Path
) -> None:
    with_faults(replica, "503:/robots.txt:1")
    state = run_monitor(replica.base_url, tmp_path / "w.duckdb")
    assert state.is_failed()
    assert state.message.startswith(
        "site unreachable: robots.txt could not be fetched (HTTP 503 Service Unavailable"
    )
    assert "disallowed" not in state.message


def test_robots_disallowing_one_channel_does_not_fail_the_run(
    replica: Replica, tmp_path: Path
) -> None:
    with_faults(replica, "robots_disallow:/news/*:1")
    db = tmp_path / "w.duckdb"
    state = run_monitor(replica.base_url, db)
    assert state.is_completed(), state.message
    counts = state.result()
    blocked = query(db, "SELECT count(*) FROM fetch_log WHERE cause = 'robots_disallowed'")[0][0]
    assert blocked == counts["disallowed"] > 0 and counts["failed"] == 0
    assert counts["new"] == ARTICLES - counts["disallowed"] > 0


def test_most_fetches_timing_out_fails_the_run_and_keeps_what_loaded(
    replica: Replica, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPUTAN6_READ_TIMEOUT", "2")  # a stalled page (30 s) times out in 3 s
    monkeypatch.setenv("LIPUTAN6_TOTAL_TIMEOUT", "3")
    rule = "stall:/*/read/*:0.7:delay=30"
    paths = [a["url"].removeprefix(replica.base_url) for a in replica.site.truth()["articles"]]
    stalled = sum(FaultRule("stall", "/*/read/*", 0.7).matches(p) for p in paths)
    assert stalled / len(paths) > 0.5  # the scenario: well over half of the pages time out
    with_faults(replica, rule)
    db = tmp_path / "w.duckdb"
    state = run_monitor(replica.base_url, db)
    host = replica.base_url.removeprefix("http://")
    assert state.is_failed()
    assert state.message.startswith("too many failed fetches")
    assert f"{stalled} of {len(paths)} attempts failed (timeout: {host})" in state.message
    loaded = query(db, "SELECT count(*) FROM latest_articles")[0][0]
    assert loaded == len(paths) - stalled  # whatever was fetched stays loaded
    timeouts = query(db, "SELECT count(*) FROM fetch_log WHERE cause = 'timeout'")[0][0]
    assert timeouts == stalled


def test_healthy_run_completes_and_health_counts_attempts(replica: Replica, tmp_path: Path) -> None:
    with_faults(replica, "")
    db = tmp_path / "w.duckdb"
    state = run_monitor(replica.base_url, db)
    assert state.is_completed(), state.message
    assert query(db, "SELECT count(*) FROM fetch_log WHERE cause IS NOT NULL") == [(0,)]
    assert query(db, "SELECT state FROM runs") == [("completed",)]


def test_recheck_with_due_pages_none_fetched_fails(replica: Replica, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with_faults(replica, "")
    assert run_monitor(replica.base_url, db).is_completed()
    with_faults(replica, "reset:/*/read/*:1")
    state = asyncio.run(
        recheck(base_url=replica.base_url, db_path=str(db), ahead_minutes=10**6, return_state=True)
    )
    host = replica.base_url.removeprefix("http://")
    assert state.is_failed()
    assert state.message == (
        f"site unreachable: {ARTICLES} of {ARTICLES} attempts failed "
        f"(connection refused or reset: {host})"
    )
    with_faults(replica, "")


def test_cli_run_exits_non_zero_with_the_reason(tmp_path: Path) -> None:
    port = closed_port()
    result = CliRunner().invoke(
        app, ["run", "--base-url", f"http://127.0.0.1:{port}", "--db", str(tmp_path / "w.db")]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # typer.Exit(1), not RunFailed escaping
    assert "monitor run failed: site unreachable: " in result.output
    assert "Traceback" not in result.output


def test_cli_run_checks_every_url_before_anything_starts(tmp_path: Path) -> None:
    """No Prefect server, no database: exit 2 and one line per URL that cannot be checked."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    db = tmp_path / "w.duckdb"
    bad = ["http://127.0.0.1:22/", "https://evil.example/news/read/5123456/x", "nonsense"]
    good = "https://www.liputan6.com/news/read/5123456/judul"
    args = [arg for url in [*bad, good] for arg in ("--url", url)]
    cli = [sys.executable, "-c", "from commands.main import app; app()"]
    result = subprocess.run(
        [*cli, "run", *args, "--db", str(db)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    for line, url in zip(lines, bad, strict=True):
        assert line.startswith("error: --url ") and line.endswith(url)
    assert "host not allowed" in lines[1]
    assert not db.exists() and "server" not in result.stderr.lower()


def test_cli_run_refuses_a_db_that_is_not_duckdb(tmp_path: Path) -> None:
    bad = tmp_path / "notes.duckdb"
    bad.write_text("not a database\n")
    result = CliRunner().invoke(app, ["run", "--db", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "is not a readable DuckDB database" in result.output


def test_a_run_whose_process_died_is_marked_crashed(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    for run_id, pid in (("killed", gone.pid), ("alive", os.getpid())):
        record = RunRecord(
            run_id=run_id,
            flow="monitor",
            started_at=datetime.now(UTC),
            pid=pid,
            hostname=socket.gethostname(),
        )
        record_run(db, record)
    assert mark_crashed(db, socket.gethostname(), process_alive) == ["killed"]
    assert query(db, "SELECT run_id, state, finished_at FROM runs ORDER BY run_id") == [
        ("alive", "running", None),
        ("killed", "crashed", None),  # the end time is unknown, not made up
    ]

"""What `serve` registers, prints and tells `run`, without starting a server (the browser test
does that)."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from flows import serving, shared_server
from flows.local_server import free_port, server_env, serving_server
from flows.reporting import RunSummary


def test_serve_registers_prefect_yaml_deployments_with_schedules_limits_and_timeouts() -> None:
    anchor = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
    built = {d.name: d for d in asyncio.run(serving.deployments(anchor))}
    spec = {d["name"]: d for d in yaml.safe_load(serving.PREFECT_YAML.read_text())["deployments"]}
    assert set(built) == set(spec) == {"monitor", "recheck", "reparse", "backfill"}
    for name, deployment in built.items():
        wanted = [s["interval"] for s in spec[name].get("schedules") or []]
        got = [s.schedule.interval for s in deployment.schedules or []]
        assert got == [timedelta(seconds=w) for w in wanted]
        assert all(s.schedule.anchor_date == anchor for s in deployment.schedules or [])
        assert serving.FLOWS[name].timeout_seconds
        assert deployment.entrypoint.replace("\\", "/").endswith(spec[name]["entrypoint"])
    for name in ("monitor", "recheck"):
        limit = built[name].concurrency_limit
        strategy = built[name].concurrency_options.collision_strategy
        assert (limit, strategy.value) == (1, "CANCEL_NEW")
    assert built["monitor"].schedules and built["recheck"].schedules
    assert not built["reparse"].schedules and not built["backfill"].schedules


def test_finished_run_line_reads_the_summary_artifact() -> None:
    summary = RunSummary("monitor")
    summary.sources["sitemap"] = (3, 2)
    summary.add({"discovered": 3, "fetched": 2, "new": 2})
    text = serving.summary_text(summary.as_rows())
    assert text.startswith("discovered 3, fetched 2, new 2")
    assert "source" not in text


def test_local_server_ui_is_told_its_own_api(monkeypatch) -> None:
    monkeypatch.delenv("PREFECT_UI_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_SERVER_UI_API_URL", raising=False)
    env = server_env("http://127.0.0.1:4321/api")
    assert env["PREFECT_SERVER_UI_API_URL"] == "http://127.0.0.1:4321/api"
    monkeypatch.setenv("PREFECT_UI_API_URL", "https://monitor.example/api")
    assert "PREFECT_SERVER_UI_API_URL" not in server_env("http://127.0.0.1:4321/api")


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def healthy_here() -> Iterator[str]:
    """An API URL whose /health answers 200, from a socket this process holds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def test_run_joins_only_the_server_serve_advertised_and_still_holds(
    tmp_path: Path, healthy_here: str
) -> None:
    """A note left by a killed `serve` must not send `run` to a dead port, to a process that
    reused the PID, or to a server on another Prefect database."""
    from prefect.settings import PREFECT_HOME, temporary_settings

    with temporary_settings(updates={PREFECT_HOME: tmp_path}):
        assert serving_server() is None  # no note
        shared_server.advertise(healthy_here, os.getpid())
        assert serving_server() == healthy_here
        shared_server.advertise(healthy_here, 1)  # a PID that does not hold the port
        assert serving_server() is None
        shared_server.advertise(f"http://127.0.0.1:{free_port()}/api", os.getpid())  # nothing
        assert serving_server() is None
        shared_server.advertise(healthy_here, os.getpid())
        note = tmp_path / shared_server.NOTE
        found = json.loads(note.read_text())
        note.write_text(json.dumps({**found, "database": "sqlite+aiosqlite:////elsewhere.db"}))
        assert serving_server() is None
        note.write_text("{half a note")
        assert serving_server() is None
        shared_server.advertise(healthy_here, os.getpid())
        shared_server.withdraw(1)  # another serve's stop leaves this note alone
        assert serving_server() == healthy_here
        shared_server.withdraw(os.getpid())
        assert not note.exists()

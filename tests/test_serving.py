"""What `serve` registers and prints, without starting a server (the browser test does that)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import yaml

from flows import serving
from flows.local_server import server_env
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

"""The Prefect flows end to end: the real sample site over HTTP, a real DuckDB file, a real
Prefect server (session-scoped harness). Each test builds the history it checks (a first run, a
timeline step, a recheck) in a world of its own, so it passes alone and in any order."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from support.pipeline_env import World

from flows import spool
from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from sample_site import SampleSite, serve
from warehouse import open_readonly

pytestmark = pytest.mark.usefixtures("prefect_harness")

ARTICLES = 40
EVERYTHING = 60 * 24 * 400


@pytest.fixture
def loaded(tmp_path: Path, prefect_harness: None) -> Iterator[World]:
    """A replica whose every article a first monitor run has stored."""
    site = SampleSite(articles=ARTICLES, seed=11, now=datetime.now(UTC))
    with serve(site) as running:
        world = World(site, running.base_url, tmp_path, {"LOCK_TIMEOUT": "1"})
        world.first_run = world.run(monitor)
        yield world


@dataclass
class Rechecked:
    world: World
    records: list[dict]
    started: datetime
    recheck: dict[str, int]
    second_monitor: dict[str, int]


@pytest.fixture(scope="module")
def rechecked(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Iterator[Rechecked]:
    """First run, one timeline step (edits, removals, new articles), a recheck of everything,
    then a monitor run for the new articles: read-only for the tests that use it."""
    site = SampleSite(articles=ARTICLES, seed=11, now=datetime.now(UTC))
    with serve(site) as running:
        workdir = tmp_path_factory.mktemp("rechecked")
        world = World(site, running.base_url, workdir, {"LOCK_TIMEOUT": "1"})
        world.first_run = world.run(monitor)
        records = site.advance()
        started = datetime.now(UTC)
        counts = world.run(recheck, ahead_minutes=EVERYTHING)
        yield Rechecked(world, records, started, counts, world.run(monitor))


def query(world: World, sql: str, params: list | None = None) -> list[tuple]:
    with open_readonly(world.db) as con:
        return con.execute(sql, params or []).fetchall()


def live_ids(world: World) -> set[int]:
    return {a["article_id"] for a in world.site.truth()["articles"] if a["status"] == "live"}


def test_first_run_loads_exactly_the_replica(loaded: World) -> None:
    world = loaded
    assert world.first_run["new"] == ARTICLES
    assert world.first_run["failed"] == world.first_run["parse_error"] == 0
    stored = {row[0] for row in query(world, "SELECT article_id FROM latest_articles")}
    assert stored == live_ids(world)
    truth = {a["article_id"]: a for a in world.site.truth()["articles"]}
    for article_id, title, tags in query(
        world, "SELECT article_id, title, tags FROM latest_articles"
    ):
        assert title == truth[article_id]["title"]
        assert list(tags) == truth[article_id]["tags"]


def test_identical_second_run_adds_nothing(loaded: World) -> None:
    world = loaded
    before = query(world, "SELECT count(*) FROM article_versions")[0][0]
    assert before == ARTICLES
    counts = world.run(monitor)
    assert counts["new"] == 0
    assert counts["fetched"] == 0
    assert query(world, "SELECT count(*) FROM article_versions")[0][0] == before


def test_recheck_reports_exactly_the_ground_truth(rechecked: Rechecked) -> None:
    world, records, started, counts = (
        rechecked.world,
        rechecked.records,
        rechecked.started,
        rechecked.recheck,
    )
    assert counts["failed"] == counts["parse_error"] == 0
    expected = {(r["article_id"], r["kind"]) for r in records if r["kind"] in ("edit", "removed")}
    found = {
        (article_id, kind)
        for article_id, kind in query(
            world,
            "SELECT article_id, kind FROM article_changes WHERE detected_at >= ?",
            [started],
        )
    }
    assert found == expected
    cosmetic = {r["article_id"] for r in records if r["kind"] == "cosmetic"}
    assert cosmetic, "the timeline step should include cosmetic-only changes"
    assert not cosmetic & {article_id for article_id, _ in found}
    fields = {
        article_id: set(changed)
        for article_id, changed in query(
            world,
            "SELECT article_id, changed_fields FROM article_changes "
            "WHERE kind = 'edit' AND detected_at >= ?",
            [started],
        )
    }
    for record in records:
        if record["kind"] == "edit":
            # topics are derived from the text, so a text edit may move them too
            assert fields[record["article_id"]] - {"topics"} == set(record["fields"]), record
    new_ids = {r["article_id"] for r in records if r["kind"] == "new"}
    assert rechecked.second_monitor["new"] == len(new_ids)


def _hold_lock(db: Path) -> subprocess.Popen[str]:
    """Another process (a user's DuckDB session) holding the file read-write."""
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(db)!r})\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_locked_database_spools_and_next_run_loads(loaded: World) -> None:
    world = loaded
    records = world.site.advance()
    new_ids = {r["article_id"] for r in records if r["kind"] == "new"}
    assert new_ids
    holder = _hold_lock(world.db)
    try:
        counts = world.run(monitor)
        assert counts["spooled"] >= 1
        assert spool.pending(world.spool_dir)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    world.run(recheck, limit=1)
    assert not spool.pending(world.spool_dir)
    assert task_names(world.flow_runs[-1], at_least=1)[0] == "load-spool"  # the left batches
    stored = {row[0] for row in query(world, "SELECT article_id FROM latest_articles")}
    assert new_ids <= stored
    duplicates = query(
        world,
        "SELECT article_id, content_hash FROM article_versions GROUP BY ALL HAVING count(*) > 1",
    )
    assert duplicates == []
    truth = {a["article_id"]: a for a in world.site.truth()["articles"] if a["status"] == "live"}
    latest = query(world, "SELECT article_id, title, tags FROM latest_articles")
    assert {i: (t, list(g)) for i, t, g in latest if i in truth} == {
        i: (a["title"], a["tags"]) for i, a in truth.items()
    }


def test_artifacts_and_events_reach_prefect(rechecked: Rechecked) -> None:
    """The rechecked world's runs made new articles, edits and removals. Read back by flow run:
    other worlds' runs reach the same Prefect server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )
    from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter

    runs = rechecked.world.flow_runs
    related = EventRelatedFilter(id=[f"prefect.flow-run.{run}" for run in runs])

    async def read() -> tuple[set[str], set[str]]:
        async with get_client() as client:
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(
                        any_=["monitor-summary", "monitor-changes", "recheck-summary"]
                    ),
                    flow_run_id=ArtifactFilterFlowRunId(any_=runs),
                )
            )
            deadline = time.monotonic() + 30
            names: set[str] = set()
            wanted = [
                "liputan6.article.new",
                "liputan6.article.changed",
                "liputan6.article.removed",
            ]
            while time.monotonic() < deadline and names != set(wanted):
                for name in set(wanted) - names:
                    page = await client.read_events(
                        filter=EventFilter(event=EventNameFilter(name=[name]), related=related),
                        limit=5,
                    )
                    if page.events:
                        assert page.events[0].resource.id.startswith("liputan6.article.")
                        names.add(name)
                await asyncio.sleep(0.5)
            return {a.key for a in artifacts if a.key}, names

    keys, events = asyncio.run(read())
    assert keys == {"monitor-summary", "monitor-changes", "recheck-summary"}
    assert events == {
        "liputan6.article.new",
        "liputan6.article.changed",
        "liputan6.article.removed",
    }


def task_names(flow_run_id: UUID, at_least: int) -> list[str]:
    """The flow run's task names in start order. Task runs reach the server as events, a moment
    after the run ends: read until `at_least` are there (or 30 s have passed)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read() -> list[str]:
        async with get_client() as client:
            deadline = time.monotonic() + 30
            while True:
                runs = await client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
                )
                if len(runs) >= at_least or time.monotonic() > deadline:
                    ordered = sorted(runs, key=lambda r: r.start_time or r.expected_start_time)
                    return [r.name.rsplit("-", 1)[0] for r in ordered]
                await asyncio.sleep(0.5)

    return asyncio.run(read())


def test_an_empty_spool_makes_no_load_task(rechecked: Rechecked) -> None:
    """The first run starts with nothing spooled: no load-spool task before discovery, one
    after each batch and one for the listings' fetch log."""
    names = task_names(rechecked.world.flow_runs[0], at_least=4)
    assert names[0] == "discover", names
    assert names.count("load-spool") == names.count("fetch-parse-spool") + 1, names


def test_demo_runs_to_completion(tmp_path: Path, prefect_harness: None) -> None:
    from rich.console import Console

    from flows.demo import run_demo

    console = Console(file=open(tmp_path / "demo.txt", "w"), width=120)  # noqa: SIM115
    result = run_demo(tmp_path / "demo", console, articles=25)
    console.file.close()
    assert result.articles_loaded == 25
    assert result.changes_found.get("changed", 0) == result.truth.get("edit", 0)
    assert result.changes_found.get("removed", 0) == result.truth.get("removed", 0)
    shown = (tmp_path / "demo.txt").read_text()
    assert "where to look" in shown
    # Every edit's diff is shown, each article is checked against the replica's truth, and the
    # query commands printed work as they are: they name the demo's own database.
    assert f"word diffs of all {result.truth.get('edit', 0)} edit(s)" in shown
    assert "{+" in shown or "[-" in shown  # written to a file, the diffs keep their markers
    checked = [row for row in result.comparison if row.verdict != "not checked"]
    assert checked and all(row.verdict == "match" for row in checked), result.comparison
    assert f"liputan6-monitor changes --since 24h --db {result.db_path}" in shown

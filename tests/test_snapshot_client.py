"""A real outside client: the DuckDB 1.x CLI from PyPI reads the snapshot while the monitor loads.

Before the snapshot, one read-only session on the live file locked the writer out and every
batch was spooled. Here the CLI holds the snapshot open across two monitor runs against the
sample site (lock timeout 1 s, so any wait on the live file would spool): both load everything,
and the next publication carries both runs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
)
from support.pipeline_env import pipeline_env
from support.snapshot_support import README_QUERIES, cli_version, duckdb_cli, held_open, run_cli

from flows import spool
from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from sample_site import SampleSite, serve
from warehouse import open_readonly
from warehouse.snapshot import publish, snapshot_info, snapshot_path

pytestmark = pytest.mark.usefixtures("prefect_harness")
EVERYTHING = 60 * 24 * 400


@dataclass
class World:
    site: SampleSite
    db: Path
    spool_dir: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("snapshot-client")
    site = SampleSite(articles=12, seed=5, now=datetime.now(UTC))
    with serve(site) as running, pipeline_env(running.base_url, workdir, LOCK_TIMEOUT="1"):
        yield World(site, workdir / "w.duckdb", workdir / "spool")


async def summary_rows(key: str, flow_run_id: UUID) -> list[dict]:
    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            ),
        )
    data = found[0].data
    return json.loads(data) if isinstance(data, str) else data


def live_ids(db: Path) -> set[int]:
    with open_readonly(db) as con:
        return {row[0] for row in con.execute("SELECT article_id FROM articles").fetchall()}


def test_the_1x_cli_reads_the_snapshot_while_two_runs_load(world: World) -> None:
    cli = duckdb_cli()
    version = cli_version(cli)
    print(f"\nDuckDB CLI: {version.strip()}")
    assert version.startswith("v1.")
    first = asyncio.run(monitor())
    assert first["new"] == 12 and first["spooled"] == 0
    unseen = {r["article_id"] for r in world.site.advance() if r["kind"] == "new"}
    rechecked = asyncio.run(recheck(ahead_minutes=EVERYTHING, return_state=True))
    edits = rechecked.result()
    assert edits["changed"] + edits["removed"] > 0 and edits["spooled"] == 0
    snapshot = snapshot_path(world.db)
    for number, query in enumerate(README_QUERIES, start=1):
        result = run_cli(cli, snapshot, query)
        shown = "\n".join(result.stdout.splitlines()[:6])
        print(
            f"README query {number}: exit {result.returncode}, {result.stdout.count(chr(10)) - 1}"
            f" rows\n{shown}\n{result.stderr}"
        )
        assert result.returncode == 0, (query, result.stderr)
    articles = run_cli(cli, snapshot, "SELECT count(*) FROM latest_articles;")
    assert articles.stdout.splitlines()[1] == "12"
    line = next(
        row["count"]
        for row in asyncio.run(summary_rows("recheck-summary", rechecked.state_details.flow_run_id))
        if row["item"] == "read snapshot"
    )
    print(f"run summary artifact, read snapshot line: {line}")
    assert line.startswith("w.read.duckdb: incremental publication")

    with held_open(cli, snapshot) as reader:
        runs = []
        for _ in range(2):
            unseen |= {r["article_id"] for r in world.site.advance() if r["kind"] == "new"}
            assert unseen, "each timeline step publishes new articles"
            counts = asyncio.run(monitor())
            runs.append((counts, unseen))
            unseen = set()
            print(f"run while the CLI (PID {reader.pid}) holds the snapshot: {counts}")
        assert reader.poll() is None, "the CLI kept the snapshot open throughout"
    for counts, new_ids in runs:
        assert counts["spooled"] == 0 and counts["new"] == len(new_ids)
        assert new_ids <= live_ids(world.db)
    assert spool.pending(world.spool_dir) == []

    caught_up = publish(world.db)
    print(f"next publication: {caught_up.line()}")
    assert caught_up.published
    info = snapshot_info(world.db)
    print(f"snapshot_info: {info}")
    with open_readonly(world.db) as con:
        loaded = con.execute("SELECT count(*) FROM loaded_batches").fetchone()
    assert info is not None and (info["loaded_batches"],) == loaded
    in_snapshot = run_cli(cli, snapshot, "SELECT article_id FROM latest_articles;")
    published_ids = {int(line) for line in in_snapshot.stdout.splitlines()[1:]}
    assert published_ids == live_ids(world.db)
    assert set().union(*(ids for _, ids in runs)) <= published_ids

"""Publishing from the pipeline: monitor and recheck against the real replica over HTTP, a real
DuckDB file and a real Prefect server, with `LIPUTAN6_PUBLISH_DIR` and `LIPUTAN6_PUBLIC_URL` set."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import feedparser
import pytest
from support.pipeline_env import World

from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from sample_site import SampleSite, serve
from warehouse import open_readonly

pytestmark = pytest.mark.usefixtures("prefect_harness")

PUBLIC_URL = "https://changes.example.org/liputan6"
EVERYTHING = 60 * 24 * 400


class PublishingWorld(World):
    @property
    def out(self) -> Path:
        return self.workdir / "site"


@pytest.fixture
def world(tmp_path: Path, prefect_harness: None) -> Iterator[PublishingWorld]:
    """A replica whose articles a first monitor run has stored: each test its own, so each
    passes alone and in any order."""
    site = SampleSite(articles=24, seed=5, now=datetime.now(UTC))
    with serve(site) as running:
        settings = {"PUBLISH_DIR": str(tmp_path / "site"), "PUBLIC_URL": PUBLIC_URL}
        world = PublishingWorld(site, running.base_url, tmp_path, settings)
        world.first_run = world.run(monitor)
        yield world


def changes_artifact(flow_run_id: UUID, key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    async def read() -> str:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=[key]),
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                )
            )
        assert len(found) == 1
        return str(found[0].data)

    return asyncio.run(read())


def public_changes(db: Path) -> list[tuple[int, int]]:
    with open_readonly(db) as con:
        return con.execute(
            """SELECT change_id, article_id FROM article_changes
               WHERE kind IN ('edit', 'revert', 'removed', 'restored')"""
        ).fetchall()


def test_a_run_without_changes_publishes_nothing(world: PublishingWorld) -> None:
    assert world.first_run["new"] == 24
    assert not world.out.exists()  # new articles are not changes: nothing to publish yet


def test_recheck_that_found_changes_publishes_and_links_them(world: PublishingWorld) -> None:
    world.site.advance()
    state = world.run(recheck, ahead_minutes=EVERYTHING, return_state=True)
    counts = state.result()
    assert counts["changed"] + counts["removed"] > 0
    found = public_changes(world.db)
    assert found
    feed = feedparser.parse((world.out / "feeds" / "all.xml").read_bytes())
    assert not feed.bozo
    assert sorted(int(e.link.rpartition("#change-")[2]) for e in feed.entries) == sorted(
        change_id for change_id, _ in found
    )
    assert all(e.link.startswith(PUBLIC_URL + "/articles/") for e in feed.entries)
    markdown = changes_artifact(state.state_details.flow_run_id, "recheck-changes")
    for _, article_id in found:
        assert (world.out / "articles" / f"{article_id}.html").is_file()
        assert f"[history]({PUBLIC_URL}/articles/{article_id}.html)" in markdown


def test_a_failed_publication_is_reported_and_the_run_completes(world: PublishingWorld) -> None:
    blocker = world.workdir / "not-a-folder"
    blocker.write_text("a file where the site folder should be")
    world.site.advance()
    state = world.run(
        recheck, {"PUBLISH_DIR": str(blocker)}, ahead_minutes=EVERYTHING, return_state=True
    )
    assert state.is_completed()
    markdown = changes_artifact(state.state_details.flow_run_id, "recheck-changes")
    assert "publishing the site to" in markdown and "failed" in markdown
    assert blocker.read_text() == "a file where the site folder should be"

    # Once the cause is gone, the next run publishes what the failed publication never showed,
    # though it finds no change of its own.
    blocker.unlink()
    quiet = world.run(recheck, {"PUBLISH_DIR": str(blocker)}, ahead_minutes=EVERYTHING)
    assert quiet["changed"] == quiet["removed"] == 0
    found = public_changes(world.db)
    assert found
    for _, article_id in found:
        assert (blocker / "articles" / f"{article_id}.html").is_file()

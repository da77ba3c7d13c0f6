"""Fault drills: the flows against the replica's fault modes and edit timeline.

Each drill breaks the replica in one way, runs a flow, and checks three things against the
replica's ground truth: the run completed (or failed with a clear message); no version was
duplicated or lost; and once the fault is cleared, a later run fetched every URL that failed and
the warehouse matches the replica exactly. The outcome of every drill is printed as a table at the
end of the session (see `pytest_terminal_summary` in conftest.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pytest
from support.drill_support import (
    RunOutcome,
    World,
    affected_ids,
    db_holder,
    detected_changes,
    drill_world,
    duplicate_versions,
    expected_versions,
    failed_urls,
    latest,
    live_truth,
    mismatches,
    path_of,
    query,
    requested_since,
    run_monitor,
    run_recheck,
    statuses_since,
    truth_changes,
    version_counts,
)
from support.drill_table import DRILL_ROWS

from flows import spool
from flows.health import ExtractionHealthError
from sample_site import FaultSpec

pytestmark = [pytest.mark.drill, pytest.mark.usefixtures("prefect_harness")]

ARTICLES = "/*/read/*"
TIMELINE_KINDS = ("edit", "removed", "restored")
FEED_AND_SITEMAP = '["rss", "sitemap"]'


@dataclass(frozen=True)
class Drill:
    """One fault scenario.

    `mode`: the flow that meets the fault: "monitor" on a fresh warehouse, or "recheck" after a
    clean first run and one step of the replica's edit timeline. `fails_urls`: the fault outlasts
    the retry budget, so the run must record failed URLs; otherwise it must absorb the fault and
    load everything. `fired`: a status the replica must have sent, proof the fault happened.
    `sources`: discovery sources, when the drill is about the feed (the default reads sitemaps).
    """

    name: str
    faults: str
    mode: Literal["monitor", "recheck"] = "monitor"
    fails_urls: bool = True
    fired: int | None = None
    sources: str | None = None


DRILLS = [
    Drill("429 storm, longer than the retries", f"429:{ARTICLES}:0.4:retry_after=1", fired=429),
    Drill(
        "429 with Retry-After past the deadline", f"429:{ARTICLES}:0.3:retry_after=3600", fired=429
    ),
    Drill(
        "503 burst, shorter than the retries",
        f"503:{ARTICLES}:0.5:times=1",
        fails_urls=False,
        fired=503,
    ),
    Drill("503 burst, longer than the retries", f"503:{ARTICLES}:0.5:times=6", fired=503),
    Drill("500 errors", f"500:{ARTICLES}:0.3", fired=500),
    Drill("slow responses, within the timeout", f"slow:{ARTICLES}:0.5:delay=0.4", fails_urls=False),
    Drill("stalls (read timeout)", f"stall:{ARTICLES}:0.3:delay=3"),
    Drill("connection resets", f"reset:{ARTICLES}:0.3"),
    Drill("truncated bodies", f"truncate:{ARTICLES}:0.3"),
    Drill("oversized bodies", f"oversize:{ARTICLES}:0.3:size=3000000", fired=200),
    Drill("gzip bombs", f"gzip_bomb:{ARTICLES}:0.3:size=50000000", fired=200),
    Drill("redirect loops", f"redirect_loop:{ARTICLES}:0.3", fired=302),
    Drill("off-site redirects", f"offsite_redirect:{ARTICLES}:0.3", fired=302),
    Drill(
        "wrong charset (UTF-8 sent as cp1252)", f"wrong_charset:{ARTICLES}:0.5", fails_urls=False
    ),
    Drill("non-HTML bodies (PDF)", f"non_html:{ARTICLES}:0.3"),
    Drill("robots.txt disallows a channel", "robots_disallow:/news/*:1"),
    Drill(
        "off-site and private links everywhere",
        "offsite_links:/*:1",
        fails_urls=False,
        sources=FEED_AND_SITEMAP,
    ),
    Drill(
        "feed source down, sitemap up",
        "503:/rss*:1",
        fails_urls=False,
        fired=503,
        sources=FEED_AND_SITEMAP,
    ),
    Drill(
        "mixed storm: 429, resets, truncation",
        f"429:{ARTICLES}:0.2:retry_after=1;reset:{ARTICLES}:0.2;truncate:{ARTICLES}:0.2",
    ),
    Drill("recheck: 503 longer than the retries", f"503:{ARTICLES}:0.4", mode="recheck", fired=503),
    Drill("recheck: non-HTML bodies (PDF)", f"non_html:{ARTICLES}:0.3", mode="recheck"),
]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with drill_world(tmp_path, monkeypatch) as w:
        yield w


@pytest.fixture
def world10(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Ten articles: enough pages to judge extraction health, and for the timeline to remove one
    (a step edits eight articles before it removes any)."""
    with drill_world(tmp_path, monkeypatch, articles=10, seed=12) as w:
        yield w


@pytest.fixture
def table(request: pytest.FixtureRequest) -> list[tuple[str, str]]:
    return request.config.stash.setdefault(DRILL_ROWS, [])


def assert_consistent(world: World, stale_ok: set[int] = frozenset()) -> None:
    """(b): nothing stored twice, nothing stored wrongly; `stale_ok` may lag behind the replica."""
    assert duplicate_versions(world.db) == []
    assert mismatches(world.db, world.site, stale_ok) == []


def assert_recovered(world: World, seen_before: set[int], mark: int) -> None:
    """(c): every URL that failed was fetched again, and the warehouse equals the replica."""
    retried = requested_since(world.site, mark)
    never_retried = {u for u in failed_urls(world.db) if path_of(u) not in retried}
    assert never_retried == set()
    stored_live = {i for i, (status, _, _) in latest(world.db).items() if status == "live"}
    assert stored_live == set(live_truth(world.site))
    assert_consistent(world)
    assert version_counts(world.db) == expected_versions(world.site, seen_before)


def summarise(outcome: RunOutcome, n_affected: int) -> str:
    failed = sum(outcome.counts.get(k, 0) for k in ("failed", "parse_error", "disallowed"))
    return (
        f"{outcome.label}; {n_affected} page(s) faulted, {failed} failed in-run; "
        "all recovered after clearing"
    )


@pytest.mark.parametrize("drill", DRILLS, ids=[d.name for d in DRILLS])
def test_drill(
    drill: Drill, world: World, table: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    if drill.sources:
        monkeypatch.setenv("LIPUTAN6_SOURCES", drill.sources)
    site = world.site
    seen_before: set[int] = set()
    started = datetime.now(UTC)
    if drill.mode == "recheck":
        assert run_monitor().error is None
        seen_before = set(live_truth(site))
        site.advance()
    spec = FaultSpec.parse(drill.faults)
    site.set_faults(spec)
    affected = affected_ids(site, spec) & (seen_before or set(live_truth(site)))
    mark = len(site.request_log)

    outcome = run_monitor() if drill.mode == "monitor" else run_recheck()

    if outcome.error is not None:
        # A run may fail for one reason only: most of its pages were faulted (and the site is
        # then rightly called failing); the pages it did fetch are checked below all the same.
        pool = seen_before or set(live_truth(site))
        assert not isinstance(outcome.error, ExtractionHealthError), outcome.error
        assert str(outcome.error).startswith(("too many failed fetches", "site unreachable"))
        assert len(affected) / len(pool) > 0.5, outcome.error
    if drill.fired is not None:
        assert statuses_since(site, mark)[drill.fired] > 0, "the fault never fired"
    check_faulted_run(drill, world, outcome, affected)

    site.set_faults(FaultSpec())
    mark = len(site.request_log)
    assert run_monitor().error is None
    if drill.mode == "recheck":
        assert run_recheck().error is None
        expected = {(i, k) for i, k in truth_changes(site, TIMELINE_KINDS) if i in seen_before}
        assert detected_changes(world.db, started) == expected
    assert_recovered(world, seen_before, mark)
    table.append((drill.name, summarise(outcome, len(affected))))


def check_faulted_run(drill: Drill, world: World, outcome: RunOutcome, affected: set[int]) -> None:
    """What the faulted run left: the failures it recorded, and nothing wrong or lost."""
    failed_ids = {row[0] for row in query(world.db, "SELECT article_id FROM observation_errors")}
    if drill.fails_urls:
        assert affected, "the fault spec matches no article: the drill would prove nothing"
        # robots.txt disallows are skipped, not failed: counted apart, recorded all the same
        skipped = outcome.counts["failed"] + outcome.counts["parse_error"]
        assert skipped + outcome.counts.get("disallowed", 0) > 0
        assert failed_ids and failed_ids <= affected
        assert_consistent(world, stale_ok=affected)
    else:
        assert outcome.counts["failed"] == outcome.counts["parse_error"] == 0
        assert failed_ids == set()
        assert_consistent(world)
    if drill.mode == "monitor":
        stored = set(latest(world.db))
        assert set(live_truth(world.site)) - affected <= stored, "an unaffected article was lost"
    assert not spool.pending(world.spool_dir)
    fetched = {row[0] for row in query(world.db, "SELECT url FROM fetch_log")}
    assert {u for u in fetched if not u.startswith(world.base_url + "/")} == set()


def test_layout_change_on_30_percent_trips_the_health_alarm(
    world10: World, table: list[tuple[str, str]]
) -> None:
    world = world10
    site = world.site
    spec = FaultSpec.parse(f"layout_change:{ARTICLES}:0.3")
    site.set_faults(spec)
    affected = affected_ids(site, spec)
    assert 0.2 < len(affected) / len(live_truth(site)) <= 0.4, "pick a seed with ~30% affected"

    outcome = run_monitor()

    assert isinstance(outcome.error, ExtractionHealthError)
    message = str(outcome.error)
    assert "extraction health" in message and "layout has probably changed" in message
    assert set(live_truth(site)) - affected <= set(latest(world.db)), "healthy pages not loaded"
    assert_consistent(world, stale_ok=affected)
    failed_run = query(world.db, "SELECT state, message FROM runs WHERE flow = 'monitor'")
    assert [state for state, _ in failed_run] == ["failed"]
    assert "extraction health" in failed_run[0][1]

    site.set_faults(FaultSpec())
    mark = len(site.request_log)
    assert run_monitor().error is None
    assert run_recheck().error is None
    assert_recovered(world, set(), mark)
    table.append(
        (
            "layout change on 30% of pages",
            f"{outcome.label} ({len(affected)}/{len(live_truth(site))} pages); healthy pages "
            "loaded; recovered after clearing",
        )
    )


def test_deleted_article_comes_back(world10: World, table: list[tuple[str, str]]) -> None:
    world = world10
    site = world.site
    started = datetime.now(UTC)
    assert run_monitor().error is None
    seen = set(live_truth(site))
    removed = {r["article_id"] for r in site.advance() if r["kind"] == "removed"}
    assert removed
    assert run_recheck().error is None
    assert {i for i, (status, _, _) in latest(world.db).items() if status == "removed"} == removed
    restored = {r["article_id"] for r in site.advance() if r["kind"] == "restored"}
    assert restored == removed
    assert run_recheck().error is None
    assert run_monitor().error is None

    expected = {(i, k) for i, k in truth_changes(site, TIMELINE_KINDS) if i in seen}
    assert detected_changes(world.db, started) == expected
    assert_recovered(world, seen, 0)
    table.append(("deleted article comes back", "completed; removal and restoration recorded"))


def test_database_held_by_a_reader_spools_then_loads(
    world: World, table: list[tuple[str, str]]
) -> None:
    """A user's read-only DuckDB session blocks writers too (a read-write one is drilled in
    test_flows.py); the run must spool, say so, and the next run must load everything."""
    site = world.site
    assert run_monitor().error is None
    seen = set(live_truth(site))
    new = {r["article_id"] for r in site.advance() if r["kind"] == "new"}
    assert new

    with db_holder(world.db, read_only=True):
        outcome = run_monitor()
        assert outcome.error is None
        assert outcome.counts["spooled"] >= 1
        assert len(spool.pending(world.spool_dir)) == outcome.counts["spooled"]
        assert new.isdisjoint(latest(world.db))
        assert "database busy" in changes_markdown(outcome)

    assert run_recheck().error is None
    assert not spool.pending(world.spool_dir)
    assert new <= set(latest(world.db))
    assert_recovered(world, seen, 0)
    table.append(
        (
            "database held by a read-only reader",
            f"completed; {outcome.counts['spooled']} batch(es) spooled with a warning; "
            "next run loaded them",
        )
    )


def changes_markdown(outcome: RunOutcome) -> str:
    """The run's monitor-changes artifact, as the Prefect UI shows it."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    assert outcome.flow_run_id is not None

    async def read() -> str:
        async with get_client() as client:
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=["monitor-changes"]),
                    flow_run_id=ArtifactFilterFlowRunId(any_=[outcome.flow_run_id]),
                ),
            )
        return str(artifacts[0].data) if artifacts else ""

    return asyncio.run(read())

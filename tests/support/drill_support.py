"""What every fault drill shares: a fresh replica and warehouse per scenario, the flows run with
drill-sized timeouts, and the checks each drill makes against the replica's ground truth.

Drills compare the warehouse with `site.truth()` rather than with counts the flows report, so a
flow that miscounts cannot pass by agreeing with itself.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

import pytest

from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from flows.run_verdict import RunFailed
from sample_site import FaultSpec, SampleSite, serve
from sample_site.faults import RENDER_KINDS
from warehouse import open_readonly

EVERYTHING_DUE = 60 * 24 * 400  # recheck `ahead_minutes` that makes every article due

# Small budgets so a drill that waits out a fault costs seconds: one retry, a 1.5 s read
# timeout and a 3 s wall-clock cap per fetch. Discovery reads the sitemaps only (drills about
# feeds add the feed), and six articles are enough for most drills: every request costs.
DRILL_ENV = {
    "LIPUTAN6_RATE_PER_SECOND": "1000",
    "LIPUTAN6_CONCURRENCY": "8",
    "LIPUTAN6_MAX_RETRIES": "1",
    "LIPUTAN6_CONNECT_TIMEOUT": "2",
    "LIPUTAN6_READ_TIMEOUT": "1.5",
    "LIPUTAN6_TOTAL_TIMEOUT": "3",
    "LIPUTAN6_LOCK_TIMEOUT": "1",
    "LIPUTAN6_MAX_RESPONSE_BYTES": "1000000",
    "LIPUTAN6_SOURCES": '["sitemap"]',
    "LIPUTAN6_CHANNELS": "[]",
}

_BREAKING_RENDER = {"layout_change", "robots_disallow"}


@dataclass
class World:
    """One replica, one warehouse file and one spool folder, private to a drill."""

    site: SampleSite
    base_url: str
    db: Path
    spool_dir: Path


@contextmanager
def drill_world(
    workdir: Path, mp: pytest.MonkeyPatch, articles: int = 6, seed: int = 6
) -> Iterator[World]:
    site = SampleSite(articles=articles, seed=seed, now=datetime.now(UTC))
    with serve(site) as running:
        env = {
            **DRILL_ENV,
            "LIPUTAN6_BASE_URL": running.base_url,
            "LIPUTAN6_DB_PATH": str(workdir / "w.duckdb"),
            "LIPUTAN6_SPOOL_DIR": str(workdir / "spool"),
        }
        for key, value in env.items():
            mp.setenv(key, value)
        yield World(site, running.base_url, workdir / "w.duckdb", workdir / "spool")


@dataclass
class RunOutcome:
    """How one flow run ended: its counts, or the error it failed with."""

    counts: dict[str, int] = field(default_factory=dict)
    error: BaseException | None = None
    flow_run_id: UUID | None = None

    @property
    def label(self) -> str:
        if self.error is None:
            return "completed"
        return f"failed: {type(self.error).__name__}"


def run_monitor(**params: object) -> RunOutcome:
    return _run(monitor, params)


def run_recheck(**params: object) -> RunOutcome:
    return _run(recheck, {"ahead_minutes": EVERYTHING_DUE, **params})


def _run(flow: object, params: dict[str, object]) -> RunOutcome:
    state = asyncio.run(flow(return_state=True, **params))  # type: ignore[operator]
    run_id = state.state_details.flow_run_id
    try:
        return RunOutcome(state.result(), flow_run_id=run_id)
    except RunFailed as exc:  # extraction health, or too few pages reached: counts kept
        return RunOutcome(counts=exc.counts, error=exc, flow_run_id=run_id)


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    if not db.exists():
        return []
    with open_readonly(db) as con:
        return con.execute(sql, params or []).fetchall()


def path_of(url: str) -> str:
    return urlsplit(url).path


def affected_ids(site: SampleSite, spec: FaultSpec) -> set[int]:
    """Articles whose page a fault spec breaks: extra links in a page break nothing, while a
    layout change breaks extraction and a robots.txt disallow forbids the fetch."""
    breaking = [r for r in spec.rules if r.kind not in RENDER_KINDS or r.kind in _BREAKING_RENDER]
    ids = set()
    for article in site.truth()["articles"]:
        path = path_of(article["url"])
        if any(rule.matches(path) for rule in breaking):
            ids.add(article["article_id"])
    return ids


def live_truth(site: SampleSite) -> dict[int, dict]:
    return {a["article_id"]: a for a in site.truth()["articles"] if a["status"] == "live"}


def duplicate_versions(db: Path) -> list[tuple]:
    """Versions stored twice: the same content twice for one article."""
    return query(
        db,
        "SELECT article_id, content_hash, count(*) FROM article_versions "
        "GROUP BY ALL HAVING count(*) > 1",
    )


def latest(db: Path) -> dict[int, tuple[str, str, list[str]]]:
    rows = query(db, "SELECT article_id, status, title, tags FROM latest_articles")
    return {i: (status, title, list(tags or [])) for i, status, title, tags in rows}


def mismatches(db: Path, site: SampleSite, stale_ok: set[int] = frozenset()) -> list[str]:
    """Where the warehouse disagrees with the replica, ignoring articles in `stale_ok` (a fault
    kept them from being seen this time) unless they are stored wrongly on first sight."""
    truth = {a["article_id"]: a for a in site.truth()["articles"]}
    problems = []
    for article_id, (status, title, tags) in latest(db).items():
        if article_id in stale_ok:
            continue
        want = truth.get(article_id)
        if want is None:
            problems.append(f"{article_id}: stored but unknown to the replica")
        elif status != want["status"]:
            problems.append(f"{article_id}: status {status}, replica says {want['status']}")
        elif status == "live" and (title, tags) != (want["title"], want["tags"]):
            problems.append(f"{article_id}: {title!r} {tags} != {want['title']!r} {want['tags']}")
    return problems


def version_counts(db: Path) -> Counter[int]:
    return Counter(row[0] for row in query(db, "SELECT article_id FROM article_versions"))


def expected_versions(site: SampleSite, seen_before: set[int]) -> Counter[int]:
    """One version per article, plus one per timeline step that edited an article stored before
    the step (`seen_before`); drills recheck after each step, so no two edits collapse into one."""
    edits = Counter(
        c["article_id"]
        for c in site.truth()["changes"]
        if c["kind"] == "edit" and c["article_id"] in seen_before
    )
    return Counter({i: 1 + edits[i] for i in live_truth(site) | dict.fromkeys(seen_before)})


def detected_changes(db: Path, since: datetime) -> set[tuple[int, str]]:
    rows = query(
        db,
        "SELECT article_id, kind FROM article_changes WHERE detected_at >= ?",
        [since],
    )
    return {(i, k) for i, k in rows}


def truth_changes(site: SampleSite, kinds: tuple[str, ...]) -> set[tuple[int, str]]:
    """The replica's timeline so far, as (article id, kind) pairs of the given kinds."""
    return {(c["article_id"], c["kind"]) for c in site.truth()["changes"] if c["kind"] in kinds}


def failed_urls(db: Path) -> set[str]:
    """Article URLs some run could not fetch or parse, as the warehouse recorded them."""
    return {row[0] for row in query(db, "SELECT DISTINCT url FROM observation_errors")}


def requested_since(site: SampleSite, mark: int) -> set[str]:
    """Paths requested after request number `mark` (faults cleared by then: genuine answers,
    a 302 for a removed article included)."""
    return {path_of(p) for m, p, _ in site.request_log[mark:] if m == "GET"}


def statuses_since(site: SampleSite, mark: int) -> Counter[int]:
    return Counter(s for _, _, s in site.request_log[mark:])


@contextmanager
def db_holder(db: Path, read_only: bool) -> Iterator[subprocess.Popen[str]]:
    """Another process (a user's DuckDB session) holding the warehouse file until released."""
    code = (
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(db)!r}, read_only={read_only!r})\n"
        "con.execute('SELECT count(*) FROM articles').fetchall()\n"
        "print('holding', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield proc
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=30)

"""`demo`: the whole product, offline, in about a minute.

Starts the sample site and a local Prefect server, runs `monitor`, advances the site's edit
timeline one step, runs `recheck`, and shows what was caught, with word diffs, next to the
replica's own ground truth: the quickest way to see that real edits are caught and noise is not.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from flows.local_server import prefect_api
from flows.serving import ui_url
from flows.settings import temporary_environment
from sample_site import SampleSite, serve
from warehouse import open_readonly
from warehouse.history import version_diff
from warehouse.render_term import render_term

DEMO_SEED = 2026
MAX_DIFFS_SHOWN = 6
RECHECK_EVERYTHING_MINUTES = 60 * 24 * 400
_SHOWN_COUNTS = ("changed", "removed", "restored", "cosmetic")
SQL_EXAMPLE = (
    "SELECT kind, article_id, title_before, title_after, words_added, words_removed "
    "FROM article_changes ORDER BY detected_at DESC"
)


@dataclass(frozen=True)
class DemoResult:
    articles_loaded: int
    changes_found: dict[str, int]
    truth: dict[str, int]
    db_path: Path


def _demo_settings(workdir: Path, base_url: str) -> dict[str, str]:
    """Every setting pointed at the demo's own folder and replica."""
    return {
        "LIPUTAN6_BASE_URL": base_url,
        "LIPUTAN6_DB_PATH": str(workdir / "demo.duckdb"),
        "LIPUTAN6_SPOOL_DIR": str(workdir / "spool"),
        "LIPUTAN6_RATE_PER_SECOND": "100",
        "LIPUTAN6_CONCURRENCY": "8",
    }


def run_demo(workdir: Path, console: Console, articles: int = 60) -> DemoResult:
    from flows.monitor_flow import monitor
    from flows.recheck_flow import recheck

    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "demo.duckdb"
    for stale in (db_path, workdir / "demo.duckdb.wal"):
        stale.unlink(missing_ok=True)
    site = SampleSite(articles=articles, seed=DEMO_SEED, now=datetime.now(UTC))
    with (
        serve(site) as running,
        temporary_environment(_demo_settings(workdir, running.base_url)),
    ):
        console.print(f"[bold]1.[/] sample site with {articles} articles at {running.base_url}")
        console.print("    starting a local Prefect server (10-20 s)…")
        with prefect_api(workdir / "prefect-server.log") as api_url:
            console.print(f"[bold]2.[/] Prefect API at {api_url}")
            with console.status("monitor: discovering and loading every article…"):
                first = asyncio.run(monitor())
            console.print(f"    monitor loaded {first['new']} new article(s)")
            truth = _count_kinds(site.advance())
            console.print(f"[bold]3.[/] the site's timeline advanced one step: {truth}")
            with console.status("recheck: re-fetching every article…"):
                second = asyncio.run(recheck(ahead_minutes=RECHECK_EVERYTHING_MINUTES))
            found = {k: second[k] for k in _SHOWN_COUNTS if second[k]}
            console.print(f"[bold]4.[/] recheck found: {found}")
            _show_changes(console, db_path)
            console.print(
                Panel.fit(
                    f"Prefect UI (while a server runs): {ui_url(api_url)} → Runs, Artifacts\n"
                    f'SQL: liputan6-monitor sql --db {db_path} "{SQL_EXAMPLE}"\n'
                    f"One article: liputan6-monitor history ID --db {db_path}",
                    title="where to look",
                )
            )
    return DemoResult(first["new"], found, truth, db_path)


def _count_kinds(records: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["kind"]] = counts.get(record["kind"], 0) + 1
    return counts


def _show_changes(console: Console, db_path: Path) -> None:
    with open_readonly(db_path) as con:
        rows = con.execute(
            "SELECT article_id, kind, title_after, url FROM article_changes "
            "ORDER BY detected_at, change_id"
        ).fetchall()
        console.print(f"[bold]5.[/] {len(rows)} change(s) recorded:")
        for article_id, kind, title, url in rows:
            console.print(f"  [cyan]{kind:>9}[/] {article_id} {title or ''}  {url}")
        for article_id, *_ in [r for r in rows if r[1] == "edit"][:MAX_DIFFS_SHOWN]:
            request = version_diff(con, article_id)
            console.print(render_term(request.diff, request.header))

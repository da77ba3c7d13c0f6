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
from rich.table import Table
from rich.text import Text

from config.settings import temporary_environment
from flows.local_server import prefect_api
from flows.serving import ui_url
from sample_site import SampleSite, serve
from warehouse import open_readonly
from warehouse.history import version_diff
from warehouse.render_term import render_term
from warehouse.render_text import render_text

DEMO_SEED = 2026
RECHECK_EVERYTHING_MINUTES = 60 * 24 * 400
_SHOWN_COUNTS = ("changed", "removed", "restored", "cosmetic")
SQL_EXAMPLE = (
    "SELECT kind, article_id, title_before, title_after, words_added, words_removed "
    "FROM article_changes ORDER BY detected_at DESC"
)
# What the warehouse records for each kind of change the replica makes; a cosmetic change
# (ad ids, spacing) must leave no change row at all.
_EXPECTED_KIND = {"edit": "edit", "removed": "removed", "restored": "restored", "cosmetic": None}


@dataclass(frozen=True)
class DemoResult:
    articles_loaded: int
    changes_found: dict[str, int]
    truth: dict[str, int]
    db_path: Path
    comparison: list[TruthRow]


@dataclass(frozen=True)
class TruthRow:
    """One article the replica changed, next to what the monitor recorded for it."""

    article_id: int
    expected: str
    found: str
    verdict: str  # match, mismatch, or "not checked" (a new story waits for the next monitor)


def compare_with_truth(truth: list[dict], detected: dict[int, list[str]]) -> list[TruthRow]:
    """Per article: the replica's change against the change kinds the warehouse recorded.

    Detected changes the replica never made are listed too, as mismatches (false alarms)."""
    rows = []
    for record in truth:
        article_id, kind = record["article_id"], record["kind"]
        found = detected.get(article_id, [])
        shown = ", ".join(found) or "no change row"
        if kind == "new":
            rows.append(TruthRow(article_id, "new", shown, "not checked"))
            continue
        expected = _EXPECTED_KIND.get(kind, kind)
        ok = found == ([expected] if expected else [])
        fields = f" ({', '.join(record['fields'])})" if record.get("fields") else ""
        rows.append(TruthRow(article_id, kind + fields, shown, "match" if ok else "mismatch"))
    changed = {record["article_id"] for record in truth}
    for article_id, found in sorted(detected.items()):
        if article_id not in changed:
            rows.append(TruthRow(article_id, "no change", ", ".join(found), "mismatch"))
    return rows


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
    from flows.run_context import counts_of

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
                first = counts_of(asyncio.run(monitor()))
            console.print(f"    monitor loaded {first['new']} new article(s)")
            records = site.advance()
            truth = _count_kinds(records)
            console.print(f"[bold]3.[/] the site's timeline advanced one step: {truth}")
            with console.status("recheck: re-fetching every article…"):
                second = counts_of(asyncio.run(recheck(ahead_minutes=RECHECK_EVERYTHING_MINUTES)))
            found = {k: second[k] for k in _SHOWN_COUNTS if second[k]}
            console.print(f"[bold]4.[/] recheck found: {found}")
            comparison = _show_changes(console, db_path, records)
            console.print(
                f"\nPrefect UI (while a server runs): {ui_url(api_url)} → Runs, Artifacts"
            )
    _show_queries(console, db_path, comparison)
    return DemoResult(first["new"], found, truth, db_path, comparison)


def _count_kinds(records: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["kind"]] = counts.get(record["kind"], 0) + 1
    return counts


def _show_changes(console: Console, db_path: Path, truth: list[dict]) -> list[TruthRow]:
    """Every change recorded, every edit's word diff, then the per-article check."""
    with open_readonly(db_path) as con:
        rows = con.execute(
            "SELECT article_id, kind, title_after, url FROM article_changes "
            "WHERE kind <> 'new' ORDER BY detected_at, change_id"
        ).fetchall()
        console.print(f"[bold]5.[/] {len(rows)} change(s) recorded by recheck:")
        for article_id, kind, title, url in rows:
            console.print(Text(f"  {kind:>9} {article_id} {title or ''}  {url}"), soft_wrap=True)
        edits = [r[0] for r in rows if r[1] == "edit"]
        console.print(f"[bold]6.[/] word diffs of all {len(edits)} edit(s):")
        for article_id in edits:
            request = version_diff(con, article_id)
            if console.is_terminal:
                console.print(render_term(request.diff, request.header))
            else:  # piped or logged: colours are gone, the [-old-]{+new+} markers stay
                console.print(Text(render_text(request.diff, request.header)), soft_wrap=True)
    detected: dict[int, list[str]] = {}
    for article_id, kind, _, _ in rows:
        detected.setdefault(article_id, []).append(kind)
    comparison = compare_with_truth(truth, detected)
    table = Table(title="7. the replica's ground truth, article by article")
    for column in ("article", "the replica did", "the monitor recorded", "verdict"):
        table.add_column(column)
    for row in comparison:
        style = {"match": "green", "mismatch": "bold red"}.get(row.verdict, "dim")
        table.add_row(str(row.article_id), row.expected, row.found, Text(row.verdict, style))
    console.print(table)
    verdicts = _count_kinds([{"kind": row.verdict} for row in comparison])
    console.print(f"    verdicts: {verdicts}")
    return comparison


def _show_queries(console: Console, db_path: Path, comparison: list[TruthRow]) -> None:
    """Commands that work as printed: the demo's database is not the default one."""
    example = next((r.article_id for r in comparison if r.expected.startswith("edit")), None)
    article = str(example) if example is not None else "ID"
    lines = [
        f"liputan6-monitor changes --since 24h --db {db_path}",
        f"liputan6-monitor history {article} --db {db_path}",
        f"liputan6-monitor diff {article} --db {db_path}",
        f'liputan6-monitor sql --db {db_path} "{SQL_EXAMPLE}"',
    ]
    console.print(f"\n[bold]where to look[/] (this demo's database is {db_path}):")
    for line in lines:
        console.print(Text(f"  {line}"), soft_wrap=True)

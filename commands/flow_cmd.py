"""`run`, `serve`, `demo`, `reparse`, `backfill`: the commands that start Prefect flow runs."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from commands.options import DbOption

if TYPE_CHECKING:
    from prefect.states import State

console = Console(stderr=True)

BaseUrl = Annotated[
    str | None, typer.Option("--base-url", help="Site or mirror to monitor (LIPUTAN6_BASE_URL).")
]
LogDir = Annotated[Path, typer.Option(help="Where a local Prefect server started for it logs.")]


def _export(base_url: str | None, db: Path | None) -> None:
    """Flags become environment settings, so flow runs in child processes see them too."""
    if base_url:
        os.environ["LIPUTAN6_BASE_URL"] = base_url
    if db:
        os.environ["LIPUTAN6_DB_PATH"] = str(db)


def _print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title, show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key, str(value))
    console.print(table)


def run(
    base_url: BaseUrl = None,
    url: Annotated[
        list[str] | None, typer.Option("--url", help="Check only these article URLs.")
    ] = None,
    db: DbOption = None,
    limit: Annotated[int | None, typer.Option(help="At most this many new articles.")] = None,
    log_dir: LogDir = Path("data/logs"),
) -> None:
    """One monitor pass now (plus the due recheck), as Prefect flow runs.

    Uses PREFECT_API_URL when set, else the server of a `serve` running with the same
    PREFECT_HOME, else a local Prefect server (as `serve` does) for the run.
    Exits 1 when a run fails (site unreachable, too many failed fetches, extraction health), 2
    when a --url cannot be checked (before anything starts).
    """
    from config.settings import Settings
    from flows.lifecycle import managed_children
    from flows.local_server import prefect_api
    from flows.monitor_flow import monitor, url_problem
    from flows.recheck_flow import recheck
    from warehouse.queries import database_problem

    _export(base_url, db)
    settings = Settings()
    problems = [p for u in url or [] if (p := url_problem(u, settings))]
    if problems:
        for problem in problems:
            console.print(Text(f"error: --url {problem}", style="red"), soft_wrap=True)
        raise typer.Exit(2)
    db_problem = database_problem(settings.db_path)
    if db_problem:
        console.print(Text(f"error: {db_problem}", style="red"), soft_wrap=True)
        raise typer.Exit(1)
    with managed_children(), prefect_api(log_dir / "prefect-server.log", join=True):
        failed = not _run_flow("monitor", lambda: monitor(urls=url or None, limit=limit))
        if not url:
            failed = not _run_flow("recheck", recheck) or failed  # due rechecks run all the same
    if failed:
        raise typer.Exit(1)


def _run_flow(name: str, start: Callable[[], Coroutine[Any, Any, dict[str, int] | State]]) -> bool:
    """Run one flow and print its counts; a failed run prints its one-line reason (False)."""
    from flows.run_context import counts_of
    from flows.run_verdict import RunFailed

    with console.status(f"{name}: running…"):
        try:
            counts = counts_of(asyncio.run(start()))
        except RunFailed as failure:
            _print_counts(f"{name} (failed)", failure.counts)
            console.print(Text(f"{name} run failed: {failure}", style="bold red"), soft_wrap=True)
            return False
    _print_counts(name, counts)
    return True


def serve(
    base_url: BaseUrl = None,
    db: DbOption = None,
    log_dir: LogDir = Path("data/logs"),
    port: Annotated[
        int | None, typer.Option(help="Local Prefect server port (default 4200 if free).")
    ] = None,
) -> None:
    """Run all deployments on their schedules in this process (monitor at start, then every
    10 min; recheck every 15 min; see prefect.yaml).

    Starts a local Prefect server first when PREFECT_API_URL is unset; Ctrl-C or SIGTERM pauses
    the deployments, then stops both.
    """
    from flows.lifecycle import managed_children
    from flows.serving import serve_forever

    _export(base_url, db)
    with managed_children():
        serve_forever(
            log_dir,
            lambda line: console.print(line, highlight=False, markup=False, soft_wrap=True),
            port=port,
        )


def reparse(
    db: DbOption = None,
    article_id: Annotated[
        list[int] | None, typer.Option("--id", help="Only these article ids.")
    ] = None,
) -> None:
    """Re-run the current parser over stored raw pages; differences become parser_change."""
    from flows.reparse_flow import reparse as reparse_flow
    from flows.run_context import counts_of

    _export(None, db)
    counts = counts_of(asyncio.run(reparse_flow(article_ids=article_id or None)))
    _print_counts("reparse", counts)


def backfill(
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: today).")] = None,
    base_url: BaseUrl = None,
    db: DbOption = None,
    channel: Annotated[list[str] | None, typer.Option(help="Only these channels.")] = None,
) -> None:
    """Load the articles of a date range through the site's date-index pages."""
    from flows.backfill_flow import backfill as backfill_flow
    from flows.run_context import counts_of

    _export(base_url, db)
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end) if end else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    counts = counts_of(asyncio.run(backfill_flow(start=first, end=last, channels=channel or None)))
    _print_counts("backfill", counts)


def demo(
    articles: Annotated[int, typer.Option(help="Articles on the sample site.")] = 60,
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its files.")] = Path(
        "data/demo"
    ),
) -> None:
    """Offline tour: sample site + local Prefect server, monitor, one edit step, recheck, diffs."""
    from flows.demo import run_demo
    from flows.lifecycle import managed_children

    with managed_children():
        result = run_demo(workdir, Console(), articles=articles)
    console.print(
        f"[bold green]demo complete:[/] {result.articles_loaded} articles loaded, "
        f"changes found {result.changes_found}, site truth {result.truth}; "
        f"database {result.db_path}"
    )


def register(app: typer.Typer) -> None:
    for command in (run, serve, demo, reparse, backfill):
        app.command()(command)

"""`liputan6-monitor publish DIR`: the warehouse's changes as a static site with Atom feeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from commands.options import DbOption, LiveOption, db_path
from config.settings import Settings
from publishing import PublishOptions, SiteBusy, publish_site
from publishing.labels import Language
from warehouse.locking import DatabaseLocked
from warehouse.queries import WarehouseMissing


def publish(
    directory: Annotated[Path, typer.Argument(help="Folder to write the site into.")],
    days: Annotated[
        int | None, typer.Option(min=1, help="Days on the index (default: LIPUTAN6_PUBLISH_DAYS).")
    ] = None,
    lang: Annotated[
        Language | None,
        typer.Option(help="Language of the labels (default: LIPUTAN6_PUBLISH_LANG)."),
    ] = None,
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Write (or bring up to date) a static site and Atom feeds of every change."""
    settings = Settings()
    options = PublishOptions.from_settings(settings, days=days, lang=lang.value if lang else None)
    try:
        report = publish_site(db_path(db), directory, options, live=live)
    except (WarehouseMissing, DatabaseLocked, SiteBusy) as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    Console(stderr=True).print(f"{directory}: {report.line()}")


def register(app: typer.Typer) -> None:
    app.command()(publish)

"""`publish-snapshot` and `export`: the read snapshot on demand, Parquet for other tools."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from commands.options import DbOption, LiveOption, db_path
from commands.reading import failures, read_only


def publish(
    db: DbOption = None,
) -> None:
    """Publish the read snapshot now (each load does it already; this catches up by hand)."""
    from warehouse.snapshot import publish as publish_snapshot

    path = db_path(db)
    with failures(path):
        publication = publish_snapshot(path)
    Console().print(Text(publication.line()))
    if not publication.published:
        raise typer.Exit(2)


def export(
    target: Annotated[
        str, typer.Argument(help="Folder, or an fsspec URL such as s3://bucket/liputan6.")
    ],
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Write the public views as month-partitioned Parquet; only changed months are rewritten."""
    from warehouse.export import export as export_views
    from warehouse.snapshot import snapshot_info

    path = db_path(db)
    with read_only(db, live) as con:
        info = None if live else snapshot_info(path)
        note = (
            f"read snapshot of {path.name}, last load {info['last_loaded_at']:%Y-%m-%d %H:%M} UTC"
            if info and info["last_loaded_at"]
            else f"{path.name}"
        )
        report = export_views(con, target, note)
    written = ", ".join(f"{view} {len(months)}" for view, months in report.written.items())
    Console().print(
        f"{target}: {report.partitions_written} partition(s) written ({written or 'none'}), "
        f"{report.partitions_removed} removed, {report.rows} rows, {report.seconds:.2f} s "
        f"(months found from {report.basis})"
    )


def register(app: typer.Typer) -> None:
    app.command("publish-snapshot")(publish)
    app.command()(export)

"""How every read command opens the warehouse and fails: one place, so that a missing, locked or
broken file gives the same one-line error and exit 1 from `history` as from `topics` or `export`,
never a traceback (`export` and `topics` once crashed on a file that was not DuckDB)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NoReturn

import duckdb
import typer
from rich.console import Console
from rich.text import Text

from commands.options import db_path
from warehouse.history import NotFound
from warehouse.locking import DatabaseLocked
from warehouse.queries import WarehouseMissing, first_line
from warehouse.snapshot import open_read


def fail(message: str) -> NoReturn:
    """One line on stderr, exit 1: a wrong path or a broken file is not a crash."""
    Console(stderr=True).print(Text(f"error: {message}", style="red"), soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def failures(path: Path) -> Iterator[None]:
    """What goes wrong with the warehouse at `path` inside the block ends the command through
    `fail`, DuckDB's own words first: the failing statement may read it or write elsewhere."""
    try:
        yield
    except (WarehouseMissing, DatabaseLocked, NotFound) as error:
        fail(str(error))
    except duckdb.Error as error:
        fail(f"{first_line(error)} (warehouse {path})")


@contextmanager
def read_only(
    db: Path | None, live: bool = False, shared: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The `--db` warehouse (its read snapshot unless `live`), opened read-only; what goes wrong
    while opening or reading it ends the command through `fail`."""
    path = db_path(db)
    with ExitStack() as held:
        try:
            con = held.enter_context(open_read(path, live=live, shared=shared))
        except (WarehouseMissing, DatabaseLocked) as error:
            fail(str(error))
        except duckdb.Error as error:
            fail(f"{path} is not a readable DuckDB database: {first_line(error)}")
        with failures(path):
            yield con

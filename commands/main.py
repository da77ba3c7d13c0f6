"""The `liputan6-monitor` command: one typer app, each command group registered from its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="liputan6-monitor",
    help="Monitor Liputan6.com: every version of every article, in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

from commands import topics_cmd  # noqa: E402

topics_cmd.register(app)

from commands import parse_cmd  # noqa: E402

parse_cmd.register(app)

from commands import warehouse_cmd  # noqa: E402

warehouse_cmd.register(app)

"""The `liputan6-monitor` command: one typer app, each command group registered from its module."""

from __future__ import annotations

import typer

from commands import (
    flow_cmd,
    parse_cmd,
    publish_cmd,
    site_cmd,
    snapshot_cmd,
    topics_cmd,
    warehouse_cmd,
)

app = typer.Typer(
    name="liputan6-monitor",
    help="Monitor Liputan6.com: every version of every article, in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (parse_cmd, flow_cmd, warehouse_cmd, topics_cmd, snapshot_cmd, site_cmd, publish_cmd):
    module.register(app)

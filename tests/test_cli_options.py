"""Options the commands share: one time-window syntax and one `--db`, in every command."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from commands.main import app
from commands.options import parse_duration

runner = CliRunner()
WINDOW_COMMANDS = ("changes", "topics")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        (" 7d ", timedelta(days=7)),
        ("2W", timedelta(weeks=2)),
        ("90 m", timedelta(minutes=90)),
    ],
)
def test_window_syntax(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0h", "7 days", "1y", "-1d", "", "1.5h", "h"])
def test_bad_window_is_a_usage_error(text: str) -> None:
    with pytest.raises(typer.BadParameter, match="unit m, h, d or w"):
        parse_duration(text)


@pytest.mark.parametrize("command", WINDOW_COMMANDS)
@pytest.mark.parametrize(("since", "exit_code"), [("30m", 1), ("2w", 1), ("0d", 2), ("1y", 2)])
def test_every_window_command_reads_since_alike(
    tmp_path: Path, command: str, since: str, exit_code: int
) -> None:
    """A good window gets as far as the (missing) database, exit 1; a bad one is refused, exit 2."""
    result = runner.invoke(app, [command, "--since", since, "--db", str(tmp_path / "none.duckdb")])

    assert result.exit_code == exit_code, result.output
    if exit_code == 1:
        assert "no warehouse database" in result.output


def test_db_option_is_the_same_everywhere() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    helps = {
        name: getattr(param, "help", None)
        for name, command in group.commands.items()
        for param in command.params
        if "--db" in param.opts
    }

    assert {"run", "serve", "history", "changes", "topics", "export", "publish"} <= set(helps)
    assert len(set(helps.values())) == 1, helps


def test_the_command_line_loads_without_prefect() -> None:
    """`query`, `diff`, `topics` and the rest start in half a second: Prefect (a second of imports)
    and the flows are loaded only by the commands that orchestrate."""
    code = "import sys, commands.main; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "'prefect'" not in loaded
    assert "'flows'" not in loaded

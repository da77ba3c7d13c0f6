"""Options that take a fixed set of values are Enums, so typer itself refuses anything else: a
usage error (exit 2) that names every choice, before the command runs, and never a traceback.
`topics --source bogus` used to die with an AttributeError from a misused `BadParameter`."""

from __future__ import annotations

import os
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from commands.main import app
from commands.parse_cmd import OutputFormat
from commands.publish_cmd import Language
from commands.topics_cmd import TopicSource
from commands.warehouse_cmd import DiffFormat, TableFormat
from config.settings import Settings
from parsers.models import TopicTag
from publishing.labels import Labels

REPO = Path(__file__).resolve().parents[1]
CLI = "from commands.main import app; app()"  # the console script's entry point
runner = CliRunner(env={"COLUMNS": "200"})  # wide enough that the error box does not wrap

# (the command and its required arguments, the option, its Enum)
CHOICE_OPTIONS: list[tuple[list[str], str, type[StrEnum]]] = [
    (["topics"], "--source", TopicSource),
    (["publish", "site"], "--lang", Language),
    (["diff", "1"], "--format", DiffFormat),
    (["sql", "SELECT 1"], "--format", TableFormat),
    (["parse", "-"], "--format", OutputFormat),
]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("command", "option", "choices"),
    CHOICE_OPTIONS,
    ids=[f"{command[0]} {option}" for command, option, _ in CHOICE_OPTIONS],
)
def test_a_value_outside_the_choices_is_a_usage_error_naming_them(
    command: list[str],
    option: str,
    choices: type[StrEnum],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # had the command run, whatever it wrote would land here
    result = runner.invoke(app, [*command, option, "bogus"], input="")

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # typer's usage exit, not a crash
    output = _flat(result.output)
    assert f"Invalid value for '{option}'" in output
    assert "'bogus' is not one of" in output
    for choice in choices:
        assert f"'{choice.value}'" in output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []  # refused before the command ran


@pytest.mark.parametrize(
    ("command", "option", "choices"),
    CHOICE_OPTIONS,
    ids=[f"{command[0]} {option}" for command, option, _ in CHOICE_OPTIONS],
)
def test_help_lists_the_choices(command: list[str], option: str, choices: type[StrEnum]) -> None:
    result = runner.invoke(app, [command[0], "--help"])

    assert result.exit_code == 0, result.output
    assert "|".join(choice.value for choice in choices) in result.output


def test_topics_source_bogus_from_the_installed_command_line() -> None:
    """The reported crash, through a real process: a usage message on stderr, exit 2."""
    completed = subprocess.run(
        [sys.executable, "-c", CLI, "topics", "--source", "bogus"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
        cwd=REPO,
        check=False,
    )

    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "AttributeError" not in completed.stderr
    stderr = _flat(completed.stderr)
    assert "Invalid value for '--source'" in stderr
    assert all(f"'{source.value}'" in stderr for source in TopicSource)


def test_every_topic_source_is_accepted(tmp_path: Path) -> None:
    """Each choice gets past option parsing and reaches the database (missing here: exit 1)."""
    for source in TopicSource:
        result = runner.invoke(
            app, ["topics", "--source", source.value, "--db", str(tmp_path / "none.duckdb")]
        )
        assert result.exit_code == 1, result.output
        assert "no warehouse database" in result.output


def test_the_choices_are_the_values_the_rest_of_the_code_uses() -> None:
    tag_sources = get_args(TopicTag.model_fields["source"].annotation)
    assert {source.value for source in TopicSource} == set(tag_sources)
    setting_languages = get_args(Settings.model_fields["publish_lang"].annotation)
    assert {language.value for language in Language} == set(setting_languages)
    for language in Language:
        assert Labels(language.value).lang == language.value

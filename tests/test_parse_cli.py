"""The `parse` and `links` commands, run through the real typer app and the installed script."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commands.main import app

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
runner = CliRunner()
KEYS = [
    "article_id",
    "canonical_url",
    "channel",
    "category",
    "type",
    "title",
    "description",
    "authors",
    "editors",
    "published_at",
    "modified_at",
    "tags",
    "pages",
    "body",
    "captions",
    "parser_version",
    "rules_fired",
]


def test_parse_prints_the_article_as_json() -> None:
    result = runner.invoke(app, ["parse", str(FIXTURES / "desktop_multipage.html")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == KEYS
    assert data["article_id"] == 5512345
    assert data["published_at"] == "2024-03-05T09:30:00+07:00"
    assert data["pages"][1] == {
        "title": "Bibit dari Pemerintah Kota",
        "paragraphs": data["pages"][1]["paragraphs"],
    }
    assert data["rules_fired"]["baca_juga"] == 1


def test_parse_reads_standard_input_and_uses_the_url_option() -> None:
    html = (FIXTURES / "redesign.html").read_text().replace('rel="canonical"', 'rel="x"')
    url = "https://m.liputan6.com/bola/read/6200001/timnas"
    result = runner.invoke(app, ["parse", "-", "--url", url], input=html)
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.stdout)["canonical_url"]
        == "https://www.liputan6.com/bola/read/6200001/timnas"
    )


def test_parse_text_format() -> None:
    result = runner.invoke(
        app, ["parse", str(FIXTURES / "mobile_multipage.html"), "--format", "text"]
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Harga Cabai Naik Jelang Ramadan"
    assert "authors: Siti Rahma" in lines
    assert "Pemerintah Siapkan Operasi Pasar" in lines


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["parse", str(FIXTURES / "channel_page.html")], 3, "not an article"),
        (["parse", str(FIXTURES / "plain_page.html")], 3, "not an article"),
        (["parse", "-"], 4, "parse error"),
        (["parse", "/nonexistent/page.html"], 2, "cannot read"),
    ],
)
def test_parse_exit_codes_with_one_line_messages(args, code, message) -> None:
    result = runner.invoke(app, args, input="")
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_links_prints_json_lines() -> None:
    result = runner.invoke(app, ["links", str(FIXTURES / "channel_page.html")])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {
            "url": "https://www.liputan6.com/news/read/5700001/a",
            "article_id": 5700001,
            "title": "Artikel A",
            "published_at": None,
        }
    ]


def test_installed_console_script_exit_code() -> None:
    script = shutil.which("liputan6-monitor")
    if script is None:
        pytest.skip("console script not installed (pip install -e .)")
    done = subprocess.run(
        [script, "parse", str(FIXTURES / "channel_page.html")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3
    assert done.stderr.startswith("not an article")

"""The DuckDB 1.x CLI from PyPI (`duckdb-cli`, in the test extra) as an outside reader.

No tests here; test_snapshot*.py import these helpers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

README = Path(__file__).parent.parent.parent / "README.md"
README_QUERIES = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def duckdb_cli() -> str:
    """The `duckdb` executable installed next to this Python (the test extra installs it)."""
    beside = Path(sys.executable).parent / "duckdb"
    found = str(beside) if beside.is_file() else shutil.which("duckdb")
    if found is None:
        pytest.skip('the DuckDB CLI is missing: pip install -e ".[test]" installs duckdb-cli')
    return found


def cli_version(cli: str) -> str:
    return subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout


def run_cli(cli: str, path: Path, sql: str) -> subprocess.CompletedProcess[str]:
    """One read-only CLI session running `sql`, as a user would from a shell."""
    return subprocess.run(
        [cli, "-readonly", "-csv", str(path)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def held_open(cli: str, path: Path) -> Iterator[subprocess.Popen[str]]:
    """A CLI session that keeps `path` open read-only until the block ends, like a journalist's."""
    process = subprocess.Popen(
        [cli, "-readonly", str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("SELECT count(*) FROM latest_articles;\n.print HELD\n")
    process.stdin.flush()
    seen = []
    for line in process.stdout:
        seen.append(line)
        if line.strip() == "HELD":
            break
    assert seen and seen[-1].strip() == "HELD", "".join(seen)
    try:
        yield process
    finally:
        process.stdin.close()
        process.wait(timeout=30)

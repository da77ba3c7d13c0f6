"""A Prefect SQLite database already at the schema head, built once per test session.

A Prefect server on an empty SQLite file spends most of its start-up (about 16 of 26 s here) running
migrations. The workers' test servers (support/worker_server.py) and the CLI launches that start
their own server get a copy of one migrated file instead. A user's first start, on a fresh
PREFECT_HOME that must migrate, stays covered: test_serve_browser.py leaves its home unseeded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import prefect
import pytest
from filelock import FileLock

# The file name Prefect's own default gives the database under PREFECT_HOME.
HOME_DATABASE = "prefect.db"


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary root, shared by every pytest-xdist worker of this run."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


def migrated_database(shared: Path) -> Path:
    """The migrated file, built by whichever worker asks first while the others wait."""
    target = shared / f"prefect-{prefect.__version__}-migrated.db"
    with FileLock(f"{target}.lock"):
        if not target.exists():
            building = target.with_suffix(".building")
            building.unlink(missing_ok=True)
            env = {
                **os.environ,
                "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{building}",
            }
            subprocess.run(
                [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
                env=env,
                check=True,
                capture_output=True,
                timeout=600,
            )
            building.rename(target)
    return target


def seed_home(home: Path, database: Path) -> Path:
    """`home` as a PREFECT_HOME whose database is already migrated."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / HOME_DATABASE).exists():
        shutil.copyfile(database, home / HOME_DATABASE)
    return home

"""A Prefect SQLite database already at the schema head, built once per test session.

A Prefect server on an empty SQLite file spends most of its start-up (about 16 of 26 s here) running
migrations. The session's harness servers and the CLI launches that start their own server get a
copy of one migrated file instead. A user's first start, on a fresh PREFECT_HOME that must
migrate, stays covered: test_serve_browser.py leaves its home unseeded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import prefect
import pytest
from filelock import FileLock

# The file name Prefect's own default gives the database under PREFECT_HOME.
HOME_DATABASE = "prefect.db"
# The file name `prefect_test_harness` gives its database in the folder it makes.
HARNESS_DATABASE = "prefect-test.db"


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


@contextlib.contextmanager
def premigrated_harness(database: Path) -> Iterator[None]:
    """Prefect's own `prefect_test_harness`, whose temporary folder gets a copy of `database`
    under the name the harness gives its database; nothing else of the harness is replaced."""
    import prefect.testing.utilities as harness

    def premigrated_folder() -> str:
        folder = tempfile.mkdtemp()
        shutil.copyfile(database, Path(folder) / HARNESS_DATABASE)
        return folder

    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(harness, "mkdtemp", premigrated_folder)
            stack.enter_context(harness.prefect_test_harness(server_startup_timeout=300))
        yield


def seed_home(home: Path, database: Path) -> Path:
    """`home` as a PREFECT_HOME whose database is already migrated."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / HOME_DATABASE).exists():
        shutil.copyfile(database, home / HOME_DATABASE)
    return home

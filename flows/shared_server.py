"""A note in PREFECT_HOME saying where `serve`'s local Prefect server listens, for `run`.

Without it, `liputan6-monitor run` started while `serve` is up started a Prefect server of its own
on the same SQLite database: two servers, each with its services, writing one file, a few seconds
and CPU-seconds more per run, and "View at" links to a server that is gone once `run` exits.
`serve` writes this note when it starts its server and removes it when it stops; `run` reads it,
and local_server decides whether the server it names is still that one.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from prefect.settings import get_current_settings

log = logging.getLogger(__name__)

NOTE = "liputan6-local-server.json"


def _note() -> Path:
    return Path(get_current_settings().home) / NOTE


def _database() -> str:
    """The Prefect database this process would use: a server on another one is no use to it."""
    url = get_current_settings().server.database.connection_url
    return url.get_secret_value() if url is not None else ""


def advertise(api_url: str, pid: int) -> None:
    """Written whole (a temporary file renamed), so a reader never sees half a note."""
    note = _note()
    note.parent.mkdir(parents=True, exist_ok=True)
    tmp = note.with_name(f".{note.name}.{os.getpid()}")
    tmp.write_text(json.dumps({"api_url": api_url, "pid": pid, "database": _database()}))
    os.replace(tmp, note)


def withdraw(pid: int) -> None:
    """Only our own note: a later `serve` of the same home may have written its own since."""
    found = advertised()
    if found is not None and found[1] == pid:
        _note().unlink(missing_ok=True)


def advertised() -> tuple[str, int] | None:
    """(API URL, server PID) from the note, when there is one for this process's database."""
    try:
        found = json.loads(_note().read_text())
        api_url, pid, database = str(found["api_url"]), int(found["pid"]), found["database"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring an unreadable %s: %s", _note(), exc)
        return None
    return (api_url, pid) if database == _database() else None

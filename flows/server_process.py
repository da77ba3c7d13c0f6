"""The local Prefect server's process: `prefect server start`, dying with the CLI that started it.

Importing `flows` sets that up (flows.lifecycle.die_with_parent) before Prefect's server imports,
which take seconds; the server then runs in this process, as `prefect server start` runs it.
"""

from __future__ import annotations

import sys

from flows.lifecycle import die_with_parent


def main(argv: list[str]) -> None:
    die_with_parent()
    from prefect.cli import app

    sys.argv = ["prefect", "server", "start", *argv]
    app()


if __name__ == "__main__":
    main(sys.argv[1:])

"""Monitor and recheck flow runs, each in a forked process, for test_crash_safety.py to SIGKILL.

The driver imports the flows once and then forks one child per run it is asked for: importing
Prefect and the flows took 3-6 s of every run, longer than many of the runs themselves. A child is
a whole run in a process of its own, killed as a deployed run would be; nothing of the flows has
run in the driver before the fork (no thread, no event loop, no open database), only the topic
taxonomy was read.

Protocol, one line each way: `run <json>` (flow, log path, environment overrides) is answered with
the child's pid; `wait <pid> <timeout>` with its exit status (negative: the signal that ended it) or
`running`. Configuration comes from the environment (LIPUTAN6_*, PREFECT_API_URL), exactly as a
deployed run gets it; a run prints its counts as JSON on the last line of its log when it completes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import traceback

from flows.monitor_flow import monitor
from flows.recheck_flow import recheck
from parsers.taxonomy import default_taxonomy

EVERYTHING_DUE = 60 * 24 * 400


def run(flow: str) -> dict[str, int]:
    if flow == "monitor":
        return asyncio.run(monitor())
    if flow == "recheck":
        return asyncio.run(recheck(ahead_minutes=EVERYTHING_DUE))
    raise SystemExit(f"unknown flow {flow!r}: expected monitor or recheck")


def child(request: dict, log: int) -> None:
    """In the forked process: the run, with its output in `log`; never returns."""
    code = 1
    try:
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.environ.update(request["env"])
        print(json.dumps(run(request["flow"])), flush=True)
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# Exit statuses of the runs already reaped: a status is asked for again after a poll reaped it.
ENDED: dict[int, str] = {}


def exit_status(pid: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while pid not in ENDED:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            ENDED[pid] = str(os.waitstatus_to_exitcode(status))
        elif time.monotonic() >= deadline:
            return "running"
        else:
            time.sleep(0.02)
    return ENDED[pid]


def main() -> None:
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "run":
            request = json.loads(argument)
            # Opened before the fork: the log exists once its pid is answered.
            log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            pid = os.fork()
            if pid == 0:
                child(request, log)
            os.close(log)
            answer = str(pid)
        elif command == "wait":
            pid, timeout = argument.split()
            answer = exit_status(int(pid), float(timeout))
        else:
            answer = f"error: unknown command {command!r}"
        print(answer, flush=True)


if __name__ == "__main__":
    default_taxonomy()  # read and stemmed once too: 0.3 s of every run, like the imports
    main()

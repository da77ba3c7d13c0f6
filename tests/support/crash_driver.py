"""One monitor or recheck flow run in its own process, for test_crash_safety.py to SIGKILL.

Configuration comes from the environment (LIPUTAN6_*, PREFECT_API_URL), exactly as a deployed
run gets it; the counts are printed as JSON on the last line when the run completes.
"""

from __future__ import annotations

import asyncio
import json
import sys

from flows.monitor_flow import monitor
from flows.recheck_flow import recheck

EVERYTHING_DUE = 60 * 24 * 400


def main(flow: str) -> None:
    if flow == "monitor":
        counts = asyncio.run(monitor())
    elif flow == "recheck":
        counts = asyncio.run(recheck(ahead_minutes=EVERYTHING_DUE))
    else:
        raise SystemExit(f"unknown flow {flow!r}: expected monitor or recheck")
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

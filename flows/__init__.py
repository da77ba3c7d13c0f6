"""Orchestration and network: the Prefect flows and everything they run.

A process started by the CLI (Prefect's flow-run processes, the local server) imports this package
first, so it dies with the CLI even when the CLI is killed with SIGKILL (see flows.lifecycle).
"""

from flows.lifecycle import die_with_parent

die_with_parent()

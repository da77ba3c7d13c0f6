"""Run-time configuration shared by the flows and the CLI.

A package of its own, outside `flows`, so that commands needing only a setting (the database path)
do not import the orchestration package and everything it starts.
"""

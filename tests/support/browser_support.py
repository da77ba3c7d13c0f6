"""Headless Chromium from Debian's package for the tests a person would look at: where it is, and
the flags that keep it off this machine's closed network."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    """The browser binary, or a skip (a fail under CI=true) naming what is missing."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (pip install -e '.[test]')")
    binary = (
        os.environ.get("LIPUTAN6_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if binary is None:
        missing.append("Chromium (apt-get install chromium, or set LIPUTAN6_CHROMIUM)")
    if missing:
        reason = f"browser test needs {' and '.join(missing)}"
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail(f"{reason}; CI=true makes it mandatory")
        pytest.skip(reason)
    assert binary is not None
    return binary

"""Writing the site's files: atomically, and only when a page's data changed.

Each page is written to a temporary file in its own folder and renamed over the old one, so a web
server serving DIR never sends half a page. A manifest maps every page to a fingerprint of the
data it was rendered from; a page whose fingerprint matches is not rendered again. The manifest
also keeps the builder's `state` (how far the warehouse had got), saved with the pages it
describes.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

MANIFEST = ".publish-manifest.json"
log = logging.getLogger(__name__)


def write_atomic(target: Path, text: str) -> int:
    """Replace `target` with `text` in one rename; returns the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(data)


class SiteFiles:
    """The output folder and its manifest of page fingerprints."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._old, self.state = self._read_manifest()
        self._new: dict[str, str] = {}
        self._saved_state = self.state
        self._listed: dict[Path, set[str]] = {}
        self.written = 0
        self.bytes_written = 0

    def _read_manifest(self) -> tuple[dict[str, str], dict[str, Any]]:
        path = self.root / MANIFEST
        if not path.is_file():
            return {}, {}
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            log.warning("unreadable %s (%s): every page will be written again", path, error)
            return {}, {}
        if not isinstance(found, dict) or not isinstance(found.get("pages"), dict):
            log.warning("%s is not a manifest: every page will be written again", path)
            return {}, {}
        state = found.get("state")
        return found["pages"], state if isinstance(state, dict) else {}

    def is_current(self, path: str, fingerprint: str) -> bool:
        """True when the page on disk was rendered from the same data; it is then kept."""
        if self._old.get(path) == fingerprint and self._exists(self.root / path):
            self._new[path] = fingerprint
            return True
        return False

    def _exists(self, target: Path) -> bool:
        """One directory listing instead of a stat per page: a year has ~500,000 pages."""
        folder = target.parent
        if folder not in self._listed:
            try:
                self._listed[folder] = set(os.listdir(folder))
            except FileNotFoundError:
                self._listed[folder] = set()
        return target.name in self._listed[folder]

    def keep(self, prefix: str) -> None:
        """Keep every page under `prefix` not yet planned, unchecked: the builder knows their
        data did not change (checking each would cost a lookup per article of the archive)."""
        for path, fingerprint in self._old.items():
            if path.startswith(prefix):
                self._new.setdefault(path, fingerprint)

    def write(self, path: str, text: str, fingerprint: str) -> None:
        self.bytes_written += write_atomic(self.root / path, text)
        self.written += 1
        self._new[path] = fingerprint

    def finish(self) -> list[str]:
        """Delete pages that are no longer part of the site, save the manifest; returns the
        deleted paths."""
        gone = sorted(set(self._old) - set(self._new))
        for path in gone:
            (self.root / path).unlink(missing_ok=True)
        if (
            gone
            or self.written
            or self._old.keys() != self._new.keys()
            or self.state != self._saved_state
        ):
            manifest = {"pages": self._new, "state": self.state}
            write_atomic(self.root / MANIFEST, json.dumps(manifest, sort_keys=True))
        return gone

    @property
    def pages(self) -> int:
        return len(self._new)

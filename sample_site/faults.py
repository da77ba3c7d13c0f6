"""Fault injection: which requests fail and how, chosen deterministically per path.

A rule `KIND:PATH_GLOB:RATE[:key=value,...]` affects the share RATE of the paths matching the
glob, picked by hashing the path so the same paths fail on every run; `times=N` makes an
affected path fail its first N requests and then recover, which is what retry tests need.
`hold` answers normally, but only once the fault spec is replaced (or after `delay`, default 300 s).
"""

from __future__ import annotations

import hashlib
import io
import logging
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from typing import Protocol

log = logging.getLogger(__name__)

TRANSPORT_KINDS = frozenset(
    [
        "429",
        "500",
        "503",
        "slow",
        "hold",
        "stall",
        "reset",
        "truncate",
        "oversize",
        "gzip_bomb",
        "redirect_loop",
        "offsite_redirect",
        "wrong_charset",
        "non_html",
        "bot_wall",
    ]
)
RENDER_KINDS = frozenset({"robots_disallow", "offsite_links", "layout_change"})
KINDS = TRANSPORT_KINDS | RENDER_KINDS
OFFSITE_LINKS = (
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/admin",
    "http://127.0.0.1:1/",
    "http://evil.example/news/read/5999999/bukan-liputan6",
    "ftp://evil.example/file.txt",
    "javascript:alert(1)",
)
BOT_WALL_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<h1>Checking your browser before accessing the site</h1>"
    b"<p>Please complete the challenge to continue.</p></body></html>"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class FaultRule:
    kind: str
    glob: str
    rate: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def times(self) -> int | None:
        value = self.param("times")
        return int(value) if value is not None else None

    def param(self, name: str, default: str | None = None) -> str | None:
        return dict(self.params).get(name, default)

    def matches(self, path: str) -> bool:
        """True when `path` is in this rule's glob and in the hashed share RATE of such paths."""
        if not fnmatchcase(path, self.glob):
            return False
        digest = hashlib.sha256(f"{self.kind}:{path}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.rate

    def __str__(self) -> str:
        params = ",".join(f"{k}={v}" for k, v in self.params)
        return f"{self.kind}:{self.glob}:{self.rate:g}" + (f":{params}" if params else "")


@dataclass(frozen=True)
class FaultSpec:
    rules: tuple[FaultRule, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Parse `;`-separated rules; a bad rule is a ValueError naming it, never ignored."""
        rules = []
        for raw in (text or "").split(";"):
            raw = raw.strip()
            if not raw:
                continue
            parts = raw.split(":", 3)
            if len(parts) < 3:
                raise ValueError(f"fault rule {raw!r}: expected KIND:PATH_GLOB:RATE[:k=v,...]")
            kind, glob, rate_text = parts[:3]
            if kind not in KINDS:
                raise ValueError(f"fault rule {raw!r}: unknown kind {kind!r} ({sorted(KINDS)})")
            try:
                rate = float(rate_text)
            except ValueError:
                raise ValueError(
                    f"fault rule {raw!r}: rate {rate_text!r} is not a number"
                ) from None
            if not 0 <= rate <= 1 or not glob.startswith("/"):
                raise ValueError(f"fault rule {raw!r}: rate must be in [0,1], glob start with /")
            params = []
            for item in parts[3].split(",") if len(parts) == 4 else []:
                key, sep, value = item.partition("=")
                if not sep or not key:
                    raise ValueError(f"fault rule {raw!r}: parameter {item!r} is not key=value")
                params.append((key.strip(), value.strip()))
            rules.append(FaultRule(kind, glob, rate, tuple(params)))
        return cls(tuple(rules))

    def __str__(self) -> str:
        return ";".join(str(rule) for rule in self.rules)


@dataclass
class FaultState:
    """The active spec plus per-(rule, path) request counts for `times=N`."""

    spec: FaultSpec = field(default_factory=FaultSpec)
    _counts: dict[tuple[int, str], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _replaced: threading.Event = field(default_factory=threading.Event)

    def replace(self, spec: FaultSpec) -> None:
        with self._lock:
            self.spec = spec
            self._counts.clear()
            self._replaced.set()
            self._replaced = threading.Event()

    def hold(self, stop: threading.Event, seconds: float) -> None:
        """Block until the spec is replaced, the server stops, or `seconds` pass.

        A test that needs a run to stay busy until it has checked something (a second run
        cancelled by the concurrency limit) releases it by replacing the spec, instead of
        guessing a delay long enough on a loaded machine."""
        with self._lock:
            released = self._replaced
        deadline = time.monotonic() + seconds
        while not released.is_set() and not stop.is_set() and time.monotonic() < deadline:
            released.wait(0.1)

    def take(self, path: str) -> list[FaultRule]:
        """Rules that fire for this request (counting it against `times`)."""
        fired = []
        with self._lock:
            for index, rule in enumerate(self.spec.rules):
                if not rule.matches(path):
                    continue
                seen = self._counts.get((index, path), 0)
                self._counts[(index, path)] = seen + 1
                if rule.times is None or seen < rule.times:
                    fired.append(rule)
        return fired

    def robots_disallows(self) -> list[str]:
        """Disallow lines; globs are cut at the first wildcard, robots.txt being prefix-based."""
        lines = []
        for rule in self.spec.rules:
            if rule.kind == "robots_disallow":
                prefix = rule.glob.split("*", 1)[0].split("?", 1)[0]
                lines.append(prefix or "/")
        return lines


class Channel(Protocol):
    """The parts of an HTTP request handler a fault needs to write to the client."""

    connection: socket.socket
    wfile: io.BufferedIOBase
    close_connection: bool

    def send_response(self, code: int, message: str | None = None) -> None: ...
    def send_header(self, keyword: str, value: str) -> None: ...
    def end_headers(self) -> None: ...


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@cache
@cache
def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed (about 1000:1).

    One 1 MiB block is deflated and repeated: a full flush ends it without references to what came
    before, so every copy decodes on its own. Compressing 64 MiB takes a second or more on a busy
    machine, longer than a client's read timeout; the copies take milliseconds.
    """
    chunk = b"\0" * 1_048_576
    whole, rest = divmod(size, len(chunk))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.compress(chunk[:rest]) + deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(whole):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(chunk[:rest], crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, no mtime
    return header + block * whole + tail + struct.pack("<II", crc, size & 0xFFFFFFFF)


def apply(
    rule: FaultRule,
    out: Channel,
    response: Response,
    absolute: Callable[[str], str],
    path: str,
    stop: threading.Event,
) -> int:
    """Answer the request as `rule` says; returns the status logged (0 when none was sent)."""
    kind = rule.kind
    if kind in ("429", "500", "503"):
        extra = [("Retry-After", rule.param("retry_after", "1") or "1")] if kind == "429" else []
        return simple(out, int(kind), f"<h1>{kind}</h1>".encode(), extra)
    if kind == "slow":
        stop.wait(float(rule.param("delay", "2") or 2))
        return send(out, response)
    if kind == "stall":
        head(out, response.status, response.headers, len(response.body))
        out.wfile.flush()
        stop.wait(float(rule.param("delay", "120") or 120))
        out.close_connection = True
        return 0
    if kind == "reset":
        out.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        out.connection.close()
        out.wfile = io.BytesIO()  # the socket is gone; finish() must not write to it
        out.close_connection = True
        return 0
    if kind == "truncate":
        head(out, response.status, response.headers, len(response.body) + 10_000)
        out.wfile.write(response.body[: len(response.body) // 2])
        out.close_connection = True
        return response.status
    if kind == "oversize":
        size = int(rule.param("size", str(8 * 1024 * 1024)) or 0)
        head(out, 200, (("Content-Type", "text/html; charset=utf-8"),), size)
        chunk = b"<!-- " + b"x" * 65_526 + b" -->"
        sent = 0
        while sent < size:
            piece = chunk[: size - sent]
            out.wfile.write(piece)
            sent += len(piece)
        return 200
    if kind == "gzip_bomb":
        body = gzip_bomb(int(rule.param("size", str(64 * 1024 * 1024)) or 0))
        headers: tuple[tuple[str, str], ...] = (
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
        )
        return send(out, Response(200, headers, body))
    if kind == "redirect_loop":
        return simple(out, 302, b"", [("Location", absolute(path))])
    if kind == "offsite_redirect":
        return simple(out, 302, b"", [("Location", rule.param("to", "http://evil.example/") or "")])
    if kind == "wrong_charset":
        if rule.param("mode", "utf8-as-cp1252") == "cp1252-as-utf8":
            body = response.body.decode("utf-8").encode("cp1252", errors="replace")
            declared = "utf-8"
        else:
            body, declared = response.body, "windows-1252"
        headers = tuple((k, v) for k, v in response.headers if k.lower() != "content-type")
        return send(
            out,
            Response(
                response.status,
                (*headers, ("Content-Type", f"text/html; charset={declared}")),
                body,
            ),
        )
    if kind == "bot_wall":
        return simple(out, 403, BOT_WALL_PAGE, [])
    if kind == "non_html":
        return simple(out, 200, PDF_BYTES, [("Content-Type", "application/pdf")])
    raise ValueError(f"fault kind {kind!r} is not a transport fault")


def head(out: Channel, status: int, headers: tuple[tuple[str, str], ...], length: int) -> None:
    out.send_response(status)
    for key, value in headers:
        if key.lower() != "content-length":
            out.send_header(key, value)
    out.send_header("Content-Length", str(length))
    out.end_headers()


def send(out: Channel, response: Response, include_body: bool = True) -> int:
    head(out, response.status, response.headers, len(response.body))
    if include_body:
        out.wfile.write(response.body)
    return response.status


def simple(out: Channel, status: int, body: bytes, headers: list[tuple[str, str]]) -> int:
    """Send `body` as HTML unless `headers` name another Content-Type (sent once, not twice)."""
    named = {key.lower() for key, _ in headers}
    base = [] if "content-type" in named else [("Content-Type", "text/html; charset=utf-8")]
    return send(out, Response(status, (*base, *headers), body))

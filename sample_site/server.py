"""The replica over HTTP/1.1 with keep-alive, on 127.0.0.1 by default, with raw-socket faults."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sample_site import faults
from sample_site.faults import FaultSpec
from sample_site.site import SampleSite

log = logging.getLogger(__name__)
MAX_ADMIN_BODY = 64 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: SampleSite
    stopping: threading.Event

    def handle_error(self, request, client_address) -> None:
        log.warning("sample site: request from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        log.debug("sample site: " + format, *args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._admin("POST")

    def do_DELETE(self) -> None:
        self._admin("DELETE")

    def _serve(self, method: str) -> None:
        site = self.server.site
        arrival = site.arrive()
        if self.path.startswith("/_admin/"):
            self._admin(method, arrival)
            return
        path = urlsplit(self.path).path or "/"
        rules = site.faults.take(path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = site.handle(method, self.path, headers, rules)
        transport = next((r for r in rules if r.kind in faults.TRANSPORT_KINDS), None)
        if transport is not None and transport.kind == "hold":
            site.faults.hold(self.server.stopping, float(transport.param("delay", "300") or 300))
            transport = None
        try:
            if transport is None:
                status = faults.send(self, response, include_body=method != "HEAD")
            else:
                status = faults.apply(
                    transport,
                    self,
                    response,
                    lambda p: site.base_url + p,
                    self.path,
                    self.server.stopping,
                )
        except OSError as exc:  # the client went away mid-response; nothing left to send
            log.info("sample site: %s %s aborted by client: %s", method, self.path, exc)
            self.close_connection = True
            status = 0
        site.log(method, self.path, status, arrival)

    def _admin(self, method: str, arrival: int | None = None) -> None:
        site = self.server.site
        arrival = site.arrive() if arrival is None else arrival
        path = urlsplit(self.path).path
        length = min(int(self.headers.get("Content-Length") or 0), MAX_ADMIN_BODY)
        payload = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if method == "POST" and path == "/_admin/advance":
            response = site.admin_json(site.advance())
        elif method == "GET" and path == "/_admin/truth":
            response = site.admin_json(site.truth())
        elif path == "/_admin/faults" and method in ("POST", "DELETE"):
            try:
                spec = FaultSpec.parse(payload if method == "POST" else "")
            except ValueError as exc:
                response = faults.Response(
                    400, (("Content-Type", "text/plain"),), str(exc).encode()
                )
            else:
                site.set_faults(spec)
                response = site.admin_json({"faults": str(spec)})
        else:
            response = faults.Response(
                404, (("Content-Type", "text/plain"),), b"unknown admin path"
            )
        status = faults.send(self, response)
        site.log(method, self.path, status, arrival)


@dataclass(frozen=True)
class Running:
    base_url: str
    server: ThreadingHTTPServer


@contextmanager
def serve(site: SampleSite, host: str = "127.0.0.1", port: int = 0) -> Iterator[Running]:
    """Serve `site` from a daemon thread; stalled responses are released on exit."""
    server = _Server((host, port), _Handler)
    server.site = site
    server.stopping = threading.Event()
    site.base_url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield Running(site.base_url, server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

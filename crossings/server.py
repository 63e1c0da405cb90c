"""A local web server for the built site, under the same base path as in production.

With a ``DevState`` attached (``serve``), HTML responses get the live-reload
client and, while the last build has problems, an overlay listing them; and
``/__crossings/events`` streams reload messages (Server-Sent Events).
"""

from __future__ import annotations

import html
import json
import mimetypes
import posixpath
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

MIME = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
        ".xml": "application/xml; charset=utf-8", ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
        ".svg": "image/svg+xml", ".ico": "image/x-icon", ".atom": "application/atom+xml; charset=utf-8",
        ".bib": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".webmanifest": "application/manifest+json",
        ".pf_meta": "application/octet-stream", ".pf_index": "application/octet-stream", ".pf_fragment": "application/octet-stream",
        ".jsonz": "application/octet-stream"}
EVENTS = "/__crossings/events"
CLIENT = "/__crossings/reload.js"
HEARTBEAT = 15.0


def resolve(root: Path, base_path: str, url_path: str) -> tuple[str, Path | str | None]:
    """Map a request path to ('file', path) / ('redirect', location) / ('missing', None).

    Nothing outside ``root`` is ever returned: ``..`` (plain or percent-encoded),
    absolute paths, NUL bytes and symbolic links that lead out are all refused.
    """
    path = urlsplit(url_path).path or "/"
    if not path.startswith(base_path):
        if path.rstrip("/") == base_path.rstrip("/") or path == "/":
            return "redirect", base_path
        return "missing", None
    rel = unquote(path[len(base_path):], errors="strict") if "%" in path else path[len(base_path):]
    if "\x00" in rel or "\\" in rel:
        return "missing", None
    normal = posixpath.normpath("/" + rel).lstrip("/")
    if normal in (".", ""):
        normal = ""
    if any(part == ".." for part in rel.split("/")) or normal.startswith(".."):
        return "missing", None
    root = root.resolve()
    target = (root / normal).resolve() if normal else root
    if target != root and root not in target.parents:
        return "missing", None
    if target.is_dir():
        if not path.endswith("/"):
            return "redirect", path + "/"
        target = target / "index.html"
    if target.is_file():
        return "file", target
    return "missing", None


class Hub:
    """The reload stream: every open tab waits here for the next message."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._log: list[tuple[int, dict]] = []
        self._sequence = 0
        self._closed = False

    def publish(self, message: dict) -> None:
        with self._condition:
            self._sequence += 1
            self._log.append((self._sequence, message))
            del self._log[:-50]
            self._condition.notify_all()

    @property
    def count(self) -> int:
        return self._sequence

    def wait(self, seen: int, timeout: float) -> tuple[int, dict | None]:
        """The first message after number ``seen``; (seen, None) on timeout or close."""
        with self._condition:
            self._condition.wait_for(lambda: self._closed or self._sequence > seen, timeout)
            if self._closed:
                return seen, None
            for number, message in self._log:
                if number > seen:
                    return number, message
            return seen, None

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


class DevState:
    """What the dev server adds to the plain one: build number, problems, reload stream."""

    def __init__(self, base_path: str) -> None:
        self.hub = Hub()
        self.build = 0
        self.problems: list[str] = []
        self.base_path = base_path
        self.client = resources.files("crossings").joinpath("assets/reload.js").read_bytes()

    def hello(self) -> dict:
        return {"type": "hello", "build": str(self.build), "base": self.base_path, "problems": self.problems}

    def inject(self, page: bytes) -> bytes:
        """Add the reload client (and the problems overlay) before ``</body>``."""
        tag = (f'<script src="{CLIENT}" data-build="{self.build}" data-base="{html.escape(self.base_path)}"></script>').encode()
        if self.problems:
            tag = self.overlay().encode() + tag
        at = page.rfind(b"</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag

    def overlay(self) -> str:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        count = len(self.problems)
        return (f'<section id="crossings-problems" role="alert" lang="en" dir="ltr" style="position:fixed;left:0;right:0;bottom:0;'
                f'z-index:2147483647;max-height:50vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#fff;'
                f'border-top:4px solid #e5484d;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap">'
                f'<h2 style="margin:0 0 .5rem;font-size:1rem">Crossings: the last build reported {count} problem{"" if count == 1 else "s"}</h2>'
                f'<ul style="margin:0;padding-left:1.2rem">{items}</ul></section>')


class SiteHandler(BaseHTTPRequestHandler):
    """Serves files of the output folder; the server object carries root, base path and dev state."""

    server_version = "Crossings"
    protocol_version = "HTTP/1.1"
    timeout = 30

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        dev = self.server.dev
        path = urlsplit(self.path).path
        if dev is not None and path == EVENTS:
            return self._stream(dev)
        if dev is not None and path == CLIENT:
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", dev.client, body)
        try:
            kind, value = resolve(self.server.root, self.server.base_path, self.path)
        except (UnicodeDecodeError, ValueError, OSError):
            kind, value = "missing", None
        if kind == "redirect":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", str(value))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if kind == "missing":
            status = HTTPStatus.NOT_FOUND
            value = self.server.root / "404.html"
        try:
            data = Path(value).read_bytes()
        except OSError:  # gone between looking and reading (a build swapped the site in)
            status = HTTPStatus.NOT_FOUND
            try:
                data, value = (self.server.root / "404.html").read_bytes(), Path("404.html")
            except OSError:
                data, value = b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body></html>", Path("404.html")
        kind = MIME.get(Path(value).suffix, mimetypes.guess_type(str(value))[0] or "application/octet-stream")
        if dev is not None and kind.startswith("text/html"):
            data = dev.inject(data)
        self._send(status, kind, data, body)

    def _send(self, status: int, kind: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _stream(self, dev: DevState) -> None:
        """Server-Sent Events: a hello, then every message, with a heartbeat to notice departures."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.close_connection = True
        seen = dev.hub.count
        try:
            self._event({"retry": 1000, **dev.hello()})
            while not dev.hub.closed:
                seen, message = dev.hub.wait(seen, HEARTBEAT)
                if message is not None:
                    self._event(message)
                elif not dev.hub.closed:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
        except (ConnectionError, OSError, ValueError):
            return  # the tab went away

    def _event(self, message: dict) -> None:
        self.wfile.write(b"data: " + json.dumps(message).encode() + b"\n\n")
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def log_error(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class SiteServer(ThreadingHTTPServer):
    """One thread per connection; every connection is closed on shutdown, none left behind."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = 256  # the default 5 refuses connections when many tabs reload at once

    def __init__(self, address: tuple[str, int], root: Path, base_path: str, dev: DevState | None = None) -> None:
        self.root = root
        self.base_path = base_path
        self.dev = dev
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        super().__init__(address, SiteHandler)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def handle_error(self, request, client_address) -> None:
        pass  # a client that misbehaves or goes away is not the server's problem

    def close_connections(self) -> None:
        """Shut every open connection, so that the threads serving them end now."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def make_server(root: Path, base_path: str, host: str = "127.0.0.1", port: int = 8000, dev: DevState | None = None) -> SiteServer:
    """A server for ``root`` at ``http://host:port{base_path}``."""
    if ":" in host:
        SiteServer.address_family = socket.AF_INET6
    return SiteServer((host, port), root, base_path, dev)

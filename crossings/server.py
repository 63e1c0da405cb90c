"""A local web server for the built site, under the same base path as in production."""

from __future__ import annotations

import mimetypes
import posixpath
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

MIME = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
        ".xml": "application/xml; charset=utf-8", ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
        ".svg": "image/svg+xml", ".ico": "image/x-icon", ".atom": "application/atom+xml; charset=utf-8",
        ".bib": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".webmanifest": "application/manifest+json"}


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


class SiteHandler(BaseHTTPRequestHandler):
    """Serves files of the output folder; the server object carries root and base path."""

    server_version = "Crossings"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        try:
            kind, value = resolve(self.server.root, self.server.base_path, self.path)
        except (UnicodeDecodeError, ValueError):
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
        except OSError:
            data = b"Not found"
        self.send_response(status)
        self.send_header("Content-Type", MIME.get(Path(value).suffix, mimetypes.guess_type(str(value))[0] or "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path, base_path: str) -> None:
        self.root = root
        self.base_path = base_path
        super().__init__(address, SiteHandler)


def make_server(root: Path, base_path: str, host: str = "127.0.0.1", port: int = 8000) -> SiteServer:
    """A server for ``root`` at ``http://host:port{base_path}``."""
    return SiteServer((host, port), root, base_path)

"""The preview server: a real server on 127.0.0.1, serving only the output folder."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossings.server import make_server, resolve


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "_site"
    (out / "articles" / "a").mkdir(parents=True)
    (out / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (out / "404.html").write_text("<h1>missing</h1>", encoding="utf-8")
    (out / "articles" / "a" / "index.html").write_text("<h1>a</h1>", encoding="utf-8")
    (out / "style.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (out / "leak").symlink_to(tmp_path / "secret.txt")
    (out / "leakdir").symlink_to(tmp_path)
    return out


@pytest.fixture
def server(site: Path) -> Iterator[tuple[str, int]]:
    srv = make_server(site, "/repo/", "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[:2]
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def get(address: tuple[str, int], path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*address, timeout=5)
    conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_root_redirects_to_the_base_path(server) -> None:
    status, headers, _ = get(server, "/")
    assert status == 302 and headers["Location"] == "/repo/"
    status, headers, _ = get(server, "/repo")
    assert status == 302 and headers["Location"] == "/repo/"


def test_pages_and_assets(server) -> None:
    assert get(server, "/repo/")[2] == b"<h1>home</h1>"
    status, headers, body = get(server, "/repo/articles/a/")
    assert (status, headers["Content-Type"], body) == (200, "text/html; charset=utf-8", b"<h1>a</h1>")
    status, headers, _ = get(server, "/repo/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, headers, _ = get(server, "/repo/articles/a")
    assert status == 302 and headers["Location"] == "/repo/articles/a/"
    status, headers, body = get(server, "/repo/", "HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == "13"


@pytest.mark.parametrize("path", [
    "/repo/../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/%2E%2E/%2e%2e/etc/passwd", "/repo/..%2fsecret.txt",
    "/repo/leak", "/repo/leakdir/secret.txt", "/repo//etc/passwd", "/etc/passwd", "/repo/%00", "/repo/a\\..\\..\\secret.txt",
    "/repo/%ff%fe", "/repo/nope/",
])
def test_nothing_outside_the_output_folder(server, path: str) -> None:
    status, _, body = get(server, path)
    assert status == 404 and body == b"<h1>missing</h1>"


def test_resolve_without_sockets(site: Path) -> None:
    assert resolve(site, "/", "/index.html") == ("file", (site / "index.html").resolve())
    assert resolve(site, "/", "/articles/a?x=1") == ("redirect", "/articles/a/")
    assert resolve(site, "/", "/../../etc/passwd") == ("missing", None)

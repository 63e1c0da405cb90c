"""The dev server for real: HTTP and Server-Sent Events on 127.0.0.1, and Chromium watching pages change."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossings.devserver import DevServer
from crossings.server import SiteHandler

from .conftest import FIXTURES, REFERENCE_SEED, REPO, Project

SEEDS = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))
BASE = "/crossings-test/"


@pytest.fixture
def dev(project: Project) -> Iterator[DevServer]:
    for path in SEEDS:
        project.add_seed(path.name, path.read_bytes())
    server = DevServer(project.config(), project.root / "pyproject.toml", {}, port=0, quiet=0.05,
                       out=open("/dev/null", "w"), err=open("/dev/null", "w"))
    server.start()
    yield server
    server.stop()


def settle(server: DevServer, quiet: float = 0.6, timeout: float = 30) -> None:
    """Wait until the server has caught up (search included) and not built for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    count, since = server.builds, time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if server.builds != count or server.catch_up_due:
            count, since = server.builds, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def get(server: DevServer, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


class Stream:
    """A client of the reload stream, reading messages in a thread."""

    def __init__(self, server: DevServer) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.sock.sendall(b"GET /__crossings/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.messages: list[dict] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        buffer = b""
        try:
            while chunk := self.sock.recv(65536):
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    for line in block.split(b"\n"):
                        if line.startswith(b"data: "):
                            self.messages.append(json.loads(line[6:]))
        except OSError:
            pass

    def next(self, kind: str, after: int = 0, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages[after:]:
                if message["type"] == kind:
                    return message
            time.sleep(0.02)
        raise AssertionError(f"no {kind!r} message; got {self.messages}")

    def close(self) -> None:
        self.sock.close()


def test_pages_get_the_client_but_the_site_does_not(dev: DevServer, project: Project) -> None:
    status, headers, body = get(dev, BASE)
    assert status == 200
    assert b'<script src="/__crossings/reload.js" data-build="0" data-base="/crossings-test/"></script></body>' in body
    assert b"__crossings" not in (project.out / "index.html").read_bytes()
    assert all(b"__crossings" not in p.read_bytes() for p in project.out.rglob("*.html"))
    status, headers, body = get(dev, "/__crossings/reload.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and b"EventSource" in body
    assert get(dev, "/")[0] == 302


def test_changes_reach_the_stream(dev: DevServer, project: Project) -> None:
    stream = Stream(dev)
    assert stream.next("hello")["build"] == "0"
    # a new seed: one rebuild, a reload
    seen = len(stream.messages)
    project.add_seed("900_00000000000000aa.txt", (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes().replace(b"136423", b"900900").replace(b"Maroc : L'OIM", b"Maroc : Nouveau"))
    reload = stream.next("reload", seen)
    assert reload["problems"] == [] and int(reload["build"]) >= 1
    assert b"Maroc : Nouveau" in get(dev, BASE)[2]
    # broken front matter: the problems, naming the file, and no reload
    [article] = project.content.rglob("2023-05-02-*.md")
    good = article.read_text(encoding="utf-8")
    seen = len(stream.messages)
    article.write_text(good.replace("date: 2023-05-02", "date: [2023"), encoding="utf-8")
    problems = stream.next("problems", seen)
    assert any(line.startswith(f"content/2023/{article.name}:3: error: the front matter is not valid YAML") for line in problems["problems"]), problems
    assert b'id="crossings-problems"' in get(dev, BASE)[2]
    # fixed: a reload without problems, and no overlay
    seen = len(stream.messages)
    article.write_text(good, encoding="utf-8")
    assert stream.next("reload", seen)["problems"] == []
    assert b'id="crossings-problems"' not in get(dev, BASE)[2]
    # a stylesheet: swapped, not reloaded
    seen = len(stream.messages)
    css = project.root / "static" / "css" / "crossings.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x { color: red; }\n", encoding="utf-8")
    assert stream.next("css", seen)["problems"] == []
    stream.close()


def test_a_burst_of_changes_gives_one_build(dev: DevServer, project: Project) -> None:
    builds = dev.builds
    for i in range(200):
        (project.content / f"burst-{i}.md").write_text(f"---\ntitle: Burst {i}\ndate: 2021-01-01\n---\n\nText {i}.\n", encoding="utf-8")
    dev.wait_for_build(builds + 1)
    time.sleep(1)
    assert dev.builds - builds <= 2  # one, or two if the burst outlasted the patience
    assert len(list((project.out / "articles").glob("burst-*"))) == 200


def test_settings_change_moves_the_base_path(dev: DevServer, project: Project) -> None:
    stream = Stream(dev)
    stream.next("hello")
    seen = len(stream.messages)
    (project.root / "pyproject.toml").write_text('[tool.crossings]\nbase_url = "https://x.github.io/moved/"\ntitle = "Moved"\n', encoding="utf-8")
    message = stream.next("reload", seen)
    assert message["base"] == "/moved/"
    status, _, body = get(dev, "/moved/")
    assert status == 200 and b"Moved" in body and b'href="/moved/timeline/"' in body
    stream.close()


def test_stops_closing_idle_connections_and_leaving_no_thread(project: Project) -> None:
    """Stopping does not wait for clients: event streams and an idle keep-alive connection are closed, not
    left to time out (how soon it stops: bench/serve_latency.py's Ctrl-C figure)."""
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    before = set(threading.enumerate())
    server = DevServer(project.config(), project.root / "pyproject.toml", {}, port=0, out=open("/dev/null", "w"), err=open("/dev/null", "w"))
    server.start()
    streams = [Stream(server) for _ in range(3)]
    for stream in streams:
        stream.next("hello")
    keep_alive = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    keep_alive.request("GET", BASE)
    keep_alive.getresponse().read()  # an idle keep-alive connection stays open
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < SiteHandler.timeout / 2  # the idle connection's own timeout not waited for
    assert keep_alive.sock.recv(1) == b""  # closed by the server
    time.sleep(0.2)
    clients = [s.thread for s in streams]
    left = [t for t in threading.enumerate() if t not in before and t.is_alive() and t not in clients]
    assert left == []


def test_survives_bad_clients(dev: DevServer) -> None:
    for raw in (b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n", b"\x00\xff\xfe\r\n\r\n", b"GET /crossings-test/ HTTP/1.1\r\n"):
        sock = socket.create_connection(("127.0.0.1", dev.port), timeout=5)
        sock.sendall(raw)
        sock.close()
    sock = socket.create_connection(("127.0.0.1", dev.port), timeout=5)
    sock.sendall(b"GET /__crossings/events HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.recv(100)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # abrupt reset mid-stream
    dev.dev.hub.publish({"type": "problems", "build": "0", "base": BASE, "problems": []})
    assert get(dev, BASE)[0] == 200
    assert get(dev, "/crossings-test/%2e%2e/%2e%2e/pyproject.toml")[0] == 404


def test_ctrl_c_stops_the_command_cleanly(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    # Ctrl-C as a terminal sends it: to a command whose SIGINT is not ignored. A suite started in the background of
    # a non-interactive shell (``make test &``) has it ignored, and Python then never raises KeyboardInterrupt.
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--port", "0"], cwd=project.root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    line = ""
    deadline = time.monotonic() + 30
    while "Serving" not in line and time.monotonic() < deadline:
        line = process.stdout.readline()
    port = int(re.search(r"127\.0\.0\.1:(\d+)/crossings-test/", line).group(1))
    stream = socket.create_connection(("127.0.0.1", port), timeout=5)
    stream.sendall(b"GET /__crossings/events HTTP/1.1\r\nHost: x\r\n\r\n")
    stream.recv(100)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)  # how soon: bench/serve_latency.py
    assert process.returncode == 0
    assert "Traceback" not in err and "Stopped." in out
    stream.close()


# --- in a real browser ------------------------------------------------------------------

def test_the_browser_follows_the_editor(dev: DevServer, project: Project, browser) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 400})
    page.goto(f"http://127.0.0.1:{dev.port}{BASE}")
    page.wait_for_function("() => window.__crossingsReady === undefined")
    page.evaluate("window.marker = 'still here'")
    page.evaluate("window.scrollTo(0, 300)")
    # a new seed appears without anyone pressing reload, at the same scroll position
    project.add_seed("900_00000000000000bb.txt", (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes()
                     .replace(b"136423", b"900901").replace(b"27.01.2023", b"28.01.2025").replace(b"Maroc : L'OIM", b"Maroc : Tout nouveau"))
    page.get_by_text("Maroc : Tout nouveau").first.wait_for(timeout=15000)
    assert page.evaluate("window.marker") is None  # the page did reload by itself
    page.wait_for_function("() => window.scrollY > 250", timeout=5000)
    # a template change shows
    base = project.root / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</p>\n  </div>\n</footer>", " Édition de test.</p>\n  </div>\n</footer>"), encoding="utf-8")
    page.get_by_text("Édition de test.").wait_for(timeout=15000)
    # broken front matter: the overlay names the file; fixed: it goes
    [article] = project.content.rglob("2023-05-02-*.md")
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("title: ", "title: [", 1), encoding="utf-8")
    overlay = page.locator("#crossings-problems")
    overlay.wait_for(timeout=15000)
    assert f"content/2023/{article.name}:2: error" in overlay.inner_text()
    assert overlay.get_attribute("role") == "alert"
    article.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=15000)
    # a stylesheet change is applied without reloading
    page.evaluate("window.marker = 'kept'")
    css = project.root / "static" / "css" / "crossings.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { border-top: 7px solid rgb(1, 2, 3); }\n", encoding="utf-8")
    page.wait_for_function("() => getComputedStyle(document.body).borderTopWidth === '7px'", timeout=15000)
    assert page.evaluate("window.marker") == "kept"
    page.close()


def test_the_overlay_shows_on_pages_opened_while_broken(dev: DevServer, project: Project, browser) -> None:
    (project.root / "templates" / "month.html").write_text("{% extends 'base.html' %}{% block main %}{{ nope.x }}{% endblock %}", encoding="utf-8")
    dev.wait_for_build(2)
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{dev.port}{BASE}timeline/")
    text = page.locator("#crossings-problems").inner_text()
    assert "templates/month.html:1: error: template error while rendering timeline/" in text
    assert page.locator("h1").inner_text() == "Chronologie"  # the last good page is still served
    # the editor hides it: it stays hidden on the next pages while the problems are the same…
    page.get_by_role("button", name="Hide").click()
    page.locator("#crossings-problems").wait_for(state="detached", timeout=5000)
    page.goto(f"http://127.0.0.1:{dev.port}{BASE}browse/")
    page.locator("#crossings-problems").wait_for(state="detached", timeout=15000)  # the page's own overlay, taken away
    # …and shows again when they change
    (project.root / "templates" / "month.html").write_text("{% extends 'base.html' %}{% block main %}{{ other.y }}{% endblock %}", encoding="utf-8")
    page.locator("#crossings-problems").get_by_text("'other' is undefined", exact=False).first.wait_for(timeout=15000)
    page.close()


def test_polling_observer_sees_changes_too(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    server = DevServer(project.config(), project.root / "pyproject.toml", {}, port=0, poll=True, quiet=0.05,
                       out=open("/dev/null", "w"), err=open("/dev/null", "w"))
    server.start()
    try:
        stream = Stream(server)
        stream.next("hello")
        project.add_fixture_seed("ok/102_3b7e0f1a9c2d4e5f.txt")
        stream.next("reload", timeout=20)
        assert (project.out / "articles" / "2024-03-14-spain-coast-guard-rescues-58-people-off-the-canary-islands" / "index.html").exists()
        stream.close()
    finally:
        server.stop()


def test_what_serve_builds_equals_a_clean_build(dev: DevServer, project: Project, tmp_path: Path) -> None:
    from .test_incremental import clean_build, tree

    stream = Stream(dev)
    stream.next("hello")
    seen = len(stream.messages)
    [article] = project.content.rglob("2023-05-02-*.md")
    article.write_text(article.read_text(encoding="utf-8").replace("refuerzan", "renuevan"), encoding="utf-8")
    project.add_seed("901_00000000000000cc.txt", (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes().replace(b"136423", b"901901").replace(b"27.01.2023", b"03.02.2023"))
    month = project.root / "templates" / "month.html"
    month.write_text(month.read_text(encoding="utf-8").replace('<p class="lede">', '<p class="lede x">'), encoding="utf-8")
    stream.next("reload", seen)
    settle(dev)
    assert tree(project.out) == clean_build(project, tmp_path)
    stream.close()


INTERRUPT_AS_SERVING = """
import socket, sys
import crossings.devserver as devserver
from crossings.cli import main
shown = devserver.display_path

def interrupted(path):  # Ctrl-C as the "Serving" line goes out, a reader's stream already open
    caller = sys._getframe(1)
    if caller.f_code.co_name == "run":
        stream = socket.create_connection(("127.0.0.1", caller.f_locals["self"].port), timeout=5)
        stream.sendall(b"GET /__crossings/events HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        stream.recv(100)
        raise KeyboardInterrupt
    return shown(path)

devserver.display_path = interrupted
sys.exit(main(["serve", "--port", "0"]))
"""


def test_ctrl_c_as_the_server_starts_stops_it_cleanly(project: Project) -> None:
    """A Ctrl-C that comes as soon as the "Serving" line is out (CI saw one, the machine busy): the threads
    serving open connections end (they are not daemons: the process waited for them forever), no traceback."""
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    process = subprocess.run([sys.executable, "-c", INTERRUPT_AS_SERVING], cwd=project.root, capture_output=True, text=True,
                             timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stderr and "Stopped." in process.stdout


def test_ctrl_c_during_a_build_says_so_without_a_traceback(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    code = ("import sys\nimport crossings.builder as builder\nfrom crossings.cli import main\n"
            "def interrupted(*args, **kwargs):\n    raise KeyboardInterrupt\n"
            "builder.plan = interrupted\nsys.exit(main(['build']))\n")
    process = subprocess.run([sys.executable, "-c", code], cwd=project.root, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.returncode == 130
    assert "Traceback" not in process.stderr and "build: stopped (Ctrl-C)" in process.stderr

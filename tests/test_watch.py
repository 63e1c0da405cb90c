"""Debounce, event routing and the reload hub, without sockets or real time where simpler."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from crossings.config import load_config
from crossings.server import DevState, Hub
from crossings.watch import CONFIG, CONTENT, SEEDS, STATIC, TEMPLATES, Change, Debouncer, is_temporary, only_stylesheets, route


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_gives_one_batch() -> None:
    clock = Clock()
    debouncer = Debouncer(quiet=0.1, patience=2.0, clock=clock)
    for i in range(1000):  # a git checkout touching 1,000 files, 1 ms apart
        debouncer.add(Change(CONTENT, Path(f"/p/content/{i}.md")))
        clock.now += 0.001
        assert debouncer.ready() is None
    clock.now += 0.1
    batch = debouncer.ready()
    assert batch is not None and len(batch) == 1000
    assert debouncer.ready() is None


def test_the_same_file_saved_twice_is_one_change() -> None:
    clock = Clock()
    debouncer = Debouncer(quiet=0.1, clock=clock)
    debouncer.add(Change(CONTENT, Path("/p/content/a.md")))
    debouncer.add(Change(CONTENT, Path("/p/content/a.md")))
    clock.now += 0.2
    assert debouncer.ready() == {Change(CONTENT, Path("/p/content/a.md"))}


def test_a_trickle_is_built_after_the_patience() -> None:
    clock = Clock()
    debouncer = Debouncer(quiet=0.1, patience=2.0, clock=clock)
    batches = []
    for i in range(60):  # a change every 62.5 ms, never a quiet 100 ms
        debouncer.add(Change(SEEDS, Path(f"/p/seeds/{i}.txt")))
        clock.now += 0.0625
        batch = debouncer.ready()
        if batch:
            batches.append((round(clock.now - 100.0, 2), len(batch)))
    assert batches == [(2.0, 32)]


def test_wait_returns_the_batch_and_close_ends_it() -> None:
    debouncer = Debouncer(quiet=0.05)
    debouncer.add(Change(SEEDS, Path("/p/seeds/a.txt")))
    assert debouncer.wait(timeout=2) == {Change(SEEDS, Path("/p/seeds/a.txt"))}
    assert debouncer.wait(timeout=0.05) is None
    threading.Timer(0.05, debouncer.close).start()
    assert debouncer.wait(timeout=5) is None


@pytest.mark.parametrize(("name", "temporary"), [
    (".article.md.swp", True), ("article.md~", True), (".#article.md", True), ("#article.md#", True), ("4913", True),
    (".article.md.x1y2.tmp", True), ("a.swx", True), ("article.md", False), ("000_0a1c3472872379bf.txt", False), ("crossings.css", False),
])
def test_editor_temporary_files(name: str, temporary: bool) -> None:
    assert is_temporary(Path("/p/content") / name) is temporary


def test_routing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.crossings]\n", encoding="utf-8")
    config, _ = load_config(tmp_path / "pyproject.toml")
    pyproject = tmp_path / "pyproject.toml"
    assert route(tmp_path / "seeds" / "001_0a1c3472872379bf.txt", config, pyproject) == Change(SEEDS, tmp_path / "seeds" / "001_0a1c3472872379bf.txt")
    assert route(tmp_path / "content" / "2023" / "a.md", config, pyproject).kind == CONTENT
    assert route(tmp_path / "templates" / "base.html", config, pyproject).kind == TEMPLATES
    assert route(tmp_path / "static" / "css" / "crossings.css", config, pyproject).kind == STATIC
    assert route(pyproject, config, pyproject).kind == CONFIG
    assert route(tmp_path / "content" / ".a.md.swp", config, pyproject) is None
    assert route(tmp_path / "content" / ".git" / "index", config, pyproject) is None
    assert route(tmp_path / "_site" / "index.html", config, pyproject) is None
    assert route(tmp_path / ".cache" / "build.marshal", config, pyproject) is None
    assert route(tmp_path / "README.md", config, pyproject) is None


def test_only_stylesheets() -> None:
    assert only_stylesheets({Change(STATIC, Path("/p/static/css/a.css")), Change(STATIC, Path("/p/static/b.css"))})
    assert not only_stylesheets({Change(STATIC, Path("/p/static/css/a.css")), Change(CONTENT, Path("/p/content/a.md"))})
    assert not only_stylesheets({Change(STATIC, Path("/p/static/logo.svg"))})
    assert not only_stylesheets(set())


def test_hub_delivers_every_message_in_order_and_closes() -> None:
    hub = Hub()
    hub.publish({"n": 1})
    hub.publish({"n": 2})
    seen, first = hub.wait(0, 1)
    seen, second = hub.wait(seen, 1)
    assert (first, second) == ({"n": 1}, {"n": 2})
    assert hub.wait(seen, 0.01) == (seen, None)
    threading.Timer(0.05, hub.close).start()
    assert hub.wait(seen, 5) == (seen, None)


def test_overlay_escapes_what_it_quotes() -> None:
    dev = DevState("/x/")
    dev.problems = ["content/<b>.md:2: error: the title '<script>alert(1)</script>' — fix it"]
    page = dev.inject(b"<html><body><p>x</p></body></html>")
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.endswith(b'<script src="/__crossings/reload.js" data-build="0" data-base="/x/"></script></body></html>')

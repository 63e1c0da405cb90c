"""Shared fixtures: a throw-away project in tmp_path, with the repository's theme."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from crossings.cli import main
from crossings.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE_SEED = "000_0a1c3472872379bf"
SUBPATH_URL = "https://user.github.io/crossings-test/"


@dataclass
class Project:
    """A project folder with its own pyproject.toml, seeds/ and content/."""

    root: Path
    capsys: pytest.CaptureFixture

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def out(self) -> Path:
        return self.root / "_site"

    def config(self, **overrides: object) -> Config:
        config, problems = load_config(self.root / "pyproject.toml", **overrides)
        assert not problems, problems
        return config

    def add_seed(self, name: str, data: bytes | str) -> Path:
        path = self.seeds / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def add_fixture_seed(self, fixture: str, name: str | None = None) -> Path:
        source = FIXTURES / "seeds" / fixture
        return self.add_seed(name or source.name, source.read_bytes())

    def run(self, *args: str) -> tuple[int, str, str]:
        """Run the command line in the project folder; return (status, stdout, stderr)."""
        self.capsys.readouterr()
        status = main(list(args))
        captured = self.capsys.readouterr()
        return status, captured.out, captured.err

    def content_files(self) -> dict[str, bytes]:
        return {p.relative_to(self.content).as_posix(): p.read_bytes() for p in sorted(self.content.rglob("*.md"))}

    def site_files(self) -> dict[str, bytes]:
        return {p.relative_to(self.out).as_posix(): p.read_bytes() for p in sorted(self.out.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the plain output, even when the suite runs in a GitHub workflow
    (where the CLI would add annotations); tests of annotations set these themselves."""
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


def write_pyproject(root: Path, base_url: str = SUBPATH_URL, **settings: object) -> None:
    lines = ["[tool.crossings]", f'base_url = "{base_url}"', 'title = "Crossings test"']
    for key, value in settings.items():
        lines.append(f"{key} = {value!r}".replace("'", '"'))
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


THEME = ("templates", "static", "locales", "entities.toml", "publishers.toml", "places.toml")
"""What a project takes from this repository: its look, its interface's catalogs and the tables import and build read."""


def lay_out(root: Path, **settings: object) -> Path:
    """Make an empty project in ``root``: the repository's theme and tables, empty seeds/ and content/."""
    root.mkdir(parents=True, exist_ok=True)
    for name in THEME:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
    (root / "seeds").mkdir()
    (root / "content").mkdir()
    write_pyproject(root, **settings)
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Project:
    """An empty project using the repository's templates and static files, cwd set to it."""
    root = tmp_path / "site"
    lay_out(root)
    monkeypatch.chdir(root)
    return Project(root, capsys)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download does not work everywhere)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@contextmanager
def serving(out: Path, base: str) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port) under ``base``; yield the server's origin, e.g. http://127.0.0.1:41234."""
    import threading

    from crossings.server import make_server

    server = make_server(out, base, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def entries(html: str) -> int:
    """How many articles a list page shows: the items of its lists of entries (an entry's own language is
    written only where it differs from the page's, so an item is counted, not its attributes)."""
    return sum(len(re.findall(r"<li[ >]", part.split("</ol>", 1)[0])) for part in html.split('<ol class="entries">')[1:])

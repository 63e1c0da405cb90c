"""Every path an input can take reaches the site: replays of edits, through `build` and the dev server.

``STEPS`` lists one change per kind of input (seeds added, re-delivered, renamed,
deleted; content edited and deleted; the tables; templates; static files;
settings). Each replay applies them in order and, after every one, compares the
site with a build from nothing, byte for byte. ``test_every_input_has_a_step``
derives the inputs from the settings, so an input added later without a step
here fails the suite.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crossings.config import Config
from crossings.devserver import DevServer

from .conftest import FIXTURES, REFERENCE_SEED, Project, write_pyproject
from .test_devserver import settle
from .test_incremental import clean_build, tree

OK = FIXTURES / "seeds" / "ok"
REFERENCE = f"{REFERENCE_SEED}.txt"
NEW = "906_00000000000000dd.txt"
RENAMED = "907_00000000000000ee.txt"


@dataclass(frozen=True)
class Step:
    name: str
    touches: str
    """The input it changes: a Config setting naming a file or folder, or "settings"."""
    apply: Callable[[Project], None]
    shows: str | None = None
    """Text the changed article's page must show afterwards (a check that the change arrived, not only that it is exact)."""


def redeliver(name: str, text: str) -> Callable[[Project], None]:
    """The collectors send the seed again under the same name, with a paragraph added before its Source block."""
    def apply(project: Project) -> None:
        path = project.seeds / name
        path.write_bytes(path.read_bytes().replace(b"\n\nSource\n", f"\n\n{text}\n\nSource\n".encode(), 1))
    return apply


def edit_article(pattern: str, old: str, new: str) -> Callable[[Project], None]:
    def apply(project: Project) -> None:
        [path] = project.content.rglob(pattern)
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return apply


def add_seed(project: Project) -> None:
    data = (OK / REFERENCE).read_bytes().replace(b"136423", b"906906").replace(b"27.01.2023", b"05.02.2023")
    project.add_seed(NEW, data.replace(b"Maroc : L'OIM tient", b"Maroc : L'OIM ouvre"))


def new_source(project: Project) -> None:
    path = project.seeds / NEW
    path.write_bytes(path.read_bytes().replace(b"906906", b"906907"))


def rename_seed(project: Project) -> None:
    (project.seeds / NEW).rename(project.seeds / RENAMED)


def delete_seed(project: Project) -> None:
    (project.seeds / "102_3b7e0f1a9c2d4e5f.txt").unlink()


def delete_seed_and_article(project: Project) -> None:
    (project.seeds / "104_7e8f9a0b1c2d3e4f.txt").unlink()
    for path in project.content.rglob("2023-01-27-*.md"):
        if "المغرب" in path.read_text(encoding="utf-8"):
            path.unlink()


def delete_article(project: Project) -> None:
    """An editor deletes an imported article but leaves its seed: import writes it again."""
    [path] = project.content.rglob("2023-05-02-*.md")
    path.unlink()


def hand_written(project: Project) -> None:
    (project.content / "2024").mkdir(exist_ok=True)
    (project.content / "2024" / "hand.md").write_text(
        "---\ntitle: Written by hand\ndate: 2024-06-01\nlang: en\ncountries: [MA]\n---\n\nA *new* article about Tangier.\n", encoding="utf-8")


def entities_edited(project: Project) -> None:
    path = project.root / "entities.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"Rabat", "الرباط",', '"الرباط",', 1), encoding="utf-8")


def publishers_edited(project: Project) -> None:
    path = project.root / "publishers.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "Yabiladi"', 'name = "Yabiladi Presse"', 1), encoding="utf-8")


def places_edited(project: Project) -> None:
    """Meetings are no longer a kind of incident: the French and Arabic reports of the dialogue in Morocco
    (the same day, one country, one organisation) no longer make a story."""
    path = project.root / "places.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[kinds.meeting]")
    end = text.index("[kinds.anniversary]")
    path.write_text(text[:start] + text[end:], encoding="utf-8")


BROKEN = "\n# -- a mistake, made by the replay --\n"


def table_broken(name: str, mistake: str) -> Callable[[Project], None]:
    """A value of the wrong kind in a table file: reported, and the file left unused until it is mended."""
    def apply(project: Project) -> None:
        path = project.root / name
        path.write_text(path.read_text(encoding="utf-8") + BROKEN + mistake, encoding="utf-8")
    return apply


def table_mended(name: str) -> Callable[[Project], None]:
    def apply(project: Project) -> None:
        path = project.root / name
        path.write_text(path.read_text(encoding="utf-8").split(BROKEN)[0], encoding="utf-8")
    return apply


def template_edited(project: Project) -> None:
    path = project.root / "templates" / "article.html"
    path.write_text(path.read_text(encoding="utf-8").replace("</article>", "<p>Template edit.</p></article>", 1), encoding="utf-8")


def static_added(project: Project) -> None:
    (project.root / "static" / "extra.txt").write_text("static file\n", encoding="utf-8")


def static_edited(project: Project) -> None:
    css = project.root / "static" / "css" / "crossings.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.replayed { color: #123456; }\n", encoding="utf-8")


def module_edited(project: Project) -> None:
    """A module other scripts import (their hashed copies name its hashed copy: both are renamed)."""
    module = project.root / "static" / "js" / "search-page.js"
    module.write_text(module.read_text(encoding="utf-8") + "\n// replayed\n", encoding="utf-8")


def static_deleted(project: Project) -> None:
    (project.root / "static" / "extra.txt").unlink()


def catalog_edited(project: Project) -> None:
    path = project.root / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "Aller au contenu"', 'msgstr "Aller au texte"', 1), encoding="utf-8")


def catalog_removed(project: Project) -> None:
    """The Spanish catalog goes: the Spanish article's page falls back to the site's language."""
    (project.root / "locales" / "es" / "LC_MESSAGES" / "messages.po").unlink()


def settings_changed(project: Project) -> None:
    write_pyproject(project.root, per_page=2)


STEPS = [
    # first, right after the first import: the path that once left the site one edit behind
    Step("seed re-delivered", "seeds_dir", redeliver(REFERENCE, "Correction 0 : le dialogue a réuni 17 pays."), "Correction 0"),
    Step("seed re-delivered again", "seeds_dir", redeliver(REFERENCE, "Correction 1 : la rencontre a duré deux jours."), "Correction 1"),
    Step("seed added (it joins the story of the reference article)", "seeds_dir", add_seed, "OIM ouvre un dialogue"),
    Step("seed re-delivered with another source URL", "seeds_dir", new_source),
    Step("seed renamed", "seeds_dir", rename_seed),
    Step("renamed seed re-delivered", "seeds_dir", redeliver(RENAMED, "Correction 2 : sous son nouveau nom."), "Correction 2"),
    Step("seed deleted (its article stays)", "seeds_dir", delete_seed),
    Step("seed and its article deleted", "seeds_dir", delete_seed_and_article),
    Step("article edited", "content_dir", edit_article("2023-05-02-*.md", "refuerzan", "renuevan"), "renuevan"),
    Step("edited article's seed re-delivered", "seeds_dir", redeliver("103_5c1d2e3f4a5b6c7d.txt", "Corrección 3."), "renuevan"),
    Step("article deleted (its seed stays)", "content_dir", delete_article, "refuerzan"),
    Step("article written by hand", "content_dir", hand_written, "Written by hand"),
    Step("article kept out of its story by an editor", "content_dir", edit_article("2023-01-27-maroc-*.md", "\nlang: fr\n", "\nlang: fr\nstory: none\n")),
    Step("article put back into a story by an editor", "content_dir", edit_article("2023-01-27-maroc-*.md", "story: none", "story: 2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations")),
    Step("places table edited", "places_file", places_edited),
    Step("entities table edited", "entities_file", entities_edited),
    Step("publishers table edited", "publishers_file", publishers_edited, "Yabiladi Presse"),
    Step("entities table broken", "entities_file", table_broken("entities.toml", '[organizations.SAVE]\nnames = ["Save"]\n')),
    Step("entities table mended", "entities_file", table_mended("entities.toml")),
    Step("places table broken", "places_file", table_broken("places.toml", '[places.somewhere]\nnames = ["Somewhere"]\n')),
    Step("places table mended", "places_file", table_mended("places.toml")),
    Step("template edited", "templates_dir", template_edited, "Template edit."),
    Step("static file added", "static_dir", static_added),
    Step("static file edited", "static_dir", static_edited),
    Step("script module edited", "static_dir", module_edited),
    Step("static file deleted", "static_dir", static_deleted),
    Step("interface catalog edited", "locales_dir", catalog_edited, "Aller au texte"),
    Step("interface catalog removed", "locales_dir", catalog_removed),
    Step("settings changed", "settings", settings_changed),
]

NOT_INPUTS = {"output_dir", "cache_dir"}


def test_every_input_has_a_step() -> None:
    """Each file or folder the settings name is an input, and the replays change each one."""
    inputs = {f.name for f in dataclasses.fields(Config) if f.name.endswith(("_dir", "_file"))} - NOT_INPUTS
    assert inputs <= {step.touches for step in STEPS}, "add a replay step for every input"
    assert "settings" in {step.touches for step in STEPS}


def start(project: Project) -> None:
    for name in (REFERENCE, "102_3b7e0f1a9c2d4e5f.txt", "103_5c1d2e3f4a5b6c7d.txt", "104_7e8f9a0b1c2d3e4f.txt"):
        project.add_seed(name, (OK / name).read_bytes())


def check(project: Project, tmp_path: Path, step: Step) -> None:
    assert tree(project.out) == clean_build(project, tmp_path), f"after '{step.name}' the site differs from a clean build"
    if step.shows:
        pages = b"".join(p.read_bytes() for p in (project.out / "articles").rglob("index.html"))
        assert step.shows.encode() in pages, f"after '{step.name}' no article page shows {step.shows!r}"


def build_in_own_process(project: Project) -> tuple[int, str, str]:
    """``crossings build`` as a user runs it: a process of one thread, where a build forks (the content
    folder listed aside, ``Scan.walk_aside``), whatever threads other tests left in this one. Its stories'
    stores are written by a process of their own whenever a month changed (``stories.STORE_ASIDE_FROM``, 48
    months otherwise: a build from nothing of a large archive), so that the next build reads what it wrote.
    And it takes the paths of a build that reads many content files (a cache lost, 400 files or more, 20,000 for
    import's index) whenever two or more changed: the library's workers, their bodies taken from the build's
    spool, and import's readers."""
    command = ("import sys, crossings.stories, crossings.library, crossings.importer; crossings.stories.STORE_ASIDE_FROM = 1; "
               "crossings.library.PARALLEL_FROM = 1; crossings.importer.INDEX_PARALLEL_FROM = 2; "
               "from crossings.cli import main; sys.exit(main(['build']))")
    done = subprocess.run([sys.executable, "-c", command], cwd=project.root, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("again, own_process, ahead, indexed",
                         [(False, False, False, False), (True, False, False, False), (False, True, False, False), (False, False, True, False),
                          (False, False, False, True)],
                         ids=["step-by-step", "with-a-no-change-build-after-each", "each-build-a-process-of-its-own",
                              "each-build-taking-the-spare-made-in-the-background", "each-import-storing-the-files-it-wrote"])
def test_replay_through_build(project: Project, tmp_path: Path, monkeypatch, again: bool, own_process: bool, ahead: bool,
                              indexed: bool) -> None:
    run = (lambda: build_in_own_process(project)) if own_process else (lambda: project.run("build"))
    from crossings import cache

    monkeypatch.setattr(cache, "MAP_FROM", 0)  # every store read through a memory map, as big ones are (the other tests: a copy)
    monkeypatch.setattr(cache, "PIECES_FROM", 2)  # every dict stored in pieces, as big ones are (a big archive's manifest)
    if indexed:  # (an import of many seeds stores the files it wrote in the content index: here every import does)
        from crossings import importer

        monkeypatch.setattr(importer, "WRITTEN_INDEXED_FROM", 0)
    taken = []
    if ahead:
        from crossings import writer

        monkeypatch.setattr(writer, "SPARE_AHEAD_FROM", 0)  # (a site of 3,000 files or more)
        take = writer.OutputTree._take_spare_ahead

        def spy(tree) -> None:
            take(tree)
            if tree.live is not None:  # (not the clean builds it is compared with: they have no site yet)
                taken.append(tree.spare_manifest is tree.live)
        monkeypatch.setattr(writer.OutputTree, "_take_spare_ahead", spy)
    start(project)
    assert run()[0] == 0
    for step in STEPS:
        if ahead:
            spare_made_in_the_background(project)
        step.apply(project)
        status, out, err = run()
        assert status in (0, 1), err
        check(project, tmp_path, step)
        if again:  # the next build, with nothing changed, changes nothing (and the caches are warm for the next step)
            status, out, err = run()
            assert "; 0 pages written" in out, f"after '{step.name}': {out}"
            check(project, tmp_path, step)
    if ahead:
        # Every build that prepared a spare took the twin made in the background; five steps change nothing in
        # the site (a seed deleted whose article stays, an edited article's seed re-delivered, the places table
        # edited, broken and mended: its stories here were gone already): their builds write nothing and prepare
        # no spare.
        assert all(taken) and len(taken) >= len(STEPS) - 5, taken


def spare_made_in_the_background(project: Project) -> None:
    """Leave the build state as a cold build of a big site does: no spare folder of the site before, but its
    twin being hard-linked in the background (``OutputTree.start_spare_ahead``), which the next build takes
    (``prepare``'s path for a spare that is the live site's twin, the one a big site's builds take after a
    cold build). An incremental build keeps the site it replaced as its spare instead, so the other replays
    take that path at most once, after their first build."""
    from crossings.cache import Cache
    from crossings.writer import OutputTree

    tree = OutputTree(project.out, Cache(project.root / ".cache"))
    tree.cache.discard("output-spare")
    shutil.rmtree(tree.spare, ignore_errors=True)
    tree.spare_manifest = None
    tree._ahead_pending = True
    tree.start_spare_ahead()
    assert tree.job, "no spare started in the background"


@pytest.fixture
def served(project: Project) -> Iterator[DevServer]:
    start(project)
    server = DevServer(project.config(), project.root / "pyproject.toml", {}, port=0, quiet=0.05,
                       out=open("/dev/null", "w"), err=open("/dev/null", "w"))
    server.start()
    yield server
    server.stop()


def test_replay_through_the_dev_server(served: DevServer, project: Project, tmp_path: Path, monkeypatch) -> None:
    from crossings import cache, importer

    monkeypatch.setattr(importer, "WRITTEN_INDEXED_FROM", 0)  # (every import stores the files it wrote, as one of many seeds does)
    monkeypatch.setattr(cache, "PIECES_FROM", 2)  # every dict stored in pieces, as a big archive's manifest is
    for step in STEPS:
        builds = served.builds
        step.apply(project)
        assert served.wait_for_build(builds + 1, timeout=30) is not None, f"no build after '{step.name}'"
        settle(served)
        check(project, tmp_path, step)


def test_a_lost_cache_and_output_change_nothing(project: Project, tmp_path: Path) -> None:
    start(project)
    project.run("build")
    redeliver(REFERENCE, "Correction 0.")(project)
    project.run("build")
    shutil.rmtree(project.root / ".cache")
    project.run("build")
    check(project, tmp_path, Step("cache lost", "", lambda p: None, "Correction 0."))


def test_the_open_tab_shows_each_correction(served: DevServer, project: Project, browser) -> None:
    """An editor saves a corrected seed twice: the open article page shows each correction by itself."""
    [article] = [p for p in project.content.rglob("2023-01-27-*.md") if "yabiladi" in p.read_text(encoding="utf-8")]
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{served.port}/crossings-test/articles/{article.stem}/")
    page.wait_for_function("() => window.__crossingsReady === undefined")
    for text in ("Correction A : 17 pays étaient représentés.", "Correction B : la réunion a duré deux jours."):
        redeliver(REFERENCE, text)(project)
        page.get_by_text(text).wait_for(timeout=15000)
    assert page.get_by_text("Correction A : 17 pays étaient représentés.").count() == 1
    page.close()

"""The article pages' keys (``site.ArticlePlanAhead``) and the search index (``builder.SearchChild``) planned in
processes forked once the model is made, while the build plans the other pages: what they hand back is what
planning here gives (paths, keys, contexts, the search files' bytes), a search file the site already has is
not made again, a failed child leaves the work to the build, and the site equals a clean build's, byte for byte.

As in ``test_exports_ahead``, the forking cases run ``crossings build`` in a fresh interpreter: this test
process may have threads left by other tests (the dev server's), and a build then forks nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from crossings.builder import SearchChild
from crossings.parallel import BEHIND
from crossings.site import ArticlePlanAhead

from .conftest import REPO, Project
from .test_exports_ahead import _built_but_the_last_seed
from .test_incremental import clean_build, tree
from .test_render_work import _fixture_seeds

# Run in the project's folder: the real ``build``, with spies on the real children's findings that compare them
# with planning here; with FAIL, each child raises (in the child only: the build's own process plans as usual).
SPIED_BUILD = """
import json, os, sys
from pathlib import Path
import crossings.builder as builder
import crossings.site as site_module
from crossings.cli import main
from crossings.search import plan_search

FAIL = {fail!r}
REFUSE = {refuse!r}
MAIN = os.getpid()
MAIN_NICE = os.nice(0)
if REFUSE:  # the system refuses the planning processes (not the render workers' own forks)
    real_fork = os.fork
    def fork():
        if sys._getframe(1).f_code.co_qualname == "Aside.start":
            raise OSError(11, "Resource temporarily unavailable")
        return real_fork()
    os.fork = fork
seen = {{"articles": None, "search": None, "made": [], "search_files": 0, "mismatches": []}}
args = {{}}

real_keys = site_module.ArticlePlan.keys
def keys(self):
    if os.getpid() != MAIN:
        Path("articles-child-nice.json").write_text(json.dumps([os.nice(0), MAIN_NICE]))
    if FAIL and os.getpid() != MAIN:
        raise RuntimeError("the child fails")
    return real_keys(self)
site_module.ArticlePlan.keys = keys

real_plan_search = builder.plan_search
def plan_search_spied(*a, **k):
    if os.getpid() != MAIN:
        Path("search-child-nice.json").write_text(json.dumps([os.nice(0), MAIN_NICE]))
    if FAIL and os.getpid() != MAIN:
        raise RuntimeError("the child fails")
    return real_plan_search(*a, **k)
builder.plan_search = plan_search_spied

real_outputs = site_module.ArticlePlanAhead.outputs
def outputs(self, site):
    found = real_outputs(self, site)
    seen["articles"] = found is not None
    if found is None:
        return None
    planner = site_module.ArticlePlan(site)
    keys, _, contexts = real_keys(planner)  # (not stored: the child stores the plan)
    expected = planner.outputs(keys, contexts)
    if [(o.path, o.template, o.key, o.lastmod, o.lang) for o in found] != [(o.path, o.template, o.key, o.lastmod, o.lang) for o in expected]:
        seen["mismatches"].append("article pages: planned otherwise")
    for f, e in zip(found, expected):
        if f.context() != e.context():
            seen["mismatches"].append(f"{{f.path}}: another context")
    return found
site_module.ArticlePlanAhead.outputs = outputs

real_start = builder.SearchChild.start.__func__
def start(cls, site, cache, kept, spool):
    child = real_start(cls, site, cache, kept, spool)
    args.update(site=site, cache=cache, kept=kept)
    return child
builder.SearchChild.start = classmethod(start)

real_result = builder.SearchChild.result
def result(self):
    found = real_result(self)
    seen["search"] = found is not None
    if found is None:
        return None
    outputs, pending = found
    expected, _ = real_plan_search(args["site"], args["cache"], args["kept"])  # in memory, here
    if [(o.path, o.key) for o in outputs] != [(o.path, o.key) for o in expected]:
        seen["mismatches"].append("search: planned otherwise")
    wanted = {{o.path: o for o in expected}}
    for o in outputs:
        if o.path.startswith("search/") and o.path.count("/") == 2:
            seen["search_files"] += 1
        if o.source is not None:
            seen["made"].append(o.path)
            if Path(o.source[0]).read_bytes() != wanted[o.path].data():
                seen["mismatches"].append(f"{{o.path}}: made with other bytes")
    return found
builder.SearchChild.result = result

status = main(["build"])
Path("spied.json").write_text(json.dumps(seen))
sys.exit(status)
"""


def spied_build(project: Project, *, fail: bool = False, refuse: bool = False) -> dict:
    done = subprocess.run([sys.executable, "-c", SPIED_BUILD.format(fail=fail, refuse=refuse)], cwd=project.root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), "CROSSINGS_WORKERS": "2"})
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    return json.loads((project.root / "spied.json").read_text())


fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="planned ahead by forked processes")


@fork_only
def test_a_new_seeds_article_pages_and_search_are_planned_aside_as_here(project: Project, tmp_path) -> None:
    _built_but_the_last_seed(project)
    seen = spied_build(project)
    assert seen["articles"] is True and seen["search"] is True, seen
    assert seen["mismatches"] == []
    assert seen["made"]  # the new article's part was made by the child
    # the search's child runs behind the build (its findings needed at the end); the article pages' does not
    child, build = json.loads((project.root / "search-child-nice.json").read_text())
    assert child == min(build + BEHIND, 19)
    child, build = json.loads((project.root / "articles-child-nice.json").read_text())
    assert child == build
    assert tree(project.out) == clean_build(project, tmp_path)


@fork_only
def test_an_edit_makes_again_only_the_search_files_that_changed(project: Project, tmp_path) -> None:
    """An article's text edited: its part is made again, its numbers unchanged; of the part's files, the child
    writes the edited article's fragment and the index files, not the other articles' fragments."""
    for seed in _fixture_seeds(project):
        project.add_fixture_seed("ok/" + seed.name)
    status, _, err = project.run("build")
    assert status in (0, 1), err
    article = sorted((project.root / "content").rglob("*.md"))[-1]
    article.write_text(article.read_text(encoding="utf-8").replace("\n\n", "\n\nUne phrase ajoutée par un éditeur.\n\n", 1), encoding="utf-8")
    seen = spied_build(project)
    assert seen["search"] is True and seen["mismatches"] == []
    fragments = [p for p in seen["made"] if p.rsplit("/", 1)[1].startswith("f")]
    assert len(fragments) == 1, seen["made"]
    assert len(seen["made"]) < seen["search_files"]
    assert tree(project.out) == clean_build(project, tmp_path)


@fork_only
def test_when_the_children_fail_the_build_plans_it_all_here(project: Project, tmp_path) -> None:
    _built_but_the_last_seed(project)
    seen = spied_build(project, fail=True)
    assert seen["articles"] is False and seen["search"] is False, seen
    assert tree(project.out) == clean_build(project, tmp_path)


@fork_only
def test_when_the_system_refuses_the_processes_the_build_plans_it_all_here(project: Project, tmp_path) -> None:
    _built_but_the_last_seed(project)
    seen = spied_build(project, refuse=True)
    assert seen["articles"] is None and seen["search"] is None, seen  # none started: nothing to take
    assert tree(project.out) == clean_build(project, tmp_path)


@fork_only
def test_a_cold_build_plans_its_article_pages_and_search_itself(project: Project, tmp_path) -> None:
    """No site yet: every page is planned and rendered; the search index is made by the build's own child."""
    for seed in _fixture_seeds(project):
        project.add_fixture_seed("ok/" + seed.name)
    seen = spied_build(project)
    assert seen["articles"] is None and seen["search"] is None
    assert tree(project.out) == clean_build(project, tmp_path)


def test_nothing_is_forked_where_it_is_unsafe_or_useless(project: Project, tmp_path, monkeypatch) -> None:
    for seed in _fixture_seeds(project):
        project.add_fixture_seed("ok/" + seed.name)
    status, _, err = project.run("build")
    assert status in (0, 1), err
    from crossings.cache import Cache
    from crossings.catalogs import load_catalogs
    from crossings.config import load_config
    from crossings.library import Library
    from crossings.site import build_site

    config, _ = load_config(project.root / "pyproject.toml")
    library = Library(config, Cache(tmp_path / "cache"))
    records, _ = library.load()
    site, _ = build_site(records, config, library, load_catalogs(config.locales))
    kept = lambda path, key: False  # noqa: E731
    # another thread running (the dev server's): forking could copy a lock it holds
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert ArticlePlanAhead.start(site) is None
        assert SearchChild.start(site, library.cache, kept, str(tmp_path)) is None
    finally:
        stop.set()
        other.join()
    # one core to work on: nothing to gain
    monkeypatch.setenv("CROSSINGS_WORKERS", "1")
    assert ArticlePlanAhead.start(site) is None
    assert SearchChild.start(site, library.cache, kept, str(tmp_path)) is None
    # no spool for the search files
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    assert SearchChild.start(site, library.cache, kept, None) is None

"""The export files planned, and those that changed made, in a forked process (``exports.ExportsAhead``)
while the build plans the pages: the outputs it hands back are those ``plan_exports`` plans here, the
files it made are the bytes planned here, and the site equals a clean build's, byte for byte.

The forking cases run ``crossings build`` in a fresh interpreter: this test process may have threads left
by other tests (the dev server's), and a build then forks nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from crossings.exports import ExportsAhead
from crossings.parallel import BEHIND

from .conftest import REPO, Project
from .test_incremental import clean_build, tree
from .test_render_work import _fixture_seeds

# Run in the project's folder: the real ``build``, with a spy on the real ``ExportsAhead.outputs`` that
# compares what it hands back with ``plan_exports`` made here, after the build is done with it.
SPIED_BUILD = """
import hashlib, json, os, sys
from pathlib import Path
import crossings.exports as exports
from crossings.cli import main

FAIL = {fail!r}  # which of the child's steps fails: "" (none), "keys" (``_planned_ahead``), "files" (``_made_ahead``)
seen = {{"started": 0, "taken": None, "waiting": [], "made": [], "mismatches": []}}
real_outputs, real_resolve = exports.ExportsAhead.outputs, exports.ExportsAhead.resolve
real_planned, real_made = exports._planned_ahead, exports._made_ahead
expected = {{}}
MAIN_NICE = os.nice(0)

def planned(site, kept, todo):
    Path("child-nice.json").write_text(json.dumps([os.nice(0), MAIN_NICE]))  # (in the child)
    if FAIL == "keys":
        raise RuntimeError("the child fails")
    return real_planned(site, kept, todo)

def made(todo, spool):
    if FAIL == "files":
        raise RuntimeError("the child fails")
    return real_made(todo, spool)

def outputs(self, site):
    seen["started"] += 1
    found = real_outputs(self, site)
    seen["taken"] = found is not None
    if found is None:
        return None
    seen["waiting"] = sorted(self.waiting)
    planned_here = exports.plan_exports(site)
    if [o.path for o in found] != [o.path for o in planned_here]:
        seen["mismatches"].append("the paths or their order differ")
    for f, e in zip(found, planned_here):
        same = (f.template, f.key, f.lastmod, f.deferrable, f.lang, f.weight, f.after, f.source) == (e.template, e.key, e.lastmod, e.deferrable, e.lang, e.weight, e.after, None)
        if not same:
            seen["mismatches"].append(f"{{f.path}}: planned otherwise")
        expected[f.path] = e
        if f.template is None and f.data() != e.data():  # what is made here when the build needs it after all
            seen["mismatches"].append(f"{{f.path}}: its bytes made here differ")
    return found

def resolve(self, outputs):
    resolved = real_resolve(self, outputs)
    for before, after in zip(outputs, resolved):
        if after.source is None:
            if after is not before:
                seen["mismatches"].append(f"{{after.path}}: changed, not made aside")
            continue
        seen["made"].append(after.path)
        data = Path(after.source[0]).read_bytes()
        if after._replace(source=None) != before or data != expected[after.path].data() or after.source[1] != hashlib.sha256(data).hexdigest():
            seen["mismatches"].append(f"{{after.path}}: made aside otherwise")
    return resolved

exports._planned_ahead, exports._made_ahead = planned, made
exports.ExportsAhead.outputs, exports.ExportsAhead.resolve = outputs, resolve
status = main(["build"])
Path("spied.json").write_text(json.dumps(seen))
sys.exit(status)
"""


def spied_build(project: Project, *, fail: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", SPIED_BUILD.format(fail=fail)], cwd=project.root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), "CROSSINGS_WORKERS": "2"})
    assert done.returncode in (0, 1), done.stderr
    return json.loads((project.root / "spied.json").read_text())


def _built_but_the_last_seed(project: Project) -> str:
    seeds = _fixture_seeds(project)
    for seed in seeds[:-1]:
        project.add_fixture_seed("ok/" + seed.name)
    status, _, err = project.run("build")
    assert status in (0, 1), err
    project.add_fixture_seed("ok/" + seeds[-1].name)
    return seeds[-1].name


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the exports are made ahead by a forked process")
def test_a_new_seeds_exports_are_made_aside_as_they_are_planned_here(project: Project, tmp_path) -> None:
    _built_but_the_last_seed(project)
    seen = spied_build(project)
    assert seen["started"] == 1 and seen["taken"], seen
    assert seen["mismatches"] == []
    made = set(seen["made"])
    assert made == set(seen["waiting"])  # each file the child was making, taken from it once it was done
    child, build = json.loads((project.root / "child-nice.json").read_text())
    assert child == min(build + BEHIND, 19)  # (behind the build, whose own work comes first)
    # the whole archive's files and the new article's year changed: made aside; the stories did not change
    assert {"data/articles.csv", "data/articles.bib"} <= made
    assert not {"data/stories.csv", "data/stories.json"} & made
    assert any(p.startswith("data/") and p.endswith(".jsonl.gz") for p in made)
    assert any(p.endswith("/citation.bib") for p in made)
    assert len([p for p in made if p.endswith("/citation.bib")]) < len(_fixture_seeds(project))  # only the new one's
    assert tree(project.out) == clean_build(project, tmp_path)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the exports are made ahead by a forked process")
@pytest.mark.parametrize("fail", ["keys", "files"])
def test_when_the_forked_process_fails_the_exports_are_made_here(project: Project, tmp_path, fail: str) -> None:
    """Before handing back the keys: the exports are planned here; after (making the files): made here."""
    _built_but_the_last_seed(project)
    seen = spied_build(project, fail=fail)
    assert seen["started"] == 1 and seen["taken"] is (fail == "files")
    assert seen["mismatches"] == [] and seen["made"] == []
    if fail == "files":
        assert "data/articles.csv" in seen["waiting"]
    assert tree(project.out) == clean_build(project, tmp_path)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the exports are made ahead by a forked process")
def test_a_cold_build_makes_its_exports_with_the_pages(project: Project, tmp_path) -> None:
    """No site yet: nothing is kept, the render workers make the exports with everything else."""
    for seed in _fixture_seeds(project):
        project.add_fixture_seed("ok/" + seed.name)
    seen = spied_build(project)
    assert seen["started"] == 0
    assert tree(project.out) == clean_build(project, tmp_path)


def test_nothing_is_forked_where_it_is_unsafe_or_useless(tmp_path, monkeypatch) -> None:
    # another thread running (the dev server's): forking could copy a lock it holds
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert ExportsAhead.start(None, lambda path, key: False, str(tmp_path)) is None
    finally:
        stop.set()
        other.join()
    # one core to work on: nothing to gain
    monkeypatch.setenv("CROSSINGS_WORKERS", "1")
    assert ExportsAhead.start(None, lambda path, key: False, str(tmp_path)) is None
    # no spool to make the files in
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    assert ExportsAhead.start(None, lambda path, key: False, None) is None

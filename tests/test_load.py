"""The dev server under load (a shorter run of bench/load_test.py): 200 clients, half on the reload stream."""

from __future__ import annotations

import importlib.util
import shutil

from crossings.builder import build

from .conftest import REPO, Project

spec = importlib.util.spec_from_file_location("load_test", REPO / "bench" / "load_test.py")
load_test = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load_test)


def test_two_hundred_clients_while_files_change(project: Project) -> None:
    for name in ("seeds", "content"):
        shutil.rmtree(project.root / name)
        shutil.copytree(REPO / name, project.root / name)
    build(project.config())
    figures = load_test.run_load(project.root, clients=200, seconds=8)
    assert figures["failed requests"] == 0 and figures["stream errors"] == 0
    assert figures["page requests"] > 200
    low, high = figures["reloads per stream (min, max)"]
    assert low >= 3, figures  # every tab heard about the edits
    start, peak, end = figures["server RSS MB (start, peak, end)"]
    assert end - start < 60, figures  # no leak that grows with the load
    before, after = figures["threads (before, after stop)"]
    assert after <= before, figures

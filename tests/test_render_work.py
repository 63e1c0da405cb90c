"""How rendering is shared among worker processes: by what the outputs weigh, not only by their count.

An export of the whole archive (data/articles.bib, the stories' files) weighs hundreds of pages at
100,000 articles: a change that renders a few pages and those exports forks workers, and each heavy
export is a worker's unit of work of its own, given out first. The bytes are those of one process."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from crossings import exports, render
from crossings.cache import Cache, Scan
from crossings.catalogs import load_catalogs
from crossings.library import Library
from crossings.site import Output, build_site

from .conftest import FIXTURES, Project
from .test_incremental import clean_build, tree


def _outputs(weights: list[int]) -> list[Output]:
    return [Output(f"page-{i}.html", weight=w) for i, w in enumerate(weights)]


def test_heavy_outputs_are_units_of_their_own_given_out_first() -> None:
    weights = [1] * 100 + [render.CHUNK * 3] + [1] * 40 + [render.CHUNK] + [2] * 10 + [render.CHUNK * 5]
    outputs = _outputs(weights)
    chunks = render._chunks(outputs)
    assert chunks[:3] == [[len(weights) - 1], [100], [141]]  # heaviest first
    assert sorted(i for chunk in chunks for i in chunk) == list(range(len(weights)))  # each output once
    assert all(len(chunk) <= render.CHUNK for chunk in chunks)
    assert [i for chunk in chunks[3:] for i in chunk] == [i for i in range(len(weights)) if i not in (100, 141, len(weights) - 1)]


def test_outputs_of_one_weight_are_runs_in_order() -> None:
    outputs = _outputs([1] * (2 * render.CHUNK + 5))
    assert render._chunks(outputs) == [list(range(0, render.CHUNK)), list(range(render.CHUNK, 2 * render.CHUNK)),
                                       list(range(2 * render.CHUNK, 2 * render.CHUNK + 5))]


def test_workers_are_forked_for_what_outputs_weigh(monkeypatch) -> None:
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    few = _outputs([1] * 10)
    assert render.in_process(few)
    assert not render.in_process(few + _outputs([render.PARALLEL_FROM]))  # a few pages and a heavy export
    spooled = [o._replace(source=("spool", "sha")) for o in _outputs([render.PARALLEL_FROM])]
    assert render.in_process(few + spooled)  # made already: moved, not rendered
    monkeypatch.setenv("CROSSINGS_WORKERS", "1")
    assert render.in_process(few + _outputs([render.PARALLEL_FROM]))


def _fixture_seeds(project: Project) -> list[Path]:
    seeds = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))
    assert len(seeds) >= 4
    return seeds


def test_the_exports_weigh_by_the_articles_they_hold(project: Project, tmp_path) -> None:
    for seed in _fixture_seeds(project):
        project.add_fixture_seed("ok/" + seed.name)
    status, _, err = project.run("import")
    assert status in (0, 1), err
    config = project.config()
    library = Library(config, Cache(tmp_path / "cache"), scan=Scan())
    records, _ = library.load()
    site, _ = build_site(records, config, library, load_catalogs(config.locales))
    planned = {o.path: o for o in exports.plan_exports(site)}
    n = len(site.records)
    assert n >= 4
    for path in ("data/articles.csv", "data/articles.bib", "data/stories.csv", "data/stories.json"):
        assert planned[path].weight == 1 + n * exports.COMBINED_WEIGHT // 1000
    years = Counter(record.article.date.year for record in site.records)
    for year, count in years.items():
        for extension in ("csv", "jsonl.gz"):
            assert planned[f"data/{year}.{extension}"].weight == 1 + count * exports.YEAR_WEIGHT // 1000
    assert planned[site.records[0].article.url + "citation.bib"].weight == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="render workers are forked")
def test_a_change_whose_exports_weigh_enough_is_rendered_by_workers_exactly(project: Project, tmp_path, monkeypatch) -> None:
    """The fixture archive's exports made to weigh like 100,000 articles': adding a seed renders a few pages
    and the exports in two workers; the site equals a clean build's, byte for byte."""
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    monkeypatch.setattr(exports, "COMBINED_WEIGHT", 10**6)  # each combined export: a thousand pages' time per article
    monkeypatch.setattr(render, "PARALLEL_FROM", 1000)  # more than the pages a new seed renders here, less than one export
    # the exports made by the render workers, not by a process forked ahead (``tests/test_exports_ahead.py``)
    monkeypatch.setattr(exports.ExportsAhead, "start", classmethod(lambda cls, *args: None))
    seeds = _fixture_seeds(project)
    decided = []
    real = render.in_process

    def spy(outputs):
        result = real(outputs)
        decided.append(([o.path for o in outputs if o.source is None], result))
        return result

    monkeypatch.setattr(render, "in_process", spy)
    for seed in seeds[:-1]:
        project.add_fixture_seed("ok/" + seed.name)
    status, _, err = project.run("build")
    assert status in (0, 1), err
    decided.clear()
    project.add_fixture_seed("ok/" + seeds[-1].name)
    status, _, err = project.run("build")
    assert status in (0, 1), err
    with_exports = [(paths, alone) for paths, alone in decided if "data/articles.bib" in paths]
    assert with_exports, "the exports were not rendered"
    for paths, alone in with_exports:
        assert not alone  # rendered by workers
        assert len(paths) < render.PARALLEL_FROM  # few outputs: the workers were forked for what the exports weigh
        assert {"data/articles.csv", f"data/{max(paths_years(paths))}.csv"} <= set(paths)
    assert tree(project.root / "_site") == clean_build(project, tmp_path)


def paths_years(paths: list[str]) -> list[str]:
    return [p[len("data/"):-len(".csv")] for p in paths if p.startswith("data/") and p[5:9].isdigit() and p.endswith(".csv")]

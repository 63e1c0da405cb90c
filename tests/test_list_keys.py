"""The facets' list pages planned with the keys kept from the last build (``site.ListKeys``) are the pages
planned from nothing: the same outputs, keys and contexts, after each kind of change an input can bring
(the changes of ``test_article_plan``, on its corpus, with 5 articles a page so that the lists have many
numbered pages), and after changes of the settings the keys depend on. Numbered pages must be taken from
the store when the change leaves them as they were (a store never used would pass otherwise)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crossings.cache import Cache, Scan
from crossings.catalogs import load_catalogs
from crossings.config import load_config
from crossings.library import Library
from crossings.site import LIST_KEYS, ListKeys, build_site, plan_facets

from .conftest import write_pyproject
from .test_article_plan import CHANGES, assert_same_outputs, lay_out_corpus


def plan(root: Path, cache_dir: Path):
    config, problems = load_config(root / "pyproject.toml")
    assert not problems
    library = Library(config, Cache(cache_dir), scan=Scan())
    records, _ = library.load()
    site, _ = build_site(records, config, library, load_catalogs(config.locales))
    outputs = plan_facets(site)
    keys = ListKeys.of(site)
    keys.save()
    return outputs, keys.reused


def compare(root: Path, kept: Path, tmp_path: Path) -> int:
    """Plan the facets with the kept cache and from nothing; require the same plan; return how many keys the first took from the store."""
    outputs, reused = plan(root, kept)
    fresh = tmp_path / "fresh-cache"
    shutil.rmtree(fresh, ignore_errors=True)
    expected, none = plan(root, fresh)
    assert none == 0
    assert_same_outputs(outputs, expected)
    # and the next build starts from the store planning everything leaves
    assert Cache(kept).load(LIST_KEYS) == Cache(fresh).load(LIST_KEYS)
    return reused


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return lay_out_corpus(tmp_path / "site", per_page=5, interface_languages=["fr", "en"])


def test_every_change_plans_the_facets_as_planning_everything_would(corpus: Path, tmp_path: Path) -> None:
    kept = tmp_path / "kept-cache"
    assert compare(corpus, kept, tmp_path) == 0  # the first plan: from nothing
    numbered = sum(1 for o in plan(corpus, tmp_path / "count")[0] if "/page/" in o.path)
    assert numbered > 100  # lists of many pages, in two interface languages
    for name, change, helped in CHANGES:
        change(corpus)
        reused = compare(corpus, kept, tmp_path)
        if name == "nothing":
            assert reused == numbered, name  # every numbered page kept (the count: of the last change's corpus)
        elif helped == "few" and "added" in name:  # the stretches before the new article's kept
            assert reused > numbered // 3, f"{name}: {reused} of {numbered}"
        numbered = sum(1 for o in plan(corpus, tmp_path / "count")[0] if "/page/" in o.path)
        shutil.rmtree(tmp_path / "count")


@pytest.mark.parametrize("settings", [{"per_page": 6}, {"per_page": 5, "interface_languages": ["en", "fr"]}, {"per_page": 5, "language": "en"}])
def test_a_setting_the_keys_depend_on(corpus: Path, tmp_path: Path, settings: dict) -> None:
    """Another page size, another order of the interface languages or another default language: the same
    plan as from nothing."""
    kept = tmp_path / "kept-cache"
    compare(corpus, kept, tmp_path)
    write_pyproject(corpus, **settings)
    compare(corpus, kept, tmp_path)

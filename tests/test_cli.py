"""The command line as a user runs it: python build.py VERB, in a real subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, REFERENCE_SEED, REPO, Project

SUMMARY = re.compile(r"^(import|build|check): \d+ imported, \d+ skipped \(\d+ unchanged, \d+ edited, \d+ duplicate\), \d+ rejected; \d+ pages (?:written \(\d+ articles? in the site\)|checked); \d+\.\d\d s$", re.MULTILINE)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("verb", ["import", "build", "serve", "check"])
def test_help_explains_every_option(verb: str, tmp_path: Path) -> None:
    result = run(tmp_path, verb, "--help")
    assert result.returncode == 0
    for option in ("--seeds DIR", "--content DIR", "--config FILE"):
        assert option in result.stdout
    if verb in ("build", "serve"):
        assert "--out DIR" in result.stdout and "--base-url URL" in result.stdout
    if verb == "build":
        assert "--strict" in result.stdout
    if verb == "serve":
        assert "--port PORT" in result.stdout and "127.0.0.1" in result.stdout


def test_build_with_folder_options(project: Project, tmp_path: Path) -> None:
    seeds = tmp_path / "in"
    seeds.mkdir()
    (seeds / f"{REFERENCE_SEED}.txt").write_bytes((FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes())
    out = tmp_path / "public"
    result = run(project.root, "build", "--seeds", str(seeds), "--content", str(tmp_path / "articles"), "--out", str(out), "--base-url", "https://x.github.io/r/")
    assert result.returncode == 0, result.stderr
    assert SUMMARY.search(result.stdout)
    assert list((tmp_path / "articles").rglob("*.md")) and (out / "index.html").exists()
    assert 'href="/r/timeline/"' in (out / "index.html").read_text(encoding="utf-8")


def test_check_writes_nothing_and_reports_everything(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.add_fixture_seed("bad/no_source.txt", "001_00000000000000aa.txt")
    (project.content / "bad.md").write_text("---\ntitle: x\n", encoding="utf-8")
    result = run(project.root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/bad.md:1: error: the front matter is not closed — add a line '---' after the last key",
        "seeds/001_00000000000000aa.txt:9: error: no Source block at the end of the file — end the file with 'Source', a blank line, ':' and '<https://…>'",
    ]
    assert SUMMARY.search(result.stdout).group(0).startswith("check: 1 imported, 0 skipped (0 unchanged, 0 edited, 0 duplicate), 2 rejected;")
    assert not project.out.exists()
    assert [p.name for p in project.content.rglob("*") if p.is_file()] == ["bad.md"]


def test_a_clean_project_checks_clean(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    assert run(project.root, "build").returncode == 0
    result = run(project.root, "check")
    assert result.returncode == 0 and result.stderr == ""


def test_check_leaves_the_build_cache_as_it_is(project: Project) -> None:
    """``check`` reads the build cache and changes none of it, not even the stores a build would remove
    (here: those of a content folder gone, and of the search index's parts)."""
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    (project.content / "1999").mkdir(parents=True)
    (project.content / "1999" / "old.md").write_text("---\ntitle: Arrivées à Malte\ndate: 1999-03-04\nlang: fr\n---\n\nDes arrivées.\n",
                                                   encoding="utf-8")
    assert run(project.root, "build").returncode == 0
    cache = project.root / ".cache"
    stores = {p.relative_to(cache).as_posix(): p.read_bytes() for p in cache.rglob("*.marshal")}
    assert any(name.startswith("content-") for name in stores) and any(name.startswith("ownsearch-memo-") for name in stores)
    (project.content / "1999" / "old.md").unlink()
    (project.content / "1999").rmdir()
    result = run(project.root, "check")
    assert result.returncode == 0, result.stderr
    assert {p.relative_to(cache).as_posix(): p.read_bytes() for p in cache.rglob("*.marshal")} == stores


def test_bad_settings_are_reported_without_a_traceback(project: Project) -> None:
    (project.root / "pyproject.toml").write_text('[tool.crossings]\nper_page = "many"\nbase_url = "ftp://x"\ntitel = "x"\n', encoding="utf-8")
    result = run(project.root, "build")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "pyproject.toml:2: error: 'per_page' must be a whole number of at least 1 — for example per_page = 20",
        "pyproject.toml:3: error: 'base_url' must be an http(s) URL or a path: 'ftp://x' — for example base_url = \"https://USER.github.io/REPO/\" or \"/\"",
        "pyproject.toml:4: warning: unknown setting 'titel' in [tool.crossings] — known settings: title, description, descriptions, base_url, language, interface_languages, languages, timezone, per_page, search_shard_size, search, seeds_dir, content_dir, templates_dir, static_dir, output_dir, cache_dir, cname, entities_file, publishers_file, places_file, locales_dir",
    ]


def test_module_entry_point(project: Project) -> None:
    result = subprocess.run([sys.executable, "-m", "crossings", "check"], cwd=project.root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("check: 0 imported")


def test_shipped_content_matches_the_shipped_seed() -> None:
    [shipped] = (REPO / "content").rglob("*.md")
    assert shipped.read_bytes() == (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.expected.md").read_bytes()
    assert (REPO / "seeds" / f"{REFERENCE_SEED}.txt").read_bytes() == (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes()


@pytest.mark.parametrize("value", [0, -5, True, 1.5, '"big"'])
def test_every_number_setting_wants_a_whole_number_of_at_least_one(tmp_path: Path, value: object) -> None:
    from crossings.config import load_config

    (tmp_path / "pyproject.toml").write_text(f"[tool.crossings]\nsearch_shard_size = {str(value).lower()}\n", encoding="utf-8")
    config, problems = load_config(tmp_path / "pyproject.toml")
    assert [p.message for p in problems] == ["'search_shard_size' must be a whole number of at least 1"]
    assert config.search_shard_size == 2000

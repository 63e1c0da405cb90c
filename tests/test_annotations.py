"""Problems as GitHub Actions annotations: the workflow commands the CLI prints in a workflow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crossings import seeds
from crossings.problems import error, warning, workflow_command

from .conftest import FIXTURES, REFERENCE_SEED, REPO, Project

NO_SOURCE = "seeds/001_00000000000000aa.txt"
NO_SOURCE_COMMAND = (
    f"::error file={NO_SOURCE},line=9,title=no Source block at the end of the file::"
    "no Source block at the end of the file — end the file with 'Source', a blank line, ':' and '<https://…>'"
)


def test_a_real_seed_problem_becomes_an_annotation_on_its_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text, problems = seeds.decode((FIXTURES / "seeds/bad/no_source.txt").read_bytes(), NO_SOURCE)
    seed, more = seeds.parse(text, "001_00000000000000aa", NO_SOURCE)
    assert seed is None and not problems
    [problem] = more
    assert workflow_command(problem, root=tmp_path) == NO_SOURCE_COMMAND


def test_a_warning_is_a_warning_and_a_problem_without_a_line_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text, _ = seeds.decode((FIXTURES / "seeds/bad/future_date.txt").read_bytes(), "seeds/a.txt")
    seed, [problem] = seeds.parse(text, "001_00000000000000aa", "seeds/a.txt")
    assert seed is not None
    assert workflow_command(problem, root=tmp_path) == (
        "::warning file=seeds/a.txt,line=5,title=the date 2999-01-27 is in the future"
        "::the date 2999-01-27 is in the future — check the date line (day.month.year)")
    assert workflow_command(error("seeds/b", None, "is a folder, not a seed file", "x"), root=tmp_path) == \
        "::error file=seeds/b,title=is a folder%2C not a seed file::is a folder, not a seed file — x"


def test_escaping_follows_githubs_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """%, CR and LF are escaped everywhere; ':' and ',' also in properties (file, title)."""
    monkeypatch.chdir(tmp_path)
    problem = warning("content/a,b:c%.md", 3, "50% off:\r\nnext, line", "say: 100%")
    assert workflow_command(problem, root=tmp_path) == (
        "::warning file=content/a%2Cb%3Ac%25.md,line=3,title=50%25 off%3A%0D%0Anext%2C line"
        "::50%25 off:%0D%0Anext, line — say: 100%25"
    )
    # A message cannot end the command early or start another one on a new line.
    hostile = error("seeds/x.txt", 1, "title '::set-output name=x::y'\n::error::fake")
    command = workflow_command(hostile, root=tmp_path)
    assert "\n" not in command
    assert command.startswith("::error file=seeds/x.txt,line=1,title=title '%3A%3Aset-output name=x%3A%3Ay'%0A%3A%3Aerror%3A%3Afake::")


def test_paths_are_relative_to_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "site").mkdir()
    monkeypatch.chdir(tmp_path / "site")
    problem = error("seeds/x.txt", 2, "bad")
    assert workflow_command(problem, root=tmp_path).startswith("::error file=site/seeds/x.txt,line=2,")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    assert workflow_command(problem).startswith("::error file=site/seeds/x.txt,line=2,")
    # Outside the repository: no file, and the path stays in the message.
    outside = error(str(tmp_path.parent / "elsewhere.txt"), 2, "bad", "fix it")
    assert workflow_command(outside) == f"::error title=bad::{tmp_path.parent / 'elsewhere.txt'}: bad — fix it"


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")} | env
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_under_github_actions_the_cli_annotates_and_keeps_the_human_lines(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.add_fixture_seed("bad/no_source.txt", "001_00000000000000aa.txt")
    (project.content / "bad.md").write_text("---\ntitle: x\n", encoding="utf-8")
    result = run(project.root, "check", "--no-site", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(project.root))
    assert result.returncode == 1
    human = [
        "content/bad.md:1: error: the front matter is not closed — add a line '---' after the last key",
        f"{NO_SOURCE}:9: error: no Source block at the end of the file — end the file with 'Source', a blank line, ':' and '<https://…>'",
    ]
    assert result.stderr.splitlines() == human
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert commands == [
        "::error file=content/bad.md,line=1,title=the front matter is not closed::the front matter is not closed — add a line '---' after the last key",
        NO_SOURCE_COMMAND,
    ]
    assert result.stdout.splitlines()[-1].startswith("check: 1 imported")


def test_annotations_by_option_and_never_otherwise(project: Project) -> None:
    project.add_fixture_seed("bad/no_source.txt", "001_00000000000000aa.txt")
    plain = run(project.root, "import")
    assert plain.returncode == 1 and "::" not in plain.stdout
    forced = run(project.root, "import", "--github-annotations")
    assert forced.returncode == 1 and NO_SOURCE_COMMAND in forced.stdout.splitlines()
    off = run(project.root, "import", "--no-github-annotations", GITHUB_ACTIONS="true")
    assert off.returncode == 1 and "::" not in off.stdout and off.stderr == plain.stderr


def test_bad_settings_are_annotated_too(project: Project) -> None:
    (project.root / "pyproject.toml").write_text('[tool.crossings]\nper_page = "many"\n', encoding="utf-8")
    result = run(project.root, "build", GITHUB_ACTIONS="true")
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "::error file=pyproject.toml,line=2,title='per_page' must be a whole number of at least 1"
        "::'per_page' must be a whole number of at least 1 — for example per_page = 20"]

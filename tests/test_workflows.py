"""The GitHub workflows: checked by jactionlint, and the design they must keep."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REFERENCE_SEED, REPO, Project

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> dict:
    document = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def test_every_workflow_passes_jactionlint(tmp_path: Path) -> None:
    """jactionlint (a fork of actionlint: syntax, expressions and their types, job needs and
    outputs, reusable workflow calls and permissions, shellcheck on every run: script).

    It runs on a copy of ``.github``: in the checkout it walks every folder under it (a
    benchmark's generated projects there made it take 77 s instead of 0.3 s)."""
    linter = shutil.which("jactionlint", path=str(Path(sys.executable).parent)) or shutil.which("jactionlint")
    if linter is None:
        pytest.fail("jactionlint is missing: `make test` installs it (pyproject.toml, the test extras)")
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing: `make test` installs Debian's shellcheck package")
    assert [p.name for p in WORKFLOWS] == ["import.yml", "pages.yml"]
    files = [str(p.relative_to(REPO)) for p in [*WORKFLOWS, REPO / ".github" / "dependabot.yml"]]
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    result = subprocess.run([linter, "--no-color", "--no-online", "--strict-exit", "--config-file", ".github/jactionlint.yaml", *files],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)  # (a guard against a hang)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_import_workflow_runs_on_seeds_only_and_cannot_trigger_itself() -> None:
    workflow = load("import.yml")
    assert workflow["on"] == {"push": {"branches": ["**"], "paths": ["seeds/**"]}}
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    # Only the commit job may write, and it pushes with the GITHUB_TOKEN, which starts no workflow.
    assert jobs["import"]["permissions"] == {"contents": "write"}
    steps = jobs["import"]["steps"]
    assert "python -m crossings.commit_content" in steps[-1]["run"]
    assert not any("token" in step.get("with", {}) for step in steps)
    # Then Pages builds the commit that holds the content files.
    assert jobs["publish"]["uses"] == "./.github/workflows/pages.yml"
    assert jobs["publish"]["with"]["ref"] == "${{ needs.import.outputs.sha }}"
    assert jobs["publish"]["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_the_pages_workflow_leaves_seed_pushes_to_the_import_workflow() -> None:
    workflow = load("pages.yml")
    assert workflow["on"]["push"] == {"branches": ["main"], "paths-ignore": ["seeds/**"]}
    assert set(workflow["on"]["workflow_call"]["inputs"]) == {"ref", "annotate"}
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    checkout = jobs["build"]["steps"][0]
    assert checkout["with"] == {"ref": "${{ inputs.ref || github.sha }}", "persist-credentials": False}
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    # The two workflows never share a concurrency group: a called workflow with its
    # caller's group deadlocks.
    assert workflow["concurrency"]["group"] != load("import.yml")["concurrency"]["group"]


@pytest.mark.parametrize("annotate", ["", "false"])
def test_the_pages_build_step_publishes_the_rest_and_reports_a_rejected_file(project: Project, tmp_path: Path, annotate: str) -> None:
    """The build step of pages.yml, run with bash as GitHub runs it, in a project with a bad seed.
    ANNOTATE is '' on a push and 'false' when import.yml calls it (it annotated the seeds already)."""
    [step] = [s for s in load("pages.yml")["jobs"]["build"]["steps"] if s.get("id") == "build"]
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.add_fixture_seed("bad/no_source.txt", "001_00000000000000aa.txt")
    shutil.copy(REPO / "build.py", project.root / "build.py")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")  # this virtualenv's
    (bin_dir / "python").chmod(0o755)
    outputs = tmp_path / "outputs"
    outputs.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "PYTHONPATH": str(REPO), "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(project.root), "GITHUB_OUTPUT": str(outputs),
            "BASE_URL": "https://user.github.io/repo", "ANNOTATE": annotate}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=project.root, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert 'href="/repo/timeline/"' in (project.out / "index.html").read_text(encoding="utf-8")
    assert "seeds/001_00000000000000aa.txt:9: error: no Source block" in result.stderr
    annotation = "::error file=seeds/001_00000000000000aa.txt,line=9,title=no Source block at the end of the file::"
    if annotate == "false":
        assert "::" not in result.stdout and outputs.read_text(encoding="utf-8") == ""
    else:
        assert any(line.startswith(annotation) for line in result.stdout.splitlines())
        assert outputs.read_text(encoding="utf-8") == "rejected=true\n"

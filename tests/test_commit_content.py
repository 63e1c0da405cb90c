"""The import workflow's commit-back step, run for real: a bare "origin" repository in
tmp_path, an editor's clone pushing seeds, and a shallow clone like the workflow's
checkout running ``python -m crossings.commit_content``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, REFERENCE_SEED, REPO, lay_out

BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
REFERENCE_CONTENT = "content/2023/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations.md"
EDITOR = {"GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
          "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}


def git(cwd: Path, *args: str, check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | EDITOR
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if check and result.returncode:
        raise AssertionError(f"git {' '.join(args)}: {result.stderr}")
    return result.stdout.strip()


class Origin:
    """A bare repository standing for GitHub, with an editor's clone to push from."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.bare = tmp / "origin.git"
        git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", str(self.bare))
        self.editor = lay_out(tmp / "editor")
        git(self.editor, "init", "--quiet", "--initial-branch=main")
        (self.editor / ".gitignore").write_text("/_site/\n/.cache/\n", encoding="utf-8")
        self.add_seed(f"ok/{REFERENCE_SEED}.txt")
        content = self.editor / REFERENCE_CONTENT  # as an earlier run of the workflow committed it
        content.parent.mkdir(parents=True)
        content.write_bytes((FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.expected.md").read_bytes())
        git(self.editor, "remote", "add", "origin", self.bare.as_uri())
        self.push("Start the archive")
        self.clones = 0

    def add_seed(self, fixture: str, name: str | None = None) -> Path:
        path = self.editor / "seeds" / (name or Path(fixture).name)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes((FIXTURES / "seeds" / fixture).read_bytes())
        return path

    def push(self, message: str) -> str:
        git(self.editor, "add", "--all")
        git(self.editor, "commit", "--quiet", "-m", message)
        git(self.editor, "push", "--quiet", "origin", "main")
        return self.tip()

    def tip(self, ref: str = "main") -> str:
        return git(self.bare, "rev-parse", ref)

    def checkout(self) -> Path:
        """A shallow clone of the tip, as actions/checkout makes it."""
        self.clones += 1
        clone = self.tmp / f"ci{self.clones}"
        git(self.tmp, "clone", "--quiet", "--depth", "1", self.bare.as_uri(), str(clone))
        return clone

    def show(self, path: str, ref: str = "main") -> bytes:
        return subprocess.run(["git", "show", f"{ref}:{path}"], cwd=self.bare, capture_output=True, check=True).stdout

    def changed(self, ref: str = "main") -> list[str]:
        """What the commit at ``ref`` changed: 'A path', 'M path'…"""
        out = git(self.bare, "diff-tree", "--no-commit-id", "--name-status", "-r", ref)
        return [" ".join(line.split("\t")) for line in out.splitlines()]


def commit_content(clone: Path, summary: Path | None = None, *args: str) -> subprocess.CompletedProcess:
    """Run the step as the workflow does (GITHUB_ACTIONS=true), with this worktree's package."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env |= {"PYTHONPATH": str(REPO), "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(clone)}
    if summary:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    return subprocess.run([sys.executable, "-m", "crossings.commit_content", *args], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    return Origin(tmp_path)


def edit_title(path: Path, title: str) -> bytes:
    text = path.read_text(encoding="utf-8")
    start = text.index("\ntitle: ") + 1
    end = text.index("\n", start)
    path.write_text(text[:start] + f"title: {title}" + text[end:], encoding="utf-8")
    return path.read_bytes()


def test_new_seeds_are_committed_back_and_an_edited_file_is_never_touched(origin: Origin, tmp_path: Path) -> None:
    edited = edit_title(origin.editor / REFERENCE_CONTENT, "Maroc : dialogue sur le Pacte (titre corrigé)")
    origin.push("Correct a title")
    origin.add_seed("ok/102_3b7e0f1a9c2d4e5f.txt")
    uploaded = origin.push("Add files via upload")
    clone = origin.checkout()
    (clone / "content" / "draft.md").write_text("---\ntitle: not finished\n", encoding="utf-8")  # untracked: never staged
    summary = tmp_path / "summary.md"

    result = commit_content(clone, summary)

    assert result.returncode == 0, result.stderr
    assert git(origin.bare, "rev-parse", "main^") == uploaded
    assert git(origin.bare, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "main") == f"{BOT}|{BOT}"
    [change] = origin.changed()
    assert change.startswith("A content/2024/2024-03-14-spain-") and change.endswith(".md")
    new_file = change[2:]
    assert origin.show(new_file) == (FIXTURES / "seeds/ok/102_3b7e0f1a9c2d4e5f.expected.md").read_bytes()
    message = git(origin.bare, "log", "-1", "--format=%B", "main")
    assert message.splitlines()[0] == "Import seed 102_3b7e0f1a9c2d4e5f"
    assert f"- seeds/102_3b7e0f1a9c2d4e5f.txt -> {new_file} (new)" in message
    # The editor's file: byte for byte what they wrote, at origin and in the clone.
    assert origin.show(REFERENCE_CONTENT) == edited == (clone / REFERENCE_CONTENT).read_bytes()
    assert (clone / "content" / "draft.md").exists() and b"draft" not in git(origin.bare, "ls-tree", "-r", "main").encode()
    assert f"{REFERENCE_CONTENT}: kept: edited by hand" in result.stderr
    assert "::" not in result.stdout  # no problem, no annotation
    assert result.stdout.splitlines()[-1].startswith("commit-content: 1 imported, 0 rejected; committed ")
    assert f"- `{new_file}` (new, from seed `102_3b7e0f1a9c2d4e5f`)" in summary.read_text(encoding="utf-8")

    # Nothing new: no commit, from the same clone or a fresh one.
    tip = origin.tip()
    for again in (clone, origin.checkout()):
        result = commit_content(again)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "commit-content: 0 imported, 0 rejected; nothing to commit"
        assert origin.tip() == tip


def test_a_bad_seed_is_annotated_and_the_good_ones_are_committed(origin: Origin, tmp_path: Path) -> None:
    origin.add_seed("bad/no_source.txt", "001_00000000000000aa.txt")
    origin.add_seed("ok/103_5c1d2e3f4a5b6c7d.txt")
    origin.push("Add files via upload")
    summary = tmp_path / "summary.md"

    result = commit_content(origin.checkout(), summary)

    assert result.returncode == 1
    human = "seeds/001_00000000000000aa.txt:9: error: no Source block at the end of the file — end the file with 'Source', a blank line, ':' and '<https://…>'"
    assert human in result.stderr.splitlines()
    assert ("::error file=seeds/001_00000000000000aa.txt,line=9,title=no Source block at the end of the file::"
            "no Source block at the end of the file — end the file with 'Source', a blank line, ':' and '<https://…>'") in result.stdout.splitlines()
    [change] = origin.changed()
    assert change.startswith("A content/2023/2023-05-02-marruecos-")
    assert origin.show(change[2:]) == (FIXTURES / "seeds/ok/103_5c1d2e3f4a5b6c7d.expected.md").read_bytes()
    message = git(origin.bare, "log", "-1", "--format=%B", "main")
    assert message.splitlines()[0] == "Import seed 103_5c1d2e3f4a5b6c7d"
    assert "Not imported (see the problems reported by the workflow run):\n\n- seeds/001_00000000000000aa.txt" in message
    warned = (FIXTURES / "seeds/ok/103_5c1d2e3f4a5b6c7d.warnings").read_text(encoding="utf-8").strip()
    assert f"~~~\n{human}\nseeds/{warned}\n~~~" in summary.read_text(encoding="utf-8")  # the good seed's warning too


def test_a_push_meanwhile_means_importing_again_on_the_new_tip(origin: Origin) -> None:
    """The editor re-delivers the reference seed (import would update its content file)
    while someone else edits that file and pushes first: the edit wins, untouched."""
    seed = origin.editor / "seeds" / f"{REFERENCE_SEED}.txt"
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("\nSource", "\nCorrection : le dialogue a duré deux jours.\n\nSource", 1), encoding="utf-8")
    origin.add_seed("ok/104_7e8f9a0b1c2d3e4f.txt")
    uploaded = origin.push("Add files via upload")
    clone = origin.checkout()
    # Someone else's commit, made before the step pushes: it lands through a pre-receive
    # hook at the first push, as if pushed a moment earlier.
    edited = edit_title(origin.editor / REFERENCE_CONTENT, "Titre corrigé pendant l'import")
    git(origin.editor, "commit", "--quiet", "--all", "-m", "Correct a title")
    git(origin.editor, "push", "--quiet", "origin", "main:pending")
    hook = origin.bare / "hooks" / "pre-receive"
    hook.write_text('#!/bin/sh\n[ -e raced ] && exit 0\ntouch raced\n'
                    'env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main refs/heads/pending\n', encoding="utf-8")
    hook.chmod(0o755)

    result = commit_content(clone)

    assert result.returncode == 0, result.stderr
    assert "main moved on at origin meanwhile; importing again" in result.stderr
    assert git(origin.bare, "rev-parse", "main^") == origin.tip("pending") != uploaded
    assert origin.show(REFERENCE_CONTENT) == edited  # the editor's edit, not import's update
    [change] = origin.changed()
    assert change.startswith("A content/2023/2023-01-27-") and "104_7e8f9a0b1c2d3e4f" in origin.show(change[2:]).decode()
    assert git(origin.bare, "log", "-1", "--format=%s", "main") == "Import seed 104_7e8f9a0b1c2d3e4f"


def test_a_checkout_behind_the_branch_first_moves_to_its_tip(origin: Origin) -> None:
    origin.add_seed("ok/102_3b7e0f1a9c2d4e5f.txt")
    origin.push("Add files via upload")
    clone = origin.checkout()  # the workflow's checkout of that push…
    origin.add_seed("ok/103_5c1d2e3f4a5b6c7d.txt")
    later = origin.push("Add files via upload")  # …and a second upload before the step runs
    result = commit_content(clone)
    assert result.returncode == 0, result.stderr
    assert git(origin.bare, "rev-parse", "main^") == later
    assert [c[:25] for c in origin.changed()] == ["A content/2023/2023-05-02", "A content/2024/2024-03-14"]
    assert git(origin.bare, "log", "-1", "--format=%s", "main") == "Import 2 seeds: 102_3b7e0f1a9c2d4e5f, 103_5c1d2e3f4a5b6c7d"


def test_without_an_edit_a_redelivered_seed_updates_its_file(origin: Origin) -> None:
    seed = origin.editor / "seeds" / f"{REFERENCE_SEED}.txt"
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("\nSource", "\nCorrection : le dialogue a duré deux jours.\n\nSource", 1), encoding="utf-8")
    origin.push("Add files via upload")
    result = commit_content(origin.checkout())
    assert result.returncode == 0, result.stderr
    assert origin.changed() == [f"M {REFERENCE_CONTENT}"]
    assert "Correction : le dialogue a duré deux jours." in origin.show(REFERENCE_CONTENT).decode()
    assert git(origin.bare, "log", "-1", "--format=%s", "main") == "Update 1 content file whose seed changed"


def test_it_refuses_a_clone_it_could_harm(origin: Origin) -> None:
    origin.add_seed("ok/102_3b7e0f1a9c2d4e5f.txt")
    origin.push("Add files via upload")
    tip = origin.tip()
    clone = origin.checkout()
    (clone / REFERENCE_CONTENT).write_text("mine\n", encoding="utf-8")
    result = commit_content(clone)
    assert result.returncode == 2 and origin.tip() == tip
    assert "commit-content: error: tracked files have changes" in result.stderr
    assert result.stdout.startswith("::error title=tracked files have changes")
    assert (clone / REFERENCE_CONTENT).read_text(encoding="utf-8") == "mine\n"

    git(clone, "checkout", "--quiet", "--", REFERENCE_CONTENT)
    git(clone, "commit", "--quiet", "--allow-empty", "-m", "a local commit, not pushed")
    result = commit_content(clone)
    assert result.returncode == 2 and origin.tip() == tip
    assert "main has commits that origin does not: push or drop them first" in result.stderr


def run_workflow_step(clone: Path, tmp_path: Path) -> tuple[int, dict[str, str]]:
    """Run the import workflow's own commit step, with bash as GitHub runs it; its outputs."""
    import yaml

    workflow = yaml.safe_load((REPO / ".github/workflows/import.yml").read_text(encoding="utf-8"))
    [step] = [s for s in workflow["jobs"]["import"]["steps"] if s.get("id") == "commit"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")  # this virtualenv's
    (bin_dir / "python").chmod(0o755)
    outputs = tmp_path / "outputs"
    outputs.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "PYTHONPATH": str(REPO), "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(clone), "GITHUB_OUTPUT": str(outputs), "GITHUB_REF_NAME": "main"}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=120)
    return result.returncode, dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())


def test_the_workflow_step_reports_a_rejected_seed_and_passes_on_the_pushed_commit(origin: Origin, tmp_path: Path) -> None:
    origin.add_seed("bad/no_source.txt", "001_00000000000000aa.txt")
    origin.add_seed("ok/102_3b7e0f1a9c2d4e5f.txt")
    origin.push("Add files via upload")
    status, outputs = run_workflow_step(origin.checkout(), tmp_path)
    # The step succeeds so that Pages publishes the good seed; the last job fails the run.
    assert status == 0
    assert outputs == {"sha": origin.tip(), "rejected": "true"}
    assert git(origin.bare, "log", "-1", "--format=%s", "main") == "Import seed 102_3b7e0f1a9c2d4e5f"

    clone = origin.checkout()
    (clone / REFERENCE_CONTENT).write_text("mine\n", encoding="utf-8")
    status, outputs = run_workflow_step(clone, tmp_path)
    assert status == 2 and "rejected" not in outputs  # nothing pushed: the run stops before publishing

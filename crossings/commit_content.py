"""Import the seeds and commit the content files import wrote back to the branch.

The import workflow (``.github/workflows/import.yml``) runs this after a push that
touches ``seeds/``, so that an editor who only uses GitHub's web interface finds the
article's content file in the repository, ready to correct::

    python -m crossings.commit_content [--branch NAME] [--remote origin] [--attempts 5]

Run it at the root of a clone, on a branch whose tracked files are unchanged.

- It stages exactly the files import wrote in this run (never ``git add content/``),
  and only if each is new or, at HEAD, still what import wrote: import never
  rewrites a file an editor changed, and this checks it once more.
- It commits them as github-actions[bot], with a message naming the seeds, and
  pushes. A push with the workflow's GITHUB_TOKEN starts no workflow, and the commit
  holds only ``content/`` files, so the import workflow never triggers itself.
- If the push is refused because someone pushed meanwhile, it drops its own commit,
  moves to the new tip and imports again (not ``git pull --rebase``: a three-way merge
  could splice import's rewrite of a file into an editor's concurrent edit of it;
  importing again on the new tip lets import see the edit and keep the file).

Exit status: 0 all good (pushed, or nothing to commit); 1 a seed was rejected (each
problem is reported, and annotated in a workflow) and the good ones were committed
and pushed all the same; 2 bad settings, changed tracked files, git failed (nothing
was pushed), or an unexpected error (a bug; never 1, which the workflow reads as
"publish the good ones").
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

from . import articles
from .cache import Cache
from .cli import print_kept, print_problems
from .config import load_config
from .importer import ImportReport, import_seeds, read_content_file
from .problems import Problem, error, workflow_command

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
NAMED_IN_SUBJECT = 3


class GitError(Exception):
    """A git command failed, or the clone is not in a state this may touch."""


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    annotate = args.github_annotations if args.github_annotations is not None else os.environ.get("GITHUB_ACTIONS") == "true"
    try:
        return CommitContent(args, annotate).run()
    except GitError as exc:
        why = str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug: say so, and never exit 1, which means "a seed was rejected"
        traceback.print_exc()
        why = f"unexpected {type(exc).__name__}: {exc} (a bug: please report it)"
    print(f"commit-content: error: {why}", file=sys.stderr, flush=True)
    if annotate:
        print(workflow_command(error("", None, why)), flush=True)
    return 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m crossings.commit_content",
                                  description="Import the seeds, then commit the content files import wrote and push them "
                                              "to the branch. Run at the root of a clone whose tracked files are unchanged.")
    top.add_argument("--branch", help="the branch to push to (default: the current branch)")
    top.add_argument("--remote", default="origin", help="the remote to push to (default origin)")
    top.add_argument("--attempts", type=int, default=5, help="how many times to import, commit and push while others push meanwhile (default 5)")
    top.add_argument("--github-annotations", action=argparse.BooleanOptionalAction, default=None,
                     help="print problems as GitHub Actions annotations too (default: when GITHUB_ACTIONS=true)")
    return top


class CommitContent:
    def __init__(self, args: argparse.Namespace, annotate: bool) -> None:
        self.args = args
        self.annotate = annotate
        self.root = Path(git("rev-parse", "--show-toplevel")).resolve()
        self.branch = args.branch or git("symbolic-ref", "--quiet", "--short", "HEAD", what="not on a branch: pass --branch")

    def run(self) -> int:
        os.chdir(self.root)  # problems and git paths are relative to the repository
        config, problems = load_config(Path("pyproject.toml") if Path("pyproject.toml").exists() else None)
        if any(p.is_error for p in problems):
            print_problems(problems, annotate=self.annotate)
            return 2
        content = config.content.resolve()
        if not content.is_relative_to(self.root):
            raise GitError(f"the content folder {config.content} is outside the repository")
        if git("status", "--porcelain", "--untracked-files=no"):
            raise GitError("tracked files have changes: commit or stash them first (only import's own files are committed here)")
        self.sync()
        for attempt in range(1, self.args.attempts + 1):
            report = import_seeds(config, Cache(None))  # no build state: decide from the files alone
            files = origins(self.stage(report))
            if not files:
                sha, outcome = None, "nothing to commit"
                break
            base = git("rev-parse", "HEAD")
            git("commit", "--quiet", "--no-verify", "-m", message(files, report, self.relative(config.seeds)), env=BOT_ENV)
            sha = git("rev-parse", "HEAD")
            if git_ok("push", "--quiet", self.args.remote, f"HEAD:refs/heads/{self.branch}"):
                outcome = f"committed {sha[:12]} ({plural(len(files), 'file')}) and pushed it to {self.args.remote}/{self.branch}"
                break
            tip = self.fetch()
            if tip == base:
                raise GitError(f"{self.args.remote} refused the push of {self.branch}, and nobody pushed meanwhile: see git's message above")
            print(f"commit-content: {self.branch} moved on at {self.args.remote} meanwhile; importing again on {tip[:12]} "
                  f"(attempt {attempt + 1} of {self.args.attempts})", file=sys.stderr, flush=True)
            git("reset", "--quiet", "--keep", tip)  # drops only this run's commit (checked in sync())
        else:
            raise GitError(f"{self.branch} kept moving at {self.args.remote}: gave up after {self.args.attempts} attempts; run the workflow again")
        print_problems(problems + report.problems, annotate=self.annotate)
        print_kept(report.kept)
        print(f"commit-content: {len(report.imported)} imported, {len(report.rejected)} rejected; {outcome}", flush=True)
        summarize(files if sha else [], report, problems, sha, self.branch)
        return 1 if report.rejected else 0

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def fetch(self) -> str:
        git("fetch", "--quiet", self.args.remote, f"refs/heads/{self.branch}")
        return git("rev-parse", "FETCH_HEAD")

    def sync(self) -> None:
        """Move to the remote's tip, refusing if the branch holds commits the remote lacks
        (so that dropping this run's own commit later can never drop anyone else's)."""
        tip = self.fetch()
        if not git_ok("merge-base", "--is-ancestor", "HEAD", tip):
            raise GitError(f"{self.branch} has commits that {self.args.remote} does not: push or drop them first")
        git("merge", "--quiet", "--ff-only", tip)

    def stage(self, report: ImportReport) -> list[str]:
        """Stage exactly the files import wrote; return their paths (relative to the repository)."""
        paths = []
        for path in sorted(report.written):
            rel = path.resolve().relative_to(self.root).as_posix()
            at_head = git_ok("cat-file", "-e", f"HEAD:{rel}")
            if at_head and articles.is_edited(git("show", f"HEAD:{rel}", strip=False)):
                # Import never rewrites an edited file; should it ever, the editor's version wins.
                git("checkout", "--quiet", "HEAD", "--", rel)
                report.problems.append(error(rel, None, "import rewrote a file an editor changed; the editor's version was put back",
                                             "please report this: it is a bug"))
                continue
            paths.append(rel)
        if paths:
            git("add", "--", *paths)
        staged = git("diff", "--cached", "--name-only", "-z", strip=False).split("\0")
        staged = sorted(p for p in staged if p)
        if not set(staged) <= set(paths):
            raise GitError(f"unexpected files staged: {', '.join(sorted(set(staged) - set(paths)))}")
        return staged


BOT_ENV = {"GIT_AUTHOR_NAME": BOT_NAME, "GIT_AUTHOR_EMAIL": BOT_EMAIL, "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL}


def git(*args: str, env: dict[str, str] | None = None, strip: bool = True, what: str = "") -> str:
    """Run git; its output, or GitError."""
    result = subprocess.run(["git", *args], capture_output=True, text=True, encoding="utf-8",
                            env=os.environ | {"GIT_LITERAL_PATHSPECS": "1"} | (env or {}))
    if result.returncode:
        raise GitError(what or f"git {' '.join(args[:2])} failed: {result.stderr.strip()}")
    return result.stdout.strip() if strip else result.stdout


def git_ok(*args: str) -> bool:
    """Run git; whether it succeeded (its messages go to standard error)."""
    result = subprocess.run(["git", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=os.environ | {"GIT_LITERAL_PATHSPECS": "1"})
    if result.returncode and args[0] == "push":
        print(result.stderr.rstrip(), file=sys.stderr, flush=True)
    return result.returncode == 0


def origins(paths: list[str]) -> list[tuple[str, str, bool]]:
    """(seed id, content file, new?) for each staged file, before the commit, in seed order."""
    found = []
    for rel in paths:
        seed = read_content_file(Path(rel).read_text(encoding="utf-8")).seed
        found.append((seed, rel, not git_ok("cat-file", "-e", f"HEAD:{rel}")))
    return sorted(found)  # in the order of the seeds


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def message(files: list[tuple[str, str, bool]], report: ImportReport, seeds_dir: str) -> str:
    """The commit message: the seeds in the subject, each seed -> file in the body."""
    new = [seed for seed, _, is_new in files if is_new]
    parts = []
    if len(new) == 1:
        parts.append(f"import seed {new[0]}")
    elif new:
        more = f" and {len(new) - NAMED_IN_SUBJECT} more" if len(new) > NAMED_IN_SUBJECT else ""
        parts.append(f"import {len(new)} seeds: {', '.join(new[:NAMED_IN_SUBJECT])}{more}")
    if len(files) > len(new):
        parts.append(f"update {plural(len(files) - len(new), 'content file')} whose seed changed")
    subject = "; ".join(parts)
    lines = [subject[0].upper() + subject[1:], "",
             "Written by import after a push of seeds (python -m crossings.commit_content):", ""]
    lines += [f"- {seeds_dir}/{seed}.txt -> {rel} ({'new' if is_new else 'updated'})" for seed, rel, is_new in files]
    lines += ["", "Correct these files freely: import never rewrites a content file once it was edited."]
    if report.rejected:
        lines += ["", "Not imported (see the problems reported by the workflow run):", ""]
        lines += [f"- {path}" for path in sorted(report.rejected)]
    return "\n".join(lines) + "\n"


def summarize(files: list[tuple[str, str, bool]], report: ImportReport, problems: list[Problem], sha: str | None, branch: str) -> None:
    """In a workflow, add what was committed and every problem to the run's summary page
    (GitHub shows at most 10 errors and 10 warnings of a step as annotations)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    lines = ["## Import of the seeds", ""]
    if sha:
        lines += [f"Committed `{sha[:12]}` to `{branch}`:", ""]
        lines += [f"- `{rel}` ({'new' if is_new else 'updated'}, from seed `{seed}`)" for seed, rel, is_new in files]
    else:
        lines.append("No new or changed content file: nothing to commit.")
    shown = sorted(set(problems + report.problems), key=lambda p: (p.path, p.line or 0, p.message))
    if shown:
        text = "\n".join(str(p) for p in shown)  # seed text: shown in a fence, never as Markdown
        fence = "~" * max(3, 1 + max((len(run) for run in re.findall("~+", text)), default=0))
        lines += ["", f"{plural(len(shown), 'problem')} (an error means that file was left out):", "", fence, text, fence]
    with open(target, "a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())

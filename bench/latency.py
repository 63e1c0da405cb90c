"""One-change latency: a new seed and an edited article, on an archive already built.

    python bench/latency.py                          # 1,000 and 10,000 articles, 5 runs each
    python bench/latency.py --sizes 10000 --runs 3
    python bench/latency.py --repo ../other-checkout # also time another checkout, run for run

The archive is bench/run.py's (bench/out/N/crossings: generated, imported and built
once if missing). Each run, as whole processes (a ``build`` by ``crossings.cli.main``, as
build.py runs it, which then prints its resource usage):
- **new seed**: one seed dated in the archive's newest year is added (import and the
  whole site: pages, search, exports), then taken away again (a build, not timed);
- **edit**: one article's text gets a sentence, then gets it back (a build, not timed);
- **no change**: a build with nothing to do.
Wall seconds and CPU seconds are printed, medians of the runs: CPU of Crossings' own
process (start-up, import, planning, rendering, the pages it writes for Pagefind) and
of its children (Pagefind, which indexes the changed shard; render or import workers
when a change is big enough to fork them). With ``--repo``, each step is timed with
every checkout in turn, on its own copy of the project (its own build cache and
site), so that the figures compare on a shared, busy machine.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import crossings_project  # noqa: E402

OUT = HERE / "out"


RUN = """import json, os, resource, sys
from crossings.cli import main
status = main(sys.argv[1:])
me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print("RUSAGE " + json.dumps([me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime]), file=sys.stderr)
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)  # as build.py ends
"""


def timed(repo: Path, project: Path, *args: str, env: dict | None = None) -> tuple[float, float, float]:
    """Run ``build.py`` of ``repo`` in ``project`` (its ``main``, in a process of its own): (wall seconds,
    CPU seconds of that process, CPU seconds of its children: Pagefind, and workers if any)."""
    environment = dict(os.environ, PYTHONPATH=str(repo), **(env or {}))
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", RUN, *args], cwd=project, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"build failed in {project} ({repo}):\n{err.decode()[-3000:]}")
    me, children = json.loads(err.decode().rsplit("RUSAGE ", 1)[1])
    return wall, me, children


def prepare(n: int, repo: Path) -> Path:
    """The archive of ``n`` articles built by ``repo``: this checkout's in bench/out/N/crossings, another's
    in a copy of it (its own build cache and site)."""
    project = crossings_project(OUT / str(n), n)
    if repo != REPO:
        copy = OUT / str(n) / f"crossings-{repo.name}"
        if not copy.exists():
            shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".cache", "_site"))
        project = copy
    timed(repo, project, "build")
    return project


def add_seed(project: Path, n: int, run: int = 0) -> Path:
    """A new seed dated in the newest year of the archive (another one each run: the spare
    folder of the site is one build behind, and would already hold the pages of a seed
    added, removed and added again)."""
    [extra] = generate(1, project / "seeds", start=n + 1 + run)
    newest = max(p.name for p in (project / "content").iterdir() if p.name.isdigit())
    text = extra.read_text(encoding="utf-8")
    day = text.split("\n\n")[2].split(" ", 1)[0]
    extra.write_text(text.replace(day, f"15.01.{newest}", 1), encoding="utf-8")
    return extra


def remove_seed(project: Path, extra: Path) -> None:
    extra.unlink()
    for path in (project / "content").rglob("*.md"):
        if extra.stem in path.read_text(encoding="utf-8")[:2000]:
            path.unlink()


def bench(n: int, runs: int, repos: list[Path]) -> dict:
    projects = {repo: prepare(n, repo) for repo in repos}
    figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for run in range(runs):
        for repo, project in projects.items():
            article = sorted((project / "content").rglob("*.md"))[n // 2]
            original = article.read_bytes()
            timed(repo, project, "build")  # the state this checkout leaves
            figures.setdefault((str(repo), "no change"), []).append(timed(repo, project, "build"))
            extra = add_seed(project, n, run)
            figures.setdefault((str(repo), "new seed"), []).append(timed(repo, project, "build"))
            remove_seed(project, extra)
            timed(repo, project, "build")
            article.write_bytes(original.replace(b"\n\n", b"\n\nUne phrase ajout\xc3\xa9e par un \xc3\xa9diteur.\n\n", 1))
            figures.setdefault((str(repo), "edit"), []).append(timed(repo, project, "build"))
            article.write_bytes(original)
            timed(repo, project, "build")
    return {key: tuple(statistics.median(v[i] for v in values) for i in range(3)) for key, values in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, action="append", default=[], help="another checkout to time on the same projects")
    args = parser.parse_args()
    repos = [REPO] + [r.resolve() for r in args.repo]
    for n in args.sizes:
        results = bench(n, args.runs, repos)
        print(f"\nN = {n:,} articles (medians of {args.runs}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for (repo, what), (wall, me, children) in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            print(f"  {what:10} {Path(repo).name:18} {wall:6.2f} s wall, CPU {me + children:6.2f} s: Crossings' process {me:5.2f} s,"
                  f" its children (Pagefind) {children:5.2f} s")


if __name__ == "__main__":
    main()

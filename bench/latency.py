"""One-change latency: a new seed and an edited article, on an archive already built.

    python bench/latency.py                          # 1,000 and 10,000 articles, 5 runs each
    python bench/latency.py --sizes 10000 --runs 3
    python bench/latency.py --repo ../other-checkout # also time another checkout, run for run

The archive is bench/run.py's (bench/out/N/crossings: generated, imported and built
once if missing). Each run, as whole ``build.py build`` processes:
- **new seed**: one seed dated in the archive's newest year is added (import and the
  whole site: pages, search, exports), then taken away again (a build, not timed);
- **edit**: one article's text gets a sentence, then gets it back (a build, not timed);
- **no change**: a build with nothing to do.
Wall seconds and CPU seconds (the process and the children it waited for: workers,
Pagefind) are printed, medians of the runs. With ``--repo``, each step is timed with
every checkout in turn, on its own copy of the project (its own build cache and
site), so that the figures compare on a shared, busy machine.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
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


def timed(repo: Path, project: Path, *args: str, env: dict | None = None) -> tuple[float, float]:
    """Run ``build.py`` of ``repo`` in ``project``: (wall seconds, CPU seconds, children included)."""
    environment = dict(os.environ, PYTHONPATH=str(repo), **(env or {}))
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(repo / "build.py"), *args], cwd=project, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed in {project} ({repo}):\n{process.stderr.read().decode()[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime


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
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
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
    return {key: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values)) for key, values in figures.items()}


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
        for (repo, what), (wall, cpu) in results.items():
            print(f"  {Path(repo).name:16} {what:10} {wall:6.2f} s wall {cpu:6.2f} s CPU")


if __name__ == "__main__":
    main()

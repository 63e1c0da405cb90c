"""How well and how fast Crossings finds countries and organisations.

    python bench/entities_score.py                      # scores, and import time at this checkout
    python bench/entities_score.py --compare REV        # also the import time of git revision REV
    python bench/entities_score.py --no-import          # scores only

Scores: micro precision and recall for countries and for organisations on every
labelled file in tests/fixtures/entities/ (labelled.toml and */*.toml),
per file and per language, plus how often the first country found is the first
one labelled (the most central). Import time: bench/generate.py's corpus
(deterministic) imported by `build.py import` as a whole process with this
checkout's entities.toml, median of --runs runs, in seconds per 1,000 seeds, as
wall-clock time and as CPU time (user + system, steadier on a shared machine);
and the CPU time of entity matching alone on the same texts. With --compare, the
same for another revision, taken from git (`git archive`, nothing checked out),
scores included (that revision's code and entities.toml on today's labelled files).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

LABELLED = REPO / "tests" / "fixtures" / "entities"
KINDS = ("countries", "organizations")
MATCH_ONLY = """
import sys, time
from pathlib import Path
from crossings import entities, seeds
found, _ = entities.load(Path("entities.toml"))
texts = []
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    text, _ = seeds.decode(path.read_bytes(), path.name)
    seed, _ = seeds.parse(text, path.stem, path.name)
    texts.append(seed.title + "\\n" + "\\n".join(seed.paragraphs))
started = time.process_time()
for text in texts:
    found.find(text)
print(time.process_time() - started)
"""


def language(article: dict) -> str:
    if "lang" in article:
        return article["lang"]
    return "ar" if any("\u0600" <= c <= "\u06ff" for c in article["text"]) else "fr/en/es"


def score_file(path: Path, found) -> None:
    articles = tomllib.loads(path.read_text(encoding="utf-8"))["article"]
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: {k: [0, 0, 0] for k in KINDS})  # lang -> kind -> tp, found, expected
    first: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for article in articles:
        got = dict(zip(KINDS, found.find(article["text"]), strict=True))
        for lang in (language(article), "all"):
            for kind in KINDS:
                expected, result = set(article[kind]), set(got[kind])
                row = totals[lang][kind]
                row[0] += len(expected & result)
                row[1] += len(result)
                row[2] += len(expected)
            if article["countries"]:
                first[lang][0] += bool(got["countries"]) and got["countries"][0] == article["countries"][0]
                first[lang][1] += 1
    print(f"\n{path.relative_to(REPO)} ({len(articles)} articles)")
    print(f"  {'lang':8} {'n':>4}  {'countries P':>11} {'R':>6}  {'organizations P':>15} {'R':>6}  {'first country':>13}")
    for lang in sorted(totals, key=lambda k: (k == "all", k)):
        n = sum(1 for a in articles if lang == "all" or language(a) == lang)
        cells = []
        for kind in KINDS:
            tp, n_found, n_expected = totals[lang][kind]
            cells.append((tp / n_found if n_found else 1.0, tp / n_expected if n_expected else 1.0))
        hit, total = first[lang]
        print(f"  {lang:8} {n:>4}  {cells[0][0]:>11.3f} {cells[0][1]:>6.3f}  {cells[1][0]:>15.3f} {cells[1][1]:>6.3f}"
              f"  {(hit / total if total else 1.0):>13.3f}")


def one_import(tree: Path, project: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of `build.py import` in ``project`` with the code of ``tree``, from an empty content folder."""
    for name in ("content", ".cache"):
        shutil.rmtree(project / name, ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(tree / "build.py"), "import"], cwd=project, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"import failed with the code of {tree}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def import_times(trees: list[tuple[Path, str]], seeds: Path, runs: int, root: Path) -> None:
    """Median import and matching times per 1,000 seeds for each tree; the trees' runs alternate, so that a busy moment hits all alike."""
    projects = []
    for n, (tree, _) in enumerate(trees):
        project = root / f"project{n}"
        project.mkdir()
        (project / "pyproject.toml").write_text("[tool.crossings]\n", encoding="utf-8")
        shutil.copy(tree / "entities.toml", project / "entities.toml")
        (project / "seeds").symlink_to(seeds)
        projects.append(project)
    results: list[list[tuple[float, float, float]]] = [[] for _ in trees]
    for _ in range(runs):
        for (tree, _), project, result in zip(trees, projects, results, strict=True):
            wall, cpu = one_import(tree, project)
            matching = float(subprocess.run([sys.executable, "-c", MATCH_ONLY, str(seeds)], cwd=tree, check=True, capture_output=True, text=True).stdout)
            result.append((wall, cpu, matching))
    n = sum(1 for _ in seeds.glob("*.txt"))
    for (_, label), result in zip(trees, results, strict=True):
        wall, cpu, matching = (statistics.median(r[k] for r in result) * 1000 / n for k in range(3))
        print(f"  {label:14} import {wall:5.2f} s per 1,000 seeds (CPU {cpu:5.2f} s); entity matching alone {matching:5.2f} s CPU per 1,000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", metavar="REV", help="also time the import of this git revision")
    parser.add_argument("--no-import", action="store_true", help="scores only")
    parser.add_argument("--seeds", type=int, default=1000, help="corpus size for the import time (default 1,000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=REPO, help=argparse.SUPPRESS)  # score the code and entities.toml of another tree
    args = parser.parse_args()

    sys.path.insert(0, str(args.tree))
    from crossings import entities

    found, problems = entities.load(args.tree / "entities.toml")
    if problems:
        raise SystemExit("\n".join(map(str, problems)))
    print(f"scores of {'this checkout' if args.tree == REPO else args.tree.name}")
    for path in [LABELLED / "labelled.toml", *sorted(LABELLED.glob("*/*.toml"))]:
        score_file(path, found)
    if args.no_import:
        return
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        generate(args.seeds, seeds)
        print(f"\nimport of bench/generate.py's {args.seeds} seeds, median of {args.runs} runs")
        trees = [(REPO, "this checkout")]
        if args.compare:
            old = Path(tmp) / "old" / args.compare
            old.mkdir(parents=True)
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.compare], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            trees.insert(0, (old, args.compare))
            print(f"\n{args.compare}: ", end="", flush=True)
            subprocess.run([sys.executable, __file__, "--no-import", "--tree", str(old)], check=True)
        import_times(trees, seeds, args.runs, Path(tmp))


if __name__ == "__main__":
    main()

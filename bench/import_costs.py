"""Where import's CPU time goes, per 1,000 seeds, on one core; and the whole import on every core.

    python bench/import_costs.py                  # bench/run.py's 1,000-seed corpus
    python bench/import_costs.py --sizes 10000

Each step of ``importer.convert`` is timed on its own over the same seeds, in one
process (first the tables and Lingua's models are loaded, which the figures leave
out and print apart): reading and parsing the seed, identifying its language,
finding its entities, naming its publisher, writing its content file's text
(``articles.seed_text``, YAML checks included) and writing the file (its name, the
slug, included). The steps are counted in CPU seconds of the process (user + system):
on a machine shared with other work, wall time mostly measures the others. Then
``build.py import`` runs as a whole process on an empty content folder, with one
worker and with the default (every core), for the figure that counts: wall time.
Printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import crossings_project  # noqa: E402


def steps(project: Path) -> dict[str, float]:
    from crossings import articles, importer, publishers, seeds
    from crossings.cache import sha
    from crossings.config import load_config
    from crossings.language import identify

    config, _ = load_config(project / "pyproject.toml")
    files = sorted((project / "seeds").iterdir())
    rules = importer.rules_digest(config)
    times = dict.fromkeys(("read + parse", "language (word lists, else Lingua)", "entities", "publisher name", "content text (YAML checks)", "write file"), 0.0)
    started = time.process_time()
    entities, _ = importer._entities(config.entities, rules)
    table = publishers.for_config(config)
    identify("Une phrase en français pour charger les modèles.", config.languages, config.language)
    setup = time.process_time() - started
    out = Path(tempfile.mkdtemp(prefix="import-costs-", dir=project))
    try:
        for path in files:
            t0 = time.process_time()
            raw = path.read_bytes()
            text, _ = seeds.decode(raw, path.name)
            seed, _ = seeds.parse(text, path.stem, path.name, config.languages)
            body = "\n".join(seed.paragraphs)
            t1 = time.process_time()
            lang = identify(seed.title + "\n" + body, config.languages, config.language)
            t2 = time.process_time()
            countries, organizations = entities.find(seed.title + "\n" + body)
            t3 = time.process_time()
            name = table.name_of(seed.source)
            t4 = time.process_time()
            content = articles.seed_text(seed, lang, importer.input_hash(sha(raw), rules), countries, organizations, name)
            t5 = time.process_time()
            importer.write_atomic(out / articles.file_name(seed.date, seed.title, seed.seed_id), content)
            t6 = time.process_time()
            for key, seconds in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
                times[key] += seconds
    finally:
        shutil.rmtree(out)
    per = 1000 / len(files)
    figures = {key: seconds * per for key, seconds in times.items()}
    figures["total (one core)"] = sum(times.values()) * per
    figures["setup, once (tables, Lingua models)"] = setup
    return figures


def whole(project: Path, workers: str | None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, every process) of ``build.py import`` from nothing."""
    shutil.rmtree(project / "content", ignore_errors=True)
    shutil.rmtree(project / ".cache", ignore_errors=True)
    env = dict(os.environ)
    env.pop("CROSSINGS_WORKERS", None)
    if workers is not None:
        env["CROSSINGS_WORKERS"] = workers
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), "import"], cwd=project, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for n in args.sizes:
        project = crossings_project(HERE / "out" / str(n), n)
        print(f"N = {n:,} seeds; per 1,000 seeds, one core (best of {args.runs}):")
        runs = [steps(project) for _ in range(args.runs)]
        for key in runs[0]:
            value = runs[0][key] if key.startswith("setup") else min(r[key] for r in runs)  # setup: only the first run loads
            print(f"  {key:38} {value:6.2f} s")
        one, every = [], []
        for _ in range(args.runs):  # alternated, so that a busy moment of the machine hits both
            one.append(whole(project, "1"))
            every.append(whole(project, None))
        for label, figures in (("1 worker", one), (f"default ({os.cpu_count()} cores)", every)):
            print(f"  whole import of {n:,}, {label:18} wall {min(w for w, _ in figures):6.2f} s, CPU {min(c for _, c in figures):6.2f} s"
                  f"  (walls: {', '.join(f'{w:.2f}' for w, _ in figures)})")
        print(f"  wall, default / 1 worker: {min(w for w, _ in every) / min(w for w, _ in one):.2f}")


if __name__ == "__main__":
    main()

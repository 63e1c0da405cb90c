"""Our own search index and Pagefind, side by side on the same corpus (issue #13).

    python bench/engines.py --corpus bench/out/10000/crossings --work /tmp/engines

For each engine (setting ``search``), on a copy of the corpus (``--work``; the corpus is
not touched) with this repository's templates, static files and catalogs: a cold build
(cache and site lost), and in it the search's CPU time (ours: the index made in-process;
Pagefind: its processes' CPU, ``RUSAGE_CHILDREN``) with the whole build's wall time;
the index's size on disk; what a reader's browser downloads for one query after the home
page, and the seconds to the first results (bench/search.py's ``after_home``, in
Chromium), for the common word and for the rarest of bench/generate.py's rare places;
then the cost of one new article dated the archive's last day: the incremental build's
search time (``CROSSINGS_TIMINGS``) and the bytes of the index's files written or
rewritten. Printed, and written to ``<work>/engines.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from search import CROSSINGS_READY, CROSSINGS_RESULTS, after_home, rare_word

FOLDER = {"crossings": "search", "pagefind": "pagefind"}


def files_of(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}


def build(project: Path) -> tuple[float, float, str]:
    """Run a build; return its wall seconds, the CPU seconds of it and its children, and its timings line."""
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "build"], cwd=project, env={**os.environ, "CROSSINGS_TIMINGS": "1",
                          "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=True)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return time.perf_counter() - started, cpu, done.stdout + done.stderr


def search_lap(timings: str) -> float:
    """Wall seconds of the build's search laps (what was planned ahead and what was left)."""
    return sum(float(m.group(1)) for m in re.finditer(r"search[^,:]*? ([0-9.]+)/[0-9.]+", timings.split("timings", 1)[-1]))


def index_cpu(project: Path, engine: str) -> float:
    """CPU seconds to make the whole index from nothing, the site model already loaded."""
    from crossings.cache import Cache
    from crossings.config import load_config
    from crossings.library import Library
    from crossings.site import build_site

    config, _ = load_config(project / "pyproject.toml")
    library = Library(config, Cache(config.cache))
    records, _ = library.load()
    site, _ = build_site(records, config, library)
    _ = site.stories  # made before the index, as the build does
    for record in site.records:  # the bodies as the build has them already (its cache)
        library.body(record)
    before, started = os.times(), time.process_time()
    if engine == "crossings":
        from crossings.ownsearch import Words, build_part, parts

        languages, first = sorted({r.article.lang for r in site.records}), 0
        for _, part in parts(site.records, config.search_shard_size):
            build_part(site, part, first, Words(), languages)
            first += len(part)
        return time.process_time() - started
    from crossings.search import index_shard, indexes

    for _, part in indexes(site.records, config.search_shard_size):
        index_shard(site, part)
    after = os.times()
    return time.process_time() - started + (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "out" / "10000" / "crossings")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--engines", nargs="+", default=["crossings", "pagefind"])
    parser.add_argument("--query", default="migrants")
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in (args.corpus / "content").rglob("*.md")]
    rare, in_how_many = rare_word(texts)
    newest = max(re.search(r"^date: (\S+)", t, re.MULTILINE).group(1) for t in texts)
    figures: dict = {"rare word": f"{rare} ({in_how_many} articles)"}
    for engine in args.engines:
        project = args.work / engine
        if not project.exists():
            shutil.copytree(args.corpus, project, symlinks=True, ignore=shutil.ignore_patterns("_site", ".cache"))
        for name in ("templates", "static", "locales"):
            shutil.rmtree(project / name, ignore_errors=True)
            shutil.copytree(REPO / name, project / name)
        for name in ("_site", ".cache"):
            shutil.rmtree(project / name, ignore_errors=True)
        shutil.rmtree(project / "content" / "bench-new", ignore_errors=True)
        text = (project / "pyproject.toml").read_text(encoding="utf-8")
        text = re.sub(r'(?m)^search = .*\n', "", text).replace("[tool.crossings]\n", f'[tool.crossings]\nsearch = "{engine}"\n')
        (project / "pyproject.toml").write_text(text, encoding="utf-8")
        wall, _, timings = build(project)
        found: dict = {"cold build wall (s)": round(wall, 1), "search laps in it, wall (s)": round(search_lap(timings), 2)}
        found["index CPU from nothing (s)"] = round(index_cpu(project, engine), 2)
        folder = project / "_site" / FOLDER[engine]
        before = files_of(folder)
        found["index on disk (MB)"] = round(sum(size for size, _ in before.values()) / 1e6, 1)
        found["index files"] = len(before)
        from crossings.config import load_config

        config, _ = load_config(project / "pyproject.toml")
        for word in (args.query, rare):
            got = after_home(config.output, config.base_path, "search/?q=", CROSSINGS_READY, CROSSINGS_RESULTS, word)
            found[f"query '{word}'"] = {"kB": round(got["bytes"] / 1000, 1), "requests": got["requests"], "seconds": round(got["seconds"], 2),
                                        "results shown": got["results"], "kinds (kB)": {k: round(v / 1000, 1) for k, v in got["kinds"].items()}}
        (project / "content" / "bench-new").mkdir()
        (project / "content" / "bench-new" / "new.md").write_text(
            f"---\ntitle: Un nouvel article sur les migrants à Kalamata\ndate: {newest}\nlang: fr\n---\n\n"
            + "Des migrants sont arrivés à Kalamata, a annoncé le HCR. " * 40 + "\n", encoding="utf-8")
        wall, _, timings = build(project)
        after = files_of(folder)
        changed = {path for path, entry in after.items() if before.get(path) != entry}
        found["one new article"] = {"build wall (s)": round(wall, 2), "search laps (s)": round(search_lap(timings), 2),
                                    "index files written": len(changed), "index kB written": round(sum(after[p][0] for p in changed) / 1000, 1),
                                    "index files removed": len(set(before) - set(after))}
        shutil.rmtree(project / "content" / "bench-new")
        figures[engine] = found
        print(engine, json.dumps(found, ensure_ascii=False), flush=True)
    (args.work / "engines.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()

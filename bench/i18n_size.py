"""The site's size with one interface language and with four (#15), on the synthetic corpus.

    python bench/i18n_size.py                 # 10,000 articles
    python bench/i18n_size.py --size 1000

Generates the corpus (bench/generate.py, deterministic; kept in bench/out/i18n-N/ and
reused), imports it once, then builds it cold twice: with ``interface_languages``
unset (just ``language``, the default) and with ``["fr", "en", "es", "ar"]``. Prints,
for each, the pages, the files, the size on disk (the sum of file sizes; hard links
counted once) and where the bytes are: article pages, the archive's pages at the root
and under each language, feeds, the search index, the exports. Also written to
bench/out/i18n-N/results.json. Nothing generated here is committed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PY = sys.executable
THEME = ("templates", "static", "locales", "entities.toml", "publishers.toml")
FOUR = ["fr", "en", "es", "ar"]


def project(root: Path, n: int) -> Path:
    site = root / "site"
    if not (site / "seeds").exists():
        generate(n, site / "seeds")
    for name in THEME:
        target = site / name
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, target)
    return site


def settings(site: Path, languages: list[str] | None) -> None:
    lines = ["[tool.crossings]", 'base_url = "https://example.github.io/bench/"']
    if languages:
        lines.append("interface_languages = [" + ", ".join(f'"{lang}"' for lang in languages) + "]")
    (site / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(site: Path, *args: str) -> float:
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([PY, "-m", "crossings", *args], cwd=site, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"crossings {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def where(rel: str, languages: list[str]) -> str:
    """Which part of the site a file is."""
    first = rel.split("/", 1)[0]
    if first in languages and "/" in rel:
        rel = rel.split("/", 1)[1]
        prefix = f"{first}/: "
    else:
        prefix = ""
    if rel.startswith("articles/"):
        return "article pages and their citation.bib"
    if rel.startswith("pagefind/"):
        return "search index (pagefind/)"
    if rel.startswith("data/articles."):
        return "exports (data/articles.*)"
    if rel.endswith(("feed.xml", "feed.json")):
        return prefix + "feeds"
    if rel.endswith(".html"):
        return prefix + "archive pages"
    return "other (sitemap, static…)"


def measure(out: Path, languages: list[str]) -> dict:
    sizes: Counter = Counter()
    files = pages = 0
    seen: set[int] = set()
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        stat = path.stat()
        files += 1
        pages += path.suffix == ".html"
        if stat.st_ino in seen:
            continue  # a hashed asset is a hard link to its plain name: one copy on disk
        seen.add(stat.st_ino)
        sizes[where(path.relative_to(out).as_posix(), languages)] += stat.st_size
    return {"pages": pages, "files": files, "total (MB)": round(sum(sizes.values()) / 1e6, 1),
            "parts (MB)": {k: round(v / 1e6, 1) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    root = HERE / "out" / f"i18n-{args.size}"
    site = project(root, args.size)
    settings(site, None)
    if not (site / "content").exists():
        print(f"importing {args.size:,} seeds…", file=sys.stderr, flush=True)
        run(site, "import")
    results = {}
    for name, languages in (("one interface language (fr)", None), ("four interface languages (fr, en, es, ar)", FOUR)):
        settings(site, languages)
        shutil.rmtree(site / ".cache", ignore_errors=True)
        shutil.rmtree(site / "_site", ignore_errors=True)
        print(f"{name}: cold build…", file=sys.stderr, flush=True)
        seconds = run(site, "build")
        results[name] = {"cold build (s)": round(seconds, 1), **measure(site / "_site", languages or [])}
    (root / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, figures in results.items():
        print(f"\n{name} — {args.size:,} articles")
        for key, value in figures.items():
            if isinstance(value, dict):
                for part, mb in value.items():
                    print(f"    {part:45} {mb:8.1f} MB")
            else:
                print(f"  {key:47} {value}")
    print(f"\n(written to {root / 'results.json'})")


if __name__ == "__main__":
    main()

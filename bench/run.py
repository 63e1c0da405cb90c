"""Benchmark Crossings against Hugo and Pelican on the same synthetic corpus.

    python bench/run.py                     # N = 1,000 and 10,000, 3 runs each
    python bench/run.py --sizes 100000      # on demand
    python bench/run.py --sizes 1000 --runs 5 --no-others

For each N it generates the corpus (bench/generate.py; deterministic), then
times, as whole processes: import; a cold build (no cache, no output); a
rebuild with no change; a rebuild after adding one seed, after editing one
article, after changing one template; and records peak memory (RSS, worker
processes included) and output size. Hugo (Debian's package) and Pelican (from
PyPI, in its own virtual environment under .cache/bench) build the same
articles with comparable pages: article pages, a paginated index of 20, year
and month archives, tag pages (one tag per article: its publisher), one feed.
Medians of the runs are printed as a table and written to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

OUT = HERE / "out"
PY = sys.executable


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Run a command; return (wall seconds, peak RSS in MB of it and the children it waited for)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0,):
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss // 1024


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- Crossings ---------------------------------------------------------------------

def crossings_project(root: Path, n: int) -> Path:
    project = root / "crossings"
    if not (project / "seeds").exists():
        generate(n, project / "seeds")
    for name in ("templates", "static", "locales"):  # the look, and the interface's catalogs (French by default)
        shutil.rmtree(project / name, ignore_errors=True)
        shutil.copytree(REPO / name, project / name)
    (project / "pyproject.toml").write_text('[tool.crossings]\nbase_url = "https://example.github.io/bench/"\n', encoding="utf-8")
    return project


def bench_crossings(root: Path, n: int, runs: int) -> dict:
    project = crossings_project(root, n)
    cli = [PY, str(REPO / "build.py")]
    reset = lambda *names: [shutil.rmtree(project / name, ignore_errors=True) for name in names]  # noqa: E731
    results: dict[str, list] = {k: [] for k in ("import", "cold build", "no-change rebuild", "add one seed", "edit one article", "change one template")}
    rss: list[int] = []
    for _ in range(runs):
        reset("content", ".cache", "_site")
        results["import"].append(measure(cli + ["import"], project)[0])
        reset(".cache", "_site")
        seconds, peak = measure(cli + ["build"], project)
        results["cold build"].append(seconds)
        rss.append(peak)
        results["no-change rebuild"].append(measure(cli + ["build"], project)[0])
        # add one seed, then take it away again
        [extra] = generate(1, project / "seeds", start=n + 1)
        results["add one seed"].append(measure(cli + ["build"], project)[0])
        extra.unlink()
        for path in (project / "content").rglob("*.md"):
            if extra.stem in path.read_text(encoding="utf-8")[:2000]:
                path.unlink()
        measure(cli + ["build"], project)
        # edit one article's text
        article = sorted((project / "content").rglob("*.md"))[n // 2]
        original = article.read_bytes()
        article.write_bytes(original.replace(b"\n\n", b"\n\nUne phrase ajout\xc3\xa9e par un \xc3\xa9diteur.\n\n", 1)[::1])
        results["edit one article"].append(measure(cli + ["build"], project)[0])
        article.write_bytes(original)
        measure(cli + ["build"], project)
        # change one template
        template = project / "templates" / "article.html"
        original = template.read_bytes()
        template.write_bytes(original + b"{# edited #}\n")
        results["change one template"].append(measure(cli + ["build"], project)[0])
        template.write_bytes(original)
        measure(cli + ["build"], project)
    out = {k: statistics.median(v) for k, v in results.items()}
    out["peak RSS (MB)"] = max(rss)
    out["output size (MB)"] = round(du(project / "_site") / 1e6, 1)
    out["pages"] = sum(1 for _ in (project / "_site").rglob("*.html"))
    return out


# --- Hugo and Pelican, fed the same articles ------------------------------------------

def read_articles(project: Path) -> list[dict]:
    """The imported articles (front matter and body) to feed the other generators."""
    import frontmatter

    items = []
    for path in sorted((project / "content").rglob("*.md")):
        post = frontmatter.load(path)
        items.append({"stem": path.stem, "title": post["title"], "date": str(post["date"]), "tag": post["source_name"], "body": post.content})
    return items


HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>"
                            "<body><header><a href=\"{{ .Site.BaseURL }}\">{{ .Site.Title }}</a></header><main>{{ block \"main\" . }}{{ end }}</main></body></html>",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2 January 2006\" }}</time>{{ .Content }}"
                            "{{ with .PrevInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}"
                            "{{ with .NextInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</article>{{ end }}",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ol>{{ range (.Paginate .Pages).Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
                          " {{ .Date.Format \"2006-01-02\" }} {{ .Summary }}</li>{{ end }}</ol>{{ template \"_internal/pagination.html\" . }}{{ end }}",
    "index.html": "{{ define \"main\" }}<ol>{{ range (.Paginate .Site.RegularPages.ByDate.Reverse).Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
                  " {{ .Date.Format \"2006-01-02\" }} {{ .Summary }}</li>{{ end }}</ol>{{ template \"_internal/pagination.html\" . }}{{ end }}",
}


def hugo_project(root: Path, items: list[dict]) -> Path:
    site = root / "hugo"
    if (site / "content").exists():
        return site
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    for item in items:
        year, month = item["date"][:4], item["date"][:7]
        front = json.dumps({"title": item["title"], "date": item["date"], "tags": [item["tag"]], "years": [year], "months": [month]}, ensure_ascii=False)
        (posts / f"{item['stem']}.md").write_text(front + "\n\n" + item["body"] + "\n", encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    (site / "config.toml").write_text(
        'baseURL = "https://example.github.io/bench/"\ntitle = "bench"\npaginate = 20\ndisableKinds = ["section"]\n'
        '[taxonomies]\ntag = "tags"\nyear = "years"\nmonth = "months"\n'
        '[outputs]\nhome = ["HTML", "RSS"]\ntaxonomy = ["HTML"]\nterm = ["HTML"]\n', encoding="utf-8")
    return site


def bench_hugo(root: Path, items: list[dict], runs: int) -> dict | None:
    if not shutil.which("hugo"):
        print("hugo is not installed (apt-get install hugo): skipped", file=sys.stderr)
        return None
    site = hugo_project(root, items)
    times, rss = [], []
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        seconds, peak = measure(["hugo", "--quiet", "--ignoreCache", "-d", "public"], site)
        times.append(seconds)
        rss.append(peak)
    return {"cold build": statistics.median(times), "peak RSS (MB)": max(rss),
            "output size (MB)": round(du(site / "public") / 1e6, 1), "pages": sum(1 for _ in (site / "public").rglob("*.html"))}


PELICAN_CONF = """AUTHOR = "bench"
SITENAME = "bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
DEFAULT_PAGINATION = 20
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
"""


def pelican_bin(root: Path) -> Path:
    venv = REPO / ".cache" / "bench" / "pelican-venv"
    binary = venv / "bin" / "pelican"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "pelican==4.*", "markdown"], check=True)
    return binary


def bench_pelican(root: Path, items: list[dict], runs: int) -> dict:
    site = root / "pelican"
    content = site / "content"
    if not content.exists():
        content.mkdir(parents=True)
        for item in items:
            head = f"Title: {item['title']}\nDate: {item['date']}\nTags: {item['tag']}\nSlug: {item['stem']}\n\n"
            (content / f"{item['stem']}.md").write_text(head + item["body"] + "\n", encoding="utf-8")
        (site / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    binary = pelican_bin(root)
    times, rss = [], []
    for _ in range(runs):
        shutil.rmtree(site / "output", ignore_errors=True)
        seconds, peak = measure([str(binary), "content", "-o", "output", "-s", "pelicanconf.py", "--ignore-cache", "-q"], site)
        times.append(seconds)
        rss.append(peak)
    return {"cold build": statistics.median(times), "peak RSS (MB)": max(rss),
            "output size (MB)": round(du(site / "output") / 1e6, 1), "pages": sum(1 for _ in (site / "output").rglob("*.html"))}


# --- the table ---------------------------------------------------------------------------

def table(results: dict) -> str:
    rows = ["import", "cold build", "no-change rebuild", "add one seed", "edit one article", "change one template",
            "peak RSS (MB)", "output size (MB)", "pages"]
    lines = []
    for n, tools in results.items():
        lines.append(f"\nN = {int(n):,} articles")
        names = [t for t in ("crossings", "hugo", "pelican") if tools.get(t)]
        lines.append(f"{'':24}" + "".join(f"{t:>14}" for t in names))
        for row in rows:
            cells = []
            for tool in names:
                value = tools[tool].get(row)
                cells.append(f"{'—':>14}" if value is None else f"{value:>13.2f}s" if isinstance(value, float) and "MB" not in row else f"{value:>14,}" if isinstance(value, int) else f"{value:>14}")
            lines.append(f"{row:24}" + "".join(cells))
        crossings, hugo, pelican = tools.get("crossings"), tools.get("hugo"), tools.get("pelican")
        if crossings and pelican:
            lines.append(f"cold build vs Pelican: {crossings['cold build'] / pelican['cold build']:.2f}×")
        if crossings and hugo:
            lines.append(f"cold build vs Hugo:    {crossings['cold build'] / hugo['cold build']:.2f}×")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is reported)")
    parser.add_argument("--others-runs", type=int, default=None, help="runs for Hugo and Pelican (default: --runs)")
    parser.add_argument("--no-others", action="store_true", help="measure Crossings only")
    args = parser.parse_args()
    results: dict = {}
    for n in args.sizes:
        root = OUT / str(n)
        root.mkdir(parents=True, exist_ok=True)
        print(f"N = {n:,}: Crossings…", file=sys.stderr, flush=True)
        results[n] = {"crossings": bench_crossings(root, n, args.runs)}
        if not args.no_others:
            items = read_articles(root / "crossings")
            runs = args.others_runs or args.runs
            print(f"N = {n:,}: Hugo…", file=sys.stderr, flush=True)
            results[n]["hugo"] = bench_hugo(root, items, runs)
            print(f"N = {n:,}: Pelican…", file=sys.stderr, flush=True)
            results[n]["pelican"] = bench_pelican(root, items, runs)
    meta = {"machine": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(), "runs": args.runs}
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2), encoding="utf-8")
    print(table(results))
    print(f"\n(written to {OUT / 'results.json'})")


if __name__ == "__main__":
    main()

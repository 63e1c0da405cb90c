"""Benchmark Crossings against Hugo + Pagefind and Pelican on the same synthetic corpus.

    python bench/run.py                     # N = 1,000 and 10,000, 3 runs each
    python bench/run.py --sizes 100000 --runs 1 --change-runs 3   # on demand
    python bench/run.py --sizes 1000 --runs 5 --no-others
    python bench/run.py --sizes 10000 100000 --runs 1 --others-up-to 10000 --scale-runs 3

For each N it generates the corpus (bench/generate.py; deterministic; made again
when the generator changed: bench/out/N/corpus holds its digest) in a project
with this checkout's templates, static files, catalogs and tables (entities.toml,
publishers.toml, places.toml: the archive as it ships; ``--without-tables`` leaves
the tables out, as runs before 2026-12-04 did), then times, as whole processes, Crossings': import alone; a cold build from committed
content with the build cache lost (CI: content/ in the repository, no .cache/);
a cold build from seeds (``build`` imports, then renders); a rebuild with no
change; after adding one seed; after editing one article; after changing one
template; and records peak memory (RSS of the largest process: worker and
Pagefind processes count on their own, they are not added up) and output size.

The peers build the same articles. Hugo (Debian's package), then Pagefind (the
same binary as Crossings', from the pagefind[bin] wheel) over Hugo's output,
timed as one figure: what a Hugo user would run for this archive. Article
pages are marked ``data-pagefind-body`` with their language, a filter by source
and by year and a sort by date; list pages are not indexed. Pelican (from PyPI,
in its own virtual environment under .cache/bench). Both make comparable pages:
article pages, a paginated index of 20, year and month archives, tag pages (one
tag per article: its publisher), one feed. Their "one change" is one article
edited, then everything run again (neither updates a site in place).

Search: what a reader's browser downloads to search once it is on the home page
(bench/search.py, Chromium), for a common word and a rare one, on Crossings'
site and on Hugo + Pagefind's (a search page calling Pagefind's JavaScript API
in the page's language, fetching the first 10 results as Crossings shows them).

Before each cold build the previous outputs are moved aside, not deleted (see ``clear``;
``--delete`` deletes them). The tools take turns: our first run, then the peers' first, our second…, so
that the ratios compare figures taken minutes apart (this machine's speed drifts within minutes). Medians
of the runs (peak memory: the largest) are printed, with the ratios to Hugo + Pagefind in the same run
(also run by run, for the cold builds), and written to bench/out/results.json. ``--scale-runs K``
adds K pairs of cold builds at the two largest sizes, each pair one right after the other, with each
pair's ratio (how a cold build grows from 10,000 to 100,000 articles) and their median; and, for each pair, where
the time went step by step (import and library, stories, planning, pages and search index, last steps): the wall
seconds and the CPU seconds of the whole machine (``CROSSINGS_TIMINGS=system``), how the CPU time grew, and how much
of it is more than the sizes' ratio times the smaller build's (what the ratio target asks to remove).
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

CORPUS = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
"""The corpus's version: what made bench/out/N/'s seeds (and the peers' projects read from them)."""

OUT = HERE / "out"
PY = sys.executable
TRASH = OUT / "trash"
DELETE = False
TABLES = ("entities.toml", "publishers.toml", "places.toml")
WITH_TABLES = True
"""``--delete``: take outputs away with ``rm -rf`` right before a cold build (as this script did before)."""
_moved = 0


def clear(*paths: Path) -> None:
    """Take a tool's output (or build state) away before a cold build: moved aside (a rename), deleted
    once every size's figures are taken (``empty_trash``; after each size if the disk has less than 20 GB free).

    Deleting them right before the timed command is not neutral on every machine: on ext4 without a
    journal (this benchmark's virtual machine), Linux does not reuse an inode freed in the last minute or
    more, and scans past every such inode for each file it creates, so that creating N files right after
    deleting M costs time in N × M, charged to whichever tool runs next, and more to the one that writes
    more files (``perf``: ``recently_deleted`` under ``ext4_create``/``ext4_mkdir``; a cold build at 10,000
    articles then spends half its time in the kernel). A user's cold build (a fresh clone in CI, a
    first build) does not pay that; ``--delete`` measures it as before."""
    global _moved
    for path in paths:
        if not path.exists():
            continue
        if DELETE:
            shutil.rmtree(path, ignore_errors=True)
            continue
        TRASH.mkdir(parents=True, exist_ok=True)
        _moved += 1
        path.rename(TRASH / f"{_moved}-{path.name}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)
    for earlier in OUT.glob("trash-*"):  # (``set_trash_aside``)
        shutil.rmtree(earlier, ignore_errors=True)


def set_trash_aside() -> None:
    """What an interrupted run left in the trash is deleted at the end of this run, with the rest, not at its start:
    deleting it there made the run's first builds pay for it (see ``clear``: a 10k cold build took 32 s, not 21 s,
    right after 30 GB of an earlier run's outputs were deleted)."""
    if TRASH.exists():
        TRASH.rename(OUT / f"trash-{time.time_ns()}")


def measure(command: list[str], cwd: Path, env: dict | None = None, errors: list | None = None) -> tuple[float, int]:
    """Run a command; return (wall seconds, peak RSS in MB of it and the children it waited for). What it
    wrote to stderr is appended to ``errors`` if given (a build's timings, with ``env``).

    Then, untimed, wait for the work a build leaves running once it has exited (``settle``), so that it is
    not timed with the next command, ours or a peer's."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        stderr.seek(0)
        said = stderr.read().decode("utf-8", "replace")
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0,):
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{said[-2000:]}")
    if errors is not None:
        errors.append(said)
    settle(cwd)
    return seconds, usage.ru_maxrss // 1024


BACKGROUND = ("*.making-*", "*.trash-*")
"""What a Crossings build leaves working after it exits (``crossings.writer``): the next spare site, hard-linked
by a process of the lowest priority (``site-spare.making-<id>`` until it is ready), and folders being deleted
by ``rm`` (``*.trash-*``). Before 2026-12-02 the bench did not wait for them: they shared the machine with the
command that came next (Hugo + Pagefind's cold build came right after our last build of a run)."""


def settle(folder: Path, limit: float = 600.0) -> None:
    """Wait (at most ``limit`` seconds) until no Crossings build works in the background in ``folder`` or its ``.cache``."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if not any(path for where in (folder, folder / ".cache") if where.is_dir() for pattern in BACKGROUND for path in where.glob(pattern)):
            return
        time.sleep(0.1)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def du_by_folder(path: Path) -> dict[str, float]:
    """MB in each top folder of a site (files at the top counted under '.')."""
    sizes: dict[str, int] = {}
    for p in path.rglob("*"):
        if p.is_file():
            top = p.relative_to(path).parts[0] if len(p.relative_to(path).parts) > 1 else "."
            sizes[top] = sizes.get(top, 0) + p.stat().st_size
    return {k: round(v / 1e6, 1) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])}


# --- Crossings ---------------------------------------------------------------------

def crossings_project(root: Path, n: int) -> Path:
    project = root / "crossings"
    if not (project / "seeds").exists():
        generate(n, project / "seeds")
    # a seed numbered past the corpus is one a run added and did not take away (interrupted): the corpus is n seeds
    extra = sorted(path for path in (project / "seeds").glob("*.txt") if not path.name.split("_", 1)[0].isdigit() or int(path.name.split("_", 1)[0]) >= n)
    for path in extra:
        print(f"N = {n:,}: {path.name} is not one of the corpus's {n:,} seeds (left by an interrupted run?): removed", file=sys.stderr)
        path.unlink()
    for name in ("templates", "static", "locales"):  # the look, and the interface's catalogs (French by default)
        shutil.rmtree(project / name, ignore_errors=True)
        shutil.copytree(REPO / name, project / name)
    # The project's tables, as the archive ships them: organisations and the rules that tell a name's meaning from
    # its context (import), publishers' names, places and kinds of incident (stories). Without them import finds
    # only CLDR's country names, the site has no organisation pages and stories group on numbers and words alone:
    # a lighter site than the archive's (``--without-tables`` builds that one, to compare with runs before 2026-12-04).
    for name in TABLES:
        (project / name).unlink(missing_ok=True)
        if WITH_TABLES and (REPO / name).exists():
            shutil.copyfile(REPO / name, project / name)
    (project / "pyproject.toml").write_text('[tool.crossings]\nbase_url = "https://example.github.io/bench/"\n', encoding="utf-8")
    return project


ROWS = ("import", "cold build, committed content (cache lost)", "cold build from seeds (import + build)", "no-change rebuild",
        "add one seed", "edit one article", "change one template")


def bench_crossings(root: Path, n: int, runs: int, change_runs: int = 1) -> dict:
    project = crossings_project(root, n)
    cli = [PY, str(REPO / "build.py")]
    reset = lambda *names: clear(*(project / name for name in names))  # noqa: E731
    results: dict[str, list] = {k: [] for k in ROWS}
    rss: dict[str, list] = {"committed": [], "seeds": []}
    for _ in range(runs):
        reset("content", ".cache", "_site")
        results["import"].append(measure(cli + ["import"], project)[0])
        reset(".cache", "_site")  # content committed, build state lost
        seconds, peak = measure(cli + ["build"], project)
        results["cold build, committed content (cache lost)"].append(seconds)
        rss["committed"].append(peak)
        results["no-change rebuild"].append(measure(cli + ["build"], project)[0])
        # add one seed (dated in the newest year of the archive), then take it away again (``change_runs`` times:
        # a few seconds each, where a cold build takes minutes at 100,000 articles). Each time another seed, and
        # below another edit: the same one again would make the site of two builds before, which the build
        # takes whole from its spare folder (see ``OutputTree``) rather than doing the work measured here.
        newest = max(p.name for p in (project / "content").iterdir() if p.name.isdigit())
        for turn in range(change_runs):
            [extra] = generate(1, project / "seeds", start=n + 1 + turn)
            text = extra.read_text(encoding="utf-8")
            day = text.split("\n\n")[2].split(" ", 1)[0]
            extra.write_text(text.replace(day, f"15.01.{newest}", 1), encoding="utf-8")
            results["add one seed"].append(measure(cli + ["build"], project)[0])
            extra.unlink()
            for path in (project / "content" / newest).rglob("*.md"):
                if extra.stem in path.read_text(encoding="utf-8")[:2000]:
                    path.unlink()
            measure(cli + ["build"], project)
        # edit one article's text (as many times)
        article = sorted((project / "content").rglob("*.md"))[n // 2]
        original = article.read_bytes()
        for turn in range(change_runs):
            added = f"\n\nUne phrase ajoutée par un éditeur ({turn + 1}).\n\n".encode()
            article.write_bytes(original.replace(b"\n\n", added, 1))
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
        # everything from the seeds, in one process
        reset("content", ".cache", "_site")
        seconds, peak = measure(cli + ["build"], project)
        results["cold build from seeds (import + build)"].append(seconds)
        rss["seeds"].append(peak)
    out = {k: statistics.median(v) for k, v in results.items()}
    out["every run (s)"] = results  # the medians' spread: a figure that varies from run to run says so
    out["peak RSS (MB), committed content"] = max(rss["committed"])
    out["peak RSS (MB), from seeds"] = max(rss["seeds"])
    out["output size (MB)"] = round(du(project / "_site") / 1e6, 1)
    out["output by folder (MB)"] = du_by_folder(project / "_site")
    out["pages"] = sum(1 for _ in (project / "_site").rglob("*.html"))
    return out


def bench_scale(sizes: list[int], runs: int) -> dict:
    """How a cold build (committed content, cache lost) grows from the second largest size to the largest: ``runs``
    pairs of cold builds taken one right after the other, the smaller first (small, big, small, big…), each pair's
    ratio and their median. One cold build of each size, taken a quarter of an hour apart in a run, gives a ratio
    that this machine's drift moves by half a unit and more; the pairs show that spread.

    Before each, the project's seeds and content files are read (untimed), as the import right before the cold
    build of a run reads them: otherwise a 10k build that comes right after a 100k one reads its files from the
    disk (the 100k's pushed them out of memory): 17.94–18.90 s rather than 16.73–17.41 s, and 10.01× rather than
    10.39× in the median of three pairs (2026-12-03, the same code, half an hour apart)."""
    small, big = sorted(sizes)[-2:]
    cli = [PY, str(REPO / "build.py")]
    times: dict[int, list[float]] = {small: [], big: []}
    steps: dict[int, list] = {small: [], big: []}
    for turn in range(runs):
        for n in (small, big):
            print(f"cold builds at {small:,} and {big:,}: pair {turn + 1}, N = {n:,}…", file=sys.stderr, flush=True)
            project = crossings_project(OUT / str(n), n)
            clear(project / ".cache", project / "_site")
            for folder in ("seeds", "content"):
                for path in (project / folder).rglob("*"):
                    if path.is_file():
                        path.read_bytes()
            said: list[str] = []
            times[n].append(measure(cli + ["build"], project, env={**os.environ, "CROSSINGS_TIMINGS": "system"}, errors=said)[0])
            steps[n].append(build_steps(said[0]))
        if shutil.disk_usage(OUT).free < 20e9:
            empty_trash()
    ratios = [b / a for a, b in zip(times[small], times[big])]
    return {"sizes": [small, big], "smaller (s)": times[small], "larger (s)": times[big], "ratios": ratios,
            "median ratio": statistics.median(ratios), "steps, smaller": steps[small], "steps, larger": steps[big]}


STEPS = ("import and library", "stories", "planning", "pages and search index", "last steps")


def build_steps(said: str) -> dict[str, list[float]] | None:
    """A build's timings (``CROSSINGS_TIMINGS=system``) in ``STEPS``: step → [wall s, CPU s of the machine]."""
    line = next((text for text in said.splitlines() if text.startswith("timings (wall/CPU/machine CPU s): ")), None)
    if line is None:
        return None
    steps = {step: [0.0, 0.0] for step in STEPS}
    for name, wall, _, machine in re.findall(r"([^,:]+?) ([0-9.]+)/([0-9.]+)/([0-9.]+)(?=, |; )", line.split(": ", 1)[1]):
        name = name.strip()
        if name in ("import", "unchanged?", "library"):
            step = "import and library"
        elif name == "stories":
            step = "stories"
        elif name.startswith("render"):
            step = "pages and search index"
        elif name.startswith(("write", "commit", "sizes", "collect", "search (", "exports (")):
            step = "last steps"
        else:
            step = "planning"
        steps[step][0] += float(wall)
        steps[step][1] += float(machine)
    return steps


def scale_lines(scale: dict) -> str:
    small, big = scale["sizes"]
    return (f"cold builds (committed content, cache lost), {small:,} then {big:,} articles, pair by pair:\n"
            + "\n".join(f"  {a:8.2f} s  {b:8.2f} s  {r:6.2f}×" for a, b, r in zip(scale["smaller (s)"], scale["larger (s)"], scale["ratios"]))
            + f"\n  median ratio {scale['median ratio']:.2f}×" + (" (target: ≤ 10×)" if (small, big) == (10000, 100000) else "")
            + "".join(steps_lines(small, big, turn + 1, a, b) for turn, (a, b) in enumerate(zip(scale["steps, smaller"], scale["steps, larger"]))
                      if a and b))


def steps_lines(small: int, big: int, pair: int, a: dict, b: dict) -> str:
    """Where the time of pair ``pair`` went, step by step: wall s and the machine's CPU s at each size, how the
    CPU time grew, and how much of it is more than ``big / small`` times the smaller build's."""
    scale = big / small
    lines = [f"\n  pair {pair}, step by step (wall s / CPU s of the whole machine; CPU growth; CPU s past {scale:g}×):"]
    for step in [*STEPS, "whole build"]:
        (wa, ca), (wb, cb) = (a[step], b[step]) if step in a else ([sum(v[i] for v in a.values()) for i in (0, 1)],
                                                                 [sum(v[i] for v in b.values()) for i in (0, 1)])
        lines.append(f"    {step:24} {wa:7.2f} / {ca:7.2f}   {wb:8.2f} / {cb:8.2f}   {cb / ca if ca else 0:6.2f}×  {cb - scale * ca:+7.2f}")
    return "\n".join(lines)


# --- Hugo + Pagefind and Pelican, fed the same articles ---------------------------------

def read_articles(project: Path) -> list[dict]:
    """The imported articles (front matter and body) to feed the other generators."""
    import frontmatter

    items = []
    for path in sorted((project / "content").rglob("*.md")):
        post = frontmatter.load(path)
        items.append({"stem": path.stem, "title": post["title"], "date": str(post["date"]), "tag": post["source_name"], "body": post.content,
                      "lang": post["lang"]})
    return items


HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html lang=\"{{ .Params.lang | default \"fr\" }}\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>"
                            "<body><header><a href=\"{{ .Site.BaseURL }}\">{{ .Site.Title }}</a></header><main>{{ block \"main\" . }}{{ end }}</main></body></html>",
    "_default/single.html": "{{ define \"main\" }}<article data-pagefind-body><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2 January 2006\" }}</time>{{ .Content }}"
                            "<span hidden data-pagefind-filter=\"source\">{{ index .Params.tags 0 }}</span>"
                            "<span hidden data-pagefind-filter=\"year\">{{ .Date.Format \"2006\" }}</span>"
                            "<span hidden data-pagefind-sort=\"date\">{{ .Date.Format \"2006-01-02\" }}</span>"
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
        front = json.dumps({"title": item["title"], "date": item["date"], "tags": [item["tag"]], "years": [year], "months": [month],
                            "lang": item["lang"]}, ensure_ascii=False)
        (posts / f"{item['stem']}.md").write_text(front + "\n\n" + item["body"] + "\n", encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    (site / "static" / "search").mkdir(parents=True)
    (site / "static" / "search" / "index.html").write_text(HUGO_SEARCH, encoding="utf-8")
    (site / "config.toml").write_text(
        'baseURL = "https://example.github.io/bench/"\ntitle = "bench"\npaginate = 20\ndisableKinds = ["section"]\n'
        '[taxonomies]\ntag = "tags"\nyear = "years"\nmonth = "months"\n'
        '[outputs]\nhome = ["HTML", "RSS"]\ntaxonomy = ["HTML"]\nterm = ["HTML"]\n', encoding="utf-8")
    return site


# A search page for Hugo + Pagefind: Pagefind's JavaScript API, the first 10 results' data.
HUGO_SEARCH = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>search</title></head><body><ol id="results"></ol>
<script type="module">
const pagefind = await import("../pagefind/pagefind.js");
await pagefind.init();
const query = new URLSearchParams(location.search).get("q");
const search = await pagefind.search(query);
const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
document.getElementById("results").innerHTML = data.map((d) => `<li><a href="${d.url}">${d.meta.title}</a> ${d.excerpt}</li>`).join("");
window.searchDone = true;
</script></body></html>
"""
HUGO_READY = "() => window.searchDone === true"
HUGO_RESULTS = "() => document.querySelectorAll('#results li').length"


def bench_hugo_pagefind(root: Path, items: list[dict], runs: int) -> dict | None:
    """Hugo, then Pagefind over its output, timed together: cold (no output, no cache) and
    after one article is edited (both run again: Hugo rewrites its site, Pagefind its index)."""
    if not shutil.which("hugo"):
        print("hugo is not installed (apt-get install hugo): skipped", file=sys.stderr)
        return None
    from crossings.search import pagefind_binary

    site = hugo_project(root, items)
    hugo = ["hugo", "--quiet", "--ignoreCache", "-d", "public"]
    pagefind = [pagefind_binary(), "--site", "public", "--quiet"]

    def both() -> tuple[float, int]:
        first, peak_hugo = measure(hugo, site)
        second, peak_pagefind = measure(pagefind, site)
        return first + second, max(peak_hugo, peak_pagefind)

    cold, change, rss, hugo_only = [], [], [], []
    article = sorted((site / "content" / "posts").glob("*.md"))[len(items) // 2]
    for _ in range(runs):
        clear(site / "public", site / "resources")
        hugo_only.append(measure(hugo, site)[0])
        clear(site / "public")
        seconds, peak = both()
        cold.append(seconds)
        rss.append(peak)
        original = article.read_bytes()
        article.write_bytes(original.replace(b"\n\n", b"\n\nUne phrase ajout\xc3\xa9e par un \xc3\xa9diteur.\n\n", 1))
        seconds, peak = both()
        change.append(seconds)
        rss.append(peak)
        article.write_bytes(original)
    return {"every run (s)": {"cold build": cold, "one change": change, "Hugo alone, cold": hugo_only},
            "cold build": statistics.median(cold), "one change": statistics.median(change), "Hugo alone, cold": statistics.median(hugo_only),
            "peak RSS (MB)": max(rss), "output size (MB)": round(du(site / "public") / 1e6, 1),
            "output by folder (MB)": du_by_folder(site / "public"), "pages": sum(1 for _ in (site / "public").rglob("*.html"))}


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
    command = [str(binary), "content", "-o", "output", "-s", "pelicanconf.py", "--ignore-cache", "-q"]
    article = sorted(content.glob("*.md"))[len(items) // 2]
    times, change, rss = [], [], []
    for _ in range(runs):
        clear(site / "output")
        seconds, peak = measure(command, site)
        times.append(seconds)
        rss.append(peak)
        original = article.read_bytes()
        article.write_bytes(original.replace(b"\n\n", b"\n\nUne phrase ajout\xc3\xa9e par un \xc3\xa9diteur.\n\n", 1))
        seconds, peak = measure(command, site)
        change.append(seconds)
        rss.append(peak)
        article.write_bytes(original)
    return {"every run (s)": {"cold build": times, "one change": change},
            "cold build": statistics.median(times), "one change": statistics.median(change), "peak RSS (MB)": max(rss),
            "output size (MB)": round(du(site / "output") / 1e6, 1), "pages": sum(1 for _ in (site / "output").rglob("*.html"))}


def bench_search(root: Path, items: list[dict], hugo: bool) -> dict:
    """Bytes a reader downloads for one common and one rare query after the home page, and the
    seconds to results; on Crossings' site and on Hugo + Pagefind's."""
    from search import CROSSINGS_READY, CROSSINGS_RESULTS, after_home, rare_word

    rare, count = rare_word([item["title"] + "\n" + item["body"] for item in items])
    found: dict = {"words": {"common": ("migrants", sum(1 for i in items if "migrants" in i["body"])), "rare": (rare, count)}}
    project = root / "crossings"
    for label, word in (("common", "migrants"), ("rare", rare)):
        found[f"crossings {label}"] = after_home(project / "_site", "/bench/", "search/?q=", CROSSINGS_READY, CROSSINGS_RESULTS, word)
        if hugo:
            found[f"hugo {label}"] = after_home(root / "hugo" / "public", "/bench/", "search/?q=", HUGO_READY, HUGO_RESULTS, word)
    return found


def merged(runs: list[dict | None]) -> dict | None:
    """One tool's figures from its runs taken one at a time: the medians of every run, the largest peak RSS,
    the last run's sizes."""
    if not runs or any(found is None for found in runs):
        return None
    every: dict[str, list] = {}
    for found in runs:
        for what, times in found["every run (s)"].items():
            every.setdefault(what, []).extend(times)
    out = dict(runs[-1])
    for what, times in every.items():
        out[what] = statistics.median(times)
    out["every run (s)"] = every
    for key in out:
        if key.startswith("peak RSS"):
            out[key] = max(found[key] for found in runs)
    return out


# --- the table ---------------------------------------------------------------------------

def _cell(value, ratio_to=None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:.2f} s"
    elif isinstance(value, int):
        text = f"{value:,} MB"
    else:
        text = str(value)
    if ratio_to:
        text += f" ({value / ratio_to:.2f}×)"
    return text


def summary(results: dict) -> str:
    """The issue's table: every tool's figures, with the ratio to Hugo + Pagefind of the same run."""
    sizes = sorted(int(n) for n in results)
    big = sizes[-1]
    columns = [(n, "cold") for n in sizes] + [(n, "one change") for n in sizes] + [(big, "peak RSS"), (big, "site")]
    head = "| | " + " | ".join(f"{n // 1000}k {what}" for n, what in columns) + " |"
    lines = [head, "|---" * (len(columns) + 1) + "|"]

    def figure(n: int, tool: str, what: str):
        found = results.get(n) or results.get(str(n)) or {}
        crossings, other = found.get("crossings") or {}, found.get(tool.split(":")[0]) or {}
        if tool == "crossings:committed":
            return {"cold": crossings.get("cold build, committed content (cache lost)"), "one change": crossings.get("edit one article"),
                    "peak RSS": crossings.get("peak RSS (MB), committed content"), "site": crossings.get("output size (MB)")}[what]
        if tool == "crossings:seeds":
            return {"cold": crossings.get("cold build from seeds (import + build)"), "one change": crossings.get("add one seed"),
                    "peak RSS": crossings.get("peak RSS (MB), from seeds"), "site": crossings.get("output size (MB)")}[what]
        return {"cold": other.get("cold build"), "one change": other.get("one change"), "peak RSS": other.get("peak RSS (MB)"),
                "site": other.get("output size (MB)")}[what]

    tools = [("hugo", "Hugo + Pagefind (articles marked data-pagefind-body)"), ("pelican", "Pelican"),
             ("crossings:committed", "Crossings, committed content, cache lost (one change: an article edited)"),
             ("crossings:seeds", "Crossings from seeds, import + build (one change: a new seed)")]
    for tool, label in tools:
        cells = []
        for n, what in columns:
            value = figure(n, tool, what)
            if isinstance(value, float) and what == "site":
                value = round(value)
            if what in ("peak RSS", "site") and value is not None:
                value = int(value)
            peer = figure(n, "hugo", what) if tool != "hugo" else None
            cells.append(_cell(value, peer if isinstance(peer, (int, float)) and peer else None))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(results: dict) -> str:
    lines = []
    for n, tools in results.items():
        crossings = tools.get("crossings") or {}
        lines.append(f"\nN = {int(n):,} articles — Crossings")
        every = crossings.get("every run (s)") or {}
        for row in ROWS:
            if row in crossings:
                runs = every.get(row) or []
                lines.append(f"  {row:48} {crossings[row]:8.2f} s" + (f"   (runs: {', '.join(f'{x:.2f}' for x in runs)})" if len(runs) > 1 else ""))
        for key in ("peak RSS (MB), committed content", "peak RSS (MB), from seeds", "output size (MB)", "pages"):
            if key in crossings:
                lines.append(f"  {key:48} {crossings[key]:>8,}")
        for tool in ("crossings", "hugo"):
            if (tools.get(tool) or {}).get("output by folder (MB)"):
                lines.append(f"  {tool} output by folder (MB): " + ", ".join(f"{k} {v}" for k, v in tools[tool]["output by folder (MB)"].items()))
        peer = ((tools.get("hugo") or {}).get("every run (s)") or {}).get("cold build") or []
        for row in ("cold build, committed content (cache lost)", "cold build from seeds (import + build)"):
            ours = every.get(row) or []
            if len(ours) == len(peer) > 1:  # each run's ratio to the peer's run taken right after it
                ratios = [a / b for a, b in zip(ours, peer)]
                lines.append(f"  {row}, run by run to Hugo + Pagefind: {', '.join(f'{r:.2f}×' for r in ratios)} (median {statistics.median(ratios):.2f}×)")
        if (tools.get("hugo") or {}).get("Hugo alone, cold"):
            lines.append(f"  Hugo alone, cold: {tools['hugo']['Hugo alone, cold']:.2f} s (of Hugo + Pagefind's {tools['hugo']['cold build']:.2f} s)")
        for tool, name in (("hugo", "Hugo + Pagefind"), ("pelican", "Pelican")):  # the peers' spread, as ours above
            for what, runs in ((tools.get(tool) or {}).get("every run (s)") or {}).items():
                if len(runs) > 1:
                    lines.append(f"  {name}, {what}: runs {', '.join(f'{x:.2f}' for x in runs)} s")
        search = tools.get("search")
        if search:
            lines.append(f"  search after the home page (words: {search['words']}):")
            for key, value in search.items():
                if key != "words":
                    lines.append(f"    {key:16} {value['bytes'] / 1000:8.1f} kB in {value['requests']:3} requests, results after {value['seconds']:.2f} s"
                                 f" ({value['results']} shown)")
                    if value.get("kinds"):
                        lines.append("      " + ", ".join(f"{kind} {size / 1000:.0f}" for kind, size in value["kinds"].items()) + " (kB)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is reported)")
    parser.add_argument("--others-runs", type=int, default=None, help="runs for Hugo + Pagefind and Pelican (default: --runs)")
    parser.add_argument("--no-others", action="store_true", help="measure Crossings only")
    parser.add_argument("--others-up-to", type=int, default=None, metavar="N",
                        help="measure Hugo + Pagefind and Pelican only at sizes up to N (Pagefind runs out of memory at 100,000 "
                             "articles on a machine of 2 cores and 24 GB); the larger sizes are measured against our own smaller ones")
    parser.add_argument("--change-runs", type=int, default=1, metavar="K",
                        help="measure the one-change builds K times in each run (K new seeds, K edits, each a different one), the median reported: "
                             "at 100,000 articles, where a run takes half an hour, one figure is left to the machine's drift")
    parser.add_argument("--scale-runs", type=int, default=0, metavar="K",
                        help="after the last size, K pairs of cold builds at the two largest sizes, one right after the other, and the "
                             "ratio of each pair (see ``bench_scale``)")
    parser.add_argument("--no-search", action="store_true", help="skip the search figures (they need Chromium)")
    parser.add_argument("--without-tables", action="store_true", help="build the bench project without the archive's tables "
                        "(entities.toml, publishers.toml, places.toml), as runs before 2026-12-04 did")
    parser.add_argument("--delete", action="store_true", help="delete outputs right before each cold build, rather than move them "
                        "aside (see ``clear``: on some file systems that slows whichever tool runs next)")
    args = parser.parse_args()
    if args.scale_runs and len(args.sizes) < 2:
        parser.error("--scale-runs needs two sizes or more (it times the two largest in pairs)")
    global DELETE, WITH_TABLES
    DELETE = args.delete
    WITH_TABLES = not args.without_tables
    set_trash_aside()  # what an interrupted run left: deleted at the end
    # Crossings is measured as pip installs it, its bytecode compiled (`make build` does the same): where the
    # environment sets PYTHONDONTWRITEBYTECODE, each build would otherwise compile its 26 modules again (0.17 s).
    compileall.compile_dir(REPO / "crossings", quiet=1)  # (not build.py: a script is always compiled from its source)
    results: dict = {}
    for n in args.sizes:
        root = OUT / str(n)
        stamp = root / "corpus"
        if root.exists() and (not stamp.exists() or stamp.read_text(encoding="utf-8") != CORPUS):
            print(f"N = {n:,}: {root} was made by another bench/generate.py: made again", file=sys.stderr)
            clear(root)  # every project there came from the old seeds
        root.mkdir(parents=True, exist_ok=True)
        stamp.write_text(CORPUS, encoding="utf-8")
        # Interleaved: each run of ours, then each peer's run, so that a ratio compares figures taken minutes apart,
        # not ours with the peers' of a quarter of an hour later (this machine's speed drifts within minutes).
        others = not args.no_others and (args.others_up_to is None or n <= args.others_up_to)
        others_runs = args.others_runs or args.runs
        every: dict[str, list] = {"crossings": [], "hugo": [], "pelican": []}
        items = None
        for run in range(max(args.runs, others_runs if others else 0)):
            if run < args.runs:
                print(f"N = {n:,}: Crossings, run {run + 1}…", file=sys.stderr, flush=True)
                every["crossings"].append(bench_crossings(root, n, 1, args.change_runs))
            items = items or read_articles(root / "crossings")
            if others and run < others_runs:
                print(f"N = {n:,}: Hugo + Pagefind, run {run + 1}…", file=sys.stderr, flush=True)
                every["hugo"].append(bench_hugo_pagefind(root, items, 1))
                print(f"N = {n:,}: Pelican, run {run + 1}…", file=sys.stderr, flush=True)
                every["pelican"].append(bench_pelican(root, items, 1))
        results[n] = {tool: merged(found) for tool, found in every.items() if found}
        if not args.no_search:
            print(f"N = {n:,}: search in Chromium…", file=sys.stderr, flush=True)
            results[n]["search"] = bench_search(root, items, bool(results[n].get("hugo")))
        print(details({n: results[n]}), flush=True)
        if n != args.sizes[-1]:  # the table so far: a run stopped during a larger size keeps it
            print(summary(results), flush=True)
        if shutil.disk_usage(OUT).free < 20e9:  # else deleted at the end: the next size's builds would pay for it (see ``clear``)
            empty_trash()
    scale = bench_scale(args.sizes, args.scale_runs) if args.scale_runs and len(args.sizes) > 1 else None
    if scale:
        print(scale_lines(scale), flush=True)
    meta = {"corpus": CORPUS, "outputs before a cold build": "deleted" if DELETE else "moved aside", "tables": [name for name in TABLES if WITH_TABLES], "machine": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(), "runs": args.runs,
            "one-change runs in each run": args.change_runs,
            "load average at the end": os.getloadavg()}
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "results": results, **({"scale": scale} if scale else {})}, indent=2),
                                      encoding="utf-8")
    print()
    print(summary(results))
    if scale:
        print(scale_lines(scale))
    empty_trash()
    print(f"\n(ratios: to Hugo + Pagefind in the same run; outputs {'deleted' if DELETE else 'moved aside'} before each cold build;"
          f" the project's tables {'copied in' if WITH_TABLES else 'left out'};"
          f" load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores;"
          f" written to {OUT / 'results.json'})")


if __name__ == "__main__":
    main()

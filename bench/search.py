"""Measure search: index build time and size, and what the browser downloads for one query.

    python bench/search.py                    # N = 1,000 and 10,000 (bench/run.py's corpus)
    python bench/search.py --sizes 10000 --query migrants

Index time is Pagefind's work for every period from nothing (as in a cold build);
bytes per query are every file the search page fetches for its search library
and index (scripts, WebAssembly, metadata, index chunks, fragments of the results
shown), measured in Chromium. Printed, and written to bench/out/search.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import crossings_project  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def index_time(project: Path) -> tuple[float, int, float]:
    """Seconds to index every index (language and period) from nothing, their number, and
    seconds to index the largest of the newest periods again (what one new article, dated
    in the newest year, costs at most)."""
    from crossings.cache import Cache
    from crossings.config import load_config
    from crossings.library import Library
    from crossings.search import index_shard, indexes
    from crossings.site import build_site

    config, _ = load_config(project / "pyproject.toml")
    library = Library(config, Cache(config.cache))
    records, _ = library.load()
    site, _ = build_site(records, config, library)
    runs = indexes(site.records, config.search_shard_size)
    started = time.perf_counter()
    for _, records in runs:
        index_shard(site, records)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    newest = max(name.rsplit("-", 2)[1] for name, _ in runs)
    index_shard(site, max((records for name, records in runs if name.rsplit("-", 2)[1] == newest), key=len))
    return cold, len(runs), time.perf_counter() - started


def query_bytes(project: Path, query: str) -> tuple[int, int, int]:
    """Bytes fetched for search (library + index) for one query; and the number of requests and results."""
    from crossings.config import load_config

    config, _ = load_config(project / "pyproject.toml")
    found = after_home(config.output, config.base_path, "search/?q=", CROSSINGS_READY, CROSSINGS_RESULTS, query)
    return found["bytes"], found["requests"], found["results"]


CROSSINGS_READY = "() => { const s = document.getElementById('search-status').textContent; return s && !s.endsWith('…'); }"
CROSSINGS_RESULTS = "() => document.querySelectorAll('#search-results li').length"


def after_home(folder: Path, base_path: str, search: str, ready: str, results: str, query: str) -> dict:
    """What a reader's browser downloads to search once it is on the home page.

    Serves ``folder`` under ``base_path`` on 127.0.0.1; in a fresh Chromium context,
    opens the home page, then the search page for ``query``, and waits for ``ready``
    (a JavaScript function) to say the results are shown. Counts the bodies and
    headers of every request after the home page but the search page's own HTML:
    scripts, WebAssembly, index metadata, filters, chunks, the results' fragments.
    Returns bytes, requests, seconds from asking for the search page to results shown,
    the number of results shown (``results``, a JavaScript function), and the bytes
    by kind of file (``kinds``: index chunks, filters, metadata, fragments…).
    """
    from playwright.sync_api import sync_playwright

    from crossings.server import make_server

    server = make_server(folder, base_path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}{base_path}"
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_context().new_page()
            page.goto(root)
            page.wait_for_load_state("networkidle")
            recording = []

            def finished(request):
                if recording and request.resource_type != "document":
                    sizes[request.url] = sizes.get(request.url, 0) + request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
            page.on("requestfinished", finished)
            recording.append(True)
            started = time.perf_counter()
            page.goto(root + search + query)
            page.wait_for_function(ready, timeout=120_000, polling=20)
            seconds = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            shown = page.evaluate(results)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    kinds: dict[str, int] = {}
    for url, size in sizes.items():
        kinds[kind_of(url)] = kinds.get(kind_of(url), 0) + size
    return {"bytes": sum(sizes.values()), "requests": len(sizes), "seconds": seconds, "results": shown,
            "kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1]))}


KINDS = [("index chunks", r"\.pf_index$"), ("filters", r"\.pf_filter$"), ("metadata", r"\.pf_meta$"), ("fragments", r"\.pf_fragment$"),
         ("WebAssembly", r"\.pagefind$"), ("worker", r"pagefind-worker\.js$"), ("library", r"pagefind\.js$"),
         ("entry", r"pagefind-entry\.json$"), ("manifest", r"shards\.json$|search\.json$|/search/index\.json$"), ("labels", r"labels\.json$"),
         # our own index (search = "crossings"): chunks of words, the results' texts, filters, the script and its stemmers
         ("index chunks", r"/search/[^/]+/c-[0-9a-f]+\.jsonz$"), ("fragments", r"/search/[^/]+/f\d+\.jsonz$"),
         ("filters", r"/search/[^/]+/filters\.jsonz$"), ("stemmers", r"/js/stemmers/"), ("library", r"/js/search(?:-page)?[.0-9a-f-]*\.js$")]


def kind_of(url: str) -> str:
    """What a search download is, by its name: index chunks, filters, metadata, fragments, WebAssembly…"""
    import re

    path = url.split("?")[0]
    return next((kind for kind, pattern in KINDS if re.search(pattern, path)), "other")


def rare_word(texts: list[str]) -> tuple[str, int]:
    """Of bench/generate.py's rare places, the one in the fewest articles (at least one), and in how many."""
    from generate import RARE_PLACES

    counts = {place: sum(1 for text in texts if place in text) for place in RARE_PLACES}
    return min(((n, RARE_PLACES.index(p), p) for p, n in counts.items() if n), default=(0, 0, RARE_PLACES[0]))[2::-2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--query", default="migrants")
    args = parser.parse_args()
    figures = {}
    for n in args.sizes:
        project = crossings_project(HERE / "out" / str(n), n)
        subprocess.run([sys.executable, str(REPO / "build.py"), "build"], cwd=project, check=True, stdout=subprocess.DEVNULL)
        seconds, shards, newest = index_time(project)
        size = sum(p.stat().st_size for p in (project / "_site" / "pagefind").rglob("*") if p.is_file())
        downloaded, requests, results = query_bytes(project, args.query)
        figures[n] = {"index build (s)": round(seconds, 2), "periods": shards, "newest period again (s)": round(newest, 2),
                      "index size (MB)": round(size / 1e6, 1),
                      f"bytes for one query '{args.query}' (kB)": round(downloaded / 1000, 1), "requests": requests, "results": results}
        print(f"N = {n:,}: {figures[n]}", flush=True)
    (HERE / "out" / "search.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

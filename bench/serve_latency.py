"""Measure the dev server: from saving a new seed to the page showing it in a browser,
the server's CPU use while idle with 10 tabs open, and the time from Ctrl-C to the command's exit.

    python bench/serve_latency.py                 # N = 1,000 and 10,000 (uses bench/run.py's corpus)
    python bench/serve_latency.py --sizes 1000 --times 7

Drives Debian's Chromium with Playwright. The figures are medians; they are
printed and written to bench/out/serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from run import crossings_project  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def seed(i: int) -> tuple[str, str, str]:
    """A new seed dated after everything in the corpus, so it shows on the home page."""
    title = f"Maroc : article de mesure numéro {i} sur les migrations"
    text = (f"\n\n{title}\n\n01.07.2026 {title}\n\nUn paragraphe de mesure pour le serveur de prévisualisation, numéro {i}.\n\n"
            f"Source\n\n:\n<https://www.example.org/mesure/{i}.html>")
    return f"{900000 + i:06d}_{i:016x}.txt", title, text


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(n: int, times: int) -> dict:
    from playwright.sync_api import sync_playwright

    project = crossings_project(HERE / "out" / str(n), n)
    subprocess.run([sys.executable, str(REPO / "build.py"), "build"], cwd=project, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--port", "0"], cwd=project,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = ""
        while "Serving" not in line:
            line = server.stdout.readline()
        url = re.search(r"(http://\S+)", line).group(1)
        latencies = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            tabs = [browser.new_page() for _ in range(10)]
            for tab in tabs:
                tab.goto(url)
            time.sleep(2)
            before = cpu_seconds(server.pid)
            time.sleep(10)
            idle = (cpu_seconds(server.pid) - before) / 10
            for tab in tabs[1:]:  # the latency of one editor's tab (ten reloading tabs share two cores)
                tab.close()
            page = tabs[0]
            for i in range(times):
                name, title, text = seed(i)
                started = time.time()
                (project / "seeds" / name).write_text(text, encoding="utf-8")
                page.get_by_text(title).first.wait_for(timeout=60000)
                # When the reloaded page, showing the new article, was ready (its own clock).
                shown = page.evaluate("(performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd) / 1000")
                latencies.append(shown - started)
                time.sleep(0.5)
            browser.close()
        started = time.monotonic()  # Ctrl-C, as an editor stops it: the time until the command has exited
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        stop = time.monotonic() - started
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
        for i in range(times):
            (project / "seeds" / seed(i)[0]).unlink(missing_ok=True)
        for path in (project / "content" / "2026").glob("2026-07-01-maroc-article-de-mesure-*.md"):
            path.unlink()
        subprocess.run([sys.executable, str(REPO / "build.py"), "build"], cwd=project, stdout=subprocess.DEVNULL)
    return {"save to page (s)": round(statistics.median(latencies), 3), "all (s)": [round(x, 3) for x in latencies], "idle CPU with 10 tabs (%)": round(idle * 100, 2),
            "Ctrl-C to exit (s)": round(stop, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--times", type=int, default=5)
    args = parser.parse_args()
    results = {n: measure(n, args.times) for n in args.sizes}
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "serve.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    for n, figures in results.items():
        print(f"N = {n:,}: save to page {figures['save to page (s)']:.2f} s (median of {len(figures['all (s)'])}: {figures['all (s)']}); "
              f"idle CPU with 10 tabs {figures['idle CPU with 10 tabs (%)']} %; Ctrl-C to exit {figures['Ctrl-C to exit (s)']:.2f} s")


if __name__ == "__main__":
    main()

"""Where a build's memory goes: RSS after each phase, and the peaks of its child processes.

    python bench/memory.py bench/out/10000/crossings          # build there (delete .cache and _site first for a cold build)
    python bench/memory.py PROJECT --trace plan               # also the 25 largest holders (tracemalloc) after a phase

Phases are the build's steps as ``builder`` calls them (import, load, plan, search, render,
commit). Child processes (render workers, Pagefind) are sampled every 0.2 s; a forked
worker's RSS counts the pages it shares with the build. ``--trace`` slows the build
several times; use it with CROSSINGS_WORKERS=1 so that rendering stays in the process.
Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import sys
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import crossings.builder as B
from crossings.config import load_config

STARTED = time.perf_counter()
PEAKS: dict[str, int] = {}


def status() -> dict[str, int]:
    found = {}
    with open("/proc/self/status") as lines:
        for line in lines:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) // 1024
    return found


def mark(name: str, trace: set[str]) -> None:
    now = status()
    print(f"{time.perf_counter() - STARTED:7.1f} s  {name:16s} RSS {now['VmRSS']:6d} MB  peak {now['VmHWM']:6d} MB", file=sys.stderr, flush=True)
    if name in trace and tracemalloc.is_tracing():
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:25]:
            frame = stat.traceback[0]
            print(f"    {stat.size / 1e6:8.1f} MB {stat.count:9d}  {frame.filename}:{frame.lineno}", file=sys.stderr)


def watch(obj, attr: str, name: str, trace: set[str]) -> None:
    original = getattr(obj, attr)

    @functools.wraps(original)
    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        mark(name, trace)
        return result
    setattr(obj, attr, wrapped)


def sample_children() -> None:
    me = os.getpid()
    while True:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) != me:
                        continue
                with open(f"/proc/{pid}/cmdline") as f:
                    kind = "pagefind" if "pagefind" in f.read() else "worker"
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS"):
                            PEAKS[kind] = max(PEAKS.get(kind, 0), int(line.split()[1]) // 1024)
            except (OSError, ValueError, IndexError):
                pass
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--trace", default="", help="phases after which to list the largest holders (comma-separated: import,load,plan,search,render)")
    args = parser.parse_args()
    trace = set(filter(None, args.trace.split(",")))
    for obj, attr, name in ((B.Importer, "run", "import"), (B.Library, "load", "load"), (B, "plan", "plan"), (B, "plan_search", "search"),
                            (B, "render_all", "render"), (B.OutputTree, "commit", "commit")):
        watch(obj, attr, name, trace)
    os.chdir(args.project)
    config, _ = load_config(Path("pyproject.toml"))
    threading.Thread(target=sample_children, daemon=True).start()
    if trace:
        tracemalloc.start(1)
    mark("start", set())
    report = B.build(config)
    mark("end", set())
    print(f"{report.articles} articles, {report.pages} pages, {len(report.all_problems())} problems, {report.seconds:.1f} s", file=sys.stderr)
    print(f"children's peaks (sampled): {PEAKS}; largest child (ru_maxrss): {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MB", file=sys.stderr)


if __name__ == "__main__":
    main()

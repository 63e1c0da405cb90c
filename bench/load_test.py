"""Load test of the dev server on 127.0.0.1: many tabs, half of them holding the reload stream,
while files change. Stops by itself after --seconds.

    python bench/load_test.py --clients 200 --seconds 30

Starts ``serve`` in this process on a copy of the shipped project, runs the clients
in threads, changes an article every half second, and prints: requests served and
failed, reloads received by each stream, and the server's memory and threads at
the start and the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class StreamClient(threading.Thread):
    """A tab: holds /__crossings/events open and counts the reloads it is told about."""

    def __init__(self, port: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.stop = port, stop
        self.reloads = 0
        self.errors = 0

    def run(self) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            sock.sendall(b"GET /__crossings/events HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(0.5)
            buffer = b""
            while not self.stop.is_set():
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    for line in block.split(b"\n"):
                        if line.startswith(b"data: ") and json.loads(line[6:])["type"] in ("reload", "css"):
                            self.reloads += 1
            sock.close()
        except OSError:
            self.errors += 1


class PageClient(threading.Thread):
    """A tab that keeps loading pages (and sometimes hangs up mid-request)."""

    def __init__(self, port: int, base: str, paths: list[str], stop: threading.Event, n: int) -> None:
        super().__init__(daemon=True)
        self.port, self.base, self.paths, self.stop, self.n = port, base, paths, stop, n
        self.requests = 0
        self.errors = 0
        self.failures: list[str] = []

    def run(self) -> None:
        i = self.n
        while not self.stop.is_set():
            i += 1
            path = self.base + self.paths[i % len(self.paths)]
            try:
                if i % 10 == 0:  # an abrupt departure mid-request
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n".encode())
                    sock.close()
                    continue
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                conn.close()
                if response.status not in (200, 404) or b"</html>" not in body:
                    self.errors += 1  # 404: a page an edit took away (a month page, say)
                self.requests += 1
            except OSError as exc:
                self.errors += 1
                self.failures.append(repr(exc))


def run_load(project: Path, clients: int, seconds: float) -> dict:
    """Serve ``project`` and put it under load; return the figures."""
    from crossings.config import load_config
    from crossings.devserver import DevServer

    config, _ = load_config(project / "pyproject.toml")
    null = open("/dev/null", "w")
    server = DevServer(config, project / "pyproject.toml", {}, port=0, quiet=0.1, out=null, err=null)
    server.start()
    base = config.base_path
    paths = [p.relative_to(config.output).as_posix().removesuffix("index.html") for p in config.output.rglob("*.html")]
    threads_before, rss_before = threading.active_count(), rss_mb()
    stop = threading.Event()
    streams = [StreamClient(server.port, stop) for _ in range(clients // 2)]
    pages = [PageClient(server.port, base, paths, stop, n) for n in range(clients - clients // 2)]
    for client in streams + pages:
        client.start()
    [article] = list(config.content.rglob("*.md"))[:1]
    original = article.read_text(encoding="utf-8")
    started, edits, rss_peak, samples = time.monotonic(), 0, 0.0, []
    try:
        while time.monotonic() - started < seconds:
            edits += 1
            article.write_text(original.replace("\n\n", f"\n\nÉdition {edits}.\n\n", 1), encoding="utf-8")
            time.sleep(0.5)
            rss_peak = max(rss_peak, rss_mb())
            samples.append(rss_mb())
        time.sleep(1.0)
    finally:
        stop.set()
        for client in streams + pages:
            client.join(timeout=5)
        article.write_text(original, encoding="utf-8")
        rss_end = rss_mb()
        server.stop()
        null.close()
    return {
        "clients": clients, "seconds": seconds, "edits": edits, "builds": server.builds,
        "page requests": sum(c.requests for c in pages), "failed requests": sum(c.errors for c in pages),
        "failures": sorted({f for c in pages for f in c.failures})[:5],
        "stream errors": sum(c.errors for c in streams),
        "reloads per stream (min, max)": (min(c.reloads for c in streams), max(c.reloads for c in streams)),
        "server RSS MB (start, peak, end)": (round(rss_before, 1), round(rss_peak, 1), round(rss_end, 1)),
        "server RSS MB by quarter of the run": [round(samples[len(samples) * q // 4 - 1], 1) for q in (1, 2, 3, 4)] if len(samples) >= 4 else [],
        "threads (before, after stop)": (threads_before, threading.active_count()),
    }


def shipped_project() -> Path:
    """A copy of the repository's own archive to serve."""
    root = Path(tempfile.mkdtemp(prefix="crossings-load-"))
    for name in ("templates", "static", "locales", "seeds", "content"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "entities.toml", root / "entities.toml")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    root = shipped_project()
    try:
        from crossings.builder import build
        from crossings.config import load_config

        build(load_config(root / "pyproject.toml")[0])
        figures = run_load(root, args.clients, args.seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for key, value in figures.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()

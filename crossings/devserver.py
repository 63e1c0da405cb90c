"""``serve``: build, serve, watch, rebuild, and tell every open tab.

A dumb loop around one builder (MkDocs' design): watchdog's callback only adds
the change to a ``Debouncer``; the build thread takes each batch, runs the same
incremental ``build`` as the command line (so the result is exactly a full
build's), and publishes one message to the tabs: reload, swap the stylesheet,
or show the problems. The server never sees a half-written site: the build
swaps the output folder in one step.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from .builder import BuildReport, build
from .cache import sha
from .config import Config, load_config
from .problems import display_path
from .server import DevState, make_server
from .watch import CONFIG, Debouncer, only_stylesheets, watch


CATCH_UP_AFTER = 1.0  # seconds without a change before the search index catches up

# watchdog logs an error when events arrive while its thread stops: noise at Ctrl-C.
logging.getLogger("watchdog").setLevel(logging.CRITICAL)


class DevServer:
    """The dev server: start it, let it run, stop it within a second."""

    def __init__(self, config: Config, pyproject: Path | None, overrides: dict, *, host: str = "127.0.0.1", port: int = 8000,
                 poll: bool = False, quiet: float = 0.1, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.config = config
        self.pyproject = pyproject.resolve() if pyproject else None
        self.overrides = overrides
        self.host, self.port, self.poll = host, port, poll
        self.out, self.err = out, err
        self.debouncer = Debouncer(quiet=quiet)
        self.dev = DevState(config.base_path)
        self.server = None
        self.observer = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self.builds = 0
        self.last_report: BuildReport | None = None
        self.built = threading.Condition()
        self.catch_up_due = False
        self.written: dict[Path, str] = {}  # what the last import wrote (its own writes wake the watcher)
        self.cancel = threading.Event()
        self.debouncer.on_change = self.cancel.set  # a new change calls off a catch-up in progress

    # --- life cycle ---------------------------------------------------------------

    def start(self, report: BuildReport | None = None) -> str:
        """Build (unless given the first build's report), serve, watch; return the URL."""
        report = report or self._build()
        self.dev.problems = problem_lines(report)
        self.server = make_server(self.config.output, self.config.base_path, self.host, self.port, self.dev)
        self.port = self.server.server_address[1]
        self.observer = watch(self.config, self.pyproject, self.debouncer, self.poll)
        for name, target in (("crossings-http", self._serve), ("crossings-build", self._loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self.url

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.config.base_path}"

    def stop(self) -> None:
        """Stop watching, building and serving; close every connection."""
        self._stopping.set()
        self.debouncer.close()
        if self.observer is not None:
            self.observer.stop()
        self.dev.hub.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.close_connections()
            self.server.server_close()
        if self.observer is not None:
            self.observer.join(timeout=1)
        for thread in self._threads:
            thread.join(timeout=0.5)  # a build running now is atomic: leaving it unfinished is safe

    def run(self) -> int:
        """Run until Ctrl-C (for the command line)."""
        try:  # (a Ctrl-C as soon as the line is out is one of the cases: the threads serving connections must end)
            print(f"Serving {display_path(self.config.output)} at {self.url}  (watching for changes; Ctrl-C to stop)", file=self.out, flush=True)
            while not self._stopping.wait(0.25):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
        print("Stopped.", file=self.out, flush=True)
        return 0

    # --- the two threads --------------------------------------------------------------

    def _serve(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def _loop(self) -> None:
        warm_up(self.config)
        while not self._stopping.is_set():
            # While the editor works, changes come first; the search index (and the
            # exports) catch up once they pause, and give way again at the next change.
            batch = self.debouncer.wait(timeout=CATCH_UP_AFTER if self.catch_up_due else 0.5)
            if self._stopping.is_set():
                break
            if batch:
                self.rebuild(batch)
            elif self.catch_up_due:
                self.cancel.clear()
                report = self._build()
                self.catch_up_due = report.cancelled or report.search_pending

    # --- one rebuild ------------------------------------------------------------------

    def rebuild(self, batch: set) -> BuildReport | None:
        """Build after a batch of changes and tell the tabs what to do."""
        batch = {change for change in batch if not self._own_write(change)}
        if not batch:
            return None  # only the content files the last import wrote: already built
        if any(change.kind == CONFIG for change in batch) and not self._reload_config():
            return None
        before = list(self.dev.problems)
        report = self._build(search_later=True)
        problems = problem_lines(report)
        self.dev.problems = problems
        changed = report.changed
        if changed:
            self.dev.build += 1
        message = {"build": str(self.dev.build), "base": self.config.base_path, "problems": problems}
        if set(problems) - set(before):
            self.dev.hub.publish({"type": "problems", **message})  # keep the last good page on screen
        elif changed:
            self.dev.hub.publish({"type": "css" if only_stylesheets(batch) else "reload", **message})
        elif problems != before:
            self.dev.hub.publish({"type": "problems", **message})
        self.catch_up_due = self.catch_up_due or report.search_pending
        return report

    def _own_write(self, change) -> bool:
        """Tell whether a change is a content file exactly as the last import wrote it."""
        wanted = self.written.get(change.path)
        if wanted is None:
            return False
        try:
            return sha(change.path.read_bytes()) == wanted
        except OSError:
            return False

    def _build(self, search_later: bool = False) -> BuildReport:
        from .cli import print_summary  # the same output as `build`

        report = build(self.config, search_later=search_later, cancel=None if search_later else self.cancel)
        if report.cancelled:
            return report
        if report.imports is not None:
            self.written = dict(report.imports.written)
        print_summary("build", report, [], False, out=self.out, err=self.err, kept=False)  # said at start
        with self.built:
            self.builds += 1
            self.last_report = report
            self.built.notify_all()
        return report

    def _reload_config(self) -> bool:
        config, problems = load_config(self.pyproject, **self.overrides)
        errors = [p for p in problems if p.is_error]
        for problem in problems:
            print(problem, file=self.err, flush=True)
        if errors:
            self.dev.problems = [str(p) for p in problems]
            self.dev.hub.publish({"type": "problems", "build": str(self.dev.build), "base": self.config.base_path, "problems": self.dev.problems})
            return False
        watched = lambda c: (c.seeds, c.content, c.templates, c.static, c.locales, c.tables, c.output, c.cache)  # noqa: E731
        moved = watched(config) != watched(self.config)
        self.config = config
        if moved and self.observer is not None:  # the inputs moved: watch where they are now
            self.observer.stop()
            self.observer.join(timeout=1)
            self.observer = watch(self.config, self.pyproject, self.debouncer, self.poll)
        self.dev.base_path = config.base_path
        if self.server is not None:
            self.server.base_path = config.base_path
            self.server.root = config.output
        return True

    def wait_for_build(self, count: int, timeout: float = 30) -> BuildReport | None:
        """Wait until ``count`` builds have run (for tests and the benchmark)."""
        deadline = time.monotonic() + timeout
        with self.built:
            while self.builds < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.built.wait(left)
            return self.last_report


def warm_up(config: Config) -> None:
    """Load now what the first new seed would otherwise wait for: language models, month names."""
    from .dates import match_date
    from .language import identify

    match_date("27.01.2023", config.languages)
    identify("Le Maroc et l'Espagne renforcent leur coopération migratoire.", config.languages, config.language)


def problem_lines(report: BuildReport) -> list[str]:
    return [str(p) for p in sorted(set(report.all_problems()), key=lambda p: (p.path, p.line or 0, p.message))]

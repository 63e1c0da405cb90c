"""Watching an editor's work: which file changed, what kind of change it is, and when to rebuild.

``route`` sorts a path into a change kind (the idea of Zola's ``ChangeKind``);
``Debouncer`` turns a burst of events — an editor's save-and-rename, a ``git
checkout`` touching a thousand files — into one batch; ``watch`` connects
watchdog's observer (native, or polling with ``--poll``) to both.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import Config

SEEDS, CONTENT, TEMPLATES, STATIC, CONFIG, TABLES, LOCALES = "seeds", "content", "templates", "static", "config", "tables", "locales"

# Editor leftovers: vim's .swp/.swx/.swo and its 4913 write test, backup~ files,
# Emacs lock files (.#name) and autosaves (#name#), and our own temporary files.
TEMPORARY = re.compile(r"^(?:\.#.*|#.*#|4913|\..*\.tmp|.*~|.*\.sw[a-px]|.*\.swpx|.*\.tmp|.*\.part|.*\.crdownload)$")


@dataclass(frozen=True)
class Change:
    """One changed file and what kind of input it is."""

    kind: str
    path: Path


def is_temporary(path: Path) -> bool:
    """Tell whether a file is an editor's temporary file, not a change of the archive."""
    return bool(TEMPORARY.match(path.name))


def route(path: Path, config: Config, pyproject: Path | None) -> Change | None:
    """Sort a changed path into a kind of change, or None if a build does not depend on it."""
    path = Path(path)
    if is_temporary(path):
        return None
    if pyproject is not None and path == pyproject:
        return Change(CONFIG, path)
    if path in config.tables:
        return Change(TABLES, path)
    for kind, root in ((SEEDS, config.seeds), (CONTENT, config.content), (TEMPLATES, config.templates), (STATIC, config.static),
                       (LOCALES, config.locales)):
        if path == root or root in path.parents:
            relative = path.relative_to(root).parts
            if any(part.startswith(".") and part != ".well-known" for part in relative):
                return None  # hidden files and folders (.git, .DS_Store) are not inputs
            if any(inside(path, other) for other in (config.output, config.cache)):
                return None
            return Change(kind, path)
    return None


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def only_stylesheets(changes: set[Change]) -> bool:
    """Tell whether a batch changes nothing but stylesheets (the browser can swap them in place)."""
    return bool(changes) and all(c.kind == STATIC and c.path.suffix == ".css" for c in changes)


class Debouncer:
    """Collects changes and hands them over in batches once they stop arriving.

    A batch is released when no change has come for ``quiet`` seconds, or at the
    latest ``patience`` seconds after its first change, so that a never-ending
    trickle still gets built.
    """

    def __init__(self, quiet: float = 0.1, patience: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet = quiet
        self.patience = patience
        self.clock = clock
        self._changes: set[Change] = set()
        self._first = 0.0
        self._last = 0.0
        self._condition = threading.Condition()
        self._closed = False
        self.on_change: Callable[[], None] | None = None

    def add(self, change: Change) -> None:
        if self.on_change is not None:
            self.on_change()
        with self._condition:
            now = self.clock()
            if not self._changes:
                self._first = now
            self._changes.add(change)
            self._last = now
            self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def ready(self) -> set[Change] | None:
        """The batch if it is due now, else None (no waiting; for tests and the loop)."""
        with self._condition:
            return self._take_if_due()

    def _take_if_due(self) -> set[Change] | None:
        if not self._changes:
            return None
        now = self.clock()
        if now - self._last >= self.quiet or now - self._first >= self.patience:
            batch, self._changes = self._changes, set()
            return batch
        return None

    def wait(self, timeout: float | None = None) -> set[Change] | None:
        """Block until a batch is due (returned), or ``close`` or the timeout (None)."""
        deadline = None if timeout is None else self.clock() + timeout
        with self._condition:
            while not self._closed:
                batch = self._take_if_due()
                if batch:
                    return batch
                if self._changes:
                    delay = min(self.quiet - (self.clock() - self._last), self.patience - (self.clock() - self._first))
                else:
                    delay = None
                if deadline is not None:
                    left = deadline - self.clock()
                    if left <= 0:
                        return None
                    delay = left if delay is None else min(delay, left)
                self._condition.wait(max(delay, 0.005) if delay is not None else None)
            return None


def watch(config: Config, pyproject: Path | None, debouncer: Debouncer, poll: bool = False):
    """Start watchdog on every input folder; return the started observer."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return  # reading a file changes nothing
            if event.is_directory and event.event_type in ("modified", "created"):
                return  # the files inside have events of their own
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if raw:
                    change = route(Path(raw if isinstance(raw, str) else raw.decode()), config, pyproject)
                    if change:
                        debouncer.add(change)

    observer = PollingObserver(timeout=0.5) if poll else Observer()
    handler = Handler()
    folders_watched = (config.seeds, config.content, config.templates, config.static, config.locales)
    for root in folders_watched:
        if root.is_dir():
            observer.schedule(handler, str(root), recursive=True)
    # Single files (the settings, the tables import reads): their folders, not recursively.
    folders = {path.parent for path in config.tables} | ({pyproject.parent} if pyproject is not None else set())
    for folder in sorted(folders):
        if folder.is_dir() and not any(folder == root or root in folder.parents for root in folders_watched):
            observer.schedule(handler, str(folder), recursive=False)
    observer.daemon = True
    observer.start()
    return observer

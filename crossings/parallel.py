"""How many processes import and rendering may use."""

from __future__ import annotations

import os

MAX_WORKERS = 8


def worker_count() -> int:
    """Every core (at most MAX_WORKERS), or ``CROSSINGS_WORKERS`` from the environment.

    ``CROSSINGS_WORKERS=1`` runs everything in one process, e.g. on a machine shared
    with other work; the output is the same whatever the count.
    """
    wanted = os.environ.get("CROSSINGS_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return int(wanted)
    return min(os.cpu_count() or 1, MAX_WORKERS)


def reader_count() -> int:
    """Workers for work that waits for the disk: reading many small files (a build whose cache was lost reads every
    content file and every seed), hashing them, and parsing the content files for the library (``Library.ahead``).
    ``READERS`` per worker, so that the cores work while some of them wait; one where ``worker_count`` is one."""
    workers = worker_count()
    return workers * READERS if workers > 1 else 1


READERS = 4
"""Readers per worker (``reader_count``). A cold build of 100,000 articles on two cores, where the files were not
in memory: its import (which reads the 100,000 content files and the 100,000 seeds) took 18.4 s with one reader
per core, 14.6 s with two, 13.3 s with four."""

BEHIND = 5
"""How much lower (``os.nice``) an ``Aside`` process started ``behind`` runs than the build. One new article at
100,000 articles, on two cores: the build's process plans the pages while three forked ones plan or make the
article pages' keys, the exports and the search index; each of the four then had half a core, and the build's
planning took twice its CPU time. With the search's and the exports' processes (needed at the end) behind, the
build took a median 8.07 s rather than 8.53 s (six of each, alternated: 7.92–8.88 s against 8.15–8.83 s)."""


class Aside:
    """Work done by a process forked from this one, which hands back its findings (bytes) through a pipe and
    exits: the build's planning ahead (the exports', the article pages', the search's) on another core.

    ``start`` forks only where it is safe and worth it: ``fork`` exists, no other thread runs (the dev server's:
    a lock one holds would be copied held), and two workers or more; and returns None where it does not, or
    where the system refuses the pipe or the process (then the caller does the work itself)."""

    def __init__(self, pid: int, read: int) -> None:
        self.pid: int | None = pid
        self.read: int | None = read

    @classmethod
    def start(cls, work, then=None, behind: bool = False) -> "Aside | None":
        """Fork a process that sends ``work()`` (bytes), then runs ``then()`` if given (what the findings need
        not wait for), and exits with status 0 (1 if either raised). ``behind``: the process runs at a lower
        priority (``BEHIND``), for findings the build needs only once its own work is done."""
        import threading

        if not hasattr(os, "fork") or threading.active_count() > 1 or worker_count() < 2:
            return None
        try:
            read, write = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return None
        if pid == 0:  # the child (never returns)
            status = 1
            try:
                os.close(read)
                if behind:
                    try:
                        os.nice(BEHIND)
                    except OSError:  # (not allowed: the work is done all the same)
                        pass
                data = work()
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                if then is not None:
                    then()
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        return cls(pid, read)

    def take(self, wait: bool = True) -> bytes | None:
        """The findings (once the child closed its end); None if it failed. With ``wait``, the child is reaped
        and its status tells; without, it may still run ``then`` (``stop`` reaps it), and a child that failed
        before sending everything shows as findings the caller cannot read."""
        fd, self.read = self.read, None  # (from here ``kill`` leaves the child alone: it is reaped)
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
        if wait:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            if status != 0:
                return None
        return data

    def done(self) -> bool:
        """Wait for the child whose findings were taken without ``wait`` (it ran ``then``): whether it ended well."""
        if self.read is not None or self.pid is None:
            raise RuntimeError("done() is for a child whose findings were taken without waiting")
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return status == 0

    def kill(self) -> None:
        """Stop the child (the build stops) unless its findings are being taken."""
        if self.read is not None and self.pid is not None:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        """Wait for the child if it was not reaped (its findings not taken, or taken without ``wait``): no zombie."""
        if self.read is not None:
            os.close(self.read)
            self.read = None
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None

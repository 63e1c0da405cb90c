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


def fork_with_pipe() -> tuple[int, int, int] | None:
    """Fork with a pipe from the child to this process: (pid, read end, write end), the end the process does not
    use closed in it (the child gets pid 0); None if the system cannot make the pipe or the process now."""
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
    os.close(read if pid == 0 else write)
    return pid, read, write

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

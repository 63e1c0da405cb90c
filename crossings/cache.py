"""Build state kept between runs, outside the site (``cache_dir``).

Everything cached is keyed by content hashes (a fresh clone has new modification
times, so those alone would be wrong); a file's (mtime, size, inode) only lets a
run skip re-reading a file whose hash it already knows. Each store is one pickle
file, written atomically and tagged with the Crossings and Python versions: a
store from another version, or a damaged one, is discarded with a warning and
the build simply does more work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import __version__

log = logging.getLogger(__name__)
TAG = ("crossings-cache", __version__, sys.version_info[:2])


def sha(data: bytes) -> str:
    """The content hash used everywhere in the build state."""
    return hashlib.sha256(data).hexdigest()


def signature(stat: os.stat_result) -> tuple[int, int, int]:
    """What tells cheaply that a file has not changed since it was hashed."""
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class Cache:
    """Named pickle stores under one folder; ``None`` as folder keeps nothing."""

    def __init__(self, root: Path | None, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only
        self.warnings: list[str] = []

    def load(self, name: str) -> Any:
        """The stored value, or None if absent, from another version or damaged."""
        if self.root is None:
            return None
        path = self.root / f"{name}.pickle"
        try:
            with open(path, "rb") as handle:
                tag, value = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - any damage means: start afresh
            self.warnings.append(f"{path}: warning: discarded a damaged build cache ({type(exc).__name__}) — this build redoes the work")
            if not self.read_only:
                path.unlink(missing_ok=True)
            return None
        return value if tag == TAG else None

    def save(self, name: str, value: Any) -> None:
        """Store a value so that a reader finds the old or the new one, never a part."""
        if self.root is None or self.read_only:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((TAG, value), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.root / f"{name}.pickle")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self, name: str) -> None:
        if self.root is not None:
            (self.root / f"{name}.pickle").unlink(missing_ok=True)


def walk(root: Path, suffix: str = "", hidden: tuple[str, ...] = ()) -> dict[str, os.stat_result]:
    """Every regular file below ``root`` (relative POSIX path → stat), without following links.

    Names starting with a dot are skipped (editor temp files, .git), except those in ``hidden``.
    """
    found: dict[str, os.stat_result] = {}
    if not root.is_dir():
        return found
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") and entry.name not in hidden:
                continue
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, rel + "/"))
            elif entry.name.endswith(suffix) and entry.is_file(follow_symlinks=False):
                found[rel] = entry.stat(follow_symlinks=False)
    return dict(sorted(found.items()))

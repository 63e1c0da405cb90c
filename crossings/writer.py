"""The output folder: built whole in a staging folder beside it, then swapped in at once.

A build that fails, or is killed at any moment, leaves the previous site exactly
as it was: nothing is written into the live folder. On Linux the swap is one
``renameat2(RENAME_EXCHANGE)`` call, atomic for anyone reading the folder (the
dev server, a person browsing it); elsewhere two renames, with recovery of a
half-done swap at the start of the next build.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system cannot."""
    if RENAMEAT2 is None:
        return False
    return RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


class Staging:
    """A new version of the output folder, written beside it and swapped in by ``commit``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.dir = out.parent / f".{out.name}.staging"
        self.old = out.parent / f".{out.name}.old"

    def __enter__(self) -> Staging:
        self.recover()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        return self

    def __exit__(self, kind, value, tb) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def recover(self) -> None:
        """Finish or undo a swap a killed build left half done."""
        if self.old.exists() and not self.out.exists():
            os.rename(self.old, self.out)
        shutil.rmtree(self.old, ignore_errors=True)

    def write(self, rel: str, data: bytes) -> None:
        """Write one file of the new site."""
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def copy(self, source: Path, rel: str) -> None:
        """Copy one static file into the new site."""
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    def commit(self) -> None:
        """Make the new site the live one, in one step where the system allows."""
        if self.out.exists():
            if not exchange(self.dir, self.out):
                os.rename(self.out, self.old)
                os.rename(self.dir, self.out)
                shutil.rmtree(self.old, ignore_errors=True)
                return
        else:
            os.rename(self.dir, self.out)
            return
        shutil.rmtree(self.dir, ignore_errors=True)


def output_problem(out: Path, protected: list[Path]) -> str:
    """Say why ``out`` must not be replaced by a build, or '' if it may."""
    out = out.resolve()
    if out == Path(out.anchor) or out == Path.home().resolve():
        return f"{out} is a system or home folder"
    for path in protected:
        path = path.resolve()
        if out == path or out in path.parents:
            return f"{out} holds {path}, which a build must not replace"
    if (out / ".git").exists() or (out / "pyproject.toml").exists():
        return f"{out} looks like a project folder (it has .git or pyproject.toml)"
    return ""

"""Problems found in seeds, content and settings, reported as values, never raised."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: where, what, and how to fix it.

    An ``error`` means the file was rejected (not imported, not built); a
    ``warning`` means it was used anyway and someone should look at it.
    """

    path: str
    line: int | None
    message: str
    hint: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_tuple(self) -> tuple:
        """Plain values, for the build cache."""
        return (self.path, self.line, self.message, self.hint, self.severity)


def error(path: str, line: int | None, message: str, hint: str = "") -> Problem:
    """Make a problem that rejects the file."""
    return Problem(path, line, message, hint, ERROR)


def warning(path: str, line: int | None, message: str, hint: str = "") -> Problem:
    """Make a problem that lets the file through."""
    return Problem(path, line, message, hint, WARNING)


def display_path(path: Path | str) -> str:
    """Show a path relative to the working directory when it lies below it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.fspath(path)


def has_errors(problems: list[Problem]) -> bool:
    """Tell whether any problem rejects its file."""
    return any(p.is_error for p in problems)

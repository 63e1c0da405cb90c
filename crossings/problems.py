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


# --- GitHub Actions annotations ----------------------------------------------

def workflow_command(problem: Problem, root: Path | str | None = None) -> str:
    """The problem as a GitHub Actions workflow command (``::error file=…,line=…,title=…::…``).

    Printed on standard output in a workflow, it becomes an annotation on that file and
    line, shown on the run's page and beside the file in the commit. ``file`` is the
    path relative to ``root`` (the repository: ``$GITHUB_WORKSPACE``, else the working
    directory); a file outside it gets no ``file``, and its path stays in the message.
    """
    path = repository_path(problem.path, root)
    properties = [f"file={_escape_property(path)}"] if path else []
    if path and problem.line:
        properties.append(f"line={problem.line}")
    properties.append(f"title={_escape_property(problem.message)}")
    text = f"{problem.message} — {problem.hint}" if problem.hint else problem.message
    if problem.path and not path:
        text = f"{problem.path}: {text}"
    return f"::{problem.severity} {','.join(properties)}::{_escape_data(text)}"


def repository_path(path: str, root: Path | str | None = None) -> str:
    """``path`` (relative to the working directory, or absolute) relative to ``root``, with
    ``/`` separators; '' if it lies outside ``root``."""
    if not path:
        return ""
    base = Path(root if root is not None else os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    full = Path.cwd() / path
    try:  # the folder resolved, not the file: a seed that is a symbolic link is named as it is
        return (full.parent.resolve() / full.name).relative_to(base).as_posix()
    except (ValueError, OSError):
        return ""


def _escape_data(text: str) -> str:
    """Escape a workflow command's message as GitHub's toolkit does (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow command's property value (``escapeProperty``): also ``:`` and ``,``."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")

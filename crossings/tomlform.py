"""The form of a TOML table file (entities.toml, places.toml): checked before the file is read, so that a value
of the wrong kind is a problem with its line, not a traceback.

A form is a table of known keys (``{"key": form}``; ``"*"``: any other key), a list of one form (``[form]``), or
a kind of value: ``str`` (text), ``bool`` (true or false) or ``float`` (a number)."""

from __future__ import annotations

import re

from .problems import Problem, error, warning

_KINDS = {str: "text", bool: "true or false", float: "a number"}


def _is(value: object, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)


def wrong_types(value: object, schema: object, where: str = "") -> list[tuple[str, str, bool]]:
    """Where ``value`` departs from ``schema``: (dotted place, what is wrong, whether it is an error
    rather than an unknown key) each."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [(where, f"must be a table, not {kind_of(value)}", True)]
        found = []
        for key, item in value.items():
            inner = schema.get(key, schema.get("*"))
            place = f"{where}.{key}" if where else str(key)
            if inner is None:
                found.append((place, f"unknown key (the keys here: {', '.join(schema)})", False))
            else:
                found += wrong_types(item, inner, place)
        return found
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [(where, f"must be a list, not {kind_of(value)}", True)]
        return [wrong for n, item in enumerate(value, 1) for wrong in wrong_types(item, schema[0], f"{where} #{n}")]
    return [] if _is(value, schema) else [(where, f"must be {_KINDS[schema]}, not {kind_of(value)}", True)]


def kind_of(value: object) -> str:
    return ("true or false" if isinstance(value, bool) else "text" if isinstance(value, str) else "a list" if isinstance(value, list)
            else "a table" if isinstance(value, dict) else "a number" if isinstance(value, (int, float)) else "a date or time")


def toml_line(text: str, where: str) -> int | None:
    """The line of a TOML file where the value at ``where`` (``wrong_types``: "people #2.country") is written,
    as near as can be told without a TOML parser that keeps lines: its key's line after the header of its table
    (the n-th ``[[people]]``); that header's line if the key is not found there; None if neither is."""
    parts = where.split(".")
    lines = text.split("\n")
    header_at, key = None, parts[0].split(" #")[0]
    for depth in range(len(parts) - 1, 0, -1):  # the longest table header that opens the place's table
        name, _, nth = ".".join(parts[:depth]).rpartition(" #") if " #" in parts[depth - 1] else (".".join(parts[:depth]), "", "1")
        pattern = re.compile(rf"\s*\[\[?\s*{re.escape(name)}\s*\]")
        headers = [i for i, line in enumerate(lines) if pattern.match(line.replace('"', ""))]
        if len(headers) >= int(nth):
            header_at, key = headers[int(nth) - 1], parts[depth].split(" #")[0]
            break
    start = 0 if header_at is None else header_at + 1
    key_line = re.compile(rf"\s*\[*\s*\"?{re.escape(key)}\"?\s*[=\].]")
    for i in range(start, len(lines)):
        if header_at is not None and lines[i].lstrip().startswith("["):
            break
        if key_line.match(lines[i]):
            return i + 1
    return None if header_at is None else header_at + 1


def form_problems(data: dict, form: dict, text: str, shown: str, meanwhile: str) -> tuple[list[Problem], bool]:
    """What is wrong with a table file's ``data`` (read from ``text``, shown as ``shown``) against its ``form``:
    an error for each value of the wrong kind (the first five), a warning for each unknown key; and whether the
    file is to be left unused (``meanwhile`` says what that costs: "no entity is recognised meanwhile")."""
    wrong = wrong_types(data, form)
    name = shown.rpartition("/")[2]
    errors = [error(shown, toml_line(text, where), f"{where}: {what}", f"write it as the same key is written in the shipped {name}; {meanwhile}")
              for where, what, _ in [w for w in wrong if w[2]][:5]]
    if errors:
        return errors, True
    return [warning(shown, toml_line(text, where), f"{where}: {what}", "check its spelling; the key is ignored") for where, what, _ in wrong], False

"""Articles: front-matter Markdown files in ``content/``, written by import or by hand.

``seed_text`` writes a seed as such a file; ``load`` reads one back (pure: text in,
``Article`` or problems out). A file the importer wrote carries a fingerprint
comment in its front matter, so a later import can tell whether an editor has
changed it since (see ``is_edited``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import NamedTuple

import yaml
from frontmatter.default_handlers import YAMLHandler
from slugify import slugify

from . import publishers
from .i18n import is_language
from .markup import escape_plain
from .problems import Problem, error, warning
from .seeds import Seed, url_problem

FINGERPRINT = re.compile(r"^# fingerprint ([0-9a-f]{16}) seed ([0-9a-f]{16}) (?:file ([0-9a-f]{16}) )?.*\n", re.MULTILINE)
FINGERPRINT_NOTE = "(written by import; once you edit this file, import leaves it alone)"
DELIMITER = re.compile(r"^---[ \t]*$", re.MULTILINE)
TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)
SLUG_LENGTH = 80
PLAIN = re.compile(r"[^\s\[\]{}#&*!|>'\"%@`,?:-][^\n]*(?<=\S)|[^\s\[\]{}#&*!|>'\"%@`,?:-]")
FLOW_INDICATOR = re.compile(r"[,?\[\]{}]")
_YAML_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
RTL = {"ar", "fa", "he", "ur", "ps", "yi"}


class Article(NamedTuple):
    """One article as the site shows it.

    A named tuple rather than a dataclass: a build at 10,000 articles makes all of
    them again from the cache, and tuples are several times cheaper to make.
    """

    path: str
    """The file as shown in messages (``content/2023/2023-01-27-maroc.md``)."""
    slug: str
    title: str
    date: dt.date
    lang: str
    body: str
    source: str = ""
    source_name: str = ""
    seed: str = ""
    draft: bool = False
    countries: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    story: str = ""
    """The editor's choice of story: a story's id, ``none`` (never in a story), or '' (automatic)."""

    @property
    def url(self) -> str:
        """The page's path below the site's base path."""
        return f"articles/{self.slug}/"

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in RTL else "ltr"


# --- writing -----------------------------------------------------------------

def seed_text(seed: Seed, lang: str, seed_hash: str, countries: list[str] = (), organizations: list[str] = (),
              source_name: str | None = None, seed_file: str = "") -> str:
    """The content file for a seed: YAML front matter, fingerprint, escaped body.

    ``source_name`` is the publisher's name (import takes it from publishers.toml);
    without it, the registrable domain of the source's host.

    The fingerprint line holds the hash of the file's own text (so import can tell
    an editor changed it), of the seed's bytes with the import rules (so import can
    tell the file is up to date without parsing the seed again), and of the seed's
    bytes alone (``seed_file``: so import can tell an editor whose file it keeps
    that the seed was re-delivered with changes since).
    """
    meta = {
        "title": seed.title,
        "date": seed.date,
        "source": seed.source,
        "source_name": publishers.EMPTY.name_of(seed.source) if source_name is None else source_name,
        "lang": lang,
        "countries": list(countries),
        "organizations": list(organizations),
        "seed": seed.seed_id,
    }
    _check_plain([v for value in meta.values() for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)])
    front = "\n".join(f"{key}: {yaml_value(value)}" for key, value in meta.items())
    body = "\n\n".join(escape_plain(p) for p in seed.paragraphs)
    text = f"---\n{front}\n---\n\n{body}\n"
    of_file = f"file {seed_file[:16]} " if seed_file else ""
    line = f"# fingerprint {fingerprint(text)} seed {seed_hash[:16]} {of_file}{FINGERPRINT_NOTE}\n"
    return text.replace("\n---\n\n", f"\n{line}---\n\n", 1)


def yaml_value(value: object, in_list: bool = False) -> str:
    """Write a value as YAML an editor reads easily: plain when safe, else double-quoted. An item of a list
    (``in_list``: YAML's flow context, ``[a, b]``) is plain only without the characters that end a plain
    item there (``,?[]{}``, and ':' at its end): an organisation's id "A, B" would otherwise read as two."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v, True) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if (text.isprintable() and PLAIN.fullmatch(text) and ": " not in text and " #" not in text
            and not (in_list and (FLOW_INDICATOR.search(text) or text.endswith(":"))) and _reads_back(text)):
        return text
    # A JSON string is a valid YAML double-quoted scalar, escapes included; YAML reads
    # U+0085, U+2028 and U+2029 as line breaks (folded into a space), so those are escaped too.
    return json.dumps(text, ensure_ascii=False).translate(_YAML_BREAKS)


def _reads_back(text: str) -> bool:
    if text in _READS_BACK:
        return True
    try:
        return yaml.load(f"k: {text}", Loader=yaml.CSafeLoader) == {"k": text}
    except yaml.YAMLError:
        return False


_READS_BACK: set[str] = set()
"""Values known to read back as themselves when written plain (``_check_plain``)."""


def _check_plain(values: list[str]) -> None:
    """Check many values that may be written plain with one YAML document instead of one each.

    Each value stands on a line of its own (no line break, ': ' or ' #' in it: see
    ``yaml_value``), so a line reads the same in the batch as alone. Values the batch
    confirms are remembered; any other (or all, if the batch fails) is checked alone.
    """
    if len(_READS_BACK) > 50_000:
        _READS_BACK.clear()
    todo = [v for v in dict.fromkeys(values) if v not in _READS_BACK and v.isprintable() and PLAIN.fullmatch(v)
            and ": " not in v and " #" not in v]
    sure = [v for v in todo if _resolves_to_itself(v)]
    if sure:
        _READS_BACK.update(sure)
        todo = [v for v in todo if v not in _READS_BACK]
    if len(todo) < 2:
        return
    try:
        found = yaml.load("\n".join(f"k{n}: {v}" for n, v in enumerate(todo)), Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return
    if isinstance(found, dict):
        _READS_BACK.update(v for n, v in enumerate(todo) if found.get(f"k{n}") == v)


def _resolves_to_itself(text: str) -> bool:
    """Whether a value that passed ``_check_plain``'s tests reads back as itself, known without parsing.

    Such a value is one plain scalar on its line: its first character is no indicator
    and it holds no ': ', ' #' or line break, so the parser reads exactly its characters,
    unless it ends with ':' (then a mapping follows). What the value then becomes is up to
    the resolver that CSafeLoader itself uses: a string unless one of its implicit
    patterns (booleans, null, numbers, dates, '<<', '=') matches. This is what the YAML
    document in ``_check_plain`` would say, at a hundredth of the cost; tests/test_content.py
    checks the two agree.
    """
    return not text.endswith(":") and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def fingerprint(text: str, found: re.Match | None | bool = False) -> str:
    """Hash a content file's text, leaving out its fingerprint line (``found``: ``FINGERPRINT.search(text)``, if
    searched already: a search reads the whole text of a file that has none)."""
    if found is False:
        found = FINGERPRINT.search(text)
    if found is not None:
        text = text[:found.start()] + text[found.end():]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_edited(text: str, found: re.Match | None | bool = False) -> bool:
    """Tell whether a content file differs from what import wrote (or import never wrote it)."""
    if found is False:
        found = FINGERPRINT.search(text)
    return found is None or found.group(1) != fingerprint(text, found)


def seed_hash_of(text: str, found: re.Match | None | bool = False) -> str:
    """The hash of the seed a content file was imported from, with the import rules ('' if not imported)."""
    if found is False:
        found = FINGERPRINT.search(text)
    return found.group(2) if found else ""


def seed_file_hash_of(text: str, found: re.Match | None | bool = False) -> str:
    """The hash of the bytes of the seed a content file was imported from ('' if not known)."""
    if found is False:
        found = FINGERPRINT.search(text)
    return (found.group(3) or "") if found else ""


def file_name(date: dt.date, title: str, seed_id: str) -> str:
    """``YYYY/YYYY-MM-DD-readable-ascii-slug.md`` for an article."""
    slug = slugify(title, max_length=SLUG_LENGTH, word_boundary=True) or seed_id
    return f"{date.year:04d}/{date.isoformat()}-{slug}.md"


# --- reading -----------------------------------------------------------------

KEYS = {
    "title": "text", "date": "date", "source": "url", "source_name": "text", "lang": "language",
    "seed": "text", "draft": "bool", "countries": "list", "organizations": "list", "tags": "list", "story": "story",
}
HINTS = {
    "text": 'write it as text, in quotes if need be: key: "…"',
    "date": "write the date as YYYY-MM-DD, e.g. date: 2023-01-27",
    "url": "give the full http(s) address",
    "language": "use a two-letter ISO 639-1 code such as fr, en, es, ar",
    "bool": "write true or false",
    "list": "write a list, e.g. [MA, ES]",
    "story": "write the id of a story (the end of its address, stories/<id>/: small letters, digits and '-') or none",
}
STORY_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?")


def split(text: str, path: str) -> tuple[str, str, int, list[Problem]]:
    """Split a content file into (front matter, body, line of the body, problems)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    opening = DELIMITER.match(text)
    if not opening:
        first = text.split("\n", 1)[0]
        return "", "", 1, [error(path, 1, f"no front matter: the file starts with '{first[:40]}'", "start the file with a line '---', the YAML keys, then a line '---'")]
    closing = DELIMITER.search(text, opening.end())
    if not closing:
        return "", "", 1, [error(path, 1, "the front matter is not closed", "add a line '---' after the last key")]
    front = text[opening.end() + 1:closing.start()]
    body_line = text.count("\n", 0, closing.end()) + 2
    return front, text[closing.end():].strip("\n"), body_line, []


def load(text: str, path: str, slug: str, fallback_lang: str) -> tuple[Article | None, list[Problem]]:
    """Read a content file's text into an Article, or report everything wrong with it."""
    front, body, body_line, problems = split(text, path)
    if problems:
        return None, problems
    meta, problems = _parse_yaml(front, path)
    if meta is None:
        return None, problems
    values: dict[str, object] = {}
    for key, value in meta.items():
        kind = KEYS.get(str(key))
        if kind is None:
            problems.append(warning(path, _line_of(front, key), f"unknown key '{key}' in the front matter (ignored)", "known keys: " + ", ".join(KEYS)))
            continue
        checked, why = _check(kind, value)
        if why:
            problems.append(error(path, _line_of(front, key), f"'{key}' {why}", HINTS[kind]))
        else:
            values[str(key)] = checked
    for key in ("title", "date"):
        if key not in meta:
            problems.append(error(path, 2, f"the front matter has no '{key}'", HINTS["date" if key == "date" else "text"]))
    if "title" in values and not values["title"]:
        problems.append(error(path, _line_of(front, "title"), "the title is empty", "give the article a title"))
    if not body.strip():
        problems.append(warning(path, body_line, "the article has no body text", "write the article below the closing '---'"))
    if any(p.is_error for p in problems):
        return None, problems
    lang = values.pop("lang", fallback_lang)
    for key in ("countries", "organizations", "tags"):
        values[key] = tuple(dict.fromkeys(values.get(key, ())))
    if values["countries"]:
        from .entities import is_country

        unknown = [code for code in values["countries"] if not is_country(code.upper())]
        if unknown:
            problems.append(warning(path, _line_of(front, "countries"), f"unknown country code(s) {', '.join(unknown)} (left out)", "use ISO 3166-1 alpha-2 codes such as MA, ES, FR"))
        values["countries"] = tuple(dict.fromkeys(code.upper() for code in values["countries"] if code not in unknown))
    return Article(path=path, slug=slug, lang=lang, body=body, **values), problems


def _parse_yaml(front: str, path: str) -> tuple[dict | None, list[Problem]]:
    """Load the YAML mapping of a front matter block, with file lines in every message."""
    problems = []
    seen: dict[str, int] = {}
    for found in TOP_KEY.finditer(front):
        line = front.count("\n", 0, found.start()) + 2
        key = found.group(1)
        if key in seen:
            problems.append(error(path, line, f"the key '{key}' appears twice (lines {seen[key]} and {line})", "keep one of them"))
        seen.setdefault(key, line)
    if not problems:
        meta = _plain_front(front)
        if meta is not None:
            return meta, problems
    try:
        meta = YAMLHandler().load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        # Where an unclosed [ or quote began is where the editor erred, not where YAML gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        what = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        return None, [error(path, line, f"the front matter is not valid YAML: {what}", "a value with ': ' or starting with a quote, [ or { must be put in quotes")]
    except ValueError as exc:  # e.g. date: 2023-02-30 fails inside PyYAML's constructor
        return None, [error(path, _line_of(front, "date"), f"the front matter has an impossible value: {exc}", HINTS["date"])]
    if not isinstance(meta, dict):
        return None, [error(path, 2, "the front matter is not a set of 'key: value' lines", "write one 'key: value' per line")]
    return meta, problems


def _plain_front(front: str) -> dict | None:
    """The front matter as YAML reads it, read without YAML when it is written as import writes it (a 1,000-word
    article's YAML took as long as the rest of its reading): one ``key: value`` a line, each key known and once, each
    value plain text, a double-quoted text, a date (under ``date``), or a list of those texts, as ``yaml_value``
    writes them; comment lines. None for anything else, which YAML then reads: only what reads the same both ways is
    taken here (plain text that YAML's own resolver keeps as text; quoted text with JSON's escapes, which YAML reads
    alike; no character YAML's reader refuses). tests/test_content.py checks both ways agree."""
    if _REFUSED_BY_YAML.search(front):
        return None
    meta: dict[str, object] = {}
    for line in front.split("\n"):
        if not line or line[0] == "#":
            continue
        key, colon, value = line.partition(": ")
        if not colon or key not in KEYS or key in meta:
            return None
        if value[:1] == "[":
            found = _plain_list(value)
        elif value[:1] == '"':
            found = _quoted(value)
        elif key == "date" and _ISO_DATE.fullmatch(value):
            try:
                found = dt.date.fromisoformat(value)
            except ValueError:
                return None  # (YAML's message says what is impossible)
        else:
            found = value if _plain(value, False) else None
        if found is None:
            return None
        meta[key] = found
    return meta


def _plain(text: str, in_list: bool) -> bool:
    """Whether YAML reads ``text``, written plain (in a list: ``in_list``), as this text (remembered: the same
    countries, organisations, languages and publishers come back in article after article)."""
    key = (text, in_list)
    found = _PLAIN_KNOWN.get(key)
    if found is None:
        if len(_PLAIN_KNOWN) > 50_000:
            _PLAIN_KNOWN.clear()
        found = _PLAIN_KNOWN[key] = bool(text.isprintable() and PLAIN.fullmatch(text) and ": " not in text and " #" not in text
                                         and not (in_list and FLOW_INDICATOR.search(text)) and _resolves_to_itself(text))
    return found


_PLAIN_KNOWN: dict[tuple[str, bool], bool] = {}


def _quoted(text: str) -> str | None:
    """A double-quoted value with JSON's escapes (as ``yaml_value`` writes it), or None."""
    if _QUOTED.fullmatch(text):
        return json.loads(text)
    return None


def _plain_list(text: str) -> list[str] | None:
    """A list ``[a, "b", c]`` of texts (as ``yaml_value`` writes it), or None."""
    if text[-1:] != "]":
        return None
    inner, items, at = text[1:-1], [], 0
    while at < len(inner):
        if inner[at] == '"':
            found = _QUOTED.match(inner, at)
            if found is None:
                return None
            items.append(json.loads(found.group()))
            at = found.end()
        else:
            end = inner.find(", ", at)
            end = len(inner) if end < 0 else end
            item = inner[at:end]
            if not _plain(item, True):
                return None
            items.append(item)
            at = end
        if at < len(inner):
            if not inner.startswith(", ", at):
                return None
            at += 2
            if at == len(inner):
                return None
    return items


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUOTED = re.compile(r'"(?:[^"\\\x00-\x1f\x85\u2028\u2029]|\\["\\bfnrt]|\\u(?![dD][89abAB])[0-9a-fA-F]{4})*"')
r"""A JSON string, but for what YAML reads otherwise or not at all: U+0085, U+2028 and U+2029 (line breaks to YAML,
folded into a space), a surrogate's escape (JSON pairs two of them; YAML takes each alone) and '\/' (which
``json.dumps`` never writes)."""
_REFUSED_BY_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""The characters YAML's reader refuses anywhere in a document."""


def _check(kind: str, value: object) -> tuple[object, str]:
    """Validate one front matter value; return (normalised value, '') or (None, what is wrong)."""
    if kind == "text":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return (value.strip(), "") if isinstance(value, str) else (None, f"must be text, not {_kind(value)}")
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return None, f"is not a date in the form YYYY-MM-DD: '{value}'"
        if not isinstance(value, dt.date):
            return None, f"must be a date, not {_kind(value)}"
        if value.year < 1800 or value > dt.date.today() + dt.timedelta(days=366):
            return None, f"is implausible for a news article: {value.isoformat()}"
        return value, ""
    if kind == "url":
        why = url_problem(value) if isinstance(value, str) else "must be text"
        return (value.strip(), "") if not why else (None, why if why.startswith("must") else f"{why}: '{value}'")
    if kind == "language":
        return (value, "") if isinstance(value, str) and is_language(value) else (None, f"is not a known language code: '{value}'")
    if kind == "story":
        if value is None:
            return "", ""
        if isinstance(value, bool) and value is False:
            return "none", ""
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if text is not None and text.casefold() == "none":
            return "none", ""
        if text is None or not STORY_ID.fullmatch(text):
            return None, f"is not a story id: '{value}'"
        return text, ""
    if kind == "bool":
        return (value, "") if isinstance(value, bool) else (None, f"must be true or false, not {_kind(value)}")
    if kind == "list":
        if isinstance(value, str):
            value = [value]
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            return None, "must be a list of names"
        return [str(v).strip() for v in value if str(v).strip()], ""
    raise KeyError(kind)


def _line_of(front: str, key: object) -> int:
    found = re.search(rf"^{re.escape(str(key))}[ \t]*:", front, re.MULTILINE)
    return front.count("\n", 0, found.start()) + 2 if found else 2


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    return {"bool": "true/false", "int": "a number", "float": "a number", "list": "a list", "dict": "a mapping", "str": "text"}.get(type(value).__name__, type(value).__name__)

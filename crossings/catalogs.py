"""The interface's translations: gettext catalogs (``.po``), one per language, read at build time.

A site's catalogs live in ``locales_dir`` (``locales/<lang>/LC_MESSAGES/messages.po``);
the message ids are the English strings of the templates (``_()``, ``ngettext()``,
``{% trans %}``) and of the code (``N_()``), extracted with Babel into
``locales/messages.pot`` (see README, "Translating the interface"). Each catalog is
compiled in memory (no ``.mo`` file is written): a string a catalog lacks, leaves
empty or marks fuzzy is shown in English; a translation whose placeholders do not
fit its message is left out (shown in English) and reported. Plural forms follow
the catalog's ``Plural-Forms`` header, which Babel writes from CLDR (Arabic has six).

``python -m crossings.catalogs convert`` turns interface strings still written in
the old style (the ``STRINGS`` dict of ``crossings/i18n.py``, and ``t.key`` in
templates) into catalog entries and ``_()`` calls; ``python -m crossings.catalogs
extract`` writes ``messages.pot`` and brings every catalog up to date with it.
"""

from __future__ import annotations

import ast
import gettext
import hashlib
import io
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po, write_po

from .problems import Problem, display_path, error, warning

SOURCE_LANGUAGE = "en"  # the language of the message ids
DOMAIN = "messages"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
PACKAGE = Path(__file__).resolve().parent
SAMPLES = list(range(0, 220)) + [1000, 10_000, 100_000, 1_000_000, 2_000_000]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel's extractor knows
    """Mark a string of the code for extraction; it is translated where it is shown."""
    return message


def po_path(folder: Path, lang: str) -> Path:
    return folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=32)
def plural_categories(lang: str, expression: str | None = None) -> tuple[str, ...]:
    """The CLDR category (zero, one, two, few, many, other) of each gettext plural form of ``lang``."""
    expression = expression or get_plural(lang).plural_expr
    choose = gettext.c2py(expression)
    rule = Locale.parse(lang).plural_form
    found: dict[int, str] = {}
    for n in SAMPLES:
        found.setdefault(choose(n), rule(n))
    return tuple(found.get(i, "other") for i in range(max(found) + 1))


@lru_cache(maxsize=32)
def plural_samples(lang: str) -> tuple[tuple[str, int], ...]:
    """A number for each CLDR plural category of ``lang`` (for the search page's messages)."""
    rule = Locale.parse(lang).plural_form
    samples: dict[str, int] = {}
    for n in SAMPLES:
        samples.setdefault(rule(n), n)
    return tuple(samples.items())


class Translator:
    """The interface strings of one language; English (the message ids) where it has none."""

    def __init__(self, lang: str, translations: gettext.NullTranslations) -> None:
        self.lang = lang
        self.translations = translations

    # The raw lookups, unformatted (templates format them, escaping the values).
    def raw_gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def raw_ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def raw_pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def raw_npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.translations.npgettext(context, singular, plural, n)

    # Formatted like the templates' _() and ngettext(): always as a %-format.
    def gettext(self, message: str, **variables: object) -> str:
        return self.raw_gettext(message) % variables

    def ngettext(self, singular: str, plural: str, n: int, **variables: object) -> str:
        variables.setdefault("num", n)
        return self.raw_ngettext(singular, plural, n) % variables


@dataclass
class Catalogs:
    """Every catalog of a site's ``locales_dir``, compiled in memory."""

    folder: Path
    translations: dict[str, gettext.NullTranslations] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    catalogs: dict[str, Catalog] = field(default_factory=dict)
    translators: dict[str, Translator] = field(default_factory=dict)

    @property
    def languages(self) -> set[str]:
        """The languages the interface can speak: English, and every language with a catalog."""
        return {SOURCE_LANGUAGE} | set(self.translations)

    def digest(self, lang: str) -> str:
        """What a page in ``lang`` depends on of the catalogs: its catalog's translations and plural rule."""
        return self.digests.get(lang, "")

    def translator(self, lang: str) -> Translator:
        found = self.translators.get(lang)
        if found is None:
            found = self.translators[lang] = Translator(lang, self.translations.get(lang) or gettext.NullTranslations())
        return found

    def speaks(self, lang: str) -> bool:
        return lang in self.languages


CATALOGS_STORE = "catalogs"
"""The build cache's store of compiled catalogs: language → (key, .mo bytes, digest, problems)."""


def load_catalogs(folder: Path, cache=None) -> Catalogs:
    """Read every ``<lang>/LC_MESSAGES/messages.po`` below ``folder``.

    With a build cache, a catalog whose bytes were compiled by an earlier run is taken from it (parsing the
    .po files with Babel takes 0.05 s of every build); ``catalogs`` (the parsed .po files, which only
    ``check`` reads) then leaves it out."""
    catalogs = Catalogs(folder)
    if not folder.is_dir():
        return catalogs
    stored = (cache.load(CATALOGS_STORE) or {}) if cache is not None else {}
    fresh: dict[str, tuple] = {}
    for child in sorted(folder.iterdir()):
        path = po_path(folder, child.name)
        if child.name.startswith(".") or not path.is_file():
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            catalogs.problems.append(error(display_path(path), None, f"cannot read the catalog: {exc.strerror or exc}", "the interface is in English for this language meanwhile"))
            continue
        lang = child.name
        if cache is not None:
            key = _catalog_key(data, display_path(path))
            kept = stored.get(lang)
            if kept is not None and kept[0] == key:
                compiled = gettext.GNUTranslations(io.BytesIO(kept[1]))
                compiled.crossings_digest = kept[2]
                catalogs.problems.extend(Problem(*p) for p in kept[3])
                catalogs.translations[lang] = compiled
                catalogs.digests[lang] = kept[2]
                fresh[lang] = kept
                continue
        compiled, catalog, problems = _compile(path, data, lang)
        catalogs.problems.extend(problems)
        if compiled is not None:
            catalogs.translations[lang] = compiled
            catalogs.catalogs[lang] = catalog
            catalogs.digests[lang] = compiled.crossings_digest
            if cache is not None:
                fresh[lang] = (key, compiled.crossings_mo, compiled.crossings_digest, tuple(p.as_tuple() for p in problems))
    if cache is not None and fresh != stored:
        cache.save(CATALOGS_STORE, fresh)
    return catalogs


CATALOG_FORMAT = "1"
"""Bump when ``_compile`` would make something else of the same catalog (its checks, its messages)."""


def _catalog_key(data: bytes, shown: str) -> str:
    """What a compiled catalog is made from: its bytes, its path (in its problems), Babel (plural rules) and ``_compile``."""
    import babel

    return hashlib.sha256(repr((CATALOG_FORMAT, babel.__version__, shown)).encode() + data).hexdigest()


@lru_cache(maxsize=64)
def _compile(path: Path, data: bytes, lang: str) -> tuple[gettext.GNUTranslations | None, Catalog | None, tuple[Problem, ...]]:
    """Parse and check one catalog, then compile it to a translations object (in memory)."""
    shown = display_path(path)
    try:
        Locale.parse(lang)
    except (ValueError, LookupError):
        return None, None, (error(shown, None, f"'{lang}' is not a language code Babel knows", "name the folder with an ISO 639-1 code such as de, it, pt"),)
    hint = "fix the file (msgfmt --check shows the same); the interface is in English for this language meanwhile"
    found = lint_po(data)
    if found:
        return None, None, (error(shown, found[0], f"not a valid .po catalog: {found[1]}", hint),)
    try:
        catalog = read_po(io.BytesIO(data), locale=lang, domain=DOMAIN, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        return None, None, (error(shown, None, f"not a valid .po catalog: {exc}", hint),)
    problems = []
    usable = Catalog(locale=lang, domain=DOMAIN)
    usable.plural_forms  # noqa: B018 - computed from the locale unless the header gives it
    if catalog._num_plurals is not None:  # the header's Plural-Forms, as the translator wrote it
        usable._num_plurals, usable._plural_expr = catalog._num_plurals, catalog._plural_expr
    for message in catalog:
        if not message.id or message.fuzzy or not translated(message):
            continue
        why = placeholder_problem(message)
        if why:
            problems.append(warning(shown, message.lineno, f"the translation of {_quote(message.id)} {why}",
                                    "use the placeholders of the message id as they are, e.g. %(num)s; write %% for a percent sign; shown in English meanwhile"))
            continue
        usable[message.id] = Message(message.id, message.string, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, usable)
    buffer.seek(0)
    compiled = gettext.GNUTranslations(buffer)
    compiled.crossings_mo = buffer.getvalue()  # (for the build cache)
    # What pages depend on: the translations and the plural rule, not the header's dates.
    compiled.crossings_digest = hashlib.sha256(repr((usable.plural_expr, sorted(
        (m.context or "", repr(m.id), repr(m.string)) for m in usable if m.id))).encode()).hexdigest()[:16]
    return compiled, catalog, tuple(problems)


PO_LINE = re.compile(r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*$')


def lint_po(data: bytes) -> tuple[int, str] | None:
    """The first line that is not well-formed .po (Babel's reader lets an unclosed quote pass, eating a letter)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1, "not UTF-8"
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not PO_LINE.match(stripped):
            return number, f"cannot read line {number}: {stripped[:60]!r} (a keyword and a quoted string, or a quoted continuation)"
    return None


def translated(message: Message) -> bool:
    """Tell whether a catalog entry has a translation (every plural form, for a plural)."""
    if isinstance(message.string, (tuple, list)):
        return bool(message.string) and all(message.string)
    return bool(message.string)


def placeholder_problem(message: Message) -> str:
    """What is wrong with a translation's %-placeholders, or ''."""
    ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
    names = {name for text in ids for name in PLACEHOLDER.findall(text)}
    if isinstance(message.id, (tuple, list)):
        names.add("num")
    values = {name: 1 for name in names}
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    for form in forms:
        try:
            form % values
        except KeyError as exc:
            return f"uses the placeholder %({exc.args[0]})s, which the message does not have"
        except (ValueError, TypeError) as exc:
            return f"is not a valid format ({exc})"
    return ""


def _quote(message_id: str | tuple) -> str:
    text = message_id[0] if isinstance(message_id, (tuple, list)) else message_id
    return "“" + (text if len(text) <= 60 else text[:57] + "…") + "”"


# --- what the site uses: extraction ----------------------------------------------------

TEMPLATE_METHODS = [("**.html", "jinja2"), ("**.xml", "jinja2"), ("**.txt", "jinja2"), ("**.json", "jinja2")]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n"}


def extract_messages(templates: Path, root: Path | None = None) -> Catalog:
    """Every message of the templates and of the code, as a catalog template (what ``pybabel
    extract -F babel.cfg`` gives from the repository's root): files named relative to ``root``."""
    from babel.messages.extract import extract_from_dir

    root = root or templates.parent
    pot = Catalog(project="Crossings", domain=DOMAIN, charset="utf-8", fuzzy=False)
    sources = [(templates, TEMPLATE_METHODS, {pattern: JINJA_OPTIONS for pattern, _ in TEMPLATE_METHODS}),
               (PACKAGE, [("*.py", "python")], {})]
    for folder, methods, options in sources:
        if not folder.is_dir():
            continue
        for filename, line, message, comments, context in extract_from_dir(str(folder), method_map=methods, options_map=options):
            shown = f"crossings/{filename}" if folder == PACKAGE else os.path.relpath(folder / filename, root)
            pot.add(message, None, [(Path(shown).as_posix(), line)], auto_comments=comments, context=context)
    return pot


def used_messages(templates: Path, root: Path | None = None) -> dict[tuple[str | None, str], tuple[str, int, str | tuple]]:
    """Every message the templates and the code use: (context, id) → (file, line, full id)."""
    found = {}
    for message in extract_messages(templates, root):
        if message.id:
            where, line = message.locations[0] if message.locations else ("?", 0)
            key = (message.context, message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
            found.setdefault(key, (where, line, message.id))
    return found


def untranslated(catalogs: Catalogs, languages: list[str], templates: Path, root: Path | None = None) -> list[Problem]:
    """For each language, every interface string its catalog does not translate (a warning each)."""
    used = used_messages(templates, root)
    problems = []
    for lang in languages:
        if lang == SOURCE_LANGUAGE and lang not in catalogs.catalogs:
            continue
        catalog = catalogs.catalogs.get(lang)
        path = po_path(catalogs.folder, lang)
        if catalog is None:
            if not any(p.path == display_path(path) and p.is_error for p in catalogs.problems):
                problems.append(warning(display_path(path), None, f"no catalog for '{lang}': its interface is in English",
                                        f"add one (README: Translating the interface): python -m crossings.catalogs init {lang}"))
            continue
        bad = {p.line for p in catalogs.problems if p.path == display_path(path)}
        for (context, message_id), (where, line, full) in used.items():
            entry = catalog.get(full if isinstance(full, str) else full[0], context=context)
            if entry is not None and translated(entry) and not entry.fuzzy and entry.lineno not in bad:
                continue
            if entry is None:
                problems.append(warning(display_path(path), None, f"untranslated in '{lang}' (shown in English): {_quote(message_id)}, used in {where}:{line}",
                                        "run `python -m crossings.catalogs extract`, then translate the new entry"))
            elif entry.lineno not in bad:
                what = "fuzzy" if entry.fuzzy else "untranslated"
                problems.append(warning(display_path(path), entry.lineno, f"{what} in '{lang}' (shown in English): {_quote(message_id)}",
                                        "translate it" + (" and remove the fuzzy flag" if entry.fuzzy else "")))
    return problems


# --- the commands: extract, init, convert ----------------------------------------------

def _write_po(path: Path, catalog: Catalog, **options) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())


def extract(root: Path, templates: Path, locales: Path) -> list[str]:
    """``locales/messages.pot`` from the templates and the code, then every catalog brought up to
    date with it (new messages added, changed ones marked fuzzy, gone ones kept as obsolete ``#~``).
    From the repository's root this is ``pybabel extract -F babel.cfg -o locales/messages.pot .``
    then ``pybabel update -i locales/messages.pot -d locales``, without the dates that change every run."""
    pot = extract_messages(templates, root)
    notes = []
    _write_po(locales / f"{DOMAIN}.pot", pot, omit_header=True, sort_output=True)
    notes.append(f"{display_path(locales / (DOMAIN + '.pot'))}: {sum(1 for m in pot if m.id)} messages")
    for child in sorted(locales.iterdir()):
        path = po_path(locales, child.name)
        if not path.is_file():
            continue
        catalog = read_po(io.BytesIO(path.read_bytes()), locale=child.name, domain=DOMAIN)
        catalog.update(pot, update_creation_date=False)
        _write_po(path, catalog, sort_output=True)
        missing = sum(1 for m in catalog if m.id and (not translated(m) or m.fuzzy))
        notes.append(f"{display_path(path)}: {missing} to translate" if missing else f"{display_path(path)}: every message translated")
    return notes


def init(root: Path, templates: Path, locales: Path, lang: str) -> list[str]:
    """A new language's catalog, every message untranslated (what ``pybabel init`` makes)."""
    path = po_path(locales, lang)
    if path.exists():
        return [f"{display_path(path)}: already there (python -m crossings.catalogs extract brings it up to date)"]
    catalog = Catalog(locale=lang, domain=DOMAIN, project="Crossings", version="", msgid_bugs_address="", copyright_holder="",
                      charset="utf-8", fuzzy=False)
    catalog.update(extract_messages(templates, root), update_creation_date=False)
    _write_po(path, catalog, sort_output=True)
    return [f"{display_path(path)}: {sum(1 for m in catalog if m.id)} messages to translate"]


def read_strings(path: Path) -> dict[str, dict[str, str]]:
    """The ``STRINGS = {...}`` dict of a Python file, read without running it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "STRINGS" and node.value is not None:
            return ast.literal_eval(node.value)
    return {}


def _to_format(text: str, names: dict[str, str] | None = None) -> str:
    """``From {first} to {last}`` → ``From %(first)s to %(last)s`` (a literal % doubled)."""
    text = text.replace("%", "%%")
    return re.sub(r"\{(\w+)\}", lambda m: f"%({(names or {}).get(m.group(1), m.group(1))})s", text)


PLURAL_SUFFIXES = ("zero", "one", "two", "few", "many", "other")


@dataclass
class Converted:
    """One old-style key as a catalog message."""

    key: str
    message_id: str | tuple[str, str]
    context: str | None
    translations: dict[str, str | tuple[str, ...]]
    placeholders: tuple[str, ...]
    categories: dict[str, dict[str, str]] = field(default_factory=dict)
    """For a plural: each language's text per CLDR category, to order by the catalog's own Plural-Forms."""


def convert_strings(strings: dict[str, dict[str, str]]) -> tuple[list[Converted], list[str]]:
    """Turn a STRINGS dict (English as the source) into messages; return them and notes."""
    english = strings.get(SOURCE_LANGUAGE, {})
    notes = []
    plural_keys = sorted({k.rsplit("_", 1)[0] for lang in strings.values() for k in lang
                          if k.rsplit("_", 1)[-1] in PLURAL_SUFFIXES and f"{k.rsplit('_', 1)[0]}_other" in english})
    plural_members = {f"{key}_{suffix}" for key in plural_keys for suffix in PLURAL_SUFFIXES}
    out: list[Converted] = []
    for key in plural_keys:
        singular = _to_format(english.get(f"{key}_one", english[f"{key}_other"]), {"n": "num"})
        plural = _to_format(english[f"{key}_other"], {"n": "num"})
        translations, categories = {}, {}
        for lang, table in strings.items():
            if lang == SOURCE_LANGUAGE:
                continue
            categories[lang] = {c: _to_format(table[f"{key}_{c}"], {"n": "num"}) for c in PLURAL_SUFFIXES if table.get(f"{key}_{c}")}
            translations[lang] = plural_forms(categories[lang], lang)
        out.append(Converted(key, (singular, plural), None, translations, tuple(sorted(set(PLACEHOLDER.findall(singular + plural)) | {"num"})), categories))
    for key, text in english.items():
        if key in plural_members:
            continue
        message_id = _to_format(text)
        translations = {lang: _to_format(table[key]) if key in table else "" for lang, table in strings.items() if lang != SOURCE_LANGUAGE}
        out.append(Converted(key, message_id, None, translations, tuple(dict.fromkeys(PLACEHOLDER.findall(message_id)))))
    for lang, table in strings.items():
        for key in table:
            if key not in english and key not in plural_members:
                notes.append(f"'{key}' is in '{lang}' but not in English: left out (give it an English text first)")
    # Two keys with the same English text but different translations need a context.
    by_id: dict[object, list[Converted]] = {}
    for item in out:
        by_id.setdefault(item.message_id, []).append(item)
    for items in by_id.values():
        if len(items) > 1 and len({repr(sorted(i.translations.items())) for i in items}) > 1:
            for item in items:
                item.context = item.key
                notes.append(f"'{item.key}': the same English text as {', '.join(repr(i.key) for i in items if i is not item)} "
                             "but translated differently: written with pgettext and the context '{item.key}'".replace("{item.key}", item.key))
    return out, notes


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _call(item: Converted, arguments: str = "") -> str:
    """The template expression for one converted key (arguments: ``a=…, b=…`` or a count)."""
    if isinstance(item.message_id, tuple):
        singular, plural = item.message_id
        name = "npgettext" if item.context else "ngettext"
        context = f"{_literal(item.context)}, " if item.context else ""
        return f"{name}({context}{_literal(singular)}, {_literal(plural)}, {arguments})"
    name = "pgettext" if item.context else "_"
    context = f"{_literal(item.context)}, " if item.context else ""
    if not arguments and item.placeholders:
        # Used without .format(): the text is taken as it is, its {x} kept for a script to fill in.
        arguments = ", ".join(f'{p}="{{{p}}}"' for p in item.placeholders)
    return f"{name}({context}{_literal(item.message_id)}{', ' + arguments if arguments else ''})"


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one just before ``start`` (quotes respected)."""
    depth, quote, i = 1, None, start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced parentheses")


def rewrite_template(text: str, items: dict[str, Converted], plurals: dict[str, Converted]) -> tuple[str, list[str]]:
    """Replace ``t.key``, ``t.key.format(…)`` (``items``) and ``x|plural("key")`` (``plurals``) by gettext calls."""
    left: list[str] = []

    def plural(match: re.Match) -> str:
        item = plurals.get(match.group(2))
        if item is None or not isinstance(item.message_id, tuple):
            return match.group(0)
        return _call(item, match.group(1))

    text = re.sub(r"([\w.]+(?:\|\w+)*)\|plural\(\s*[\"'](\w+)[\"']\s*\)", plural, text)
    out, position = [], 0
    for match in re.finditer(r"(?<![\w.])t\.(\w+)(\.format\()?", text):
        if match.start() < position:
            continue
        item = items.get(match.group(1))
        if item is None:
            continue
        out.append(text[position:match.start()])
        if match.group(2):
            end = _closing(text, match.end())
            out.append(_call(item, text[match.end():end].strip()))
            position = end + 1
        else:
            out.append(_call(item))
            position = match.end()
    out.append(text[position:])
    text = "".join(out)
    for match in re.finditer(r"(?<![\w.])t\.(\w+)|\|plural\(", text):
        left.append(match.group(0))
    # Macros that translate need the page's language: import them with the context.
    text = re.sub(r"(\{%-?\s*from\s+[\"'][^\"']+[\"']\s+import\s+[^%]*?)(\s*-?%\})",
                  lambda m: m.group(0) if "with context" in m.group(1) else m.group(1) + " with context" + m.group(2), text)
    return text, left


def plural_forms(by_category: dict[str, str], lang: str, expression: str | None = None) -> tuple[str, ...]:
    """A plural's msgstr[0], [1]… in the order of a Plural-Forms rule (the language's CLDR one by default);
    a category without its own text takes the 'other' one."""
    return tuple(by_category.get(c) or by_category.get("other", "") for c in plural_categories(lang, expression))


def merge_into_catalog(path: Path, lang: str, items: list[Converted]) -> list[str]:
    """Add the converted messages to one language's catalog (created if need be); keep translations it has."""
    notes = []
    if path.is_file():
        catalog = read_po(io.BytesIO(path.read_bytes()), locale=lang, domain=DOMAIN)
    else:
        catalog = Catalog(locale=lang, domain=DOMAIN, project="Crossings", msgid_bugs_address="", copyright_holder="",
                          charset="utf-8", fuzzy=False)
    for item in items:
        if isinstance(item.message_id, str):
            translation = item.translations.get(lang, "")
        else:  # in the order of this catalog's own Plural-Forms
            translation = plural_forms(item.categories.get(lang, {}), lang, catalog.plural_expr)
        existing = catalog.get(item.message_id if isinstance(item.message_id, str) else item.message_id[0], context=item.context)
        flags = ["python-format"] if item.placeholders else []
        if existing is not None and translated(existing):
            if existing.string != translation and translation and (not isinstance(translation, tuple) or all(translation)):
                notes.append(f"{display_path(path)}: kept its translation of {_quote(item.message_id)} ('{item.key}' said otherwise)")
            continue
        catalog.add(item.message_id, translation, flags=flags, auto_comments=[f"STRINGS key: {item.key}"], context=item.context)
    _write_po(path, catalog, sort_output=True)
    return notes


def _remove_strings(path: Path) -> bool:
    """Empty the STRINGS dict of a Python file in place (its entries now live in the catalogs)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "STRINGS" and node.value is not None:
            lines = source.splitlines(keepends=True)
            value = node.value
            start = sum(len(line) for line in lines[: value.lineno - 1]) + value.col_offset
            end = sum(len(line) for line in lines[: value.end_lineno - 1]) + value.end_col_offset
            if source[start:end].strip() in ("{}", ""):
                return False
            path.write_text(source[:start] + "{}" + source[end:], encoding="utf-8")
            return True
    return False


def convert(root: Path, strings_file: Path, templates: Path, locales: Path, keep: bool = False) -> list[str]:
    """Move old-style interface strings into the catalogs and the templates to gettext calls."""
    strings = read_strings(strings_file)
    if not strings:
        return [f"{display_path(strings_file)}: STRINGS is empty: nothing to convert"]
    items, notes = convert_strings(strings)
    by_key = {item.key: item for item in items if isinstance(item.message_id, str)}
    plurals = {item.key: item for item in items if not isinstance(item.message_id, str)}
    for path in sorted(templates.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        new, left = rewrite_template(text, by_key, plurals)
        if new != text:
            path.write_text(new, encoding="utf-8")
            notes.append(f"{display_path(path)}: rewritten")
        for what in sorted(set(left)):
            notes.append(f"{display_path(path)}: left as it was, convert by hand: {what}")
    languages = sorted(set(strings) - {SOURCE_LANGUAGE})
    for lang in languages:
        notes.extend(merge_into_catalog(po_path(locales, lang), lang, items))
    for path in sorted(PACKAGE.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bstrings\(|\bplural\(\s*[\"']", line) and path.name not in ("catalogs.py", "i18n.py", "render.py"):
                notes.append(f"{display_path(path)}:{number}: uses the old strings: mark its text with N_() and translate it with a Translator")
    if not keep and _remove_strings(strings_file):
        notes.append(f"{display_path(strings_file)}: STRINGS emptied (its {len(items)} keys are now in {display_path(locales)})")
    notes.extend(extract(root, templates, locales))
    return notes


def main(argv: list[str] | None = None) -> int:
    """``python -m crossings.catalogs extract | init LANG | convert``, in the site's folder."""
    import argparse

    from .config import load_config

    parser = argparse.ArgumentParser(prog="python -m crossings.catalogs", description="The interface's gettext catalogs (README: Translating the interface).")
    parser.add_argument("--config", type=Path, default=Path("pyproject.toml"), help="the pyproject.toml of the site (default ./pyproject.toml)")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("extract", help="extract the messages of the templates and the code into locales/messages.pot, then bring every catalog up to date")
    init_parser = verbs.add_parser("init", help="start the catalog of a new language: locales/LANG/LC_MESSAGES/messages.po")
    init_parser.add_argument("lang", help="an ISO 639-1 code, e.g. de")
    convert_parser = verbs.add_parser("convert", help="move old-style STRINGS entries and t.key uses into the catalogs and _() calls")
    convert_parser.add_argument("--strings", type=Path, default=PACKAGE / "i18n.py", help="the Python file holding STRINGS (default crossings/i18n.py)")
    convert_parser.add_argument("--keep", action="store_true", help="leave STRINGS as it is")
    args = parser.parse_args(argv)
    config, problems = load_config(args.config if args.config.exists() else None)
    if any(p.is_error for p in problems):
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    if args.verb == "init":
        from .i18n import is_language

        if not is_language(args.lang):
            print(f"{args.lang}: error: not an ISO 639-1 code Babel knows — for example de, it, pt", file=sys.stderr)
            return 2
        notes = init(config.root, config.templates, config.locales, args.lang)
    elif args.verb == "extract":
        notes = extract(config.root, config.templates, config.locales)
    else:
        notes = convert(config.root, args.strings, config.templates, config.locales, keep=args.keep)
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())

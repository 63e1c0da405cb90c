"""Countries and organisations an article mentions, found by whole-word lookup.

Country names come from CLDR through Babel (French, English, Spanish, Arabic)
for every ISO 3166-1 country (pycountry's list); ``entities.toml`` adds
demonyms, cities and variants, removes ambiguous words, and defines the
organisations. The text is split into words once and each word is looked up in
a dictionary keyed by the first word of every name, so the cost does not grow
with the number of names (one regular expression per name would).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .problems import Problem, display_path, error

CLDR_LANGUAGES = ("fr", "en", "es", "ar")
TOKEN = re.compile(r"\w+")
ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # vowel marks and tatweel
ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


@dataclass(frozen=True)
class Name:
    """One way of writing an entity, as words."""

    words: tuple[str, ...]  # folded: accents off, lower case
    cased: tuple[str, ...] | None  # accents off, case kept, when the case must match
    acronym: bool
    kind: str  # "country" or "organization"
    id: str


@dataclass
class Entities:
    """Every name to look for, indexed by its first word."""

    index: dict[str, list[Name]] = field(default_factory=dict)
    organizations: dict[str, dict[str, str]] = field(default_factory=dict)
    digest: str = ""

    def add(self, text: str, kind: str, id_: str) -> None:
        words = tuple(TOKEN.findall(prepare(text)))
        if not words:
            return
        cased = None if text.islower() or not any(c.isupper() for c in text) else tuple(fold_case(w) for w in words)
        acronym = len(words) == 1 and words[0].isupper() and len(words[0]) <= 5
        name = Name(tuple(fold(w) for w in words), cased, acronym, kind, id_)
        entries = self.index.setdefault(name.words[0], [])
        if name not in entries:
            entries.append(name)
            entries.sort(key=lambda n: -len(n.words))

    def find(self, text: str) -> tuple[list[str], list[str]]:
        """The country codes and organisation ids ``text`` mentions, in order of first mention."""
        words = TOKEN.findall(prepare(text))
        folded = list(map(fold, words))
        countries: dict[str, None] = {}
        organizations: dict[str, None] = {}
        index = self.index
        end = 0  # words before ``end`` belong to a name already found
        # Only a word that starts some name (or an Arabic word, which may after its
        # prefixes are taken off) can start a match: the others are skipped in C.
        starts = {f for f in set(folded) if f in index or "\u0600" <= f[:1] <= "\u06ff"}
        for i in [i for i, f in enumerate(folded) if f in starts]:
            if i < end:
                continue
            name = self._match(words, folded, i)
            if name is not None:
                (countries if name.kind == "country" else organizations).setdefault(name.id)
                end = i + len(name.words)
        return list(countries), list(organizations)

    def _match(self, words: list[str], folded: list[str], i: int) -> Name | None:
        for first in variants(folded[i]):
            for name in self.index.get(first, ()):
                end = i + len(name.words)
                if end > len(words) or folded[i + 1:end] != list(name.words[1:]):
                    continue
                if name.cased is not None and not all(_case_fits(words[i + k], name.cased[k]) for k in range(len(name.words)) if first == folded[i] or k):
                    continue
                if name.acronym and _shouting(words, i):
                    continue
                return name
        return None


def _case_fits(word: str, cased: str) -> bool:
    """A capitalised name matches as written or in capitals; scripts without case always fit."""
    word = fold_case(word)
    return word == cased or word == cased.upper() or not any(c.isalpha() and c.lower() != c.upper() for c in word)


def _shouting(words: list[str], i: int) -> bool:
    """Tell whether the word at ``i`` stands among words in capitals (a headline, not an acronym)."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(words) and len(words[j]) > 1 and words[j].isupper() and words[j].isalpha():
            return True
    return False


def prepare(text: str) -> str:
    """Remove Arabic vowel marks and tatweel so that words are not split by them."""
    return ARABIC_MARKS.sub("", text)


@lru_cache(maxsize=200_000)
def fold_case(word: str) -> str:
    """Drop accents and unify Arabic letter forms, keeping case."""
    if word.isascii():
        return word
    stripped = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(ARABIC_LETTERS)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Drop accents and case, unify Arabic letter forms."""
    return fold_case(word).casefold()


def variants(word: str) -> tuple[str, ...]:
    """The word, and for Arabic the word without its usual prefixes (و ف, then ب ك ل, or لل → ال)."""
    if not word or not ("\u0600" <= word[0] <= "\u06ff"):
        return (word,)
    found = [word]
    core = word[1:] if word[0] in "وف" and len(word) > 3 else word
    if core is not word:
        found.append(core)
    if core.startswith("لل") and len(core) > 3:
        found.append("ال" + core[2:])
    elif core[0] in "بكل" and len(core) > 3:
        found.append(core[1:])
    return tuple(found)


def load(path: Path | None) -> tuple[Entities, list[Problem]]:
    """The entity names: CLDR's country names plus ``entities.toml`` (if it exists)."""
    import pycountry
    from babel import Locale

    data: dict = {}
    raw = b""
    if path is not None and path.exists():
        raw = path.read_bytes()
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            return Entities(), [error(display_path(path), None, f"not valid TOML: {exc}", "fix the file; no entity is recognised meanwhile")]
    entities = Entities(digest=hashlib.sha256(raw).hexdigest()[:16])
    countries = data.get("countries", {})
    excluded = {fold(" ".join(TOKEN.findall(prepare(name)))) for name in countries.get("exclude", [])}
    codes = {c.alpha_2 for c in pycountry.countries}

    def add(text: str, kind: str, id_: str) -> None:
        if fold(" ".join(TOKEN.findall(prepare(text)))) not in excluded:
            entities.add(text, kind, id_)

    for language in CLDR_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in codes:
                add(name, "country", code)
    for country in pycountry.countries:
        add(country.name, "country", country.alpha_2)
        if getattr(country, "common_name", None):
            add(country.common_name, "country", country.alpha_2)
    for code, names in countries.get("aliases", {}).items():
        for name in names:
            add(name, "country", code)
    for id_, spec in data.get("organizations", {}).items():
        entities.organizations[id_] = dict(spec.get("names", {}))
        for name in spec.get("aliases", []) + list(spec.get("names", {}).values()):
            entities.add(re.sub(r"\s*\([^)]*\)$", "", name), "organization", id_)
    return entities, []


def country_name(code: str, language: str) -> str:
    """A country's name in ``language`` (CLDR), or the code if unknown."""
    from babel import Locale

    return Locale.parse(language).territories.get(code, code)


def is_country(code: str) -> bool:
    import pycountry

    return pycountry.countries.get(alpha_2=code) is not None

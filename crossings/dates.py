"""Recognise the date at the start of a seed's date line, in the notations scrapers bring.

Numeric (27.01.2023, 27/01/2023, 2023-01-27) and written out in French, English,
Spanish, Arabic and the other configured languages (27 janvier 2023, January 27,
2023, 27 de enero de 2023, 27 يناير 2023). Month and weekday names come from
Babel's CLDR data, so no word list is kept here. A date is never guessed: an
impossible or ambiguous one is reported, not repaired.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from babel.dates import get_day_names, get_month_names

# Regional Arabic month names (Maghreb "جانفي", Levant "كانون الثاني") live in
# these locales; the plain "ar" locale has only the Egyptian forms.
EXTRA_LOCALES = {"ar": ("ar_MA", "ar_DZ", "ar_TN", "ar_SY", "ar_LB", "ar_IQ")}
DEFAULT_LANGUAGES = ("fr", "en", "es", "ar", "de", "it", "pt", "nl")
SEPARATORS = " \t-–—|:,;"


CANONICAL = "canonical"


@dataclass(frozen=True)
class DateMatch:
    """What the start of a line says: a date (or why not), and the text after it."""

    date: dt.date | None
    rest: str
    text: str
    problem: str = ""
    notation: str = CANONICAL
    """How the date was written: ``canonical`` (DD.MM.YYYY, the collectors' format),
    ``day-first`` (27/01/2023, 27-01-2023, 1.2.2023), ``year-first`` (2023-01-27) or
    ``written`` (29 janvier 2023, January 29, 2023)."""
    language: str = ""
    """For a written-out date, the language whose month name was read."""

    @property
    def ambiguous(self) -> bool:
        """A day-first date whose day could be its month too (03/04/2020)."""
        return (self.notation == "day-first" and self.date is not None and self.date.day <= 12 and self.date.day != self.date.month
                and any(sep in self.text for sep in "/-"))  # with dots, day.month is the collectors' own order

    def reading(self) -> str:
        """How a date in another notation than DD.MM.YYYY was understood, for the editor's warning."""
        if self.date is None or self.notation == CANONICAL:
            return ""
        read = english(self.date)
        if self.ambiguous:
            other = english(dt.date(self.date.year, self.date.day, self.date.month))
            return f"date '{self.text}' is ambiguous: read as {read} (day first), not {other}"
        how = {"day-first": "day first", "year-first": "year-month-day"}.get(self.notation) or f"written out in {self.language}"
        return f"date '{self.text}' read as {read} ({how})"


def english(date: dt.date) -> str:
    """27 January 2023: the form every warning uses, whatever the seed's language."""
    return f"{date.day} {ENGLISH_MONTHS[date.month - 1]} {date.year}"  # not %B: it follows the machine's locale


ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def fold(text: str) -> str:
    """Lower-case, drop accents, and use ASCII digits, keeping one character per character."""
    return "".join(map(_fold_char, text))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if "\u0660" <= char <= "\u0669":
        char = chr(ord(char) - 0x0660 + 48)
    elif "\u06f0" <= char <= "\u06f9":
        char = chr(ord(char) - 0x06F0 + 48)
    return unicodedata.normalize("NFD", char)[0].casefold()[:1] or char


NUMERIC = (
    re.compile(r"(?P<day>\d{1,2})(?P<sep>[./-])(?P<mnum>\d{1,2})(?P=sep)(?P<year>\d{4})(?!\d)"),
    re.compile(r"(?P<year>\d{4})(?P<sep>[./-])(?P<mnum>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)"),
)
"""Dates in digits, day first or year first: tried before the written-out ones (and most seeds have one)."""


@lru_cache(maxsize=8)
def _written(languages: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compile the written-out date patterns for ``languages`` (from Babel's month and day names:
    0.2-0.3 s, spent only when a date is not in digits)."""
    months: dict[str, int] = {}
    ambiguous: set[str] = set()
    weekdays: set[str] = set()
    for locale in _locales(languages):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    key = fold(name).rstrip(".")
                    if months.setdefault(key, number) != number:
                        ambiguous.add(key)
                weekdays.update(fold(n).rstrip(".") for n in get_day_names(width, context, locale).values())
    names = sorted((k for k in months if k not in ambiguous), key=len, reverse=True)
    month = "(?P<month>" + "|".join(re.escape(n) for n in names) + r")\.?"
    weekday = r"(?:(?:" + "|".join(re.escape(w) for w in sorted(weekdays, key=len, reverse=True)) + r")\.?,?\s+)?"
    day = r"(?P<day>\d{1,2})(?:er|st|nd|rd|th|º|°|o)?\.?"
    year = r"(?P<year>\d{4})(?!\d)"
    return (
        re.compile(weekday + day + r"\s+(?:de\s+)?" + month + r",?\s+(?:de\s+|del\s+)?" + year),
        re.compile(weekday + month + r"\s+" + day + r",?\s+" + year),
    )


def _patterns(languages: tuple[str, ...]):
    """The date patterns for ``languages``, in the order they are tried; the written-out ones made when first needed."""
    yield from NUMERIC
    yield from _written(languages)


CANONICAL_FORM = re.compile(r"\d{2}\.\d{2}\.\d{4}")


def _locales(languages: tuple[str, ...]) -> list[str]:
    out = []
    for lang in languages:
        out.append(lang)
        out.extend(EXTRA_LOCALES.get(lang, ()))
    return out


SHORT_YEAR = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)")


def match_date(line: str, languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> DateMatch | None:
    """Read a date at the start of ``line``; None if the line does not start with one."""
    folded = fold(line)
    for pattern in _patterns(tuple(languages)):
        found = pattern.match(folded)
        if found:
            return _to_match(line, found, languages)
    if SHORT_YEAR.match(folded):
        text = SHORT_YEAR.match(folded).group(0)
        return DateMatch(None, "", line[: len(text)], f"the year in '{line[: len(text)]}' has two digits")
    return None


def _to_match(line: str, found: re.Match[str], languages: tuple[str, ...]) -> DateMatch:
    groups = found.groupdict()
    text = line[: found.end()]
    rest = line[found.end():].lstrip(SEPARATORS)
    language = ""
    if groups.get("mnum"):
        month = int(groups["mnum"])
        if found.re.pattern.startswith("(?P<year>"):
            notation = "year-first"
        else:
            notation = CANONICAL if CANONICAL_FORM.fullmatch(text) else "day-first"
    else:
        month, language = _month_number(groups["month"], languages)
        notation = "written"
    try:
        return DateMatch(dt.date(int(groups["year"]), month, int(groups["day"])), rest, text, notation=notation, language=language)
    except ValueError:
        return DateMatch(None, rest, text, f"'{text}' is not a real date", notation=notation, language=language)


def _month_number(name: str, languages: tuple[str, ...]) -> tuple[int, str]:
    """The month a name stands for, and the language (in English) it was found in."""
    for locale in _locales(languages):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, candidate in get_month_names(width, context, locale).items():
                    if fold(candidate).rstrip(".") == name:
                        return number, _language_name(locale.split("_")[0])
    raise LookupError(name)  # unreachable: the pattern only matches known names


@lru_cache(maxsize=16)
def _language_name(language: str) -> str:
    from babel import Locale

    return Locale.parse(language).get_display_name("en")

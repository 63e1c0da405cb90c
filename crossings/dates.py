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


@dataclass(frozen=True)
class DateMatch:
    """What the start of a line says: a date (or why not), and the text after it."""

    date: dt.date | None
    rest: str
    text: str
    problem: str = ""


def fold(text: str) -> str:
    """Lower-case, drop accents, and use ASCII digits, keeping one character per character."""
    out = []
    for char in text:
        if "\u0660" <= char <= "\u0669":
            char = chr(ord(char) - 0x0660 + 48)
        elif "\u06f0" <= char <= "\u06f9":
            char = chr(ord(char) - 0x06F0 + 48)
        base = unicodedata.normalize("NFD", char)[0].casefold()[:1]
        out.append(base or char)
    return "".join(out)


@lru_cache(maxsize=8)
def _patterns(languages: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compile the numeric and written-out date patterns for ``languages``."""
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
        re.compile(r"(?P<day>\d{1,2})(?P<sep>[./-])(?P<mnum>\d{1,2})(?P=sep)" + year),
        re.compile(r"(?P<year>\d{4})(?P<sep>[./-])(?P<mnum>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)"),
        re.compile(weekday + day + r"\s+(?:de\s+)?" + month + r",?\s+(?:de\s+|del\s+)?" + year),
        re.compile(weekday + month + r"\s+" + day + r",?\s+" + year),
    )


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
    if groups.get("mnum"):
        month = int(groups["mnum"])
    else:
        month = _month_number(groups["month"], languages)
    try:
        return DateMatch(dt.date(int(groups["year"]), month, int(groups["day"])), rest, text)
    except ValueError:
        return DateMatch(None, rest, text, f"'{text}' is not a real date")


def _month_number(name: str, languages: tuple[str, ...]) -> int:
    for locale in _locales(languages):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, candidate in get_month_names(width, context, locale).items():
                    if fold(candidate).rstrip(".") == name:
                        return number
    raise LookupError(name)  # unreachable: the pattern only matches known names

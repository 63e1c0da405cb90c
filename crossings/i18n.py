"""Dates, month and language names in every language (CLDR, via Babel).

The interface's strings are gettext catalogs (``locales/``, see ``catalogs``).
``STRINGS`` is where strings written in the old style (a dict per language,
``t.key`` in templates) wait to be moved there by ``python -m crossings.catalogs
convert``; meanwhile templates still find them as ``t.key``, in the page's language.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date

# Babel's English default is American ("January 27, 2023"); the archive writes
# dates day-first in every language, as its readers in Europe and Africa do.
DATE_LOCALES = {"en": "en_GB"}

STRINGS: dict[str, dict[str, str]] = {}


def strings(language: str) -> dict[str, str]:
    """Old-style strings not yet converted, for ``language``, falling back to English."""
    return {**STRINGS.get("en", {}), **STRINGS.get(language, {})}


@lru_cache(maxsize=64)
def _dates_locale(language: str) -> Locale:
    """The locale dates are written in for ``language``, parsed once (Babel parses a locale's name at each call
    it is given one: two thirds of a date's formatting, 1,700 dates in each render worker at 1,000 articles)."""
    return Locale.parse(DATE_LOCALES.get(language, language))


@lru_cache(maxsize=4096)
def format_date(value: str | dt.date, language: str, style: str = "long") -> str:
    """Write a date out in ``language``: ``27 janvier 2023``, ``27 January 2023``, ``27 de enero de 2023``."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return babel_format_date(value, style, locale=_dates_locale(language))


@lru_cache(maxsize=1024)
def month_name(year: int, month: int, language: str, width: str = "wide") -> str:
    """``janvier 2023`` (with the year) or, for width 'abbreviated', ``janv.``."""
    locale = _dates_locale(language)
    if width == "abbreviated":
        return locale.months["stand-alone"]["abbreviated"][month]
    name = locale.months["stand-alone"]["wide"][month]
    return f"{name} {year}"


@lru_cache(maxsize=256)
def language_name(code: str, language: str) -> str:
    """The name of language ``code`` in ``language`` (``arabe`` for ar in French)."""
    name = Locale.parse(code).get_display_name(language) or code
    return name[:1].upper() + name[1:] if language not in ("ar",) else name


def is_language(code: str) -> bool:
    """Tell whether ``code`` is a two-letter language code Babel knows."""
    if not re.fullmatch(r"[a-z]{2}", code):
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True

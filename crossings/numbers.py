"""Numbers as news reports write them, in French, English, Spanish and Arabic, read as values.

``2 457``, ``2.457``, ``2,457`` (with a plain, no-break, narrow no-break or thin space),
``٢٤٥٧`` and ``٢٬٤٥٧`` are all 2457; ``1,5 million``, ``1.5 million`` and ``€1.5m`` are
1,500,000; ``105 millions d'euros`` and ``١٠٥ ملايين يورو`` are 105,000,000; and the
common number words: ``vingt-trois``, ``trente et une``, ``quatre-vingt-deux``,
``veintisiete``, ``treinta y uno``, ``sixty-three``, ``two hundred and eighty``,
``سبعة وعشرين``, ``ستمئة``, ``ألفي``, ``سبعة آلاف``.

A separator followed by exactly three digits groups thousands, in every language
(news writes decimals with one or two digits: ``1,5``, ``2.25``); a bare four-digit
number is a year only to the caller, which decides.
"""

from __future__ import annotations

import bisect
import re
from itertools import compress
from typing import NamedTuple

from .entities import ARABIC_MARKS, Sieve
from .entities import fold as _fold

# Arabic-Indic and Eastern Arabic-Indic digits, and the Arabic thousands and decimal separators.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٬٫", "01234567890123456789,.")
SPACES = " \u00a0\u202f\u2009"
NUMERAL = re.compile(  # a digit first, then what may not come before it: the scan looks for digits only (3× faster)
    rf"(?P<int>\d(?<![\w.,]\d)(?:\d{{0,2}}(?:[{SPACES}.,’'](?:\d{{3}}))+(?!\d)|\d*))(?:[.,](?P<dec>\d{{1,2}})(?![\d]))?"
    r"(?P<suffix>bn|m|k)?(?![^\W\d_])")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
TOKENS = re.compile(NUMERAL.pattern + "|" + WORD.pattern)

# value of each number word (folded: lower case, no accents); multipliers are >= 100
WORDS: dict[str, dict[str, int]] = {
    "fr": {
        "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
        "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20,
        "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100, "mille": 1000,
        "million": 10**6, "millions": 10**6, "milliard": 10**9, "milliards": 10**9,
    },
    "en": {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
        "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
        "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
    },
    "es": {
        "cero": 0, "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
        "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17,
        "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiuna": 21, "veintiun": 21, "veintidos": 22,
        "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
        "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
        "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300, "trescientas": 300,
        "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500, "quinientas": 500, "seiscientos": 600, "seiscientas": 600,
        "setecientos": 700, "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900, "novecientas": 900,
        "mil": 1000, "millon": 10**6, "millones": 10**6,
    },
    "ar": {
        "صفر": 0, "واحد": 1, "واحده": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4,
        "خمسه": 5, "خمس": 5, "سته": 6, "ست": 6, "سبعه": 7, "سبع": 7, "ثمانيه": 8, "ثماني": 8, "ثمان": 8, "تسعه": 9, "تسع": 9,
        "عشره": 10, "عشر": 10, "احد": 1, "احدي": 1, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2,
        "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "اربعون": 40, "اربعين": 40, "خمسون": 50, "خمسين": 50,
        "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
        "مئه": 100, "مائه": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200, "الف": 1000, "الاف": 1000,
        "الفا": 2000, "الفان": 2000, "الفي": 2000, "الفين": 2000, "مليون": 10**6, "ملايين": 10**6, "مليار": 10**9, "مليارات": 10**9,
    },
}
# Arabic hundreds written as one word: ثلاثمئة, ستمائة…
for _unit, _value in (("ثلاث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7), ("ثمان", 8), ("تسع", 9)):
    for _hundred in ("مئه", "مائه"):
        WORDS["ar"][_unit + _hundred] = _value * 100
# "and" between number words: vingt et un, treinta y uno, two hundred and eighty (Arabic uses و as a prefix)
JOINERS = {"fr": {"et"}, "en": {"and"}, "es": {"y"}, "ar": set()}
# Words that only count as numbers with others (a lone "un" is an article, a lone "mil" may be a name).
NOT_ALONE = {"un", "une", "uno", "una", "one", "احد", "احدي"}
MULTIPLIERS = {"million": 10**6, "millions": 10**6, "millon": 10**6, "millones": 10**6, "milliard": 10**9, "milliards": 10**9,
               "billion": 10**9, "mil": 1000, "mille": 1000, "thousand": 1000, "الف": 1000, "الاف": 1000, "مليون": 10**6,
               "ملايين": 10**6, "مليار": 10**9, "مليارات": 10**9}
SUFFIXES = {"k": 1000, "m": 10**6, "bn": 10**9}


class Number(NamedTuple):
    """A number found in a text: its value and where it is (character offsets)."""

    value: float
    start: int
    end: int


def fold(word: str) -> str:
    """Lower case, no accents, Arabic letter forms unified: as entities (and stories) fold words."""
    return _fold(ARABIC_MARKS.sub("", word))


WORDS = {lang: {fold(word): value for word, value in words.items()} for lang, words in WORDS.items()}
MULTIPLIERS = {fold(word): value for word, value in MULTIPLIERS.items()}
NOT_ALONE = {fold(word) for word in NOT_ALONE}
FIRST = {lang: frozenset(words) | JOINERS[lang] for lang, words in WORDS.items()}
ALONE_NOTHING = {lang: frozenset(w for w in FIRST[lang] if w in NOT_ALONE or w in JOINERS[lang]) for lang in WORDS}
"""The number words and joiners of each language that read as no number on their own (see ``_without_lone``)."""


def digits_value(text: str, decimals: str | None = None, suffix: str | None = None) -> float:
    """The value of a numeral matched by ``NUMERAL``: groups joined, decimals and a k/m/bn suffix applied."""
    value = float(re.sub(r"\D", "", text))
    if decimals:
        value += int(decimals) / 10 ** len(decimals)
    return value * SUFFIXES.get(suffix or "", 1)


def find(text: str, lang: str) -> list[Number]:
    """Every number in ``text`` (in digits or words of ``lang``), in order, multipliers applied.

    Offsets are in ``text`` as given, when it has no Arabic vowel marks (they are removed first).
    """
    if ARABIC_MARKS.search(text):
        text = ARABIC_MARKS.sub("", text)
    text = text.translate(DIGITS)
    tokens: list[tuple[str, int, int, float | None]] = []  # (folded word, start, end, numeral value)
    for match in TOKENS.finditer(text):
        if match.group("int") is not None:
            tokens.append(("", match.start(), match.end(), digits_value(match.group("int"), match.group("dec"), match.group("suffix"))))
        else:
            tokens.append((fold(match.group()), match.start(), match.end(), None))
    return _scan(text, lang, tokens)


def find_in(text: str, lang: str, folded: list[str], starts: list[int]) -> list[Number]:
    """``find`` on a text already split into words (``\\w+``: their folded forms and start offsets)."""
    if TRANSLATED.search(text):
        text = text.translate(DIGITS)
    numerals = [(m.start(), m.end(), digits_value(m.group("int"), m.group("dec"), m.group("suffix"))) for m in NUMERAL.finditer(text)]
    found = _number_words(lang, folded)
    known = list(compress(range(len(folded)), map(found.__contains__, folded))) if found else []
    lone = ALONE_NOTHING.get(lang)
    if known and lone and not found.isdisjoint(lone):
        known = _without_lone(known, folded, lone)
    if not known and not numerals:
        return []
    # The tokens ``_scan`` reads: numerals and number words; a run of other words between them is one token
    # (it only stops a number: nothing reads more of it), so that the scan steps over a few tokens, not every word.
    tokens: list[tuple[str, int, int, float | None]] = []
    at = p = 0
    for start, end, value in numerals:
        p = _words_between(tokens, known, p, at, bisect.bisect_left(starts, start), folded, starts)
        tokens.append(("", start, end, value))
        at = bisect.bisect_left(starts, end)
    _words_between(tokens, known, p, at, len(starts), folded, starts)
    return _scan(text, lang, tokens)


TRANSLATED = re.compile("[" + "".join(map(chr, DIGITS)) + "]")
"""A character that ``DIGITS`` changes."""
_SIEVES: dict[str, Sieve] = {}
"""Language → the words that are number words or joiners, or و and one (see ``_number_words``)."""


def _number_words(lang: str, folded: list[str]) -> set[str]:
    """The words of ``folded`` that are in ``FIRST[lang]`` (or are و and such a word)."""
    sieve = _SIEVES.get(lang)
    if sieve is None:
        first = FIRST.get(lang, frozenset())
        sieve = _SIEVES[lang] = Sieve(lambda w: w in first or (w[:1] == "و" and w[1:] in first))
    return sieve(set(folded))


def _without_lone(known: list[int], folded: list[str], lone: frozenset[str]) -> list[int]:
    """``known`` without the words of ``lone`` whose neighbours are no number words: such a word ("un", "une",
    "et", "and", by far the most frequent of ``known``) reads as nothing alone, and nothing next to it reads it (a
    run of number words is made of adjacent words; a numeral's multiplier is a number word), so ``_scan`` finds the
    same numbers without it, stepping over fewer tokens."""
    kept = []
    last = len(known) - 1
    for p, k in enumerate(known):
        if folded[k] in lone and (p == 0 or known[p - 1] != k - 1) and (p == last or known[p + 1] != k + 1):
            continue
        kept.append(k)
    return kept


def _words_between(tokens: list, known: list[int], p: int, at: int, stop: int, folded: list[str], starts: list[int]) -> int:
    """Add the tokens of words ``at`` to ``stop - 1``: each number word (``known``: their indices, sorted; from
    ``p`` on), and one empty token for each run of other words. Return where to go on in ``known``."""
    p = bisect.bisect_left(known, at, p)
    previous = at - 1
    while p < len(known) and known[p] < stop:
        k = known[p]
        if k > previous + 1:
            tokens.append(("", starts[previous + 1], starts[previous + 1], None))
        word = folded[k]
        tokens.append((word, starts[k], starts[k] + len(word), None))
        previous = k
        p += 1
    if stop > previous + 1:
        tokens.append(("", starts[previous + 1], starts[previous + 1], None))
    return p


def _scan(text: str, lang: str, tokens: list[tuple[str, int, int, float | None]]) -> list[Number]:
    words = WORDS.get(lang, {})
    found: list[Number] = []
    i = 0
    while i < len(tokens):
        word, start, end, numeral = tokens[i]
        if numeral is None and not word:
            i += 1
            continue
        if numeral is not None:
            value, j = numeral, i + 1
            if j < len(tokens) and tokens[j][3] is None and _multiplier(tokens[j][0], lang) and _adjacent(text, end, tokens[j][1]):
                value *= _multiplier(tokens[j][0], lang)
                end, j = tokens[j][2], j + 1
            found.append(Number(value, start, end))
            i = j
            continue
        parsed = _words(tokens, i, words, lang, text)
        if parsed is None:
            i += 1
            continue
        value, j = parsed
        found.append(Number(value, start, tokens[j - 1][2]))
        i = j
    return found


def _multiplier(word: str, lang: str) -> int:
    if lang == "ar" and word.startswith("و"):
        return 0
    return MULTIPLIERS.get(word, 0)


# ``_combine`` tells the Arabic dual of a thousand (ألفي, ألفان) by its value


def _adjacent(text: str, end: int, start: int) -> bool:
    """Only spaces between two tokens (a number and its multiplier, two number words)."""
    return all(c in SPACES for c in text[end:start])


def _parts(word: str, words: dict[str, int], lang: str) -> list[int] | None:
    """The values of one (possibly hyphenated or و-prefixed) number word, or None."""
    if word in words:
        return [words[word]]
    if lang == "ar":
        if word in words:
            return [words[word]]
        if word.startswith("و") and word[1:] in words:
            return [words[word[1:]]]
        return None
    if "-" not in word and "'" not in word and "’" not in word:
        return None
    pieces = re.split(r"[-'’]", word)
    values = []
    for piece in pieces:
        if piece in JOINERS.get(lang, ()):  # soixante-et-onze
            continue
        if piece not in words:
            return None
        values.append(words[piece])
    return values or None


def _words(tokens: list, i: int, words: dict[str, int], lang: str, text: str) -> tuple[float, int] | None:
    """A run of number words starting at token ``i``: (value, index after the run), or None."""
    values: list[int] = []
    names: list[str] = []
    j = i
    while j < len(tokens) and tokens[j][3] is None:
        word = tokens[j][0]
        parts = _parts(word, words, lang)
        if parts is None:
            # "et", "y", "and" between two number words belong to the number
            if (values and word in JOINERS.get(lang, ()) and j + 1 < len(tokens) and tokens[j + 1][3] is None
                    and _parts(tokens[j + 1][0], words, lang) is not None):
                j += 1
                continue
            break
        if values and not _adjacent_words(text, tokens[j - 1][2], tokens[j][1]):
            break
        values.extend(parts)
        names.append(word)
        j += 1
    if not values or (len(names) == 1 and names[0] in NOT_ALONE):
        return None
    return float(_combine(values, lang)), j


def _adjacent_words(text: str, end: int, start: int) -> bool:
    """Number words are separated by spaces only (a comma or a full stop ends the number)."""
    return all(c in SPACES for c in text[end:start]) or text[end:start].strip(SPACES) in ("", "-")


def _combine(values: list[int], lang: str) -> int:
    """Add and multiply number word values: quatre vingt deux → 82, two hundred eighty → 280, سبعة آلاف → 7000."""
    total, current = 0, 0
    previous = None
    for value in values:
        if lang == "fr" and value == 20 and previous == 4 and current % 100 == 4:  # quatre-vingt(s)
            current += 76
        elif value == 100:
            current = (current or 1) * 100
        elif value >= 1000:
            if lang == "ar" and value in (2000,) and current == 0:  # ألفي, ألفان: two thousand
                total += 2000
            else:
                total += (current or 1) * value
            current = 0
        else:
            current += value
        previous = value
    return total + current

"""Identify an article's language with Lingua (pemistahl/lingua-py).

Lingua is chosen over langdetect (unmaintained since 2021) and langid.py for its
accuracy on short and mixed text, its maintained Rust core, and because it can be
limited to the languages an archive expects, which makes it both faster and
surer. It ships its models in the wheel: nothing is downloaded at run time.

Lingua's high-accuracy mode differs from its low-accuracy mode only on texts
shorter than 120 characters once punctuation and digits are removed: from there
on both use its trigram models alone, and give the same answer. Articles are
long, so each text with at least 120 letters goes to a low-accuracy detector,
which loads only the trigram models (0.1 s instead of 2 s for eight languages,
and a tenth of the memory in every import worker); a shorter text goes to the
high-accuracy detector, loaded only then. The answers are those of the
high-accuracy mode alone (tests/test_import_parallel.py compares the two on the
labelled sets).

Only the first ``SAMPLE_CHARS`` characters are read (the title and the lead):
Lingua's time grows with the text's length (about 0.6 µs a character for eight
languages), and an article's opening says its language as well as its whole.
600 characters give the same answers as 1,500 did on every labelled set under
tests/fixtures (1,293 texts, all right either way, though most are shorter than 600
characters) and on the 10,000 seeds of the bench corpus, ~6,000 characters each
(none differs; nor at 400), in less than half the time.

Before Lingua, a long sample is checked against the commonest words of each language
(``COMMON``: articles, prepositions, pronouns, auxiliaries). Only the words that belong to
one language's list alone count, each for its language; Arabic is told by its script. When
one configured language has at least ``CLEAR_HITS`` such words and three times as many (plus
two) as any other, it is the answer and Lingua is not asked: 0.06 ms instead of 0.6–0.9 ms
a seed, for nine seeds in ten of the bench corpus. Any other sample goes to Lingua: a short
or mixed one, one where no language stands out, and every sample of an archive configured
with a language that has no list here. On the labelled sets (whole texts and their first
125 and 200 characters) and on 10,000 seeds of the bench corpus, every answer the word lists
gave was Lingua's (tests/test_import_parallel.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

SAMPLE_CHARS = 600
LONG_TEXT = 120
"""Lingua's own threshold (HIGH_ACCURACY_MODE_MAX_TEXT_LENGTH), counted on its cleaned text;
counting letters only is a lower bound of that length."""


@lru_cache(maxsize=8)
def detector(languages: tuple[str, ...], low_accuracy: bool = False) -> LanguageDetector:
    """A Lingua detector limited to ``languages`` (ISO 639-1 codes)."""
    codes = [getattr(IsoCode639_1, code.upper()) for code in languages]
    if len(codes) == 1:
        codes.append(IsoCode639_1.EN if codes[0] != IsoCode639_1.EN else IsoCode639_1.FR)
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if low_accuracy:  # its models are small: loaded at once, before import forks its workers
        builder = builder.with_low_accuracy_mode().with_preloaded_language_models()
    return builder.build()


COMMON = {
    "fr": "on non le la les des du de et est une un dans pour qui que sur au aux ce cette sont avec pas ont été il elle leur "
          "leurs plus par ne se selon entre mais ou où nous vous ils elles était aussi après avant depuis lors en a à son sa ses",
    "en": "the and of to in is that for with on was are by from have has this were it its their they which been who after an at "
          "be not will said would but also into than there more a as he she his her",
    "es": "el la los las del de y en que un una por con para es se su sus al como más fue han está este esta entre pero sin "
          "sobre también hasta desde según cuando donde ya muy les a lo no ha",
    "pt": "o a os as do da dos das de em no na nos nas não um uma com para que é ao pelo pela são foi mais se ser como pelos "
          "pelas também já entre sobre quando onde muito seu sua e",
    "it": "il lo la gli le della delle di da in che è per con non un una nel nella sono alla dei degli anche più come dal "
          "dalla ha hanno essere tra questo questa già dopo e a",
    "de": "der die das und ist nicht mit von den dem ein eine zu auf für sich auch des im in wird werden hat sind nach bei aus "
          "wie noch einer vor über es",
    "nl": "de het een van en in is dat op te voor met niet zijn er aan ook als bij door wordt naar uit om dan nog worden heeft "
          "maar die",
}
"""The commonest words of each language with a list (lowercase). A word in several lists counts for none."""
CLEAR_HITS = 6
SCRIPTS = {"ar": re.compile("[\u0600-\u06ff]")}
"""Languages told by their script, when it holds 80 % of the letters. Each is the only language written in it
among those ``by_words`` answers for (an archive configured with another, e.g. Persian, is left to Lingua)."""
_WORD = re.compile(r"[^\W\d_]+")


def _owners() -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for lang, words in COMMON.items():
        for word in words.split():
            seen.setdefault(word, set()).add(lang)
    return {word: next(iter(langs)) for word, langs in seen.items() if len(langs) == 1}


OWNER = _owners()
"""Each word of one language's list alone → that language."""


def by_words(sample: str, languages: tuple[str, ...]) -> str | None:
    """The language of ``sample`` when its common words leave no doubt (see the module's note); else None."""
    if not all(lang in COMMON or lang in SCRIPTS for lang in languages):
        return None
    letters = sum(map(str.isalpha, sample))
    for lang, script in SCRIPTS.items():
        if lang in languages:
            share = len(script.findall(sample))
            if share > 0.8 * letters:
                return lang
            if share > 0.05 * letters:
                return None
    hits: dict[str, int] = {}
    for word in _WORD.findall(sample.lower()):
        lang = OWNER.get(word)
        if lang is not None:
            hits[lang] = hits.get(lang, 0) + 1
    ranked = sorted(((n, lang) for lang, n in hits.items()), reverse=True)  # languages not configured too: one of
    if not ranked or ranked[0][1] not in languages:                          # them standing out is left to Lingua
        return None
    top, lang = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0
    return lang if top >= CLEAR_HITS and top >= 3 * second + 2 else None


def identify(text: str, languages: tuple[str, ...], fallback: str) -> str:
    """Return the ISO 639-1 code of the language ``text`` is written in, or ``fallback``."""
    sample = text[:SAMPLE_CHARS]
    long = is_long(sample)
    if long and (clear := by_words(sample, tuple(languages))) is not None:
        return clear
    found = detector(tuple(languages), long).detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found else fallback


def is_long(sample: str) -> bool:
    """Whether Lingua's high-accuracy mode would use its trigram models alone on ``sample``."""
    letters = 0
    for word in sample.split():
        letters += sum(1 for c in word if c.isalpha()) if not word.isalpha() else len(word)
        if letters >= LONG_TEXT:
            return True
    return False


def preload(languages: tuple[str, ...]) -> None:
    """Load the trigram models of ``languages`` now (before import forks its workers, which share them)."""
    detector(tuple(languages), True)

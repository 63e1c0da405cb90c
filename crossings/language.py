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
"""

from __future__ import annotations

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


def identify(text: str, languages: tuple[str, ...], fallback: str) -> str:
    """Return the ISO 639-1 code of the language ``text`` is written in, or ``fallback``."""
    sample = text[:SAMPLE_CHARS]
    found = detector(tuple(languages), is_long(sample)).detect_language_of(sample)
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

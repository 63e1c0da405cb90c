"""Countries and organisations an article mentions, found by whole-word lookup, ordered by salience.

Country names come from CLDR through Babel (French, English, Spanish, Arabic)
for every ISO 3166-1 country (pycountry's list); ``entities.toml`` adds
demonyms, cities and variants, removes ambiguous words, defines the
organisations, and declares the words whose meaning depends on their context
(cities standing for institutions, people's names, acronyms that are also
words) with the cue words that decide. The text is split into words once and
each word is looked up in a dictionary keyed by the first word of every name
(Arabic prefixes included), so the cost does not grow with the number of
names; context is read only around the few words that need it.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from pathlib import Path

from .problems import Problem, display_path, error, warning
from .tomlform import form_problems

CLDR_LANGUAGES = ("fr", "en", "es", "ar")
TOKEN = re.compile(r"\w+")
SENTENCE_END = re.compile(r"[.!?؟;]")  # never inside a word: splitting a line there keeps every word whole
ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # vowel marks and tatweel
ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
ARABIC_PREFIXES = ("و", "ف", "ب", "ك", "ل", "وب", "وك", "ول", "فب", "فك", "فل")  # and, so; in, like, to
PRONOUN_SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "نا", "كم")  # "نظيره": his counterpart (ة, a different letter, ends many first names)
WINDOW = 30  # "near" means in the same sentence and at most this many words away
# Words an acronym skips when it is spelled out ("Association mauritanienne des droits de l'homme": AMDH)
JOINING = frozenset("""de des du d la le les l et aux au pour sur en of the and for on in at to del el los las y para por e da do das dos""".split())
ARABIC_INITIALS = frozenset(map(chr, range(0x600, 0x700)))
_FIRST = itemgetter(0)
SPELLING_GAP = re.compile(r"^[ \u00a0\-'’]*$")  # between the words of a spelled-out name: spaces, hyphens, apostrophes

Outcome = tuple[tuple[str, str], ...]  # (kind, id) pairs: ("country", "BE"), ("organization", "EU")
Slot = tuple[dict[str, list[tuple["Name", bool]]], list[tuple["Name", bool]], "set[str] | None"]


@dataclass(frozen=True)
class Name:
    """One way of writing an entity, as words."""

    words: tuple[str, ...]  # folded: accents off, lower case
    cased: tuple[str, ...] | None  # accents off, case kept, when the case must match
    acronym: bool
    kind: str  # "country", "organization", "none" (a name that tags nothing) or "rule" (decided by context)
    id: str
    rule: Rule | None = None
    names_country: bool = field(init=False, repr=False, compare=False)
    """A country's name, or a word that is one unless its context says otherwise (a demonym that is also a family
    name): made once, being asked of every name an article holds."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "names_country", self.kind == "country" or (
            self.kind == "rule" and any(kind == "country" for kind, _ in self.rule.default)))


class Phrases:
    """Cue words and phrases, compared without case or accents; Arabic cues also match with their prefixes."""

    def __init__(self, texts: list[str]) -> None:
        self.seqs: set[tuple[str, ...]] = set()
        for text in texts:
            words = tuple(fold(w) for w in TOKEN.findall(prepare(text)))
            if words:
                self.seqs.add(words)
        self.lengths = sorted({len(s) for s in self.seqs}, reverse=True)
        self.firsts = {s[0] for s in self.seqs}
        # what a phrase ending just before a word must have there: the last word of a phrase of several words (as
        # written: only a first word is looked up with its Arabic prefixes off), or one of a phrase of one word's
        self.singles = {s[0] for s in self.seqs if len(s) == 1}
        self.enders = {s[-1] for s in self.seqs if len(s) > 1} | self.singles
        self.by_first: dict[str, list[tuple[str, ...]]] = {}  # first word -> the rest of each phrase it starts
        for seq in self.seqs:
            self.by_first.setdefault(seq[0], []).append(seq[1:])

    def __bool__(self) -> bool:
        return bool(self.seqs)

    def _at(self, folded: list[str], start: int, length: int) -> bool:
        seq = folded[start:start + length]
        rest = tuple(seq[1:])
        return any((first,) + rest in self.seqs for first in variants(seq[0]))

    def ends_at(self, folded: list[str], end: int, low: int = 0) -> bool:
        """A phrase ends just before word ``end`` (and starts at or after ``low``)."""
        if end <= low:
            return False
        last = folded[end - 1]  # most words end no phrase: one look says so (an Arabic word also without its prefixes)
        if last not in self.enders and not ("\u0600" <= last[:1] <= "\u06ff" and any(v in self.singles for v in variants(last))):
            return False
        return any(end - n >= low and self._at(folded, end - n, n) for n in self.lengths)

    def starts_at(self, folded: list[str], start: int, high: int, beyond: int = 0) -> bool:
        """A phrase starts at word ``start``, ends at or before ``high`` (and after ``beyond``)."""
        if start >= high:
            return False
        word = folded[start]
        for form in variants(word) if "\u0600" <= word[:1] <= "\u06ff" else (word,):
            for rest in self.by_first.get(form, ()):
                if beyond < start + 1 + len(rest) <= high and tuple(folded[start + 1:start + 1 + len(rest)]) == rest:
                    return True
        return False

    def within(self, scan: Scan, low: int, high: int, skip: tuple[int, int]) -> bool:
        """A phrase lies between words ``low`` and ``high``, not inside the span ``skip`` (the ambiguous word itself)
        nor inside a name that tags nothing."""
        folded, silenced = scan.folded, scan.silenced
        spots = scan.spots(self)
        k = bisect.bisect_left(spots, low)
        while k < len(spots) and spots[k] < high:
            j = spots[k]
            k += 1
            if j not in silenced and self.starts_at(folded, j, high, skip[1] if skip[0] <= j < skip[1] else 0):
                return True
        return False


@dataclass(eq=False)
class When:
    """One context that gives an ambiguous word a meaning."""

    means: Outcome
    before: Phrases | None = None  # just before the word
    after: Phrases | None = None  # just after it
    near: Phrases | None = None  # in the same sentence
    near_ids: frozenset[str] = frozenset()  # one of these entities named (by a plain name) in the same sentence
    in_article: bool = False  # near and near_ids: anywhere in the article, not only in the same sentence
    beside_country: bool = False  # a country named just before or just after ("Croix-Rouge italienne")
    listed_with_country: bool = False  # in a list with a country named just before or after (Arabic: joined by و)
    after_arabic_name: Phrases | None = None  # just after an Arabic word without ال that is none of these particles
    followed_by_name: bool = False  # just before a capitalised word that is no known name (a surname)
    after_definite: bool | None = None  # True: just after a definite Arabic word (ال…, …ه); False: not just after one
    person: bool = False  # the word is then a person's name

    def holds(self, scan: Scan, start: int, end: int) -> bool:
        folded = scan.folded
        if self.before is not None and self.before.ends_at(folded, start):
            return True
        if self.after is not None and self.after.starts_at(folded, end, len(folded)):
            return True
        if self.beside_country and scan.beside_country(start, end):
            return True
        if self.listed_with_country and scan.listed_with_country(start, end):
            return True
        if self.after_arabic_name is not None and scan.after_arabic_name(start, self.after_arabic_name):
            return True
        if self.followed_by_name and scan.followed_by_name(end):
            return True
        if self.after_definite is not None and scan.after_definite(start) == self.after_definite:
            return True
        if self.near is not None or self.near_ids:
            low, high = (0, len(folded)) if self.in_article else scan.sentence(start)
            if self.near is not None and self.near.within(scan, low, high, (start, end)):
                return True
            if self.near_ids and scan.named_between(low, high, self.near_ids, (start, end)):
                return True
        return False


@dataclass(eq=False)
class Rule:
    """What an ambiguous word means: the first context that holds, else the default."""

    default: Outcome
    whens: list[When] = field(default_factory=list)
    in_capitals: bool = True  # False: among words in capitals (a headline: "UN BATEAU"), only a context that holds gives it a meaning
    person_spreads: bool = False  # once the article names the person, the bare word is the person too…
    place_before: Phrases | None = None  # …unless these words come just before it

    def resolve(self, scan: Scan, start: int, end: int) -> tuple[Outcome, bool]:
        """The meaning at this place, and whether it is a person's name."""
        for when in self.whens:
            if when.holds(scan, start, end):
                return when.means, when.person
        if not self.in_capitals and scan.words[start].isupper() and _shouting(scan.words, start):
            return (), False
        return self.default, False


class Scan:
    """One text split into words, with the names found in it, and the context around them."""

    def __init__(self, entities: Entities, text: str) -> None:
        self.lines = prepare(text).split("\n")
        words: list[str] = []
        self.starts: list[int] = []  # the index of each line's first word
        ends: list[int] = []  # where the title (the first line with words) and the first paragraph (the next) end, in words
        for line in self.lines:
            self.starts.append(len(words))
            words += TOKEN.findall(line)
            if len(words) > (ends[-1] if ends else 0) and len(ends) < 2:
                ends.append(len(words))
        self.title_end, self.lead_end = (ends + ends[-1:] * 2 + [0, 0])[:2]
        self.words = words
        self.folded = folded = fold_all(words)
        self.matches: list[tuple[int, int, Name]] = []
        self.inner: list[tuple[int, int, Name]] = []  # countries named inside organisations' names ("Association marocaine…")
        self._sentences: dict[int, list[int]] = {}
        self._gaps: dict[int, list[str]] = {}
        self._initials: dict[str, list[int]] | None = None
        self._positions: dict[str, list[int]] | None = None
        self.cue_words = entities.cue_words()
        self._spelled: dict[str, list[tuple[int, int]]] = {}
        self._named: dict[str, list[int]] | None = None
        self._spots: dict[int, list[int]] = {}
        self._known: tuple[set[int], set[int]] | None = None
        self._arabic: list[int] | None = None
        index = entities.compiled()
        free, count = 0, len(folded)
        for i in list(compress(range(len(folded)), map(index.__contains__, folded))):  # the words that may start a name
            if i < free:
                continue
            multi, single, forms = index[folded[i]]
            if not (multi and i + 1 < count and folded[i + 1] in multi):
                if not single or (forms is not None and fold_case(words[i]) not in forms):
                    continue  # cheap tests first: most "la", "the", "un" start no name
                if len(single) == 1 and (forms is not None or single[0][0].cased is None):
                    name = single[0][0]  # the one name of one word, whose case was just checked
                    free = i + 1
                    self.matches.append((i, free, name))
                    continue
            name = entities.match(words, folded, i)
            if name is not None:
                free = i + len(name.words)
                self.matches.append((i, free, name))
                if name.kind == "organization" and len(name.words) > 1:
                    for j in range(i, free):
                        inner = entities.match(words, folded, j, free, "country") if folded[j] in index else None
                        if inner is not None:
                            self.inner.append((j, j + len(inner.words), inner))
        self.match_starts = [s for s, _, _ in self.matches]
        # words inside names that tag nothing (a treaty, "siège genevois") are no cue words either
        self.silenced = {j for s, e, name in self.matches if name.kind == "none" for j in range(s, e)}

    def positions(self) -> dict[str, list[int]]:
        """Where each cue word stands (an Arabic word also under its forms without prefixes; not in order)."""
        if self._positions is None:
            positions: dict[str, list[int]] = {}
            folded, cues = self.folded, self.cue_words
            for i in compress(range(len(folded)), map(cues.__contains__, folded)):
                positions.setdefault(folded[i], []).append(i)
            for i in self.arabic():
                for form in variants(folded[i])[1:]:
                    if form in cues:
                        positions.setdefault(form, []).append(i)
            self._positions = positions
        return self._positions

    def arabic(self) -> list[int]:
        """Where the Arabic words stand (none in most articles: one look at the initials says so)."""
        if self._arabic is None:
            initials = list(map(_FIRST, self.folded))
            self._arabic = [] if ARABIC_INITIALS.isdisjoint(initials) else [i for i, c in enumerate(initials) if c in ARABIC_INITIALS]
        return self._arabic

    def spots(self, phrases: Phrases) -> list[int]:
        """Where a word that may start one of ``phrases`` stands, in order (kept for the next question of the scan)."""
        found = self._spots.get(id(phrases))
        if found is None:
            firsts = phrases.firsts  # the article's cue words are fewer than a rule's
            found = self._spots[id(phrases)] = sorted(set().union(*[js for form, js in self.positions().items() if form in firsts]))
        return found

    def line_of(self, i: int) -> int:
        return bisect.bisect_right(self.starts, i) - 1

    def gaps(self, n: int) -> list[str]:
        """The characters before each word of line ``n``."""
        found = self._gaps.get(n)
        if found is None:
            found = self._gaps[n] = TOKEN.split(self.lines[n])[:-1]  # (split's last piece, after the last word, left out)
        return found

    def sentence(self, i: int) -> tuple[int, int]:
        """The words of the sentence word ``i`` is in (at most WINDOW words either side), as [low, high)."""
        n = self.line_of(i)
        first = self.starts[n]
        ends = self._sentences.get(n)
        if ends is None:  # where each sentence of the line ends, counted in words from the line's start
            ends, total = [], first
            for piece in SENTENCE_END.split(self.lines[n]):
                total += len(TOKEN.findall(piece))
                ends.append(total)
            self._sentences[n] = ends
        k = bisect.bisect_right(ends, i)
        low = ends[k - 1] if k else first
        return max(low, i - WINDOW), min(ends[k] if k < len(ends) else i + 1, i + WINDOW + 1)

    def neighbours(self, start: int) -> list[tuple[int, int, Name]]:
        """The names found just before and just after the one starting at word ``start``."""
        k = bisect.bisect_left(self.match_starts, start)
        return self.matches[max(k - 1, 0):k] + self.matches[k + 1:k + 2]

    def beside_country(self, start: int, end: int) -> bool:
        return any(name.names_country and (e == start or s == end) for s, e, name in self.neighbours(start))

    def after_arabic_name(self, start: int, particles: Phrases) -> bool:
        """The word before ``start`` is Arabic, has no article (ال) and is no particle: a first name before a family name."""
        if start == 0 or self.line_of(start - 1) != self.line_of(start):
            return False
        word = self.folded[start - 1]
        if not ("\u0600" <= word[0] <= "\u06ff") or particles.ends_at(self.folded, start, start - 1):
            return False
        raw = self.words[start - 1]
        if any(s <= start - 1 < e for s, e, _ in self.matches) or raw.endswith(PRONOUN_SUFFIXES):
            return False
        return not any(v.startswith("ال") for v in variants(raw))  # the word as written: "آلاف" is no "ال…" once folded

    def after_definite(self, start: int) -> bool:
        """The word before ``start`` is Arabic and definite (ال, or a pronoun suffix): what follows agrees with it as an adjective."""
        if start == 0 or self.line_of(start - 1) != self.line_of(start):
            return False
        raw, word = self.words[start - 1], self.folded[start - 1]
        return "\u0600" <= word[0] <= "\u06ff" and (raw.endswith(PRONOUN_SUFFIXES) or any(v.startswith("ال") for v in variants(raw)))

    def listed_with_country(self, start: int, end: int) -> bool:
        """A country is named just before or just after the words [start, end), the second of the two joined by و in Arabic."""
        for s, e, name in self.neighbours(start):
            if name.names_country and (e == start or s == end):
                second = self.words[max(s, start)]
                if not ("\u0600" <= second[0] <= "\u06ff") or second.startswith("و"):
                    return True
        return False

    def after_given_name(self, start: int, given: frozenset[str]) -> bool:
        """Word ``start`` is capitalised and comes just after a given name, on the same line, after a mere space."""
        if not given or start == 0:
            return False
        word = self.words[start]
        if not word[0].isupper() or word.isupper() or fold_case(self.words[start - 1]) not in given:
            return False
        n = self.line_of(start)
        if self.line_of(start - 1) != n:
            return False
        return self.gaps(n)[start - self.starts[n]] == " "

    def followed_by_name(self, end: int) -> bool:
        """Word ``end`` is capitalised, comes after a mere space, is no known name, and is not followed by another capitalised word."""
        if end >= len(self.words) or self.line_of(end) != self.line_of(end - 1):
            return False
        word = self.words[end]
        k = bisect.bisect_left(self.match_starts, end)
        if not word[0].isupper() or word.isupper() or (k < len(self.match_starts) and self.match_starts[k] == end):
            return False
        n = self.line_of(end)
        if self.gaps(n)[end - self.starts[n]] != " ":
            return False
        long = [w for w in self.words[self.starts[n]:self.starts[n + 1] if n + 1 < len(self.starts) else len(self.words)] if len(w) > 3]
        if sum(w[0].isupper() for w in long) > 0.6 * len(long):  # a headline in title case
            return False
        after = end + 1
        return not (after < len(self.words) and self.line_of(after) == n and self.words[after][0].isupper()
                    and self.gaps(n)[after - self.starts[n]] == " ")

    def bracketed(self, i: int) -> bool:
        """Word ``i`` stands alone in brackets just after another word: "… pour les réfugiés (DRC)"."""
        n = self.line_of(i)
        first, gaps = self.starts[n], self.gaps(n)
        if i == first or gaps[i - first].strip() != "(":
            return False
        if i + 1 - first < len(gaps):  # the characters after it: up to the next word, or to the line's end
            after = gaps[i + 1 - first]
        else:
            line = self.lines[n]
            after = line[line.rfind(self.words[i]) + len(self.words[i]):]
        return after.lstrip().startswith(")")

    def after_street(self, start: int, streets: Phrases) -> bool:
        """Word ``start`` comes just after a street word, or after one and joining words, on the same line ("rue du Maroc").
        (``Entities.find`` asks only where ``_may_end_street`` says the word before may end one.)"""
        n = self.line_of(start)
        first = self.starts[n]
        low = max(first, start - 4)
        j = start
        while j > low and self.folded[j - 1] in JOINING:
            j -= 1
        if not streets.ends_at(self.folded, j, low):
            return False
        gaps = self.gaps(n)  # "…on the avenue. Morocco says": a sentence between is no street name
        return all(SPELLING_GAP.match(gaps[k - first]) for k in range(j, start + 1) if k > first)

    def spelled_before(self, i: int, acronym: str) -> tuple[int, int] | None:
        """The words just before the bracketed acronym at ``i`` whose initials are its letters, in any case
        ("unités d'enseignement (UE)"), joining words skipped; None if they do not spell it."""
        letters = fold(acronym)
        if not self.bracketed(i) or not letters.isalpha():
            return None
        n = self.line_of(i)
        first, gaps = self.starts[n], self.gaps(n)
        j, k = i - 1, len(letters) - 1
        while k >= 0 and j >= first and SPELLING_GAP.match(gaps[j + 1 - first] if j + 1 < i else " "):
            if self.folded[j] in JOINING and k < len(letters) - 1:
                j -= 1
                continue
            if self.folded[j][0] != letters[k] or self.words[j].isupper():
                return None
            j, k = j - 1, k - 1
        return (j + 1, i) if k < 0 else None

    def spelled_out(self, acronym: str) -> list[tuple[int, int]]:
        """Where the article spells ``acronym`` out: a run of words on one line whose initials, skipping joining
        words (de, of, y…), are its letters, the first word capitalised and not an organisation's name, at most one
        country named in it (for two letters, every initial capitalised: "Universidad de Alicante" for UA,
        "American University" for AU, "International Cricket Council" for ICC)."""
        letters = fold(acronym)
        if len(letters) < 2 or not letters.isalpha():
            return []
        words, folded = self.words, self.folded
        if self._initials is None:  # where each capitalised word (not in capitals, no joining word) stands, by its initial
            self._initials = {}
            for i in compress(range(len(words)), map(str.isupper, map(_FIRST, words))):
                if not words[i].isupper() and folded[i] not in JOINING:
                    self._initials.setdefault(folded[i][0], []).append(i)
        starts = self._initials.get(letters[0])
        if not starts:
            return []
        if acronym in self._spelled:
            return list(self._spelled[acronym])
        if self._known is None:
            self._known = ({s for s, _, name in self.matches if name.kind == "organization" or (name.kind == "rule" and not name.names_country)},
                           {s for s, _, name in self.matches if name.names_country})
        known, countries = self._known
        found = self._spelled[acronym] = []
        for i in starts:
            if i in known:
                continue
            n = self.line_of(i)
            j = self._spelling_end(letters, n, self.starts[n + 1] if n + 1 < len(self.starts) else len(words), i + 1, 1)
            if j is not None and sum(x in countries for x in range(i, j)) <= 1:  # "Ethiopia and Uganda" is no "EU"
                found.append((i, j))
        return list(found)

    def _spelling_end(self, letters: str, n: int, last: int, j: int, k: int) -> int | None:
        """Where the spelling of letters[k:] from word j (of line n, whose words end before ``last``) ends, or
        None; a joining word is skipped, or stands for its letter ("Isle of Man" for IOM). (A method, not a
        closure calling itself: that would be a reference cycle, which an import under ``build`` never frees.)"""
        if k == len(letters):
            return j
        words, folded = self.words, self.folded
        if j >= last or words[j].isupper():
            return None
        joining = folded[j] in JOINING
        if not joining and folded[j][0] != letters[k]:
            return None  # (before the line's gaps are read: most capitalised words start no spelling)
        if not SPELLING_GAP.match(self.gaps(n)[j - self.starts[n]]):
            return None
        if folded[j][0] == letters[k] and (joining or len(letters) > 2 or words[j][0].isupper()):
            end = self._spelling_end(letters, n, last, j + 1, k + 1)
            if end is not None:
                return end
        return self._spelling_end(letters, n, last, j + 1, k) if joining else None

    def named_between(self, low: int, high: int, ids: frozenset[str], skip: tuple[int, int]) -> bool:
        """One of ``ids`` is named between words ``low`` and ``high`` (outside ``skip``), by a plain name or a word whose
        context decides (by what it means when nothing decides: "l'UE"); countries inside organisations' names count."""
        if self._named is None:  # each id, where it is named (in order)
            self._named = {}
            for s, _, name in sorted(self.matches + self.inner, key=lambda m: m[0]):
                for _, i in _outcomes(name):
                    self._named.setdefault(i, []).append(s)
        for i in ids:
            starts = self._named.get(i)
            if starts:
                k = bisect.bisect_left(starts, low)
                while k < len(starts) and starts[k] < high:
                    if not skip[0] <= starts[k] < skip[1]:
                        return True
                    k += 1
        return False


@dataclass
class Entities:
    """Every name to look for, indexed by its first word (and that word with its Arabic prefixes)."""

    index: dict[str, list[tuple[Name, bool]]] = field(default_factory=dict)  # word -> (name, came with a prefix)
    organizations: dict[str, dict[str, str]] = field(default_factory=dict)
    digest: str = ""
    given_names: frozenset[str] = frozenset()  # [person_cues] given_names, accents off, case kept
    org_words: dict[str, frozenset[str]] = field(default_factory=dict)  # an organisation's id -> the words of its names
    streets: Phrases | None = None  # [place_cues] streets: a country named just after one names a street ("rue du Maroc")
    place_before: Phrases | None = None  # [person_cues] place_before: a country's name just after one is the place ("en Hollande")
    _compiled: dict[str, Slot] | None = None
    _cue_words: frozenset[str] | None = None

    def cue_words(self) -> frozenset[str]:
        """The first words of every rule's `near` phrases: the only words whose places an article's index keeps."""
        if self._cue_words is None:
            rules = {id(n.rule): n.rule for entries in self.index.values() for n, _ in entries if n.rule is not None}
            self._cue_words = frozenset(first for rule in rules.values() for when in rule.whens if when.near for first in when.near.firsts)
        return self._cue_words

    def compiled(self) -> dict[str, Slot]:
        """The index for matching: word -> (names of several words by their second word, names of one word,
        the ways of writing the word that can match a name of one word, or None for any)."""
        if self._compiled is None:
            self._compiled = {}
            for key, entries in self.index.items():
                entries.sort(key=_longest_first)  # (stable: names of as many words stay in the order added)
                multi: dict[str, list[tuple[Name, bool]]] = {}
                single = []
                for name, prefixed in entries:  # longest first
                    (multi.setdefault(name.words[1], []) if len(name.words) > 1 else single).append((name, prefixed))
                forms: set[str] | None = set()
                for name, prefixed in single:
                    if prefixed or name.cased is None or not name.cased[0].isalpha() or name.cased[0].islower():
                        forms = None
                        break
                    forms |= {name.cased[0], name.cased[0].upper()}
                self._compiled[key] = (multi, single, forms)
        return self._compiled

    def add(self, text: str, kind: str, id_: str, rule: Rule | None = None) -> None:
        """Add a name; a name decided by context, or one that tags nothing, replaces a plain name with the same words."""
        words = tuple(TOKEN.findall(prepare(text)))
        if not words:
            return
        cased = None if not any(c.isupper() for c in text) else tuple(fold_case(w) for w in words)
        acronym = len(words) == 1 and words[0].isupper() and len(words[0]) <= 5
        name = Name(tuple(fold(w) for w in words), cased, acronym, kind, id_, rule)
        first = name.words[0]
        keys = [(first, False)]
        if "\u0600" <= first[0] <= "\u06ff":
            keys += [(p + first, True) for p in ARABIC_PREFIXES]
            if first.startswith("ال"):
                keys += [(p + "ل" + first[1:], True) for p in ("", "و", "ف")]  # لل: ل + ال without its alif
        self._compiled = self._cue_words = None
        for key, prefixed in keys:
            entries = self.index.setdefault(key, [])
            if kind in ("rule", "none"):
                entries[:] = [(n, p) for n, p in entries if n.words != name.words or n.kind in ("rule", "none")]
            elif any(n.words == name.words and n.kind in ("rule", "none") for n, _ in entries):
                continue
            if (name, prefixed) not in entries:
                entries.append((name, prefixed))  # (in the order added: ``compiled`` puts the longest first)

    def meaning(self, text: str) -> Outcome:
        """What a plain name with these words tags (nothing if there is none)."""
        words = tuple(fold(w) for w in TOKEN.findall(prepare(text)))
        for name, _ in self.index.get(words[0], ()) if words else ():
            if name.words == words and name.kind in ("country", "organization"):
                return ((name.kind, name.id),)
        return ()

    def find(self, text: str) -> tuple[list[str], list[str]]:
        """The country codes and organisation ids ``text`` mentions, the most central first.

        Centrality: named in the title (the first line) first, then in the first
        paragraph (the next line), then by the number of mentions, then by the
        first mention.
        """
        scan = Scan(self, text)
        found: list[tuple[int, Outcome]] = []
        persons: set[int] = set()  # rules whose person the article names
        bare: list[tuple[int, int, Name, Outcome]] = []
        family = {scan.folded[start] for start, end, name in scan.matches  # "Sarah Holland": then "Holland said" is her too
                  if name.kind == "country" and end == start + 1 and scan.after_given_name(start, self.given_names)}
        folded, streets = scan.folded, self.streets
        for start, end, name in scan.matches:
            if streets is not None and name.names_country and start and _may_end_street(folded[start - 1], streets) \
                    and scan.after_street(start, streets):
                continue  # a street or a square: "rue du Maroc", "calle Argentina", "شارع المغرب"
            if name.kind == "country" and end == start + 1 and scan.folded[start] in family and scan.words[start][:1].isupper() \
                    and not (self.place_before and self.place_before.ends_at(scan.folded, start)):
                continue
            if name.kind == "rule" and end == start + 1 and name.names_country and scan.after_given_name(start, self.given_names):
                persons.add(id(name.rule))  # a family name, whatever the word's rule: "Claire Hollande" (and a later bare "Hollande")
                continue
            if name.kind == "rule":
                rule = name.rule
                outcome, person = rule.resolve(scan, start, end)
                if person:
                    persons.add(id(rule))
                elif rule.person_spreads and outcome == rule.default:
                    bare.append((start, end, name, outcome))
                    continue
                found.append((start, outcome))
            elif name.kind != "none":
                found.append((start, ((name.kind, name.id),)))
        found += [(start, (("country", name.id),)) for start, _, name in scan.inner]
        for start, end, name, outcome in bare:
            rule = name.rule
            if id(rule) not in persons or (rule.place_before and rule.place_before.ends_at(scan.folded, start)):
                found.append((start, outcome))
        return self._ordered(scan, self._spelled_otherwise(scan, found))

    def _spelled_otherwise(self, scan: Scan, found: list[tuple[int, Outcome]]) -> list[tuple[int, Outcome]]:
        """Leave out an organisation or country named by an acronym that the article spells out as something else.

        "Universidad de Alicante (UA)", "the International Cricket Council" then "ICC",
        "l'Association mauritanienne des droits de l'homme" with "AMDH", "the Danish
        Refugee Council (DRC)", "le Conseil danois pour les réfugiés (DRC)": the acronym is that body here, not the listed one. A
        spelling counts as a listed body's own when more than half of its words (joining
        words aside) are words of the body's names ("Haut Commissariat aux réfugiés" for
        HCR) and it names no country the body's names do not ("mauritanienne" in
        Morocco's AMDH); as a country's own when it names that country ("République
        démocratique du Congo (RDC)")."""
        acronyms = {start: scan.words[start] for start, _, name in scan.matches
                    if name.acronym and scan.words[start].isupper() and len(scan.words[start]) > 1}
        if not acronyms:
            return found
        spelled: dict[tuple[str, str, str], bool] = {}
        countries = {s: name for s, _, name in scan.matches if name.names_country}

        def otherwise(acronym: str, kind: str, id_: str) -> bool:
            key = (acronym, kind, id_)
            if key not in spelled:
                spans = scan.spelled_out(acronym)
                if kind == "organization":
                    own = self.org_words.get(id_, frozenset())
                    spans += [span for span in (scan.spelled_before(i, acronym) for i, word in acronyms.items() if word == acronym) if span]
                    same = [_same_body(scan.folded[a:b], [countries[i] for i in range(a, b) if i in countries], own) for a, b in spans]
                else:  # a country's: its name in the spelling, or just before the acronym in brackets
                    same = [any(i in countries and ("country", id_) in _outcomes(countries[i]) for i in range(a, b)) for a, b in spans]
                    for i in [i for i, word in acronyms.items() if word == acronym and scan.bracketed(i)]:
                        spans.append((i, i))
                        same.append(any(e == i and ("country", id_) in _outcomes(name) for _, e, name in scan.matches))
                spelled[key] = bool(spans) and not any(same)
            return spelled[key]

        kept = []
        for start, outcome in found:
            acronym = acronyms.get(start)
            if acronym is not None:
                outcome = tuple(key for key in outcome if not otherwise(acronym, *key))
            kept.append((start, outcome))
        return kept

    def _ordered(self, scan: Scan, found: list[tuple[int, Outcome]]) -> tuple[list[str], list[str]]:
        title_end, lead_end = scan.title_end, scan.lead_end
        scores: dict[tuple[str, str], list[int]] = {}
        for start, outcome in found:
            for key in outcome:
                score = scores.get(key)
                if score is None:
                    score = scores[key] = [0, 0, 0, -start]
                score[0] |= start < title_end
                score[1] |= title_end <= start < lead_end
                score[2] += 1
        ranked = sorted(scores, key=lambda k: scores[k], reverse=True)
        return [i for k, i in ranked if k == "country"], [i for k, i in ranked if k == "organization"]

    def match(self, words: list[str], folded: list[str], i: int, limit: int | None = None, kind: str = "") -> Name | None:
        """The longest name starting at word ``i`` (ending by ``limit``, of ``kind`` if given), or None."""
        limit = len(words) if limit is None else limit
        multi, single, _ = self.compiled()[folded[i]]
        candidates = multi.get(folded[i + 1], ()) if multi and i + 1 < limit else ()
        for name, prefixed in (*candidates, *single):
            end = i + len(name.words)
            if end > limit or (kind and name.kind != kind) or (end > i + 2 and tuple(folded[i + 2:end]) != name.words[2:]):
                continue
            if name.cased is not None and not all(_case_fits(words[i + k], name.cased[k]) for k in range(prefixed, len(name.words))):
                continue
            return name
        return None


def _same_body(words: list[str], countries: list[Name], own: frozenset[str]) -> bool:
    """A spelled-out name (its folded words, the country names in it) is the body whose names have the words ``own``."""
    content = [w for w in words if w not in JOINING]
    if any(not set(name.words) <= own for name in countries):
        return False
    return sum(w in own for w in content) * 2 > len(content)


def _may_end_street(word: str, streets: Phrases) -> bool:
    """Whether the word before a name may end a street's name or the joining words after one (most words do not:
    then ``Scan.after_street`` need not look; it is asked of every country an article names)."""
    return word in JOINING or word in streets.enders or "\u0600" <= word[:1] <= "\u06ff"


def _outcomes(name: Name) -> Outcome:
    """What a name tags when nothing in its context decides otherwise."""
    return name.rule.default if name.kind == "rule" else ((name.kind, name.id),)


def _case_fits(word: str, cased: str) -> bool:
    """A capitalised word matches as written or in capitals; a word in lower case, and scripts without case, always fit."""
    if cased.islower() or not cased.isalpha():
        return True
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


class Sieve:
    """The words of a text that pass ``test``, each word tested once: the words seen are remembered (up to
    ``most``, then forgotten), so that a scan over many texts looks at the few words that matter."""

    def __init__(self, test: Callable[[str], bool], most: int = 500_000) -> None:
        self.test, self.most = test, most
        self.seen: set[str] = set()
        self.passed: set[str] = set()

    def __call__(self, words: set[str]) -> set[str]:
        if len(self.seen) > self.most:
            self.seen, self.passed = set(), set()  # new sets: a scan under way keeps those it took
        passed, seen = self.passed, self.seen
        new = words - seen
        if new:
            passed.update([w for w in new if self.test(w)])  # before ``seen``: a word seen is sorted
            seen |= new
        return words & passed


def remembered(known: dict, words: list[str], make: Callable[[str], object], most: int = 300_000) -> list:
    """``[make(w) for w in words]``, each word's value kept in ``known`` (emptied past ``most`` words): a dict
    is faster to ask than a cached function."""
    values = list(map(known.get, words))
    if None in values:
        if len(known) > most:
            known.clear()
        for k, value in enumerate(values):
            if value is None:
                word = words[k]
                values[k] = known[word] = make(word)
    return values


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Drop accents and case, unify Arabic letter forms."""
    return fold_case(word).casefold()


_FOLDED: dict[str, str] = {}
"""Word → ``fold(word)``, for the words seen (see ``remembered``)."""


def fold_all(words: list[str]) -> list[str]:
    """``[fold(w) for w in words]``, from a dict of the words seen (a third of the time of asking ``fold`` each)."""
    return remembered(_FOLDED, words, fold)


@lru_cache(maxsize=20_000)
def variants(word: str) -> tuple[str, ...]:
    """The word, and for Arabic the word without its usual prefixes (و ف, then ب ك ل, or لل → ال)."""
    if not word or not ("\u0600" <= word[0] <= "\u06ff"):
        return (word,)
    found = [word]
    core = word[1:] if word[0] in "وف" and len(word) > 3 else word
    if core is not word:
        found.append(core)
    if core.startswith("لل") and len(core) > 3:
        found += ["ال" + core[2:], core[1:]]
    elif core[0] in "بكل" and len(core) > 3:
        found.append(core[1:])
    return tuple(found)


def _arabic_demonym_forms(name: str) -> list[str]:
    """An Arabic demonym in ي (nisba) and its feminine, plural, accusative and definite forms: ليبي ليبية ليبيين ليبيون ليبيا الليبي…"""
    if " " in name or not name.endswith("ي") or len(name) < 4 or not all("\u0600" <= c <= "\u06ff" for c in name) or name.startswith("ال"):
        return [name]
    forms = [name, name + "ة", name + "ين", name + "ون", name + "ا"]  # …ا: the accusative (مهربا ليبيا)
    return forms + ["ال" + f for f in forms]


DEMONYM_ENDINGS = (  # a lower-case demonym's other forms: French and Spanish gender and number
    ("en", ("enne", "ens", "ennes")), ("ain", ("aine", "ains", "aines")), ("ais", ("aise", "aises")), ("ois", ("oise", "oises")),
    ("an", ("ane", "ans", "anes")), ("o", ("a", "os", "as")), ("és", ("esa", "eses", "esas")), ("án", ("ana", "anes", "anas")),
    ("ol", ("ola", "oles", "olas")), ("í", ("íes",)), ("e", ("es",)), ("a", ("as",)), ("é", ("és",)), ("è", ("ès",)),
)


def _latin_demonym_forms(name: str) -> list[str]:
    """A French or Spanish demonym written in lower case, and its feminine and plural forms: libyen libyenne libyens…, libio libia libios…;
    an English demonym in -an or -ian, and its plural: Mauritanian Mauritanians."""
    if name.isalpha() and name[:1].isupper() and name[1:].islower() and name.endswith("an") and not name.endswith("man") and len(name) > 5:
        return [name, name + "s"]
    if not name.isalpha() or not name.islower():
        return [name]
    for ending, others in DEMONYM_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending) + 2:
            return [name] + [name[:-len(ending)] + other for other in others]
    return [name]


_TEXTS = [str]
_CUE = {"means": str, "before": _TEXTS, "after": _TEXTS, "near": _TEXTS, "named": _TEXTS, "in_article": bool, "beside_country": bool,
        "listed_with_country": bool, "after_definite": bool, "followed_by_name": bool}
SCHEMA = {
    "countries": {"exclude": _TEXTS, "aliases": {"*": _TEXTS}},
    "organizations": {"*": {"names": {"*": str}, "aliases": _TEXTS}},
    "named_after_places": {"names": _TEXTS},
    "other_bodies": {"names": _TEXTS},
    "place_cues": {"country": _TEXTS, "streets": _TEXTS},
    "institution_places": [{"names": _TEXTS, "country": str, "means": str, "cues": [_CUE], "country_cues": _TEXTS}],
    "person_cues": {"titles": _TEXTS, "place_before": _TEXTS, "given_names": _TEXTS, "arabic_particles": _TEXTS},
    "people": [{"names": _TEXTS, "country": str, "first_names": _TEXTS, "surnames": _TEXTS, "titles": bool, "followed_by_name": bool,
                "after_arabic_name": bool, "spreads": bool}],
    "ambiguous": [{"names": _TEXTS, "means": str, "when": [_CUE], "in_capitals": bool}],
}
"""The form of ``entities.toml`` (see ``crossings.tomlform``)."""


def _longest_first(entry: tuple[Name, bool]) -> int:
    return -len(entry[0].words)


def load(path: Path | None, names: bool = True) -> tuple[Entities, list[Problem]]:
    """The entity names: CLDR's country names plus ``entities.toml`` (if it exists). With ``names=False``, the same
    problems but no name indexed (``check``: a tenth of the time)."""
    import pycountry
    from babel import Locale

    data: dict = {}
    raw, text = b"", ""
    if path is not None and path.exists():
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            return Entities(), [error(display_path(path), None, f"not valid TOML: {exc}", "fix the file; no entity is recognised meanwhile")]
    shown = display_path(path) if path is not None else "entities.toml"
    problems, broken = form_problems(data, SCHEMA, text, shown, "no entity is recognised meanwhile")
    if broken:
        return Entities(), problems
    entities = Entities(digest=hashlib.sha256(raw).hexdigest()[:16])
    add_name = entities.add if names else _add_nothing
    countries = data.get("countries", {})
    excluded = {fold(" ".join(TOKEN.findall(prepare(name)))) for name in countries.get("exclude", [])}
    codes = {c.alpha_2 for c in pycountry.countries}

    def add(text: str, kind: str, id_: str) -> None:
        if fold(" ".join(TOKEN.findall(prepare(text)))) not in excluded:
            add_name(text, kind, id_)

    for language in CLDR_LANGUAGES if names else ():
        for code, name in Locale.parse(language).territories.items():
            if code in codes:
                add(name, "country", code)
                if "(" in name:  # "Myanmar (Birmanie)": each part is a name
                    for part in re.split(r"\s*[()]\s*", name):
                        add(part, "country", code)
    for country in pycountry.countries if names else ():
        add(country.name, "country", country.alpha_2)
        if getattr(country, "common_name", None):
            add(country.common_name, "country", country.alpha_2)
    for code, names in countries.get("aliases", {}).items():
        for name in names:
            for form in _arabic_demonym_forms(name) if "\u0600" <= name[0] <= "\u06ff" else _latin_demonym_forms(name):
                add(form, "country", code)
    for id_, spec in data.get("organizations", {}).items():
        entities.organizations[id_] = dict(spec.get("names", {}))
        entities.org_words[id_] = frozenset(fold(w) for name in spec.get("aliases", []) + list(spec.get("names", {}).values())
                                            for w in TOKEN.findall(prepare(name)))
        for name in spec.get("aliases", []) + list(spec.get("names", {}).values()):
            add_name(re.sub(r"\s*\([^)]*\)$", "", name), "organization", id_)
            owner = re.match(r"([A-Z]{2,5}) ([a-z].*)$", name)  # "UN refugee agency" is also "the UN's refugee agency"
            if owner:
                add_name(f"{owner[1]}'s {owner[2]}", "organization", id_)

    def outcome(value: str, where: str, country: str = "") -> Outcome | None:
        """An id from the file as (kind, id) pairs; "country" is the entry's country; "" is nothing."""
        if value == "country":
            value = country
        if not value:
            return ()
        if value in entities.organizations:
            return (("organization", value),)
        if value in codes:
            return (("country", value),)
        problems.append(warning(shown, None, f"{where}: unknown id {value!r} (entry left out)",
                                "use an ISO 3166-1 code such as BE, an id defined under [organizations], \"country\" or \"\""))
        return None

    def phrases(values: list[str]) -> Phrases | None:
        """The phrases, or None when there is none (so that matching asks ``is not None``, not ``Phrases.__bool__``)."""
        found = Phrases(values) if values and names else None
        return found if found else None

    def when(cue: dict, where: str, country: str = "", in_article: bool | None = None) -> When | None:
        """One [[...when]] or [[...cues]] table as a When (None if its `means` is unknown)."""
        means = outcome(cue.get("means", ""), where, country)
        if means is None:
            return None
        return When(means, before=phrases(cue.get("before", [])), after=phrases(cue.get("after", [])), near=phrases(cue.get("near", [])),
                    near_ids=frozenset(cue.get("named", [])), in_article=cue.get("in_article", False) if in_article is None else in_article,
                    beside_country=cue.get("beside_country", False), listed_with_country=cue.get("listed_with_country", False),
                    after_definite=cue.get("after_definite"), followed_by_name=cue.get("followed_by_name", False))

    def label(section: str, n: int, spec: dict) -> str:
        return f"[[{section}]] #{n} ({', '.join(spec.get('names', [])[:1])})"

    for section in ("named_after_places", "other_bodies"):
        for entry in data.get(section, {}).get("names", []):
            add_name(entry, "none", "")
            first = entry.split(" ", 1)[0]
            if " " in entry and first[:1].isupper() and not first.isupper():  # "Processus de Rabat" is also "processus de Rabat"
                add_name(first[:1].lower() + entry[1:], "none", "")

    shared_country_cues = data.get("place_cues", {}).get("country", [])
    for n, spec in enumerate(data.get("institution_places", []), 1):
        where = label("institution_places", n, spec)
        country = spec.get("country", "")
        default = outcome(spec.get("means", ""), where, country)
        as_country = outcome(country, where)
        if default is None or as_country is None:
            continue
        cues = [(cue, when(cue, where, country, in_article=False)) for cue in spec.get("cues", [])]
        # the words just before or after the city first ("con sede en Estrasburgo", "Cour de Strasbourg"), then
        # the place cues of its sentence, then the other meanings' words in it
        whens = [When(w.means, before=w.before, after=w.after) for _, w in cues if w is not None and (w.before or w.after)]
        whens.append(When(as_country, near=phrases(shared_country_cues + spec.get("country_cues", []))))
        whens += [w for _, w in cues if w is not None]
        whens.append(When(as_country, near_ids=frozenset([country])))
        for cue, w in cues:  # failing all that, the institution itself or its cue words anywhere in the article (cues with words near)
            if w is not None and w.means and w.near:
                whens.append(When(w.means, near=w.near, near_ids=frozenset(id_ for _, id_ in w.means), in_article=True))
        if spec.get("country_cues"):  # then the entry's own places in the city (Manhattan), anywhere in the article
            whens.append(When(as_country, near=phrases(spec["country_cues"]), in_article=True))
        whens.append(When(as_country, near_ids=frozenset([country]), in_article=True))  # then the country named anywhere
        rule = Rule(default, whens)
        for name in spec.get("names", []):
            add_name(name, "rule", "", rule)

    people = data.get("person_cues", {})
    titles, place_before = people.get("titles", []), phrases(people.get("place_before", []))
    entities.given_names = frozenset(fold_case(name) for name in people.get("given_names", []))
    entities.place_before = place_before
    entities.streets = phrases(data.get("place_cues", {}).get("streets", []))
    particles = Phrases(people.get("arabic_particles", []))
    for n, spec in enumerate(data.get("people", []), 1):
        where = label("people", n, spec)
        default = outcome(spec["country"], where) if "country" in spec else ()
        if default is None:
            continue
        whens = [When((), before=phrases((titles if spec.get("titles", True) else []) + spec.get("first_names", [])), person=True),
                 When((), after=phrases(spec.get("surnames", [])), person=True)]
        if spec.get("followed_by_name", False):
            whens.append(When((), followed_by_name=True, person=True))
        if spec.get("after_arabic_name", False):
            whens.append(When((), after_arabic_name=particles, person=True))
        for name in spec.get("names", []):
            meaning = default if "country" in spec else entities.meaning(name)  # without `country`: what the word meant
            rule = Rule(meaning, whens, person_spreads=spec.get("spreads", True), place_before=place_before)
            add_name(name, "rule", "", rule)

    for n, spec in enumerate(data.get("ambiguous", []), 1):
        where = label("ambiguous", n, spec)
        default = outcome(spec.get("means", ""), where)
        if default is None:
            continue
        whens = [w for w in (when(cue, where) for cue in spec.get("when", [])) if w is not None]
        rule = Rule(default, whens, in_capitals=spec.get("in_capitals", True))
        for name in spec.get("names", []):
            add_name(name, "rule", "", rule)
    return entities, problems


def check(path: Path | None) -> list[Problem]:
    """What ``load`` finds wrong with ``entities.toml``, without making the table."""
    return load(path, names=False)[1]


def _add_nothing(*args, **kwargs) -> None:
    pass


def country_name(code: str, language: str) -> str:
    """A country's name in ``language`` (CLDR), or the code if unknown."""
    from babel import Locale

    return Locale.parse(language).territories.get(code, code)


def is_country(code: str) -> bool:
    import pycountry

    return pycountry.countries.get(alpha_2=code) is not None

"""Stories: the articles that report one incident, across publishers and languages.

Each article's **features** are read from its title and text once (and kept in the
build cache by the article's content hash): the places it names (``places.toml``),
the kinds of incident its headline and first paragraph name (shipwreck, arrivals,
a vote, a ruling…), the numbers it reports with what they count (normalised across
notations, see ``numbers``), the proper names it quotes, its content words and a
sample of its word 4-grams (for copies of one text).

Two articles are compared only when they are **candidates**: at most ``WINDOW``
days apart and sharing a place, an organisation, the headline's kind of incident,
a number that is not round or a 4-gram anchor (blocking: no comparison of all
pairs; a country is too common to count). In a dense archive an article has
hundreds of candidates a fortnight: it is compared with the ``CANDIDATES`` that
share the most with it, with those that chose it, and with its likely copies
(meta-blocking: the time then grows with the archive, not with its square).
A pair's score adds the evidence (see ``score``);
some pairs are **vetoed** whatever their score: headlines naming different kinds
of incident, or different places where it happened. Same-language articles whose
4-grams mostly coincide are **copies** of one text (a wire story carried by
several outlets). Articles are then grouped greedily, strongest links first: two
groups merge when their average link is strong enough, no pair across them is
vetoed, and the result spans at most ``WINDOW`` days. Editors decide in the end:
``story: <id>`` puts an article in a story, ``story: none`` keeps it out.

Exact and cheap after a change: a pair's score depends on the two articles only,
and which candidates an article chooses on the articles within ``WINDOW`` days of
it, so links between unchanged articles further away are kept in the build cache;
a new article, and those around it, are compared with their candidates only, and
the grouping from the links is redone (it is fast). Features are kept in one cache store per month, so that a change loads
only the months around it. The result is the same whatever the order of files,
and whether built at once or step by step.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import heapq
import marshal
import multiprocessing
import os
import re
import tomllib
import zlib
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import NamedTuple

from . import numbers as numbers_
from . import parallel
from .entities import Sieve, fold, fold_case, prepare, remembered, variants
from .problems import Problem, display_path, error, warning
from .tomlform import form_problems

VERSION = "stories-2"
WINDOW = 10
"""Days: reports of one incident arrive within this (a candidate pair, a whole story)."""
COPY_WINDOW = 7
"""Days: copies of one text are published within this."""
COPY_CONTAINMENT = 0.5
"""Share of the shorter text's sampled 4-grams found in the other: a copy from this on."""
LINK = 4.0
"""A pair's score from which it links two articles (and is kept in the cache)."""
AVERAGE = 2.0
"""Two groups merge when the average score over every pair across them reaches this."""
KEEP = 1.0
"""Pairs scoring at least this (vetoed or not) are kept: they weigh in the averages."""
CANDIDATES = 40
"""An article is compared with at most this many of its candidates, those sharing the most with it (and with
every article that chose it): a fortnight of a dense archive holds hundreds of candidates, mostly unrelated."""
COPY_ANCHORS = 4
"""Candidates sharing this many of the article's anchors (likely copies of its text) are compared whatever their number."""
KEY_WEIGHTS = {"p": 6, "n": 4, "k": 3, "a": 2, "o": 1}
"""How much a shared key weighs in choosing candidates: a place, a number, the headline's kind, an anchor, an organisation."""
STORE_ASIDE_FROM = 48  # changed months from which they are stored by a process of their own (``Grouper._store``)
MONTHS_KEPT = 12  # month stores held at once after grouping, and while the pass reads links
LINK_BATCH = 5000  # new articles linked at once, at least (see Grouper._link)
STRETCHES = 5
"""Many new articles are linked in about this many stretches, of ``LINK_BATCH`` articles or more: each stretch
forks its workers from this process, which holds the whole archive's model (at 100,000 articles, twenty stretches
of 5,000 spent 1.5 s more of the system's time copying and freeing its pages than five of 20,000)."""
TEXT_CHARS = 3000
"""Only the beginning of a long article is read: what happened is told at the top."""
STORY_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?")
NONE = "none"
SPECIFIC = {"town", "port", "island", "crossing", "camp", "area"}
WEAK = {"region", "sea", "capital"}
PLACE_KINDS = SPECIFIC | WEAK
MEASURES = ("dead", "missing", "rescued", "people", "money")
TOKEN = re.compile(r"\w+")
NAME = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]+(?:[-'’][A-ZÀ-ÖØ-Þa-zß-ÿ][^\W\d_]*)*")
SENTENCE_END = set(".!?:;«»\"“”(–—")
NAME_PARTS = re.compile(r"[-'’]")
LATIN = {"fr", "en", "es", "de", "it", "pt", "nl"}
STOP = {
    # function and common capitalised words that are not names
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "en", "au", "aux", "et", "ou", "il", "elle", "ils", "elles", "on",
    "ce", "cette", "ces", "selon", "pour", "dans", "par", "sur", "avec", "apres", "avant", "depuis", "mais", "plus",
    "the", "a", "an", "and", "or", "in", "on", "of", "at", "to", "for", "by", "with", "after", "before", "since", "but", "more",
    "el", "los", "las", "una", "y", "o", "del", "al", "con", "por", "para", "tras", "desde", "segun", "pero", "mas", "este", "esta",
    "mr", "mrs", "ms", "mme", "m", "monsieur", "madame", "senor", "senora", "sr", "sra", "dr",
    "president", "presidente", "presidenta", "premier", "prime", "minister", "ministre", "ministro", "ministra", "ministry",
    "ministere", "ministerio", "government", "gouvernement", "gobierno", "etat", "etats", "state", "states", "estado", "estados",
    "union", "european", "europeenne", "europeen", "europea", "europeo", "commission", "comision", "council", "conseil", "consejo",
    "parliament", "parlement", "parlamento", "court", "cour", "tribunal", "supreme", "supremo", "interior", "interieur",
    "home", "office", "secretary", "secretaire", "secretaria", "chancellor", "king", "roi", "rey", "prince", "national",
    "nationale", "nacional", "internationale", "international", "internacional", "general", "generale", "unies", "unidas",
    "united", "nations", "human", "rights", "droits", "derechos", "ong", "ngo", "croix", "rouge", "cruz", "roja", "red", "cross",
    "guard", "guardia", "civil", "garde", "cotes", "coast", "police", "policia", "navy", "marine", "armada", "frontex",
    "pacte", "pact", "pacto", "asile", "asylum", "asilo", "migration", "migracion", "migrations", "migrants", "migrantes",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo",
}


# --- the table: places, kinds and measures (places.toml) --------------------------------------

@dataclass
class Lexicon:
    """Words and phrases to find in a text, each standing for an id; ``*`` at a word's end matches its beginning."""

    exact: dict[str, list[tuple[tuple[str, ...], tuple[str, ...] | None, bool, str]]] = field(default_factory=dict)
    """First folded word → [(folded words, cased words or None, last word is a prefix, id)], longest first."""
    prefixes: dict[str, list[tuple[str, tuple[str, ...], str]]] = field(default_factory=dict)
    """First three letters of a one-word prefix → [(prefix, (), id)]."""
    _starters: Sieve | None = field(default=None, repr=False, compare=False)
    """The words from which a match may start (``_may_start``), remembered: the scan looks at those only."""
    _by_next: dict | None = field(default=None, repr=False, compare=False)
    """First folded word → (its entries that a next word cannot rule out, {next word: its entries that may match
    then}), each in ``exact``'s order, made when first asked (``_entries``): most phrases starting with a common
    word ("la", "san") are ruled out by the word after it, which is then one look."""

    def add(self, phrase: str, id_: str) -> None:
        self._forget()
        star = phrase.endswith("*")
        words = TOKEN.findall(prepare(phrase.rstrip("*")))
        if not words:
            return
        folded = tuple(fold(w) for w in words)
        cased = tuple(fold_case(w) for w in words) if any(c.isupper() for c in phrase) else None
        if star and len(words) == 1:
            entry = (folded[0], (), id_)
            bucket = self.prefixes.setdefault(folded[0][:3], [])
            if entry not in bucket:
                bucket.append(entry)
            return
        bucket_ = self.exact.setdefault(folded[0], [])
        item = (folded, cased, star, id_)
        if item not in bucket_:
            bucket_.append(item)
            bucket_.sort(key=lambda e: -len(e[0]))

    def add_exact(self, word: str, id_: str) -> None:
        """A word matched as it is (not folded: a currency sign)."""
        self._forget()
        self.exact.setdefault(word, []).append(((word,), None, False, id_))

    def _forget(self) -> None:
        self._starters = None  # a scan under way keeps the sieve it took
        self._by_next = None

    def _entries(self, first: str, following: str | None) -> list:
        """The entries of ``exact[first]`` that may match before the word ``following`` (None: the text's end), in order."""
        by_next = self._by_next
        if by_next is None:
            by_next = self._by_next = {}
        found = by_next.get(first)
        if found is None:
            entries = self.exact.get(first, ())
            free = [e for e in entries if len(e[0]) == 1 or (e[2] and len(e[0]) == 2)]  # a one-word name, or "word prefix*"
            seconds = {e[0][1] for e in entries if len(e[0]) > 1}
            found = by_next[first] = (free, {w: [e for e in entries if e in free or e[0][1] == w] for w in seconds})
        free, by_second = found
        return free if following is None else by_second.get(following, free)

    def find(self, words: list[str], folded: list[str]) -> list[tuple[str, int, int]]:
        """(id, first token, token after) of every match, longest first at each token, left to right."""
        if not self.exact and not self.prefixes:
            return []
        sieve = self._starters
        if sieve is None:
            sieve = self._starters = Sieve(self._may_start)
        starters = sieve(set(folded))
        if not starters:
            return []
        found = []
        i = 0
        at = self._at
        for k in list(compress(range(len(folded)), map(starters.__contains__, folded))):  # a token where no match starts is passed by
            if k < i:
                continue
            hit = at(words, folded, k)
            if hit is not None:
                found.append(hit)
                i = hit[2]
        return found

    def _may_start(self, word: str) -> bool:
        """Whether a match may start at this (folded) word: what ``_at`` looks up, for each of its variants."""
        exact, prefixes = self.exact, self.prefixes
        return any(v in exact or any(v.startswith(prefix) for prefix, _, _ in prefixes.get(v[:3], ())) for v in variants(word))

    def _at(self, words: list[str], folded: list[str], i: int) -> tuple[str, int, int] | None:
        word = folded[i]
        exact, prefixes = self.exact, self.prefixes
        following = folded[i + 1] if i + 1 < len(folded) else None
        for first in (variants(word) if word and "\u0600" <= word[0] <= "\u06ff" else (word,)):
            for names, cased, star, id_ in self._entries(first, following) if first in exact else ():
                size = len(names)
                end = i + size
                if end > len(words):
                    continue
                if star:
                    if size < 2 or folded[i + 1:end - 1] != list(names[1:-1]) or not folded[end - 1].startswith(names[-1]):
                        continue
                elif size > 1 and folded[i + 1:end] != list(names[1:]):
                    continue
                if cased is not None and not all(_case_fits(words[i + k], cased[k]) for k in range(size) if k or first == word):
                    continue
                return (id_, i, end)
            for prefix, _, id_ in prefixes.get(first[:3], ()):
                if first.startswith(prefix):
                    return (id_, i, i + 1)
        return None


def _case_fits(word: str, cased: str) -> bool:
    word = fold_case(word)
    return word == cased or word == cased.upper() or not any(c.isalpha() and c.lower() != c.upper() for c in word)


@dataclass
class Place:
    id: str
    kind: str
    country: str
    within: str
    name: dict[str, str]


@dataclass
class Table:
    """What ``places.toml`` says, ready to use."""

    places: dict[str, Place] = field(default_factory=dict)
    place_names: Lexicon = field(default_factory=Lexicon)
    kinds: dict[str, Lexicon] = field(default_factory=dict)
    """Per language, the words of every kind of incident."""
    related: dict[str, set[str]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    exclusive: frozenset[str] = frozenset()
    quiet: frozenset[str] = frozenset()
    """Kinds that never keep articles apart (``veto = false``)."""
    related_key: tuple = ()
    """``related`` as a hashable value (for a cache)."""
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    measures: dict[str, Lexicon] = field(default_factory=dict)
    stop: frozenset[str] = frozenset()
    digest: str = ""
    problems: list[Problem] = field(default_factory=list)
    _specific: tuple[int, frozenset[str]] | None = field(default=None, repr=False, compare=False)
    name_words: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, repr=False, compare=False)
    """Per language, what ``_names`` keeps of each capitalised word it met (made when first met)."""

    def ancestors(self, place: str) -> tuple[str, ...]:
        """The place and every place it lies within."""
        found = self._ancestors.get(place)
        if found is None:
            chain = []
            at = place
            while at and at not in chain:
                chain.append(at)
                at = self.places[at].within if at in self.places else ""
            found = self._ancestors[place] = tuple(chain)
        return found

    def is_specific(self, place: str) -> bool:
        return place in self.places and self.places[place].kind in SPECIFIC

    def specific_places(self) -> frozenset[str]:
        """The places that are specific (``is_specific``)."""
        if self._specific is None or self._specific[0] != len(self.places):
            self._specific = (len(self.places), frozenset(p for p in self.places if self.is_specific(p)))
        return self._specific[1]


def load_table(path: Path | None) -> Table:
    """The table in ``path`` (an empty one, and a problem, if it cannot be read)."""
    try:
        raw = path.read_bytes() if path is not None else b""
    except FileNotFoundError:
        raw = b""
    except OSError as exc:
        return Table(digest="unreadable", problems=[error(display_path(path), None, f"cannot be read: {exc.strerror}", "check the file's permissions; no story is made meanwhile")])
    return _parse_table(raw, display_path(path) if path is not None else "places.toml")


_WORDS = [str]
PLACES_FORM = {
    "places": {"*": {"names": {"*": str}, "aliases": _WORDS, "country": str, "kind": str, "within": str}},
    "kinds": {"*": {"related": _WORDS, "weight": float, "exclusive": bool, "veto": bool, "months": {"*": _WORDS}, "*": _WORDS}},
    "measures": {"*": {"*": _WORDS}},
}
"""The form of ``places.toml`` (see ``crossings.tomlform``): under a kind or a measure, each other key is a
language, with its words."""


@lru_cache(maxsize=4)
def _parse_table(raw: bytes, shown: str) -> Table:
    table = Table(digest=hashlib.sha256(VERSION.encode() + b"\0" + raw).hexdigest()[:16])
    if not raw:
        return table
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        table.problems.append(error(shown, int(line.group(1)) if line else None, f"not valid TOML: {exc}", "fix the syntax; no story is made meanwhile"))
        table.digest = "broken-" + table.digest
        return table
    text = raw.decode("utf-8")
    found, broken = form_problems(data, PLACES_FORM, text, shown, "no story is made meanwhile")
    table.problems += found
    if broken:
        table.digest = "broken-" + table.digest
        return table
    for id_, spec in data.get("places", {}).items():
        names = dict(spec.get("names", {}))
        kind = spec.get("kind", "town")
        if kind not in PLACE_KINDS:
            table.problems.append(warning(shown, _line(text, f"[places.{id_}]"), f"place '{id_}' has an unknown kind '{kind}' (taken as a town)",
                                          "kind is one of " + ", ".join(sorted(PLACE_KINDS))))
            kind = "town"
        table.places[id_] = Place(id_, kind, spec.get("country", ""), spec.get("within", ""), names)
        for name in list(names.values()) + list(spec.get("aliases", [])):
            table.place_names.add(name, id_)
    for id_, place in table.places.items():
        if place.within and place.within not in table.places:
            table.problems.append(warning(shown, _line(text, f"[places.{id_}]"), f"place '{id_}' lies within '{place.within}', which is not in the file",
                                          "add that place or correct the id"))
            place.within = ""
    from babel import Locale

    exclusive, quiet = set(), set()
    for id_, spec in data.get("kinds", {}).items():
        table.related[id_] = set(spec.get("related", ()))
        table.weights[id_] = float(spec.get("weight", 1.5))
        if spec.get("exclusive"):
            exclusive.add(id_)
        if spec.get("veto") is False:
            quiet.add(id_)
        for lang, words in spec.items():
            if lang in ("related", "months", "weight", "exclusive", "veto"):
                continue
            lexicon = table.kinds.setdefault(lang, Lexicon())
            for word in words:
                lexicon.add(word, id_)
        for lang, words in spec.get("months", {}).items():
            lexicon = table.kinds.setdefault(lang, Lexicon())
            months = Locale.parse(lang).months["format"]["wide"].values()
            for word in words:
                for month in months:
                    lexicon.add(f"{word} {month.lower()}", id_)
    table.exclusive = frozenset(exclusive)
    table.quiet = frozenset(quiet)
    for a, others in list(table.related.items()):
        for b in others:
            table.related.setdefault(b, set()).add(a)
    table.related_key = tuple(sorted((k, frozenset(v)) for k, v in table.related.items()))
    for id_, spec in data.get("measures", {}).items():
        if id_ not in MEASURES:
            table.problems.append(warning(shown, _line(text, f"[measures.{id_}]"), f"unknown measure '{id_}' (ignored)", "measures are " + ", ".join(MEASURES)))
            continue
        for lang, words in spec.items():
            lexicon = table.measures.setdefault(lang, Lexicon())
            for word in words:
                if word in ("€", "$", "£"):
                    lexicon.add_exact(word, id_)
                else:
                    lexicon.add(word, id_)
    stop = set(STOP)
    for lang in ("fr", "en", "es"):
        locale = Locale.parse(lang)
        for names in (locale.territories.values(), locale.months["format"]["wide"].values()):
            for name in names:
                stop.update(fold(w) for w in TOKEN.findall(name))
    for lexicon in [table.place_names]:
        stop.update(lexicon.exact)
    table.stop = frozenset(stop)
    return table


def _line(text: str, marker: str) -> int | None:
    at = text.find(marker)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


# --- features of one article ------------------------------------------------------------------

def features(title: str, text: str, lang: str, table: Table) -> tuple:
    """What grouping needs of an article's title and text, as plain values (for the cache).

    (primary places, all places, kinds in the headline, kinds in the first paragraph,
    numbers ((value, measure, in headline or lead)…), names, content words, 4-gram sample, anchors),
    the last three sorted 32-bit hashes packed as bytes (``packed``; ``hashes`` gives them back).
    """
    text = text[:TEXT_CHARS]
    head, body = prepare(title), prepare(text)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    lead_end = body.index(paragraphs[0]) + len(paragraphs[0]) if paragraphs else 0
    t_words, t_folded, t_spans = _tokens(head)
    b_words, b_folded, b_spans = _tokens(body)
    n_lead = bisect.bisect_left(b_spans, lead_end)
    l_words, l_folded = b_words[:n_lead], b_folded[:n_lead]
    in_body = table.place_names.find(b_words, b_folded)
    places_head = [p for p, _, _ in table.place_names.find(t_words, t_folded) + _within(table.place_names, in_body, l_words, l_folded)]
    places_all = [p for p, _, _ in in_body]
    kinds = table.kinds.get(lang) or Lexicon()
    kinds_head = sorted({k for k, _, _ in kinds.find(t_words, t_folded)})
    kinds_lead = sorted({k for k, _, _ in kinds.find(l_words, l_folded)})
    found = [(v, m, True) for v, m, _ in _numbers(head, t_words, t_folded, t_spans, lang, table)]
    found += [(v, m, at < lead_end) for v, m, at in _numbers(body, b_words, b_folded, b_spans, lang, table)]
    seen: dict[tuple, bool] = {}
    for value, measure, top in found:
        seen[(value, measure)] = seen.get((value, measure), False) or top
    names = _names(title, text, lang, table) if lang in LATIN else ()
    words = _content_words(t_folded + b_folded[:n_lead + 60])
    shingles = _shingles(b_folded)
    sample = sorted([h for h in shingles if h % 4 == 0])
    anchors = heapq.nsmallest(6, shingles)
    return (tuple(dict.fromkeys(places_head)), tuple(sorted(set(places_all) | set(places_head))), tuple(kinds_head), tuple(kinds_lead),
            tuple((v, m, top) for (v, m), top in seen.items()), names, packed(words), packed(sample), packed(anchors))


def packed(hashes) -> bytes:
    """Hashes of 32 bits as bytes, four each (native order: the build cache is this machine's). A build from
    nothing holds every article's features at once, for the grouping's workers: at 100,000 articles their ~130
    hashes each took 6.6 kB as a tuple of ints, ~0.65 GB of the build's memory; as bytes, 0.5 kB."""
    return array("I", hashes).tobytes()


def hashes(data: bytes) -> array:
    """The hashes ``packed`` made (an array of ints)."""
    found = array("I")
    found.frombytes(data)
    return found


def _within(lexicon: Lexicon, found: list[tuple[str, int, int]], words: list[str], folded: list[str]) -> list[tuple[str, int, int]]:
    """``lexicon.find(words, folded)`` for the first tokens of a text (``words``, ``folded``), from what it found
    in the whole text: the same matches up to the first one that goes on past them (a scan is the same until then)."""
    n = len(words)
    out = []
    for hit in found:
        if hit[2] <= n:
            out.append(hit)
            continue
        if hit[1] < n:
            start = hit[1]
            out += [(id_, i + start, end + start) for id_, i, end in lexicon.find(words[start:], folded[start:])]
        break
    return out


def _tokens(text: str) -> tuple[list[str], list[str], list[int]]:
    matches = list(TOKEN.finditer(text))
    words = list(map(_GROUP, matches))
    return words, _fold_all(words), list(map(_START, matches))


_GROUP, _START = re.Match.group, re.Match.start
_FOLDED: dict[str, str] = {}
"""Word → ``fold(word)``, for the words seen (see ``remembered``)."""
_CRC: dict[str, int] = {}
"""Folded word → its CRC-32 (for ``_shingles``)."""


def _fold_all(words: list[str]) -> list[str]:
    return remembered(_FOLDED, words, fold)


def _crc(word: str) -> int:
    return zlib.crc32(word.encode())


def _numbers(text: str, words: list[str], folded: list[str], spans: list[int], lang: str, table: Table) -> list[tuple]:
    """(value, measure, offset) of each number with a measure nearby, or of ten or more without one (not a year, not a date)."""
    measures = table.measures.get(lang) or Lexicon()
    by_token = {}
    for id_, start, end in measures.find(words, folded):
        for k in range(start, end):
            by_token[k] = id_
    result = []
    for number in numbers_.find_in(text, lang, folded, spans):
        first = bisect.bisect_left(spans, number.start)
        last = bisect.bisect_left(spans, number.end)
        after, before = (3, 4) if lang == "en" else (4, 3)
        near = []  # nearest first: one word after, one before, two after…
        if text[max(0, number.start - 1):number.start] in ("€", "$", "£") or text[number.end:number.end + 2].strip(numbers_.SPACES)[:1] in ("€", "$", "£"):
            near.append("money")
        for step in range(max(after, before)):
            k = last + step
            if step < after and k < len(spans) and not _SENTENCE_MARK.search(text, number.end, spans[k]):
                near.append(by_token.get(k))
            k = first - 1 - step
            if step < before and k >= 0 and not _SENTENCE_MARK.search(text, spans[k], number.start):
                near.append(by_token.get(k))
        measure = next((m for m in near if m), "")
        value = number.value
        if value < 1 or (not measure and (value < 10 or (1900 <= value <= 2100 and value == int(value)))):
            continue
        if _is_date(folded, first, last):
            continue
        result.append((round(value, 2), measure, number.start))
    return result


_SENTENCE_MARK = re.compile("[.!?;:\n]")
"""What ends a sentence, or the clause a number's measure is looked for in (searched between two offsets)."""


MONTH_WORDS = None


def _is_date(folded: list[str], first: int, last: int) -> bool:
    global MONTH_WORDS
    if MONTH_WORDS is None:
        from babel import Locale

        MONTH_WORDS = {fold(name) for lang in ("fr", "en", "es", "ar") for width in ("wide", "abbreviated")
                       for name in Locale.parse(lang).months["format"][width].values()}
        MONTH_WORDS |= {"يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر", "نوفمبر", "ديسمبر",
                        "تموز", "حزيران", "ايار", "نيسان", "اذار", "شباط", "اب", "ايلول", "تشرين", "كانون"}
    neighbours = folded[last:last + 2] + folded[max(0, first - 2):first]
    return any(w in MONTH_WORDS for w in neighbours)


def _names(title: str, text: str, lang: str, table: Table) -> tuple[str, ...]:
    """Proper names (capitalised words inside sentences), folded, in order of first use, at most 25."""
    found: dict[str, None] = {}
    known = table.name_words.setdefault(lang, {})  # a name as matched → its words that count (the same each time)
    numbers = numbers_.WORDS.get(lang, ())
    for source in (title, text):
        for match in NAME.finditer(source):
            at = match.start()  # the text before the name, spaces left out (not copied: O(n²) on long texts)
            while at and source[at - 1] in " \u00a0\u202f":
                at -= 1
            if not at or source[at - 1] in SENTENCE_END or source[at - 1] == "\n":
                continue
            name = match.group()
            words = known.get(name)
            if words is None:
                if len(known) > 200_000:
                    known.clear()
                words = known[name] = tuple(word for word in map(fold, NAME_PARTS.split(name))
                                            if len(word) >= 4 and word not in table.stop and word not in numbers)
            for word in words:
                found.setdefault(word)
        if len(found) >= 25:
            break
    return tuple(list(found)[:25])


def _content_words(folded: list[str]) -> list[int]:
    """Hashes of the content words (five letters' stems) of the title and the lead, sorted."""
    stems = {w[:5] for w in folded if len(w) >= 5 and not w.isdigit()}
    return sorted([zlib.crc32(s.encode()) for s in stems])


def _shingles(folded: list[str]) -> set[int]:
    """Hashes of the word 4-grams of the first 400 words (a tuple of ints hashes the same in every process)."""
    ids = remembered(_CRC, folded[:400], _crc)
    if len(ids) < 4:
        return set(ids)
    return {hash(gram) & 0xFFFFFFFF for gram in zip(ids, ids[1:], ids[2:], ids[3:])}


# --- comparing two articles ---------------------------------------------------------------------

class Node(NamedTuple):
    """What grouping knows of one article."""

    key: str
    """The article's slug: stable and unique."""
    sha: str
    ordinal: int
    lang: str
    countries: tuple[str, ...]
    organizations: tuple[str, ...]
    pin: str
    """The editor's ``story:`` value ('' when unset)."""


class Article:
    """An article ready for comparisons: its node, and its features as bits of ints (see ``Bits``; its 4-gram
    sample also as a set, with a sketch: see ``is_copy``; its kinds and anchors also as sets)."""

    __slots__ = ("node", "keymask", "anchors", "around", "specific", "primary", "numbers", "names", "words", "sample",
                 "head", "told", "kinds", "kind_set", "countries", "organizations", "related", "lang", "ordinal", "n_sample", "only",
                 "n_names", "n_words", "sketch", "repeats")

    def __init__(self, node: Node, f: tuple, table: Table, bits: Bits) -> None:
        """``bits``: the bits given to names, words, places, kinds, countries, organisations and keys, in the order
        they are met (the articles compared with each other share them): what two articles share is then counted by
        an ``&`` of two ints and a ``bit_count``, faster than a set's ``&`` (most of the time a build from nothing
        spends grouping at 100,000 articles goes into comparing pairs)."""
        self.node = node
        self.lang, self.ordinal = node.lang, node.ordinal
        specific = table.specific_places()
        tags = bits.tags
        self.around = _mask(frozenset(x for p in f[1] for x in table.ancestors(p)), tags)
        self.specific = _mask([p for p in f[1] if p in specific], tags)
        self.primary = _mask({p for p in f[0] if p in specific}, tags)
        numbers: dict[float, set[str]] = defaultdict(set)
        for value, measure, _ in f[4]:
            numbers[value].add(measure)
        self.numbers = numbers
        self.names, self.n_names = _bits(f[5], bits.words)
        self.words, self.n_words = _bits(hashes(f[6]), bits.words)
        self.sample = frozenset(hashes(f[7]))
        self.n_sample = len(self.sample)
        sketch = 0
        for h in self.sample:
            sketch |= 1 << ((h >> 2) & SKETCH_MASK)  # (the sample's hashes are multiples of 4)
        self.sketch = sketch
        self.repeats = self.n_sample - sketch.bit_count()  # hashes that fell on a bit another already set
        head = frozenset(f[2]) - table.quiet  # what the headline says happened, for vetoes
        self.head = _mask(head, tags)
        self.only = self.head if head and head <= table.exclusive else 0  # only exclusive kinds
        self.kind_set = frozenset(f[2] or f[3])  # the headline's kinds, else the first paragraph's
        self.kinds = _mask(self.kind_set, tags)
        self.related = _mask(_with_related(tuple(self.kind_set), table), tags)  # and their related kinds
        self.told = _mask(_with_related(tuple(set(f[2]) | set(f[3])), table) - table.quiet, tags)
        self.countries = _mask(node.countries, tags)
        self.organizations = _mask(node.organizations, tags)
        keys = {"p:" + p for p in f[1]} | {"o:" + o for o in node.organizations}
        keys |= {"k:" + k for k in f[2]} | {f"n:{v:g}" for v in numbers if v >= 10 and not _is_round(v)}
        self.keymask = bits.weighted(keys)
        self.anchors = _mask([(node.lang, a) for a in hashes(f[8])], bits.anchors)
        """What a candidate must share with the article (besides the date window): a place, an organisation,
        the kind in the headline, a number that is not round (``keymask``: each key is as many bits as its weight,
        ``KEY_WEIGHTS``, so that the weight two articles share is the ``bit_count`` of an ``&``) or (same language)
        a 4-gram anchor (``anchors``, a bit each: how many two articles share is the ``bit_count`` of an ``&``).
        Not a country: most articles of a fortnight share one (the score still counts them)."""


class Bits:
    """The bits of ints given to what articles are compared by, in the order met (see ``Article``)."""

    __slots__ = ("words", "tags", "anchors", "keys", "key_bits")

    def __init__(self) -> None:
        self.words: dict = {}  # names and content words
        self.tags: dict = {}  # places, kinds, countries, organisations (each compared with its own kind only)
        self.anchors: dict = {}  # (language, 4-gram anchor)
        self.keys: dict[str, int] = {}  # key → its bits (``KEY_WEIGHTS[key[0]]`` of them)
        self.key_bits = 0

    def weighted(self, keys) -> int:
        mask = 0
        for key in keys:
            found = self.keys.get(key)
            if found is None:
                weight = KEY_WEIGHTS[key[0]]
                found = self.keys[key] = ((1 << weight) - 1) << self.key_bits
                self.key_bits += weight
            mask |= found
        return mask

    def held(self) -> int:
        return len(self.words) + len(self.tags) + len(self.anchors) + self.key_bits


SKETCH_MASK = 1023
BITS_HELD = 8192
"""When the bits given by one ``_score_some`` (``Bits.held``) pass this many, the articles are made again with new bits
(the ints stay short: an ``&`` costs the length of the shorter)."""


def _mask(values, bits: dict) -> int:
    """An int with a bit for each of ``values``, given by ``bits``, which grows."""
    mask = 0
    for value in values:
        at = bits.get(value)
        if at is None:
            at = bits[value] = len(bits)
        mask |= 1 << at
    return mask


def _bits(values: tuple, bits: dict) -> tuple[int, int]:
    """(``_mask`` of ``values``; how many ``values`` differ)."""
    mask = _mask(values, bits)
    return mask, mask.bit_count()


def _is_round(value: float) -> bool:
    return value % 100 == 0 if value < 10000 else value % 1000 == 0


def is_copy(a: Article, b: Article) -> bool:
    """Same language, published close together, and most sampled 4-grams in common.

    The sketches tell most pairs that are not copies first: a hash in common sets one bit in both, so the
    bits in common, plus the fewer of the two articles' hashes that fell on a bit already set, are at least
    as many as the hashes in common."""
    if a.lang != b.lang or abs(a.ordinal - b.ordinal) > COPY_WINDOW or not a.n_sample or not b.n_sample:
        return False
    fewest = a.n_sample if a.n_sample < b.n_sample else b.n_sample
    if most_shared(a, b) / fewest < COPY_CONTAINMENT:
        return False
    return len(a.sample & b.sample) / fewest >= COPY_CONTAINMENT


def most_shared(a: Article, b: Article) -> int:
    """At least as many as the sampled 4-grams two articles share (see ``is_copy``)."""
    return (a.sketch & b.sketch).bit_count() + (a.repeats if a.repeats < b.repeats else b.repeats)


def score(a: Article, b: Article, table: Table) -> tuple[float, bool]:
    """The evidence that two articles report one incident, and whether they must be kept apart.

    Weights (see the module's docstring for the idea):
    - a place where it happened (a town, port, island, crossing, camp or area) named by both: 3, a
      second one +1; none, but a region, sea or capital in common (or one place within the other): 0.5;
    - a number both report (ten or more): 2 when it counts the same thing or is not round, else 1 (at most 4);
    - proper names both quote: 0.75 each (at most 3);
    - countries 0.5 each (at most 1.5) and organisations 0.5 each (at most 1), from the front matter;
    - the same kind of incident in both headlines (or first paragraphs): its weight in places.toml
      (1 for arrivals, 1.5 for a shipwreck, 3 for a vote or a ruling); related kinds: 1;
    - in one language, content words of headline and lead in common: up to 3 (6 × Jaccard);
    - each day apart: −0.3.
    Vetoes: headlines naming only different kinds of incident (or only one an exclusive kind);
    headlines and leads naming different places where it happened, neither mentioned by the other.

    (A term that is nothing is not added: the sum is the same, but for the sign of a zero, made positive at the end.)
    """
    # the vetoes: one headline names only exclusive kinds the other's does not; both headlines name kinds and
    # neither names (headline or lead) one of the other's; both name places where it happened, neither the other's
    veto = ((a.only and not a.only & b.head) or (b.only and not b.only & a.head)
            or (a.head and b.head and not a.head & b.told and not b.head & a.told)
            or (a.primary and b.primary and not a.primary & b.around and not b.primary & a.around))
    total = -0.3 * abs(a.ordinal - b.ordinal)
    if a.specific and b.specific and (specific := (a.specific & b.specific).bit_count()):
        total += 4.0 if specific > 1 else 3.0  # 3.0 + min(1, specific - 1)
    elif a.around & b.around:
        total += 0.5
    if a.numbers and b.numbers:
        total += _numbers_shared(a.numbers, b.numbers)
    if a.names and b.names and (shared := (a.names & b.names).bit_count()):
        total += 0.75 * shared if shared < 4 else 3.0  # min(3.0, 0.75 * shared), as the next two
    if a.countries and b.countries and (shared := (a.countries & b.countries).bit_count()):
        total += 0.5 * shared if shared < 3 else 1.5
    if a.organizations and b.organizations and (shared := (a.organizations & b.organizations).bit_count()):
        total += 0.5 * shared if shared < 2 else 1.0
    if a.kinds and b.kinds:
        if a.kinds & b.kinds:
            kinds = a.kind_set & b.kind_set
            if len(kinds) == 1:
                [kind] = kinds
                total += table.weights.get(kind, 1.5)
            else:
                total += max(table.weights.get(k, 1.5) for k in kinds)
        elif a.kinds & b.related:
            total += 1.0
    if a.lang == b.lang and a.words and b.words:
        shared = (a.words & b.words).bit_count()
        jaccard = 6.0 * shared / (a.n_words + b.n_words - shared)
        total += jaccard if jaccard < 3.0 else 3.0
    return round(total + 0.0, 3), bool(veto)


def _numbers_shared(na: dict, nb: dict) -> float:
    points = 0.0
    for value, measures in nb.items():
        if value < 10 or value not in na:
            continue
        same = any(m and m in na[value] for m in measures)
        points += 2.0 if same or not _is_round(value) else 1.0
    return min(4.0, points)


@lru_cache(maxsize=1024)
def _related_cached(kinds: tuple[str, ...], related: tuple) -> frozenset[str]:
    out = set(kinds)
    lookup = dict(related)
    for kind in kinds:
        out |= lookup.get(kind, frozenset())
    return frozenset(out)


def _with_related(kinds: tuple[str, ...], table: Table) -> frozenset[str]:
    return _related_cached(tuple(sorted(kinds)), table.related_key)


# --- grouping -----------------------------------------------------------------------------------

@dataclass
class Grouping:
    """The stories of an archive: story id → member keys (date order), and the copies of each text."""

    stories: dict[str, list[str]] = field(default_factory=dict)
    of: dict[str, str] = field(default_factory=dict)
    copies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Article key → the keys of the other articles carrying the same text."""
    problems: list[Problem] = field(default_factory=list)


class Pass:
    """Automatic grouping, article by article in date order (then by key).

    Each article joins the story it links to best, if it links to one of its members
    with at least ``LINK``, its average link to all members reaches ``AVERAGE``, no
    member vetoes it and the story stays within ``WINDOW`` days; or it joins the story
    of an article it copies. Other stories it links to in that way are merged with it
    when their average link reaches ``AVERAGE`` too, with no veto across. Otherwise it
    starts a story of its own. A decision depends only on earlier articles, and only on
    the stories that are still **open** (their first article at most ``WINDOW`` days
    before): the state at any date is the open stories, so the pass can resume from a
    checkpoint and stop once it is back in step with the previous run.
    """

    def __init__(self, order: dict[str, tuple[int, str]], links, copies) -> None:
        self.order = order  # key → (day, key)
        self.links = links  # key → {other: (score, vetoed)}
        self.copies = copies  # key → set of keys
        self.members: dict[str, list[str]] = {}
        self.story_of: dict[str, str] = {}
        self.first: dict[str, tuple[int, str]] = {}

    def load(self, open_stories: dict[str, tuple[str, ...]]) -> None:
        for sid, keys in open_stories.items():
            keys = [k for k in keys if k in self.order]
            if not keys:
                continue
            self.members[sid] = list(keys)
            self.first[sid] = min(self.order[k] for k in keys)
            for key in keys:
                self.story_of[key] = sid

    def open_at(self, day: int) -> dict[str, tuple[str, ...]]:
        """The stories that an article of ``day`` or later may still join."""
        return {sid: tuple(keys) for sid, keys in sorted(self.members.items()) if self.first[sid][0] >= day - WINDOW}

    def close_before(self, day: int) -> dict[str, tuple[str, ...]]:
        """Take out (and return) the stories no article of ``day`` or later may join."""
        closed = {sid: tuple(keys) for sid, keys in self.members.items() if self.first[sid][0] < day - WINDOW}
        for sid, keys in closed.items():
            del self.members[sid], self.first[sid]
            for key in keys:
                self.story_of.pop(key, None)
        return closed

    def step(self, x: str) -> None:
        at = self.order[x]
        near = self.copies.get(x, ())
        found: dict[str, list] = {}  # story → [total, vetoed, copied, best]
        story_of, order = self.story_of, self.order  # an article in a story is in order (and is not pinned)
        for y, (value, veto) in self.links.get(x, {}).items():
            sid = story_of.get(y)
            if sid is None or order[y] >= at:
                continue
            entry = found.get(sid)
            if entry is None:
                entry = found[sid] = [0.0, False, False, 0.0]
            if y in near:
                entry[2] = True
            elif veto:
                entry[1] = True
            else:
                entry[0] += value if value < 10.0 else 10.0
                if value > entry[3]:
                    entry[3] = value
        choices = []
        for sid, (total, vetoed, copied, best) in found.items():
            if (vetoed and not copied) or at[0] - self.first[sid][0] > WINDOW:
                continue
            mean = total / len(self.members[sid])
            if copied or (best >= LINK and mean >= AVERAGE):
                choices.append((not copied, -mean, self.first[sid], sid))
        if not choices:
            self.members[x] = [x]
            self.first[x] = at
            self.story_of[x] = x
            return
        choices.sort()
        sid = choices[0][3]
        self.members[sid].append(x)
        self.story_of[x] = sid
        for _, _, _, other in choices[1:]:
            if other in self.members and other != self.story_of[x] and self._mergeable(self.story_of[x], other):
                self._merge(self.story_of[x], other)

    def _mergeable(self, a: str, b: str) -> bool:
        if max(self.first[a], self.first[b])[0] - min(self.first[a], self.first[b])[0] > WINDOW:
            return False
        last = max(self.order[k][0] for k in self.members[a] + self.members[b])
        if last - min(self.first[a], self.first[b])[0] > WINDOW:
            return False
        small, other = (a, b) if len(self.members[a]) <= len(self.members[b]) else (b, a)
        total = 0.0
        for key in self.members[small]:
            near = self.copies.get(key, ())
            for y, (value, veto) in self.links.get(key, {}).items():
                if self.story_of.get(y) == other:
                    if veto and y not in near:
                        return False
                    if not veto:
                        total += min(value, 10.0)
        return total / (len(self.members[a]) * len(self.members[b])) >= AVERAGE

    def _merge(self, a: str, b: str) -> None:
        keep, gone = (a, b) if self.first[a] <= self.first[b] else (b, a)
        for key in self.members[gone]:
            self.story_of[key] = keep
        self.members[keep] = sorted(self.members[keep] + self.members.pop(gone), key=self.order.__getitem__)
        del self.first[gone]


def finish(nodes: dict[str, Node], auto: dict[str, tuple[str, ...]], copies: dict[str, set[str]]) -> Grouping:
    """The stories: the automatic ones (``auto``, by first member) with the editors' choices applied."""
    grouping = Grouping()
    pinned: dict[str, list[str]] = defaultdict(list)
    for key, node in nodes.items():
        if node.pin and node.pin != NONE:
            pinned[node.pin].append(key)
    texts = _copy_groups(nodes, copies) if copies else {}
    taken = set()
    if pinned:
        order = {key: (node.ordinal, key) for key, node in nodes.items()}
        story_of = {k: sid for sid, keys in auto.items() for k in keys}
        for pin, keys in sorted(pinned.items()):
            members = set(keys)
            free = pin in nodes and not nodes[pin].pin
            joined = story_of.get(pin) if free else None
            if joined is not None:
                members |= set(auto[joined])
                taken.add(joined)
            elif free:
                members.add(pin)
            if len(members) >= 2:
                grouping.stories[pin] = sorted(members, key=order.__getitem__)
    for sid, keys in auto.items():  # members in date order already
        if sid in taken or sid in grouping.stories:
            continue
        if pinned:
            keys = [k for k in keys if k in nodes and not nodes[k].pin]
        if len(keys) >= 2 and (not texts or len({texts.get(k, k) for k in keys}) >= 2):
            grouping.stories[keys[0]] = list(keys)
    grouping.stories = dict(sorted(grouping.stories.items()))
    for sid, keys in grouping.stories.items():
        for key in keys:
            grouping.of[key] = sid
    by_text: dict[str, list[str]] = defaultdict(list)
    for key, text in texts.items():  # in date order
        by_text[text].append(key)
    for key in sorted(texts):
        grouping.copies[key] = tuple(k for k in by_text[texts[key]] if k != key)
    return grouping


def cluster(nodes: dict[str, Node], links, copies: dict[str, set[str]]) -> Grouping:
    """Group from nothing (what ``Grouper`` computes step by step; for tests and the benchmark)."""
    auto = {k: n for k, n in nodes.items() if not n.pin}
    order = {key: (node.ordinal, key) for key, node in auto.items()}
    run = Pass(order, links, copies)
    result: dict[str, tuple[str, ...]] = {}
    for key in sorted(auto, key=order.__getitem__):
        result.update(run.close_before(order[key][0]))
        run.step(key)
    result.update(run.close_before(10**9))
    return finish(nodes, {sid: keys for sid, keys in result.items() if len(keys) > 1}, copies)


def _component(key: str, copies: dict[str, set[str]]) -> set[str]:
    seen, stack = {key}, [key]
    while stack:
        for other in copies.get(stack.pop(), ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def _copy_groups(nodes: dict[str, Node], copies: dict[str, set[str]]) -> dict[str, str]:
    """Each article carrying a text others carry too → the first such article (by date, then key);
    in date order."""
    groups = {}
    for key in sorted(copies):
        if key in groups or key not in nodes:
            continue
        members = sorted((k for k in _component(key, copies) if k in nodes), key=lambda k: (nodes[k].ordinal, k))
        for k in members:
            groups[k] = members[0]
    return dict(sorted(groups.items(), key=lambda item: (nodes[item[0]].ordinal, item[0])))


# --- the cached, incremental computation -------------------------------------------------------

@lru_cache(maxsize=100_000)
@lru_cache(maxsize=65536)
def month_of(ordinal: int) -> str:
    day = dt.date.fromordinal(ordinal)
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> int:
    return dt.date(int(month[:4]), int(month[5:]), 1).toordinal()


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def signature(node: Node) -> str:
    """What tells a changed article: its content hash covers its date, language, entities and ``story:``
    (a language that comes from the settings is in the state's digest); then its day, to locate it."""
    return f"{node.sha[:16]}/{node.ordinal}"


def day_of(signature_: str) -> int:
    return int(signature_.rpartition("/")[2])


class Grouper:
    """Stories kept in the build cache and brought up to date with the archive.

    Stores: ``stories`` (every article's signature, the stories, the copies and, for each
    month, the open stories at its start: the checkpoints of ``Pass``), and one
    ``stories-YYYY-MM`` per month (its articles' features and links). A change loads the
    months around it, links the new articles with their candidates, and runs the pass
    from the checkpoint of the first changed month until it is back in step.
    """

    def __init__(self, table: Table, cache, text_of, language: str = "") -> None:
        self.table = table
        self.cache = cache
        self.language = language  # the settings' language: an article without one of its own is in it
        self.text_of = text_of  # key → (title, text), read only for articles whose features are not cached
        self.made: dict[str, tuple] = {}
        """Features made elsewhere with this table (sha → (language, features)), taken by ``prefetch``."""
        self._months: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self.reported: dict[str, tuple] = {}
        """sha → (language, the whole numbers its headline or lead reports): for story pages, which then load no month."""
        self._settled = False  # grouped: the month stores are only read now (story pages' numbers), a few at a time
        self._reading = False  # in the pass: links are only read, and a month with nothing unsaved may be let go
        self._links_hold = True  # whether the links of the month stores in the cache hold (not in a grouping from nothing)
        self._written: set[str] = set()  # the months this grouping stored
        self._saving = None  # the process storing the grouping's months and state (``_store``), if one was forked

    # month stores: {"features": {sha: (lang, features)}, "links": {key: {other: (score, veto)}}}
    def _month(self, month: str) -> dict:
        if month not in self._months:
            self.settle()
            if self._settled and len(self._months) >= MONTHS_KEPT:
                del self._months[next(iter(self._months))]  # the month loaded first: pages come in date order
            elif self._reading and len(self._months) >= MONTHS_KEPT:
                # the pass reads links in date order: the month loaded first that holds nothing unsaved goes
                # (it is loaded again from the cache if asked for); the months with something unsaved (the last
                # stretch linked: more than MONTHS_KEPT of them at 100,000 articles) take no place
                clean = [m for m in self._months if m not in self._dirty]
                if len(clean) >= MONTHS_KEPT:
                    del self._months[clean[0]]
            stored = self.cache.load(f"stories-{month}") if self.cache is not None else None
            if stored and stored[0] == self.table.digest:
                links = stored[1]["links"] if self._links_hold or month in self._written else {}
                self._months[month] = {"features": dict(stored[1]["features"]), "links": dict(links)}
            else:
                self._months[month] = {"features": {}, "links": {}}
        return self._months[month]

    def features_of(self, node: Node) -> tuple:
        month = month_of(node.ordinal)
        store = self._month(month)["features"]
        found = store.get(node.sha)
        if found is None or found[0] != node.lang:
            title, text = self.text_of(node.key)
            found = store[node.sha] = (node.lang, features(title, text, node.lang, self.table))
            self._dirty.add(month)
        return found[1]

    def reported_numbers(self, node: Node) -> tuple[tuple[float, str], ...]:
        """(value, measure) of each whole number (1 or more) the article's headline or lead reports."""
        found = self.reported.get(node.sha)
        if found is None or found[0] != node.lang:
            found = (node.lang, _reported(self.features_of(node)))
        return found[1]

    def prefetch(self, nodes: list[Node]) -> None:
        """Read the features of many articles at once: in worker processes when there are enough
        (a build from nothing reads every article's), as ``features_of`` would one by one."""
        missing = []
        made = self.made
        for node in nodes:
            store = self._month(month_of(node.ordinal))["features"]
            found = store.get(node.sha)
            if found is None or found[0] != node.lang:
                found = made.pop(node.sha, None)
                if found is not None and found[0] == node.lang:  # made by the workers that read the text
                    store[node.sha] = (node.lang, found[1])  # as below (the store's bytes depend on what objects it shares)
                    self._dirty.add(month_of(node.ordinal))
                else:
                    missing.append(node)
        workers = min(os.cpu_count() or 1, 8)
        if len(missing) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        global _JOB
        _JOB = (self, missing)
        try:
            chunks = [range(i, min(i + 200, len(missing))) for i in range(0, len(missing), 200)]
            from concurrent.futures import ProcessPoolExecutor  # (here: 20 ms of imports a build without workers does without)
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for chunk, found in zip(chunks, pool.map(_features_of_some, chunks)):
                    for i, value in zip(chunk, found):
                        node = missing[i]
                        month = month_of(node.ordinal)
                        self._month(month)["features"][node.sha] = (node.lang, value)
                        self._dirty.add(month)
        finally:
            _JOB = None

    def group(self, nodes: dict[str, Node]) -> Grouping:
        """Bring the stored stories up to date with ``nodes`` and return them."""
        self.settle()
        state = self.cache.load("stories") if self.cache is not None else None
        digest = f"{self.table.digest}/{self.language}"
        self._written.clear()
        self._links_hold = True
        if not state or state.get("digest") != digest:
            state = {"digest": digest, "nodes": {}, "stories": {}, "copies": {}, "checkpoints": {}}
            # From nothing (a first build, another language, or one cut short after it stored months: see
            # ``_save_month``): the month stores' links were made for other articles, or for some of them only.
            # Their features hold (by file hash and language).
            self._links_hold = False
            for store in self._months.values():
                store["links"] = {}
        current = {key: signature(node) for key, node in nodes.items()}
        copies = {k: set(v) for k, v in state["copies"].items()}
        if current == state["nodes"]:
            self._release()
            return finish(nodes, state["stories"], copies)
        known = state["nodes"]
        get = known.get
        changed = [k for k, v in current.items() if get(k) != v]  # (new or changed; then gone)
        changed += known.keys() - current.keys()
        changed.sort()
        ordinals = {key: day_of(known[key]) for key in changed if key in known}
        days = [ordinals[k] for k in changed if k in ordinals] + [nodes[k].ordinal for k in changed if k in nodes]
        # The articles within WINDOW days of a change may choose other candidates (``CANDIDATES``): they are
        # linked again too, as if new (a pair of articles further away is chosen as before).
        if days:
            sorted_days = sorted(set(days))
            lo, hi = sorted_days[0] - WINDOW, sorted_days[-1] + WINDOW
            around = [k for k, n in nodes.items() if lo <= n.ordinal <= hi and _near(sorted_days, n.ordinal) and known.get(k) == current[k]]
            for key in around:
                ordinals[key] = nodes[key].ordinal
            days += [nodes[k].ordinal for k in around]
            changed = sorted(set(changed) | set(around))
        # links: forget those of changed articles, then link their new versions with their candidates
        for key in changed:
            if key not in ordinals:
                continue
            month = month_of(ordinals[key])
            for other in self._month(month)["links"].pop(key, {}):
                day = ordinals.get(other, day_of(known[other]) if other in known else None)
                if day is not None:
                    self._month(month_of(day))["links"].get(other, {}).pop(key, None)
                    self._dirty.add(month_of(day))
            self._dirty.add(month)
            for other in copies.pop(key, set()):
                copies.get(other, set()).discard(key)
        alive: dict[str, set[str]] = defaultdict(set)
        for node in nodes.values():
            alive[month_of(node.ordinal)].add(node.sha)
        added = [k for k in changed if k in nodes]
        # the pass (``_run``) puts an article into a story once its links are all made: while the articles
        # of a later stretch are being linked when there are many (``_link``)
        run = self._run(state, nodes, copies, set(changed), min(days), max(days))
        done: list[dict] = []

        def advance(ready: int | None) -> None:
            """Take the pass to the articles of day ``ready`` (None: to its end)."""
            self._reading = self._can_reload()
            try:
                run.send(ready)
            except StopIteration as stop:
                done.append(stop.value)
            finally:
                self._reading = False

        next(run)
        if added:
            self._link(nodes, added, copies, alive, advance)
        while not done:
            advance(None)
        state["stories"] = done[0]
        copies = {k: v for k, v in copies.items() if v}
        state["nodes"] = current
        state["copies"] = {k: tuple(sorted(v)) for k, v in copies.items()}
        if self.cache is not None:
            self._store(state, nodes, alive)
        self._release()
        return finish(nodes, state["stories"], copies)

    def _store(self, state: dict, nodes: dict[str, Node], alive: dict[str, set[str]]) -> None:
        """Store the months changed and the stories' state: in a process forked for it when there are many
        months (a build from nothing: 354 at 1,000 articles, 0.06 s on the build's one busy core, before the
        pages and the search could begin), which ``settle`` waits for."""
        months = sorted(self._dirty)
        reload = self._can_reload()

        def store() -> bytes:
            for month in months:
                self._save_month(month, nodes, alive)
            if not self._links_hold and reload:  # the months with none of these articles: their links are another's
                self.cache.keep_only("stories-", self._written)
            self.cache.save("stories", state)
            return marshal.dumps(self.cache.warnings)

        if len(months) >= STORE_ASIDE_FROM and reload:
            aside = parallel.Aside.start(store)
            if aside is not None:
                self._saving = (os.getpid(), aside)
                self._written.update(months)
                self._dirty.clear()
                return
        store()

    def settle(self) -> None:
        """Wait for the process storing the months and the state (``_store``), if any: a store read (a month's, the
        state) is then this grouping's. Its warnings (a full disk) become the cache's; a process that failed
        left the state discarded (``_save_month``: the next build groups from nothing)."""
        if self._saving is None:
            return
        pid, aside = self._saving
        self._saving = None
        if pid != os.getpid():  # a render worker, forked meanwhile: the stores it may read hold (see ``_month``)
            return
        data = aside.take()
        failed = f"{self.cache.root}: warning: the stories' build state could not be stored — the next build groups the stories again"
        for message in marshal.loads(data) if data else [failed]:
            if message not in self.cache.warnings:
                self.cache.warnings.append(message)

    def _can_reload(self) -> bool:
        """Whether a month store let go can be loaded again (from a cache on disk that this build writes)."""
        return self.cache is not None and self.cache.root is not None and not self.cache.read_only

    def _save_month(self, month: str, nodes: dict[str, Node], alive: dict[str, set[str]]) -> bool:
        """Store a month's features and links (those of articles still there); False if it could not be written.

        The stories' state is discarded first, once per grouping (saved again at its end): a build cut short
        in between leaves month stores that no state describes, and the next groups from nothing."""
        if not self._written and not self.cache.read_only:
            self.cache.discard("stories")
        store = self._months[month]
        store["features"] = {sha: f for sha, f in store["features"].items() if sha in alive[month]}
        store["links"] = {k: row for k, row in store["links"].items() if k in nodes}
        if not self.cache.save(f"stories-{month}", (self.table.digest, store)):
            return False
        self._written.add(month)
        return True

    def _release(self) -> None:
        """Forget the month stores once grouped (every article's features and links: 70 MB at 10,000
        articles); ``features_of`` loads a month again, from the cache, when a story page needs it."""
        if self.cache is not None and self.cache.root is not None:  # a month forgotten is loaded again (or its features made again)
            if not self.cache.read_only:
                self._months.clear()
                self._dirty.clear()
            self._settled = True

    def _link(self, nodes: dict[str, Node], added: list[str], copies: dict[str, set[str]], alive: dict[str, set[str]],
              advance=None) -> None:
        """Score every new article against its candidates: within ``WINDOW`` days and sharing a key (blocking).

        Many new articles (a build from nothing) are linked a stretch of months at a time (at least
        ``LINK_BATCH`` articles, in about ``STRETCHES``): the months no later stretch reaches are then stored and let go, so that
        the features of every article are never all held at once (2 GB and more at 100,000 articles).
        Each pair is scored once whatever the stretches, so the links are the same. While worker processes
        score a stretch, this process stores the pairs of the stretch before and takes the pass
        (``advance``) to the articles whose links are then all made."""
        batches: list[list[str]] = [[]]
        month = ""
        least = max(LINK_BATCH, len(added) // STRETCHES)
        for key in sorted(added, key=lambda k: (nodes[k].ordinal, k)):
            here = month_of(nodes[key].ordinal)
            if here != month and len(batches[-1]) >= least:
                batches.append([])
            month = here
            batches[-1].append(key)
        fresh = set(added)
        ordered = sorted([(node.ordinal, key) for key, node in nodes.items()])
        started = None  # the stretch being scored: (its keys, its window, how to get its pairs)
        try:
            for i in range(len(batches) + 1):
                done = None
                if started is not None:
                    added_, by_day, pairs_of = started
                    done = added_, by_day, pairs_of()  # its workers have ended: the next ones are forked from one thread
                    started = None  # (interrupted before: shut down again below, which is harmless)
                scoring = started = self._start_some(nodes, batches[i], fresh, ordered) if i < len(batches) else None
                if done is not None:
                    self._store_some(nodes, copies, *done)
                    if scoring is not None:
                        first = nodes[batches[i][0]].ordinal
                        if advance is not None:
                            advance(first - WINDOW - 1)  # every article within WINDOW days of these is linked
                        if self._can_reload():
                            reached = month_of(first - 2 * WINDOW)  # the first month this stretch reads
                            for month in [m for m in self._months if m < reached]:
                                if month in self._dirty:
                                    if not self._save_month(month, nodes, alive):
                                        continue  # not written (a full disk): kept in memory, saved again at the end
                                    self._dirty.discard(month)
                                del self._months[month]
        finally:
            if started is not None:
                started[2](cancel=True)

    def _start_some(self, nodes: dict[str, Node], added: list[str], fresh: set[str], ordered: list[tuple[int, str]]) -> tuple:
        """Start scoring ``added`` (see ``_scores``): (added, the window, a function that returns their pairs)."""
        # the candidates of a new article, and theirs (whether it is among the ones they choose): ``ordered``
        # is every article's (day, key), sorted
        days = sorted({nodes[k].ordinal for k in added})
        lo = bisect.bisect_left(ordered, (days[0] - 2 * WINDOW,))
        hi = bisect.bisect_right(ordered, (days[-1] + 2 * WINDOW, "\uffff"))
        by_day = [(day, key) for day, key in ordered[lo:hi] if _near(days, day, 2 * WINDOW)] if len(days) > 1 else ordered[lo:hi]
        self.prefetch([nodes[key] for _, key in by_day])
        reported = self.reported
        for _, key in by_day:
            node = nodes[key]
            reported[node.sha] = (node.lang, _reported(self.features_of(node)))
        return added, by_day, self._scores(nodes, added, fresh, by_day)

    def _store_some(self, nodes: dict[str, Node], copies: dict[str, set[str]], added: list[str], by_day: list[tuple[int, str]],
                    found: list[list[tuple]]) -> None:
        """Store the pairs of ``added`` (``found``, as ``_start_some`` gave them) in their months' links."""
        same = {key: key for _, key in by_day}  # a worker's keys are copies: the stores hold (and marshal shares) these
        month_at = {key: month_of(day) for day, key in by_day}
        stores: dict[str, dict] = {}  # month → its links (no month is let go while linking)
        for key, pairs in zip(added, found):  # in the order of a pass on one core: the same stores, byte for byte
            month = month_at[key]
            links = stores.get(month)
            if links is None:
                links = stores[month] = self._month(month)["links"]
            row = links.setdefault(key, {})
            for other, value, veto, copy in pairs:
                other = same[other]
                if copy:
                    copies.setdefault(key, set()).add(other)
                    copies.setdefault(other, set()).add(key)
                row[other] = (value, veto)
                month = month_at[other]
                links = stores.get(month)
                if links is None:
                    links = stores[month] = self._month(month)["links"]
                links.setdefault(other, {})[key] = (value, veto)
        self._dirty.update(stores)

    def _scores(self, nodes: dict[str, Node], added: list[str], fresh: set[str], by_day: list[tuple[int, str]]):
        """A function that returns, for each new article, its pairs worth keeping (other, score, veto, copy)
        (``cancel=True``: drops them). In worker processes when there are many (a build from nothing: at
        100,000 articles, 10 articles a day, the pairs are most of the grouping's time, and the second core
        had nothing else to do), their work cut into runs of days: they are then scored while this process
        goes on, until the function is called."""
        workers = min(os.cpu_count() or 1, 8)
        if len(added) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            found = _score_some(self, nodes, added, fresh, by_day)
            return lambda cancel=False: found
        global _JOB
        _JOB = (self, nodes, added, fresh, by_day)
        from concurrent.futures import ProcessPoolExecutor  # (here: 20 ms of imports a build without workers does without)
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        try:
            size = max(SCORE_RUN, -(-len(added) // (2 * workers)))
            chunks = [range(i, min(i + size, len(added))) for i in range(0, len(added), size)]
            results = pool.map(_scores_of_some, chunks)  # the workers are forked here, with ``_JOB`` (a fork start)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        finally:
            _JOB = None

        def pairs(cancel: bool = False) -> list[list[tuple]]:
            try:
                return [] if cancel else [pairs for found in results for pairs in found]
            finally:
                pool.shutdown(cancel_futures=True)

        return pairs

    def _run(self, state: dict, nodes: dict[str, Node], copies: dict[str, set[str]], changed: set[str], first_day: int, last_day: int):
        """Run ``Pass`` from the checkpoint before ``first_day`` until back in step; return the automatic stories.

        A generator: sent the last day whose articles have all their links (None: all), it steps the pass
        to there, and returns the stories (``StopIteration.value``) once it is done."""
        auto = {k: n for k, n in nodes.items() if not n.pin}
        order = _Order(auto)
        checkpoints: dict[str, dict] = state["checkpoints"]
        month = month_of(first_day)
        earlier = [m for m in checkpoints if m <= month]
        snapshot = checkpoints[max(earlier)] if earlier else {}
        run = Pass(order, _Links(self, nodes), copies)
        run.load({sid: keys for sid, keys in snapshot.items() if min((order[k] for k in keys if k in order), default=(0, ""))[0] >= month_start(month) - WINDOW}
                 if snapshot else {})
        touched = set(changed) | {k for keys in run.members.values() for k in keys}
        fresh_checkpoints = {month: run.open_at(month_start(month))}
        closed: dict[str, tuple[str, ...]] = {}
        last_month = month_of(last_day)
        in_step = None
        since = month_start(month)
        pending = sorted((k for k, n in auto.items() if n.ordinal >= since), key=order.__getitem__)
        ready = yield  # the last day whose articles have all their links (None: every day)
        for key in pending:
            while month_of(order[key][0]) > month:
                month = next_month(month)
                checkpoint = run.open_at(month_start(month))
                closed.update(run.close_before(month_start(month)))
                if month > last_month and checkpoints.get(month) == checkpoint:
                    in_step = month
                    break
                fresh_checkpoints[month] = checkpoint
            if in_step:
                break
            while ready is not None and order[key][0] > ready:
                ready = yield
            run.step(key)
            touched.add(key)
        if not in_step:
            month = next_month(month)
            fresh_checkpoints[month] = run.open_at(month_start(month))
            closed.update(run.close_before(10**9))
            for old in [m for m in checkpoints if m > month]:
                del checkpoints[old]
        checkpoints.update(fresh_checkpoints)
        open_ = {k for keys in (checkpoints.get(in_step, {}) if in_step else {}).values() for k in keys}
        stories = {sid: keys for sid, keys in state["stories"].items()
                   if not (set(keys) & touched) or (in_step and set(keys) & open_)}
        stories.update({sid: keys for sid, keys in closed.items() if len(keys) > 1})
        return stories


class _Order(dict):
    """(day, key) of each article taking part in the pass, made when first asked for."""

    def __init__(self, auto: dict[str, Node]) -> None:
        super().__init__()
        self.auto = auto

    def __missing__(self, key: str) -> tuple[int, str]:
        node = self.auto[key]
        value = self[key] = (node.ordinal, key)
        return value

    def get(self, key, default=None):
        return self[key] if key in self.auto else default

    def __contains__(self, key) -> bool:
        return key in self.auto


class _Links:
    """The links of an article, read from its month's store when first asked for."""

    def __init__(self, grouper: Grouper, nodes: dict[str, Node]) -> None:
        self.grouper, self.nodes = grouper, nodes

    def get(self, key: str, default=None):
        node = self.nodes.get(key)
        return default if node is None else self.grouper._month(month_of(node.ordinal))["links"].get(key, default)


PARALLEL_FROM = 400
"""From this many articles whose features are not cached, they are read in worker processes (forked); from
this many new articles in a stretch (``Grouper._scores``), their pairs are scored there too."""
SCORE_RUN = 100
"""The fewest new articles a worker scores at once (a run of days: their candidates are mostly the same)."""
_JOB: tuple | None = None


def _features_of_some(indices: range) -> list[tuple]:
    grouper, missing = _JOB
    out = []
    for i in indices:
        node = missing[i]
        title, text = grouper.text_of(node.key)
        out.append(features(title, text, node.lang, grouper.table))
    return out


def _scores_of_some(indices: range) -> list[list[tuple]]:
    grouper, nodes, added, fresh, by_day = _JOB
    return _score_some(grouper, nodes, [added[i] for i in indices], fresh, by_day)


def _score_some(grouper: Grouper, nodes: dict[str, Node], keys: list[str], fresh: set[str], by_day: list[tuple[int, str]]) -> list[list[tuple]]:
    """Score each of ``keys`` (new articles, in date order) against the candidates it chose and those that chose
    it (``CANDIDATES``; ``by_day``, day and key sorted, holds every article within 2 ``WINDOW`` days of them),
    each pair of new articles once. Nothing is changed: the features are read (``Grouper.features_of``: made
    beforehand), the pairs worth keeping are returned."""
    # The articles as sets are made when first compared and let go once out of the window of the one being
    # linked (made again if an article comes back): a build from nothing held all of them at once (GBs at 100,000).
    articles: dict[str, Article] = {}
    bits = Bits()  # see ``Article``
    table = grouper.table

    def article(key: str) -> Article:
        found = articles.get(key)
        if found is None:
            found = articles[key] = Article(nodes[key], grouper.features_of(nodes[key]), table, bits)
        return found

    # Which candidates each article chooses (``CANDIDATES``): every pair of articles within ``WINDOW`` days is
    # weighed once, by a sweep in date order ahead of the articles being linked; an article's list is whole
    # once the sweep is past it (the earlier articles added theirs, it added the later ones').
    chosen: dict[str, frozenset[str]] = {}
    chosen_by: dict[str, list[str]] = defaultdict(list)  # key → the articles that chose it
    # A candidate is ranked by (minus the weight of the keys it shares, days apart, its key), as one int:
    # ((-weight) * 16 + days) * len(names) + its key's rank among the names (WINDOW < 16)
    names = sorted({key for _, key in by_day})
    rank = {key: i for i, key in enumerate(names)}
    count = len(names)
    ranked: dict[str, list[int]] = defaultdict(list)
    likely: dict[str, list] = defaultdict(list)
    swept = bisect.bisect_left(by_day, (nodes[keys[0]].ordinal - 2 * WINDOW,)) if keys else len(by_day)
    # by position in ``by_day``: its day, its key's rank, and (from ``swept`` to ``made_to``, made with the
    # current ``bits``) its keys and anchors as ints: the pairs are weighed by ``map`` (in C), and only those
    # that share something are seen one by one
    days = [day for day, _ in by_day]
    ranks = [rank[key] for _, key in by_day]
    keymasks = [0] * len(by_day)
    anchor_masks = [0] * len(by_day)
    made_to = swept
    anchor_weight = KEY_WEIGHTS["a"].__mul__
    is_copy_ = (COPY_ANCHORS - 1).__lt__  # (of the anchors two articles share)

    def sweep(until: int) -> None:
        """Weigh the pairs of every article up to day ``until`` and settle its choice."""
        nonlocal swept, made_to
        get = articles.get
        if made_to < swept:
            made_to = swept
        while swept < len(by_day) and days[swept] <= until:
            day, key = by_day[swept]
            a = get(key) or article(key)
            keymask, anchors, mine_rank = a.keymask, a.anchors, ranks[swept]
            mine, copies = ranked.pop(key, []), likely.pop(key, [])
            swept += 1
            end = bisect.bisect_right(days, day + WINDOW, swept)
            while made_to < end:
                b = get(by_day[made_to][1]) or article(by_day[made_to][1])
                keymasks[made_to], anchor_masks[made_to] = b.keymask, b.anchors
                made_to += 1
            weights = list(map(int.bit_count, map(keymask.__and__, keymasks[swept:end])))  # of the keys they share, but anchors
            if anchors:
                shared = list(map(int.bit_count, map(anchors.__and__, anchor_masks[swept:end])))
                weights = list(map(int.__add__, weights, map(anchor_weight, shared)))
                for at in compress(range(swept, end), map(is_copy_, shared)):
                    other = by_day[at][1]
                    copies.append(other)
                    likely[other].append(key)
                    weights[at - swept] = 0
            for at in compress(range(swept, end), weights):
                base = (days[at] - day - 16 * weights[at - swept]) * count
                mine.append(base + ranks[at])
                ranked[by_day[at][1]].append(base + mine_rank)
            if len(mine) > CANDIDATES:
                mine.sort()
                del mine[CANDIDATES:]
            chosen[key] = choice = frozenset([names[ranked_ % count] for ranked_ in mine] + copies)
            for other in choice:
                chosen_by[other].append(key)

    position = {key: i for i, (_, key) in enumerate(by_day)}  # by (day, key)
    out = []
    for key in keys:
        node = nodes[key]
        lo = bisect.bisect_left(by_day, (node.ordinal - WINDOW,))
        hi = bisect.bisect_right(by_day, (node.ordinal + WINDOW, "\uffff"))
        if len(articles) > 4 * (hi - lo) + 1000 or bits.held() > BITS_HELD:
            if bits.held() > BITS_HELD:
                articles, bits = {}, Bits()
                made_to = 0  # the ints of the articles ahead, made again with the new bits
            else:
                articles = {k: a for k, a in articles.items() if abs(a.node.ordinal - node.ordinal) <= 2 * WINDOW}
            chosen = {k: c for k, c in chosen.items() if abs(nodes[k].ordinal - node.ordinal) <= 2 * WINDOW}
            chosen_by = defaultdict(list, {k: c for k, c in chosen_by.items() if abs(nodes[k].ordinal - node.ordinal) <= 2 * WINDOW})
        sweep(node.ordinal + WINDOW)  # the choices of its candidates are settled
        a = article(key)
        # the articles it chose and those that chose it (all within WINDOW days), in ``by_day``'s order
        pairs = []
        for other in sorted(chosen[key].union(chosen_by[key]), key=position.__getitem__):
            if other in fresh and other < key:
                continue
            b = articles.get(other) or article(other)
            copy = a.lang == b.lang and is_copy(a, b)
            value, veto = score(a, b, table)
            if copy or value >= KEEP:
                pairs.append((other, value, veto, copy))
        out.append(pairs)
    return out


def _reported(f: tuple) -> tuple[tuple[float, str], ...]:
    return tuple([(value, measure) for value, measure, top in f[4] if top and value >= 1 and value == int(value)])


def _near(days: list[int], ordinal: int, reach: int = WINDOW) -> bool:
    """Whether ``ordinal`` is within ``reach`` days of one of the sorted ``days``."""
    at = bisect.bisect_left(days, ordinal - reach)
    return at < len(days) and days[at] <= ordinal + reach


def node_of(record, key: str | None = None) -> Node:
    article = record.article
    return Node(key or article.slug, record.file_sha, article.date.toordinal(), article.lang, tuple(article.countries),
                tuple(article.organizations), getattr(article, "story", "") or "")


def pin_problems(records, grouping: Grouping) -> list[Problem]:
    """Editors' story ids that make no story: one article alone."""
    problems = []
    counts: dict[str, list] = defaultdict(list)
    for record in records:
        pin = getattr(record.article, "story", "")
        if pin and pin != NONE:
            counts[pin].append(record)
    for pin, found in sorted(counts.items()):
        if pin not in grouping.stories:
            record = found[0]
            problems.append(warning(record.article.path, None, f"'story: {pin}' names no other article, so there is no story page",
                                    "give the same 'story:' to another article of the incident, or use the id of a story page (stories/<id>/)"))
    return problems

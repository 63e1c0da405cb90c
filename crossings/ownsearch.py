"""Full-text search with an index of our own (setting ``search = "crossings"``): no WebAssembly, small files.

What is indexed is what Pagefind indexes (``search.search_page``): each article's title and
body, with the same filters (country, organisation, source, language, year, tag, story).

Words: the text is cut into words (letters, digits and their combining marks), each word
lowercased; its *stem* is the Snowball stem in the article's language (``snowballstemmer``),
then folded (accents and other marks dropped: ``interrégional`` and ``interregional`` are
one); its *form* is the folded word itself. Articles are numbered in date order (then by
slug), so that sorting by date needs nothing more than their numbers.

The index is split into **parts**: the articles of the years before the archive's newest, in
runs of consecutive years of at most ``search_shard_size`` articles (see ``parts``), and
those of the newest year. A new article, dated in the newest year, rewrites only the
newest part (and the small manifest); an older part changes only when one of its articles
does, or a year before it, or a new year begins. Each part holds:

- ``c-<hash>.jsonz``: chunks of its sorted words, each ~``CHUNK`` bytes: ``{"f": {form:
  {lang: stem}}, "s": {stem: {lang: postings}}}`` (a form's stem in each language of the
  archive where it is not the form itself; a stem's articles in each language), forms and stems in one sorted order, a chunk holding
  those from its first key (listed in the manifest) to the next chunk's. A query word fetches
  the chunk of its form (its stems: the browser never has to stem a word the archive
  holds; an unknown word is stemmed by Snowball's JavaScript, ``static/js/stemmers/``)
  and those of its stems' prefix (a stem matches every stem it begins, in its language,
  as Pagefind's do: ``migr`` finds ``migrat``). Postings: for each
  article, the difference from the previous article's number times 8 plus a weight 0–7
  (how often the word is there for the article's length, BM25's term part, the title
  counting three times), written as a variable number of base-32 digits (``VARINT``).
- ``f<n>.jsonz`` for each article: its address, title, date, language, source and text, for
  the result and its excerpt (computed in the browser around the first match).
- ``filters.jsonz``: for each filter, each value's articles (postings without weights):
  read only when the reader opens the filters, or comes with one chosen.

These are JSON, gzip-compressed (a third of the size or less, on disk and in a query's
download; the browser unpacks them with ``DecompressionStream``), named ``.jsonz`` so that
no server announces them as gzip-encoded. ``search/index.json`` lists the parts (first article number, count, chunks), and the
languages' names; ``search/labels.json`` the names of filter values, as for Pagefind. The
output is a function of the articles alone (no build history), so that an incremental
build gives the clean build's files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import unicodedata
from collections import Counter
from itertools import chain, groupby
from functools import cache
from pathlib import Path

from . import parallel
from .facets import keys_of
from .library import Record
from .site import Output, Site, digest

OWN_VERSION = "own/1"
CHUNK = 12_000
"""Target size of a chunk, in bytes: a query word fetches one or two (its form, its stems)."""
MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670"
"""The combining marks a word may hold (Latin accents written apart, Arabic vowel signs)."""
WORD = re.compile(rf"(?:[^\W_]+|[{MARKS}]+)+")
"""A word: letters and digits with their combining marks (the browser cuts words the same way). Runs of
either kind are taken whole (the same words as one character at a time, a fifth faster)."""
MARK = re.compile(f"[{MARKS}]")
LETTERS = re.compile(r"[^\W_]+")
"""``WORD`` in a text without a combining mark (most of them: accents come precomposed): the same words,
found in two thirds of the time (on the 1,000 articles of the bench corpus: 0.28 s rather than 0.42 s)."""

DIGITS = "0123456789abcdefghijklmnopqrstuv"
FINAL = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~()"
"""Base-32 digits: any digit but the last of a number from ``DIGITS``, the last from ``FINAL``."""
STEMMERS = {"fr": "french", "en": "english", "es": "spanish", "ar": "arabic", "de": "german", "it": "italian",
            "pt": "portuguese", "nl": "dutch"}
K1, B = 1.2, 0.75
TITLE_WEIGHT = 3
FILTERS = ("country", "organization", "source", "language", "year", "tag", "story")


def fold(word: str) -> str:
    """Lowercase, without accents or other marks (as the browser's ``fold``)."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.category(c).startswith("M"))


@cache
def _stemmer(lang: str):
    import snowballstemmer

    name = STEMMERS.get(lang)
    return snowballstemmer.stemmer(name) if name else None


class Words:
    """A word's form and stem, per language, remembered (an archive says the same words again and again)."""

    def __init__(self) -> None:
        self.known: dict[str, dict[str, tuple[str, str]]] = {}
        """Language → word → (form, stem)."""

    def __call__(self, lang: str, word: str) -> tuple[str, str]:
        found = self.of(lang).get(word)
        return self.made(lang, word) if found is None else found

    def of(self, lang: str) -> dict[str, tuple[str, str]]:
        """The words of ``lang`` known so far (word → (form, stem)): a loop over an article's words looks them up
        there, and calls ``made`` for the others."""
        found = self.known.get(lang)
        if found is None:
            found = self.known[lang] = {}
        return found

    def made(self, lang: str, word: str) -> tuple[str, str]:
        stemmer = _stemmer(lang)
        form = fold(word)
        stem = fold(stemmer.stemWord(word)) if stemmer else form
        found = self.of(lang)[word] = (form, stem or form)
        return found


def varint(value: int) -> str:
    digits = [FINAL[value & 31]]
    value >>= 5
    while value:
        digits.append(DIGITS[value & 31])
        value >>= 5
    return "".join(reversed(digits))


def postings(numbers: list[int], weights: list[int] | None = None) -> str:
    out, last = [], 0
    for i, n in enumerate(numbers):
        out.append(varint((n - last) * 8 + (weights[i] if weights else 0)))
        last = n
    return "".join(out)


def text_of(site: Site, record: Record) -> str:
    """The indexed text of an article: its body's plain text (its title is apart)."""
    return site.library.text(record)


def filters_of(site: Site, record: Record) -> list[tuple[str, str]]:
    """The article's filter values, as Pagefind's index has them (``search.search_page``)."""
    article = record.article
    found = [("country", v) for v in keys_of(record, "countries")] + [("organization", v) for v in keys_of(record, "organizations")]
    found += [("source", article.source_name)] if article.source_name else []
    found += [("language", article.lang), ("year", str(article.date.year))] + [("tag", v) for v in keys_of(record, "tags")]
    story = site.stories.of.get(article.slug)
    found += [("story", story.id)] if story else []
    return found


def ordered(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: (r.article.date, r.article.slug))


MOST_PARTS = 12
"""The older years are cut into at most about this many parts: a query fetches a chunk or two of every part."""
FEWEST_PARTS = 3
"""And into at least about this many, in a small archive: an edit of an older article makes a third of them
again at most (at 1,000 articles, ~250 rather than all ~980: the part is made while the pages render)."""


def parts(records: list[Record], size: int = 2000) -> list[tuple[str, list[Record]]]:
    """(name, articles in date order): the years before the newest in runs of consecutive years, and the newest year.

    A run holds at most ``size`` articles (a year with more stands alone), ``size`` doubled as often as it
    takes to make at most ``MOST_PARTS`` runs, or halved as often as it takes to make ``FEWEST_PARTS``: an
    edit of an older article makes one run again, not every older year, and the runs only move when a year
    before them changes or the archive doubles (or halves)."""
    if not records:
        return []
    newest = max(r.article.date.year for r in records)
    older = ordered([r for r in records if r.article.date.year < newest])
    size = max(1, size)
    while len(older) > size * MOST_PARTS:
        size *= 2
    while size > 1 and len(older) < size * FEWEST_PARTS:
        size //= 2
    runs: list[list[Record]] = []
    for _, group in groupby(older, key=lambda r: r.article.date.year):
        year = list(group)
        if runs and len(runs[-1]) + len(year) <= size:
            runs[-1].extend(year)
        else:
            runs.append(year)
    spans = [(run[0].article.date.year, run[-1].article.date.year) for run in runs]
    named = [(f"y{first}" if first == last else f"y{first}-{last}", run) for (first, last), run in zip(spans, runs)]
    return named + [(f"y{newest}", ordered([r for r in records if r.article.date.year == newest]))]


def part_inputs(site: Site, records: list[Record]) -> list[tuple[dict, list[tuple[str, str]]]]:
    """What the index needs of each article (all of it plain data, as a forked process can take it):
    its result's fields with its text, and its filter values."""
    return [(_fragment(site, r), filters_of(site, r)) for r in records]


def _fragment(site: Site, r: Record) -> dict:
    return {"url": _url(site, r), "title": r.article.title, "date": r.article.date.isoformat(),
            "lang": r.article.lang, "source": r.article.source_name or "", "text": text_of(site, r)}


def _url(site: Site, r: Record) -> str:
    return f"{site.config.base_path}articles/{r.article.slug}/"


def build_part(site: Site, records: list[Record], first: int, words: Words, languages: list[str]) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    """One part's files (name → bytes) and its chunks' first keys with their file names."""
    return build_part_from(part_inputs(site, records), first, words, languages)


def words_in(text: str) -> list[str]:
    """``WORD.findall(text)``."""
    return (WORD if MARK.search(text) else LETTERS).findall(text)


def analyse(fragment: dict, words: Words, into: dict[str, str] | None = None) -> tuple:
    """What the index takes of one article: (language, each stem's count, the forms it says with the word first
    said for each, its length in words, its fragment file's bytes). The title counts ``TITLE_WEIGHT`` times.
    The stems are one string (NUL between them: words have none) and their counts a tuple; the forms one string,
    each form and its word after it: three objects rather than some 1,500 per article, in memory (a part's articles
    are kept until it is made, with ``Memo``: 16,000 at 100,000 articles) and in its store.
    With ``into`` (the part's forms, its articles taken in order), its forms go there, not in the tuple (for
    a part made without ``Memo``: each article's forms, kept until the part is made, took 66 MB more at
    10,000 articles)."""
    lang = fragment["lang"]
    found: dict[str, int] = {}
    forms: dict[str, str] = {} if into is None else into
    in_text, in_title = words_in(fragment["text"].lower()), words_in(fragment["title"].lower())
    said = Counter(in_text)
    length = len(in_text) + len(in_title)
    for word, times in Counter(in_title).items():
        said[word] += times * TITLE_WEIGHT
    known, add_form, count = words.of(lang), forms.setdefault, found.get
    for word, times in said.items():
        form_stem = known.get(word)
        if form_stem is None:
            form_stem = words.made(lang, word)
        add_form(form_stem[0], word)
        stem = form_stem[1]
        found[stem] = count(stem, 0) + times
    return lang, ("\0".join(found), tuple(found.values())), "\0".join(chain.from_iterable(forms.items())) if into is None else "", max(length, 1), _gzip(_json(fragment))


def build_part_from(inputs: list[tuple[dict, list[tuple[str, str]]]], first: int, words: Words,
                    languages: list[str]) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    forms: dict[str, str] = {}
    return build_part_of([(analyse(fragment, words, forms), filters) for fragment, filters in inputs], first, words, languages, forms)


def build_part_of(analysed: list[tuple[tuple, list[tuple[str, str]]]], first: int, words: Words,
                  languages: list[str], forms: dict[str, str] | None = None) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    """One part's files (name → bytes) and its chunks' first keys with their file names, from each article's
    ``analyse`` and filter values, in the part's order (``forms``: those ``analyse`` put there, if it did)."""
    forms = {} if forms is None else forms  # form → the word it was first seen as (what is stemmed in every language)
    fragments: dict[str, bytes] = {}
    facets: dict[str, dict[str, list[int]]] = {}
    for local, ((_, _, said_as, _, fragment), filters) in enumerate(analysed):
        if said_as:
            said = said_as.split("\0")
            for form, word in zip(said[::2], said[1::2]):
                if form not in forms:
                    forms[form] = word
        fragments[f"f{first + local}.jsonz"] = fragment
        for name, value in filters:
            facets.setdefault(name, {}).setdefault(value, []).append(local)
    average = sum(a[3] for a, _ in analysed) / len(analysed) if analysed else 1
    stems: dict[str, dict[str, tuple[list[int], list[int]]]] = {}
    for local, ((lang, (said, counts), _, length, _), _) in enumerate(analysed):
        norm = K1 * (1 - B + B * length / average)
        number = first + local
        for stem, tf in zip(said.split("\0"), counts):
            weight = int(8 * tf / (tf + norm))  # tf / (tf + norm), BM25's term part, scaled to 0–7
            by_lang = stems.get(stem)
            if by_lang is None:
                by_lang = stems[stem] = {}
            found = by_lang.get(lang)
            if found is None:
                found = by_lang[lang] = ([], [])
            found[0].append(number)
            found[1].append(weight if weight < 7 else 7)
    entries: list[tuple[str, str, object]] = []
    for form, word in forms.items():  # a form's stem in every language of the archive, where it is not the form itself
        entries.append((form, "f", {lang: stem for lang in languages if (stem := words(lang, word)[1]) != form}))
    entries += [(stem, "s", {lang: postings(*found) for lang, found in sorted(by_lang.items())}) for stem, by_lang in stems.items()]
    entries.sort(key=lambda e: (e[0], e[1]))
    files: dict[str, bytes] = dict(fragments)
    chunks: list[tuple[str, str]] = []
    current: dict[str, dict] = {"f": {}, "s": {}}
    size, start, previous = 0, None, None
    for key, kind, value in entries:
        if size >= CHUNK and key != previous:
            chunks.append(_chunk(start, current, files))
            current, size, start = {"f": {}, "s": {}}, 0, None
        start = key if start is None else start
        current[kind][key] = value
        size += len(key.encode()) + _json_size(value) + 4
        previous = key
    if start is not None:
        chunks.append(_chunk(start, current, files))
    files["filters.jsonz"] = _gzip_json({name: {value: postings(numbers) for value, numbers in sorted(values.items())}
                                   for name, values in sorted(facets.items())})
    return chunks, files


def _json_size(value: dict[str, str]) -> int:
    """``len(_json(value))`` of an index entry's value (language → a stem, or → postings), without writing it: none
    of its characters is escaped in JSON (words are letters and marks; postings, ``DIGITS`` and ``FINAL``), so each
    item takes its two texts' UTF-8 bytes, four quotes, a colon and a comma (none after the last, two braces)."""
    return 1 + sum(len(k.encode()) + len(v.encode()) + 6 for k, v in value.items()) if value else 2


def _chunk(start: str, content: dict, files: dict[str, bytes]) -> tuple[str, str]:
    data = _json(content)
    name = f"c-{hashlib.sha256(data).hexdigest()[:16]}.jsonz"
    data = _gzip(data)
    files[name] = data
    return start, name


def _json(content) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _gzip(data: bytes) -> bytes:
    """Gzip-compressed, the same bytes for the same data (no time, no name in the header). Level 5: on the 10k
    bench site's search files (70.7 MB of JSON), 15.73 MB in 0.82 s of CPU, against 15.59 MB in 1.50 s at level 9
    and 15.60 MB in 1.43 s at level 6 (+0.9 % of bytes for the half of the time)."""
    return gzip.compress(data, compresslevel=5, mtime=0)


def _gzip_json(content) -> bytes:
    return _gzip(_json(content))


def _bytes(data: bytes | Path):
    return data.read_bytes if isinstance(data, Path) else (lambda: data)


CHILD_READS_FROM = 0
"""From this many articles to index, the forked child reads their texts itself, a part at a time: always.
Read here, all of them (half a GB at 100,000 articles) stayed in the build's process while it renders, and
in every render worker forked meanwhile; and the build's render workers waited for that reading, since they
are forked only once this thread has forked (0.05 s at 1,000 articles, on the build's one busy core)."""


class Memo:
    """What the index took of each article of a part (``analyse``), kept in the build cache from one build to
    the next, a store for each part (``ownsearch-memo-<part>``). A part is made again when one of its articles
    changes: the newest year's when a new article comes (1,600 articles at 100,000), a run of older years when one
    of its articles is edited (~250 articles at 1,000, 2,000-16,000 at 100,000: see ``parts``); only the changed
    articles are then read and cut into words (at 1,000 articles, an edit of an older one waited 0.4 s for its
    part's ~250). An article is known by its file's hash and its address (what its fragment and its words are
    made of: see ``Record.file_sha``); a part's store holds its articles as the last build that made it saw them.
    The stores take ~6 kB per article (60 MB at 10,000 articles), in the cache only."""

    PREFIX = "ownsearch-memo-"
    FORMAT = 2
    """Of what ``analyse`` returns (2: stems and forms as strings)."""

    def __init__(self, cache) -> None:
        self.cache = cache

    def load(self, part: str) -> dict:
        found = self.cache.load(self.PREFIX + part)
        return found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == (OWN_VERSION, self.FORMAT, part) else {}

    def save(self, part: str, known: dict, fresh: dict) -> None:
        if fresh != known:
            self.cache.save(self.PREFIX + part, ((OWN_VERSION, self.FORMAT, part), fresh))

    def keep_only(self, names) -> None:
        """Remove the stores of the parts the index no longer has (the runs of years moved)."""
        self.cache.keep_only(self.PREFIX, names)
        self.cache.discard("ownsearch-memo")  # (the one store of the newest part, before there was one per part)


def _analysed(site: Site, name: str, records: list[Record], words: Words, memo: Memo | None,
              forms: dict[str, str]) -> list[tuple[tuple, list[tuple[str, str]]]]:
    """``analyse`` and the filter values of each of ``records`` (the part ``name``); with ``memo``, the articles it
    knows are taken from it (without, their forms go into ``forms``)."""
    if memo is None:
        return [(analyse(_fragment(site, r), words, forms), filters_of(site, r)) for r in records]
    known = memo.load(name)
    fresh = {}
    out = []
    for r in records:
        key = (r.file_sha, _url(site, r))
        found = known.get(key)
        if found is None:
            found = analyse(_fragment(site, r), words)
        fresh[key] = found
        out.append((found, filters_of(site, r)))
    memo.save(name, known, fresh)
    return out


def _made_part(site: Site, name: str, records: list[Record], first: int, words: Words, languages: list[str],
               memo: Memo | None) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    """``build_part`` of the part ``name``, what ``memo`` knows of its articles taken from it."""
    forms: dict[str, str] = {}
    analysed = _analysed(site, name, records, words, memo, forms)
    return build_part_of(analysed, first, words, languages, forms)


def make_parts(site: Site, todo: list, languages: list[str], cancel=None, spool: Path | None = None, forked=None, here: bool = False,
               has=None, memo: Memo | None = None) -> dict[str, tuple]:
    """Make the parts to make: name → (key, chunks, listing, files). With ``spool`` (a folder that lasts
    until the site is written), in a forked process that writes the files there, on another core
    than the pages being rendered meanwhile (in this process, the index would share their core:
    one interpreter runs one thread at a time); its files are then given by their paths. With ``here``
    (this process is already a child of the build's: ``builder.SearchChild``), they are written there by this
    process. A file ``has(rel, sha)`` says the site has already (``search/{name}/{rel}`` with those bytes:
    an article's fragment that kept its number) is not written: it is not in ``files``. ``memo``: what the
    last builds took of each part's articles (``Memo``)."""
    if not todo:
        return {}
    if spool is None or not hasattr(os, "fork"):
        words, made = Words(), {}
        for name, key, first, records in todo:
            chunks, files = _made_part(site, name, records, first, words, languages, memo)
            made[name] = (key, chunks, [(rel, hashlib.sha256(b).hexdigest()) for rel, b in sorted(files.items())], files)
        return made
    folder = Path(spool) / "ownsearch"
    if here:
        return _with_paths(_made_into(site, todo, languages, folder, has, None, memo), folder)
    import multiprocessing
    import threading
    import time

    for lang in STEMMERS:  # imported and made here: the child must import nothing (another thread may hold the import lock)
        _stemmer(lang)
    reads = sum(len(records) for _, _, _, records in todo) >= CHILD_READS_FROM
    if reads:  # whatever reading a text takes is imported (and made) here: a forked child must import nothing
        part_inputs(site, todo[0][3][:1])
        if site.library.may_need_markdown(r for _, _, _, records in todo for r in records):  # (0.1 s of imports, which
            site.library.renderer.markdown("")  # this thread would run while the pages are planned: not for a cold 1k build)
        inputs = None
    else:
        inputs = [part_inputs(site, records) for _, _, _, records in todo]
    children: list[list] = []  # [reader, pid] of each process making some of the parts
    pending = children  # those whose findings are still to come (killed, not waited for, if this ends in an error)
    try:
        shares = _shares([len(records) for _, _, _, records in todo])
        for some in shares:
            reader, writer = multiprocessing.get_context("fork").Pipe(duplex=False)
            pid = os.fork()
            if pid == 0:  # a child: makes its parts, writes their files, sends their lists, and leaves at once
                status = 1
                try:
                    reader.close()
                    for other, _ in children:
                        other.close()
                    if len(shares) > 1:  # two: behind the build's planning and its pages (see ``SHARED_FROM``)
                        try:
                            os.nice(parallel.BEHIND)
                        except OSError:
                            pass
                    if reads:
                        site.library._renderer_lock = threading.Lock()  # another thread may have held it at the fork
                    writer.send(_made_into(site, [todo[i] for i in some], languages, folder, has,
                                           None if inputs is None else [inputs[i] for i in some], memo))
                    status = 0
                finally:
                    os._exit(status)
            writer.close()
            children.append([reader, pid])
        if forked is not None:
            forked.set()  # from here this thread only waits for the children: the build may fork its render workers
        found: dict = {}
        pending = list(children)
        while pending:
            for child in list(pending):
                reader, pid = child
                if reader.poll(0.1 / len(pending)):
                    found.update(reader.recv())
                    pending.remove(child)
                    continue
                if cancel is not None and cancel.is_set():
                    from .search import Cancelled

                    raise Cancelled
                if os.waitpid(pid, os.WNOHANG)[0]:
                    child[1] = 0
                    if not reader.poll(0.1):
                        from .search import SearchError

                        raise SearchError("the search index could not be made (its process stopped)")
                    found.update(reader.recv())
                    pending.remove(child)
        pending = []
    finally:
        for reader, pid in children:
            reader.close()
            if pid and any(child[1] == pid for child in pending):  # (an error or a cancel: the others are not waited for)
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            while pid:
                try:
                    os.waitpid(pid, 0)
                    break
                except ChildProcessError:
                    break
                except InterruptedError:
                    time.sleep(0.01)
    return _with_paths(found, folder)


SHARED_FROM = 20_000
"""From this many articles to index, the parts are made by two processes (``_shares``) where there are two cores or
more, each at a lower priority (``parallel.BEHIND``). A cold build of 100,000 articles on two cores: one process made
the index (88.5 s of CPU) while two rendered the pages, and went on alone for 5.5 s once they were done, the other
core idle. Two processes at the build's priority took a third of a core from its planning (one thread, which the
render workers wait for: 9.8 s for 6.5 s of CPU); behind it, they take what the build leaves, then both cores once
the pages are done. At 10,000 articles one process ends before the pages (7.7 s of CPU, 0.8 s before): a second
would only be one more fork."""


def _shares(sizes: list[int]) -> list[list[int]]:
    """The parts to make (their article counts), by position: for one process, or for two with about as many articles
    each (the largest parts first, each to the one with fewer so far)."""
    if len(sizes) < 2 or sum(sizes) < SHARED_FROM or parallel.worker_count() < 2:
        return [list(range(len(sizes)))]
    loads, shares = [0, 0], [[], []]
    for i in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        lighter = loads.index(min(loads))
        loads[lighter] += sizes[i]
        shares[lighter].append(i)
    return [sorted(share) for share in shares]


def _with_paths(found: dict, folder: Path) -> dict[str, tuple]:
    return {name: (key, chunks, listing, {rel: folder / name / rel for rel, _ in listing if rel not in kept})
            for name, (key, chunks, listing, kept) in found.items()}


def _made_into(site: Site, todo: list, languages: list[str], folder: Path, has=None, inputs: list | None = None,
               memo: Memo | None = None) -> dict[str, tuple]:
    """The parts made, their files written into ``folder`` (but those ``has`` says the site has): name → (key,
    chunks, listing, the files not written)."""
    words, made = Words(), {}
    for i, (name, key, first, records) in enumerate(todo):
        if inputs is None:
            chunks, files = _made_part(site, name, records, first, words, languages, memo)
        else:
            chunks, files = build_part_from(inputs[i], first, words, languages)
        (folder / name).mkdir(parents=True, exist_ok=True)
        listing, kept = [], []
        for rel, b in sorted(files.items()):
            sha = hashlib.sha256(b).hexdigest()
            listing.append((rel, sha))
            if has is not None and has(f"search/{name}/{rel}", "search:" + sha):
                kept.append(rel)
            else:
                (folder / name / rel).write_bytes(b)
        made[name] = (key, chunks, listing, frozenset(kept))
    return made


def plan_own_search(site: Site, cache, kept: callable, labels_of: callable, later: bool = False, cancel=None,
                    spool: Path | None = None, forked=None, here: bool = False) -> tuple[list[Output], bool]:
    """Outputs of the search index: a part whose articles did not change is reused as it is
    (its files' names and keys from the cache, its bytes from the site already written)."""
    known = cache.load("ownsearch") or {}
    languages = sorted({r.article.lang for r in site.records})
    found = parts(site.records, site.config.search_shard_size)
    # With ``later`` (the dev server), a part whose articles were only edited keeps its files for now and
    # is made again right after the pages are shown; not when articles came or went (numbers move).
    structure = [name for name, _ in found] + [len(records) for _, records in found] + languages
    if later and known.get("structure") != structure:
        later = False
    fresh: dict = {"structure": structure}
    outputs: list[Output] = []
    manifest_parts = []
    first = 0
    pending = False
    todo = []  # the parts to make: (name, key, first, records)
    for name, records in found:
        key = digest(OWN_VERSION, name, first, site.config.base_path, languages,
                     [(r.article.slug, r.file_sha, _story(site, r)) for r in records])
        previous = known.get(name)
        if previous and (previous[0] == key or later) and all(kept(f"search/{name}/{rel}", "search:" + sha) for rel, sha in previous[2]):
            pending = pending or previous[0] != key
            fresh[name] = (previous[0], previous[1], previous[2])
        else:
            todo.append((name, key, first, records))
        manifest_parts.append({"name": name, "first": first, "count": len(records)})
        first += len(records)
    memo = Memo(cache)
    made = make_parts(site, todo, languages, cancel, spool, forked, here, kept, memo)
    if todo:
        memo.keep_only(name for name, _ in found)
    for part in manifest_parts:
        name = part["name"]
        if name in made:
            key, chunks, listing, files = made[name]
            fresh[name] = (key, chunks, listing)
        else:
            (key, chunks, listing), files = fresh[name], None
        part["chunks"] = chunks
        for rel, sha in listing:
            data = files.get(rel) if files is not None else None
            outputs.append(Output(f"search/{name}/{rel}", None, "search:" + sha, None, _bytes(data) if data is not None else _vanished,
                                  source=(data, sha) if isinstance(data, Path) else None))
    manifest = {"version": OWN_VERSION, "parts": manifest_parts, "langs": languages, "languages": labels_of(site, site.config.language)["language"]}
    labels = {"labels": labels_of(site, site.config.language),
              "story_langs": {story.id: story.title_record.article.lang for story in site.stories.stories.values()}}
    if len(site.config.interface) > 1:
        manifest["translated_languages"] = {lang: labels_of(site, lang)["language"] for lang in site.config.interface[1:]}
        labels["translated_labels"] = {lang: labels_of(site, lang) for lang in site.config.interface[1:]}
    for path, content in (("search/index.json", manifest), ("search/labels.json", labels)):
        data = _json(content)
        outputs.append(Output(path, None, "search:" + hashlib.sha256(data).hexdigest(), None, _bytes(data)))
    if fresh != known:
        cache.save("ownsearch", fresh)
    return outputs, pending


def _vanished() -> bytes:
    from .search import SearchError

    raise SearchError("a search file vanished from the site; build again with --clean")


def _story(site: Site, record: Record) -> str:
    story = site.stories.of.get(record.article.slug)
    return story.id if story else ""

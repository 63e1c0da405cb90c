"""The content folder, read through the cache: only new or changed files are parsed."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import threading
from multiprocessing import get_all_start_methods, get_context
from typing import NamedTuple
from pathlib import Path

from slugify import slugify

from . import articles, parallel, publishers
from .cache import Cache, Scan, sha
from .config import Config
from .markup import Renderer, excerpt, paragraphs_html, plain_paragraphs
from .problems import Problem, display_path, error


class Record(NamedTuple):
    """What the site model needs of one article, without its body (kept small for the cache)."""

    article: articles.Article
    rel: str
    """The file, relative to the content folder."""
    file_sha: str
    excerpt: str
    version: str
    """A hash of what lists show of the article (title, date, excerpt…)."""

    def as_tuple(self) -> tuple:
        """Plain values, for the build cache."""
        a = self.article
        return (self.rel, self.file_sha, self.excerpt, self.version, a.path, a.slug, a.title, a.date.toordinal(),
                a.lang, a.source, a.source_name, a.seed, a.draft, a.countries, a.organizations, a.tags, a.story)

    @classmethod
    def from_tuple(cls, t: tuple) -> Record:
        article = articles.Article(t[4], t[5], t[6], dt.date.fromordinal(t[7]), t[8], "", *t[9:])
        return cls(article, t[0], t[1], t[2], t[3])


def entry(article: articles.Article, excerpt_: str) -> dict:
    """What a list shows of an article."""
    return {
        "title": article.title, "url": article.url, "date": article.date.isoformat(),
        "lang": article.lang, "dir": article.dir, "source_name": article.source_name,
        "excerpt": excerpt_,
    }


def entry_version(article: articles.Article, excerpt_: str) -> str:
    return hashlib.blake2b(repr(tuple(entry(article, excerpt_).values())).encode(), digest_size=12).hexdigest()


class Library:
    """Reads ``content/**/*.md``; remembers parsed files and rendered Markdown by hash."""

    def __init__(self, config: Config, cache: Cache, renderer: Renderer | None = None, scan: Scan | None = None,
                 spool: Path | None = None) -> None:
        self.config = config
        self.cache = cache
        self.renderer = renderer or Renderer()
        self._renderer_lock = threading.Lock()  # one Python-Markdown instance, not safe in two threads at once
        self.prefix = display_path(config.content)
        self._html: dict[str, tuple[str, str]] | None = None
        self._html_dirty = False
        self._read_already: dict[str, tuple[tuple, bytes]] = {}  # (``read_already``)
        self.scan = scan or Scan()
        self._publishers: publishers.Table | None = None
        self._publishers_key: str | None = None
        self._names_stored = 0  # how many hosts' names the store held for the table
        self.features_made: dict[str, tuple] = {}
        """Record key → (language, story features), made by the workers that read many files at once while
        they hold each text (a build whose cache was lost): the stories take them rather than read every
        text again in workers of their own (``stories.Grouper.prefetch``)."""
        self._features: dict[str, tuple] | None = None  # in a worker: the features it made
        self.features_table = None
        self._kept: dict[str, tuple[str, str]] = {}
        """Record key → (HTML, plain text) of the plain bodies read by this build, while they take at most
        ``BODIES_KEPT`` characters (see ``_body``)."""
        self._kept_size = 0
        self.spool = spool
        """A folder of this build (removed at its end) where the workers that read many files at once leave the plain
        bodies they read (``_read_some``), for the pages, the exports and the search index to take from there."""
        self._spooled: dict[str, int] = {}
        """Record key → the number of its body's spool file (``_spool_file``)."""
        self._spool_files: dict[int, dict[str, str]] = {}  # the spool files read last (``_from_spool``)
        self._spool_lock = threading.Lock()
        self._spool_next = 0  # the number of the next spool file (each batch of workers numbers its files from there)
        self._ahead: dict[str, tuple] = {}
        """rel → the entry (see ``_read``) made by import's workers while they read the file for the content index
        (``ahead``): ``load`` takes it if the file is still the one read."""
        self._stored: tuple[dict[str, tuple], list[str] | None] | None = None

    def publishers(self) -> publishers.Table:
        """The publishers table, knowing the hosts named before (import's store of names, which ``load``
        adds to): naming an article's known host then needs no tldextract, slow to import in each process."""
        if self._publishers is None:
            self._publishers = publishers.for_config(self.config)
            stored = self.cache.load(publishers.NAMES_STORE) or {}
            if stored.get("key") == publishers.names_key(self.config):
                self._publishers.learn(stored["names"])
            self._names_stored = len(self._publishers.names())
        return self._publishers

    def _keep_names(self, entries: list[tuple]) -> None:
        """Add to the store of hosts' names those of the articles just named from the table (some perhaps by
        workers): the next import of a seed from one of those hosts, or the next build, looks none up."""
        found = {}
        for entry in entries:
            if entry[4] and entry[2] is not None:
                record = entry[2]  # as_tuple: the source at 9, its name at 10
                found[publishers.effective_host(record[9])] = record[10]
        if not found:
            return
        table = self.publishers()  # it read the store, and has the names given here since
        table.learn(found)  # and those given by workers
        if len(table.names()) != self._names_stored:
            self._names_stored = len(table.names())
            self.cache.save(publishers.NAMES_STORE, {"key": publishers.names_key(self.config), "names": table.names()})

    def publishers_key(self) -> str:
        if self._publishers_key is None:
            self._publishers_key = publishers.fingerprint(self.config)
        return self._publishers_key

    def load(self) -> tuple[list[Record], list[Problem]]:
        """Every article (bad files left out) and every problem, old and new."""
        known, shards = self.stored()
        self._stored = None  # (stored again below: read again if asked)
        fresh: dict[str, tuple] = {}
        records: list[Record] = []
        problems: list[Problem] = []
        signatures = self.scan.signatures(self.config.content, ".md")
        todo = [(rel, sig, known.get(rel)) for rel, sig in signatures if rel not in known or known[rel][0] != sig]
        made: dict[str, tuple] = {}
        if self._ahead:  # made by import's workers: those of files still as they read them
            ahead, self._ahead = self._ahead, {}
            rest = []
            for job in todo:
                entry = ahead.get(job[0])
                if entry is not None and entry[0] == job[1]:
                    made[job[0]] = entry
                else:
                    rest.append(job)
            todo = rest
        if len(todo) >= PARALLEL_FROM:
            made.update(self._read_many(todo))
        changed: set[str] = set()  # the folders whose part of the store changed
        read: list[tuple] = []  # the entries made now
        from_tuple = Record.from_tuple
        for rel, sig in signatures:
            old = entry = known.get(rel)
            if entry is None or entry[0] != sig:
                entry = made.pop(rel, None) or self._read(rel, sig, entry)
            if entry[4] and entry[4] != self.publishers_key():  # its publisher's name came from a table since changed
                entry = self._read(rel, sig, None)
            if entry is not old:
                changed.add(_folder(rel))
                read.append(entry)
            fresh[rel] = entry
            if entry[2] is not None:
                records.append(from_tuple(entry[2]))
            if entry[3]:
                problems.extend(Problem(*p) for p in entry[3])
        if len(fresh) != len(known):
            changed.update(_folder(rel) for rel in known.keys() - fresh.keys())
        if changed or shards is None:
            self._save(fresh, changed, shards)
        self._keep_names(read)
        if self._html_dirty:
            self.cache.save("html", self._html)
        return records, problems

    def stored(self) -> tuple[dict[str, tuple], list[str] | None]:
        """What the build cache knows of the content files (rel → entry, see ``_read``), and the folders it is
        stored by (None: not stored by folder yet). One store per folder of content/ (a year), so that a new
        article writes its year's again, not every article's (95 MB at 100,000 articles). Loaded once for
        ``ahead`` and ``load``."""
        if self._stored is None:
            self._stored = self._load_stored()
        return self._stored

    def _load_stored(self) -> tuple[dict[str, tuple], list[str] | None]:
        shards = self.cache.load("content-folders")
        if shards is None:
            return self.cache.load("content") or {}, None  # the store of earlier versions, all in one
        known: dict[str, tuple] = {}
        for folder in shards:
            known.update(self.cache.load(_store(folder)) or {})
        return known, shards

    def _save(self, fresh: dict[str, tuple], changed: set[str], shards: list[str] | None) -> None:
        """Store the folders whose files changed (all of them when the store is not by folder yet)."""
        present = sorted({_folder(rel) for rel in fresh})
        write = set(present) if shards is None else changed.intersection(present)
        folders: dict[str, dict[str, tuple]] = {folder: {} for folder in write}
        for rel, entry in fresh.items():
            folder = folders.get(_folder(rel))
            if folder is not None:
                folder[rel] = entry
        for folder in sorted(write):
            self.cache.save(_store(folder), folders[folder])
        for folder in set(shards or ()) - set(present):
            self.cache.discard(_store(folder))
        if present != shards:
            self.cache.save("content-folders", present)
        if shards is None:
            self.cache.discard("content")

    def _read(self, rel: str, sig: tuple, old: tuple | None, data: bytes | None = None) -> tuple:
        """Parse one content file (``data``: its bytes, if read already): (signature, hash, record or None,
        problems, publishers key).

        An article with a source but no publisher's name of its own (or only the bare
        host, as import wrote before publishers had names) is named from publishers.toml;
        then the last item is the table's fingerprint, so that a change of the table
        reads it again, and the record's hash (which keys every page showing it) covers
        the name as well as the file.
        """
        shown = f"{self.prefix}/{rel}"
        path = self.config.content / rel
        try:
            if data is None:
                data = self._already_read(rel, sig) or path.read_bytes()
        except OSError as exc:
            return (sig, "", None, (error(shown, None, f"cannot be read: {exc.strerror}", "check the file's permissions").as_tuple(),), "")
        digest = sha(data)
        if old is not None and old[1] == digest:
            return (sig, *old[1:])  # touched, not changed
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return (sig, digest, None, (error(shown, None, f"not UTF-8 ({exc.reason} at byte {exc.start})", "re-save the file as UTF-8").as_tuple(),), "")
        article, problems = articles.load(text, shown, slugify(Path(rel).stem) or "article", self.config.language)
        plain_problems = tuple(p.as_tuple() for p in problems)
        if article is None:
            return (sig, digest, None, plain_problems, "")
        key, named_by = digest, ""
        if article.source and publishers.is_unnamed(article.source_name, article.source):
            article = article._replace(source_name=self.publishers().name_of(article.source))
            key, named_by = sha(f"{digest}\0{article.source_name}".encode()), self.publishers_key()
        html, plain, is_plain = self.renderer.render_plain(article.body)
        if not is_plain:  # Markdown: worth remembering between builds
            self.html_store()[key] = (html, plain)
            self._html_dirty = True
        else:
            self._keep(key, html, plain)
        short = excerpt(plain)
        record = Record(article._replace(body=""), rel, key, short, entry_version(article, short))
        if self._features is not None:
            from .stories import features

            self._features[key] = (article.lang, features(article.title, plain, article.lang, self.features_table))
        return (sig, digest, record.as_tuple(), plain_problems, named_by)

    def _keep(self, key: str, html: str, plain: str) -> None:
        """Hold a plain body for this build's pages, exports and search index (``_body``), unless the bodies
        held already take ``BODIES_KEPT`` characters: the others are read again from their files when needed
        (holding every article's text and HTML for the whole build would take 135 MB at 10,000 articles)."""
        if self._kept_size < BODIES_KEPT:
            self._kept[key] = (html, plain)
            self._kept_size += len(html) + len(plain)

    def _read_many(self, jobs: list[tuple[str, tuple, tuple | None]]) -> dict[str, tuple]:
        """``_read`` of many files (a build whose cache was lost reads every one), in worker processes;
        {} where forking is not worth it. The same entries as one by one, and the same Markdown kept."""
        workers = min(parallel.worker_count(), len(jobs) // PARALLEL_FROM)
        if workers < 2 or "fork" not in get_all_start_methods():
            return {}
        self.before_workers()
        global _JOB
        _JOB = (self, jobs, self._spool_next)
        made: dict[str, tuple] = {}
        try:
            chunks = chunked(len(jobs), workers)
            self._spool_next += len(jobs)
            from concurrent.futures import ProcessPoolExecutor  # (here: 20 ms of imports a build without workers does without)
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                for chunk, found in zip(chunks, pool.map(_read_some, chunks)):
                    for i in chunk:
                        self._read_already.pop(jobs[i][0], None)
                    made.update(self.take(found))
        finally:
            _JOB = None
        return made

    def before_workers(self) -> None:
        """Load what ``_read`` needs once, before worker processes are forked to call it."""
        self.publishers(), self.publishers_key()
        from .stories import load_table

        self.features_table = load_table(self.config.places)  # the stories' table (the same object, read once)

    def ahead(self, changed: list[tuple[str, tuple]]) -> tuple[dict[str, tuple], int]:
        """Of ``changed`` (rel, signature: the content files import's workers are about to read for its index, in a
        build whose cache was lost), those this library would parse (rel → (signature, its stored entry)), and the
        number of the first spool file the workers may write (``read_chunk``): the workers then parse each file
        they read (``read_chunk``, ``take``, ``ahead_made``), so that it is read once (at 100,000 articles, the
        files import read were out of the system's memory by the time the library read them again: 5 s more)."""
        known, _ = self.stored()
        wanted = {rel: (sig, known.get(rel)) for rel, sig in changed if rel not in known or known[rel][0] != sig}
        if wanted:
            self.before_workers()
        at = self._spool_next
        self._spool_next += len(changed)
        return wanted, at

    def ahead_made(self, made: dict[str, tuple]) -> None:
        """Keep the entries import's workers made (``ahead``) for ``load``."""
        self._ahead.update(made)

    def read_chunk(self, jobs: list[tuple[str, tuple, tuple | None, bytes | None]], at: int) -> tuple:
        """In a worker: ``_read`` of some files ((rel, signature, stored entry, bytes or None)), the Markdown bodies
        rendered on the way and the articles' story features (see ``features_made``); the plain bodies go to spool
        file ``at``. What ``take`` takes."""
        self._html = {}  # this worker's additions only (``_read`` adds to the store, never reads it)
        self._features = {}
        self._kept, self._kept_size = {}, 0  # (the budget is the build's: ``_keep`` in the build's process)
        entries = [self._read(*job) for job in jobs]
        rels = [job[0] for job in jobs]
        kept = self._kept
        if self.spool is not None and kept:
            # Into the spool, rather than sent to the build's process (1.3 GB of HTML and text pickled at 100,000 articles) or read
            # again from 100,000 files later by each process that needs them.
            try:
                with open(_spool_file(self.spool, at), "xb") as out:
                    marshal.dump({key: plain for key, (_, plain) in kept.items()}, out)
                return rels, entries, self._html, self._features, list(kept), at
            except OSError:
                pass  # (sent instead)
        return rels, entries, self._html, self._features, kept, at

    def take(self, found: tuple) -> dict[str, tuple]:
        """In the build's process: what a worker's ``read_chunk`` made, kept; rel → entry."""
        rels, entries, html, features, kept, at = found
        if html:
            self.html_store().update(html)
            self._html_dirty = True
        self.features_made.update(features)
        if isinstance(kept, list):  # spooled: the keys only
            self._spooled.update(dict.fromkeys(kept, at))
        else:
            for key, (body_html, plain) in kept.items():
                self._keep(key, body_html, plain)
        return dict(zip(rels, entries))

    def read_already(self, read: dict[str, tuple[tuple, bytes]]) -> None:
        """Take the bytes import read of some content files (rel → (signature, bytes)): see ``_already_read``."""
        self._read_already = read

    def _already_read(self, rel: str, sig: tuple) -> bytes | None:
        """The bytes import read of this file, if the file is still what it read.

        Import reads content files before it rewrites those whose seed changed; the
        signature tells those bytes from the file now on disk.
        """
        found = self._read_already.pop(rel, None)
        return found[1] if found is not None and found[0] == sig else None

    def may_need_markdown(self, records) -> bool:
        """Whether reading the texts of ``records`` may render Markdown (import Python-Markdown: 0.1 s): not when
        each body is held (read as plain by this build, see ``_keep``) or its HTML is stored."""
        kept, html, spooled = self._kept, self.html_store(), self._spooled
        return any(r.file_sha not in kept and r.file_sha not in html and r.file_sha not in spooled for r in records)

    def html_store(self) -> dict[str, tuple[str, str]]:
        if self._html is None:
            self._html = self.cache.load("html") or {}
        return self._html

    def body(self, record: Record) -> tuple[str, str]:
        """The article's body as (safe HTML, plain text)."""
        return self._body(record, html=True)

    def text(self, record: Record) -> str:
        """The article's body as plain text: ``body(record)[1]``, without making the HTML of a plain body
        (the search index, the JSON Lines export and the stories read every article's text: at 1,000 articles,
        the HTML made for nothing took the search's process ~0.1 s of a cold build)."""
        return self._body(record, html=False)[1]

    def _body(self, record: Record, html: bool) -> tuple[str, str]:
        stored = self.html_store().get(record.file_sha) or self._kept.get(record.file_sha)
        if stored:
            return stored
        at = self._spooled.get(record.file_sha)
        if at is not None:
            plain = self._from_spool(at).get(record.file_sha)
            if plain is not None:  # (a plain body: its paragraphs never hold a blank line)
                return paragraphs_html(plain.split("\n\n")) if html else "", plain
        text = (self.config.content / record.rel).read_text(encoding="utf-8")
        body = articles.split(text, record.article.path)[1]
        paragraphs = plain_paragraphs(body)
        if paragraphs is not None:
            return paragraphs_html(paragraphs) if html else "", "\n\n".join(paragraphs)
        with self._renderer_lock:  # the search is planned in a thread while pages are (builder.SearchAhead)
            return self.renderer.render(body)

    def _from_spool(self, at: int) -> dict[str, str]:
        """The plain bodies of spool file ``at`` (key → text); {} if it cannot be read (its build is over: the
        bodies are then read from their files). The last ``SPOOL_FILES_HELD`` read are held: the pages, the year's
        exports and the search index each take the articles in the order they were read, a file's at a time."""
        with self._spool_lock:
            found = self._spool_files.get(at)
            if found is None:
                try:
                    with open(_spool_file(self.spool, at), "rb") as f:
                        found = marshal.load(f)
                except (OSError, EOFError, ValueError, TypeError):
                    found = {}
                if len(self._spool_files) >= SPOOL_FILES_HELD:
                    del self._spool_files[next(iter(self._spool_files))]
                self._spool_files[at] = found
            return found


def _spool_file(spool: Path, at: int) -> str:
    return os.path.join(spool, f"bodies-{at}")


def _folder(rel: str) -> str:
    """The folder of content/ a file is in ('' for a file at its top)."""
    return rel.partition("/")[0] if "/" in rel else ""


def _store(folder: str) -> str:
    """The name of a folder's part of the content store."""
    return "content-" + hashlib.blake2b(folder.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


BODIES_KEPT = 40_000_000
"""The characters of plain bodies (HTML and text) a build holds once read (``Library._keep``): every body up to
a few thousand articles (12 MB at 1,000 articles of the bench corpus), which the render workers, the exports and
the search index then take rather than each read and parse the file again (0.3-0.4 s of CPU in a cold 1k build).
The bodies read by the library's workers (or import's readers, ``Library.ahead``) go to the build's spool instead, when it
has one (``Library.spool``)."""
SPOOL_FILES_HELD = 4
"""The spool files of bodies a process holds at once (``Library._from_spool``): a few MB each."""
PARALLEL_FROM = 400
"""Below this many files to parse, forking workers costs more than it saves."""
_JOB: tuple | None = None  # (library, [(rel, signature, cached entry)], first spool file) for forked workers


def chunked(count: int, workers: int) -> list[range]:
    """The runs of files a worker parses at a time (each one spool file of bodies, a few MB)."""
    size = max(16, min(256, count // (workers * 8)))
    return [range(i, min(i + size, count)) for i in range(0, count, size)]


def _read_some(indices: range) -> tuple:
    """In a worker: ``Library.read_chunk`` of some of the files."""
    library, jobs, at = _JOB
    return library.read_chunk([(*jobs[i], None) for i in indices], at + indices.start)

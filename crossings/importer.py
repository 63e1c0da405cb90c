"""Import: seed files in ``seeds/`` become front-matter Markdown files in ``content/``.

The rules that protect editors' work:
- seeds are only read, never changed;
- a content file is rewritten only while it is exactly what import wrote (its
  fingerprint matches); an edited or hand-written file is kept as it is;
- a seed whose source URL is already in the archive is a duplicate, not a second
  article; two different articles with the same title and date get two files.
Running import twice changes nothing: the output is a pure function of the seed.

A seed is parsed only when it is new or changed: each content file records the
hash of the seed it came from, and the cache remembers the hashes of seed files
whose (mtime, size, inode) it has seen.

Reading, hashing and converting the seeds (``convert``, a pure function) is spread
over the machine's cores when there are many (``parallel.worker_count``); every
decision that depends on other seeds (duplicates, file names) is then taken in
order, in one process, so the outcome is the same as on one core.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import get_all_start_methods, get_context
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from . import articles, parallel, publishers, seeds
from .cache import Cache, Scan, sha, signature
from .config import Config
from .problems import Problem, display_path, error, warning
from .watch import TEMPORARY

# Besides editors' temporary files (watch.TEMPORARY), what may lie in the seeds folder
# without being a seed: hidden files, backups, a README.
NOT_SEEDS = re.compile(r"^(?:\..*|.*\.(?:bak|orig)|README.*)$", re.IGNORECASE)
PARALLEL_FROM = 200  # below this many seeds to read, forking costs more than it saves
KEEP_READ = 16_000_000  # bytes of content files kept for the build to reuse (re-reading one costs little)
INDEX_KEY = re.compile(r"^(seed|source)[ \t]*:[ \t]*(?:\"([^\"]*)\"|'([^']*)'|(\S[^#\n]*?))[ \t]*$", re.MULTILINE)


@dataclass
class ImportReport:
    """What one import run did, file by file."""

    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: dict[Path, str] = field(default_factory=dict)
    """The content files this run wrote, with the hash of what it wrote."""

    @property
    def skipped(self) -> int:
        return len(self.unchanged) + len(self.kept) + len(self.duplicates)


class ContentFile(NamedTuple):
    """What import needs to know of one content file (a named tuple: one is made for every content file at
    each run, from the cache's plain tuple)."""

    seed: str
    source: str
    seed_hash: str
    edited: bool
    seed_file: str = ""
    """The hash of the seed's own bytes when import wrote the file ('' for older files)."""


@dataclass
class ContentIndex:
    """Which content file holds which seed and which source URL."""

    files: dict[str, ContentFile] = field(default_factory=dict)
    stored: dict[str, tuple] = field(default_factory=dict)
    """What the cache stores: each file's (signature, ``_plain`` entry), as of the listing."""
    read: dict[str, tuple[tuple, bytes]] = field(default_factory=dict)
    """Files read in this run with the signature they had, so that the build need not
    read them again; only valid while the file still has that signature (import may
    rewrite a file after reading it). At most ``KEEP_READ`` bytes in all: past that (a build
    with the cache lost), the build reads the files again rather than hold the whole folder."""
    by_seed: dict[str, str] = field(default_factory=dict)
    by_source: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)


def read_content_file(text: str) -> ContentFile:
    """Find the seed id, source URL and fingerprint of a content file, without parsing YAML.

    A regular expression is enough for these keys and keeps working on a file whose
    front matter an editor has broken, so that its seed is not imported again.
    """
    front = text.split("\n---", 1)[0]
    values = {"seed": "", "source": ""}
    for found in INDEX_KEY.finditer(front):
        values.setdefault(found.group(1), "")
        if not values[found.group(1)]:
            values[found.group(1)] = next(g for g in found.groups()[1:] if g is not None).strip()
    source = seeds.normalize_url(values["source"]) if values["source"] else ""
    found = articles.FINGERPRINT.search(text)  # (once: on a file without one, a search reads the whole text)
    return ContentFile(values["seed"], source, articles.seed_hash_of(text, found), articles.is_edited(text, found),
                       articles.seed_file_hash_of(text, found))


def index_content(config: Config, cache: Cache, scan: Scan | None = None, library=None) -> ContentIndex:
    """Index every content file, reading only those changed since the last run (many of them: in
    worker processes, without keeping their bytes for the build; with ``library``, the build's, those
    workers also parse the files for it: see ``Library.ahead``)."""
    known: dict[str, tuple] = cache.load_journaled("content-index") or {}
    index = ContentIndex()
    budget = KEEP_READ
    signatures = (scan or Scan()).signatures(config.content, ".md")
    # The files changed since the last run (a few, usually, of 100,000) are read; the maps are then made
    # by comprehensions, each one pass over the files (one loop doing it all took longer).
    unknown = ((), ())
    changed = [(rel, sig) for rel, sig in signatures if (known.get(rel) or unknown)[0] != sig]
    made: dict[str, tuple | None] = {}
    if len(changed) >= INDEX_PARALLEL_FROM:  # many files not indexed yet (the cache lost): read by workers
        made = _index_many(config, changed, library)
    updates: dict[str, tuple] = {}
    gone: set[str] = set()  # (unreadable, or gone since the listing)
    for rel, sig in changed:
        if rel in made:
            if made[rel] is None:
                gone.add(rel)
                continue
            updates[rel] = (sig, made[rel])
            continue
        try:
            data = (config.content / rel).read_bytes()
        except OSError:
            gone.add(rel)
            continue
        if len(data) <= budget:
            index.read[rel] = (sig, data)
            budget -= len(data)
        updates[rel] = (sig, _plain(read_content_file(data.decode("utf-8", errors="replace"))))
    update = updates.get
    fresh: dict[str, tuple] = {rel: update(rel) or known[rel] for rel, _ in signatures if rel not in gone}
    make = tuple.__new__  # (a ContentFile of the stored tuple, without the keyword handling of its constructor)
    index.files = files = {rel: make(ContentFile, entry[1]) for rel, entry in fresh.items()}
    index.names = {rel.lower() for rel in files}
    # the first file in the listing's order holding a seed (or a source URL) is its file: the last one written
    index.by_seed = {info.seed: rel for rel, info in reversed(files.items()) if info.seed}
    index.by_source = {info.source: rel for rel, info in reversed(files.items()) if info.source}
    if fresh != known:
        cache.save_journaled("content-index", fresh)
    index.stored = fresh
    return index


WRITTEN_INDEXED_FROM = 64
"""The files written by a run from which ``store_written`` stores them in the content index, if they are also 1 % of
the archive or more. Storing costs a pass over the whole index (0.05-0.1 s at 100,000 articles); reading a file
again in the next run, about 0.1 ms: for the one article of a new seed, the next run reads it."""

INDEX_PARALLEL_FROM = 20_000
"""Files not yet indexed (a build whose cache was lost reads every one) from which workers read them. Below
it, the bytes read are kept for the build (up to ``KEEP_READ``, some 1,800 files), and the serial reading
is short (0.5 s at 10,000 files)."""


def _plain(info: ContentFile) -> tuple:
    """A ContentFile as the cache keeps it (what ``dataclasses.astuple`` gives, without its deep copies)."""
    return (info.seed, info.source, info.seed_hash, info.edited, info.seed_file)


def _index_many(config: Config, changed: list[tuple[str, tuple]], library=None) -> dict[str, tuple | None]:
    """``read_content_file`` of many files ((rel, signature)), in worker processes ({} where forking is not worth
    it); None for a file that cannot be read. With ``library``, each file the library would parse is parsed for it
    by the worker that read it (``Library.ahead``), in runs of the library's size (``library.chunked``: one spool
    file each); ``reader_count`` workers, so that some parse while others wait for the disk."""
    workers = parallel.reader_count()  # (reading, mostly)
    if workers < 2 or "fork" not in get_all_start_methods() or len(changed) < INDEX_PARALLEL_FROM:
        return {}
    global _INDEX_JOB
    rels = [rel for rel, _ in changed]
    wanted, at = library.ahead(changed) if library is not None else ({}, 0)
    if wanted:
        from .library import chunked

        chunks = chunked(len(rels), workers)
    else:
        size = max(64, min(1024, len(rels) // (workers * 8)))
        chunks = [range(i, min(i + size, len(rels))) for i in range(0, len(rels), size)]
    _INDEX_JOB = (config.content, rels, library if wanted else None, wanted, at)
    made: dict[str, tuple | None] = {}
    try:
        from concurrent.futures import ProcessPoolExecutor  # (here: 20 ms of imports a build without workers does without)
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            for chunk, (found, parsed) in zip(chunks, pool.map(_index_some, chunks)):
                for i, info in zip(chunk, found):
                    made[rels[i]] = info
                if parsed is not None:
                    library.ahead_made(library.take(parsed))
    finally:
        _INDEX_JOB = None
    return made


_INDEX_JOB: tuple | None = None  # (content folder, [rel], library or None, what it parses, its first spool file) for forked workers


def _index_some(indices: range) -> tuple[list[tuple | None], tuple | None]:
    content, rels, library, wanted, at = _INDEX_JOB
    found = []
    jobs = []
    for i in indices:
        rel = rels[i]
        try:
            data = (content / rel).read_bytes()
        except OSError:
            found.append(None)
            continue
        found.append(_plain(read_content_file(data.decode("utf-8", errors="replace"))))
        if rel in wanted:
            jobs.append((rel, *wanted[rel], data))
    return found, (library.read_chunk(jobs, at + indices.start) if jobs else None)


def _walk_into(scan: Scan, root: Path, failed: list) -> None:
    """``scan.walk(root, ".md")`` in a thread (its listing kept by ``scan``); an exception handed back in ``failed``."""
    try:
        scan.walk(root, ".md")
    except BaseException as exc:  # noqa: BLE001 - raised again by the thread that waits for this one
        failed.append(exc)


def seed_files(seeds_dir: Path, listing: list[tuple[str, tuple]] | None = None) -> tuple[list[os.DirEntry], list[Problem]]:
    """List the seed files in order of sequence number, and the names that are not seeds.

    ``listing``, if given, receives (name, signature) of every entry, for the build's
    record of what it saw.
    """
    found: list[os.DirEntry] = []
    problems: list[Problem] = []
    if not seeds_dir.is_dir():
        return [], []
    prefix = display_path(seeds_dir)
    is_seed_name = seeds.SEED_NAME.match
    canonical = True  # every seed found named NNN_HHHHHHHHHHHHHHHH.txt
    # Each entry's stat from the folder's descriptor, by its name: the system then walks no path (0.57 s rather
    # than 0.76 s for 100,000 seeds). (Not ``os.scandir`` of the descriptor: the seeds read later need their paths.)
    folder = os.open(seeds_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if listing is not None and os.stat in os.supports_dir_fd else None
    stat = os.stat
    try:
        for entry in sorted(os.scandir(seeds_dir), key=attrgetter("name")):
            name = entry.name
            seed_name = is_seed_name(name) is not None  # (a seed's name is neither hidden, a backup nor an editor's file)
            if not seed_name and (NOT_SEEDS.match(name) or TEMPORARY.match(name)):
                continue
            if listing is not None:
                try:
                    listing.append((name, signature(stat(name, dir_fd=folder, follow_symlinks=False) if folder is not None
                                                    else entry.stat(follow_symlinks=False))))
                except OSError:
                    listing.append((name, ()))
            if seed_name and not entry.is_symlink() and not entry.is_dir():
                found.append(entry)
                continue
            shown = f"{prefix}/{name}"
            if entry.is_symlink():
                problems.append(error(shown, None, "is a symbolic link, not a seed file", "copy the file itself into the seeds folder"))
            elif entry.is_dir():
                problems.append(error(shown, None, "is a folder, not a seed file", "seeds are files directly in the seeds folder"))
            elif not seeds.is_seed_name(name):
                problems.append(error(shown, None, "the name does not follow NNN_HHHHHHHHHHHHHHHH.txt", "name seeds with a sequence number, '_' and 16 lowercase hex digits, e.g. 001_0a1c3472872379bf.txt"))
            else:
                found.append(entry)
                canonical = False
    finally:
        if folder is not None:
            os.close(folder)
    # In order of name already: that is the order of sequence numbers when they all have as many digits (the
    # names, then, as many characters). Otherwise sorted again (100,000 keys made cost 0.1 s).
    if not canonical or len(set(map(len, map(attrgetter("name"), found)))) > 1:
        found.sort(key=lambda e: (int(e.name.split("_", 1)[0]), e.name))
    return found, problems


class Importer:
    """One import run over the seeds folder."""

    def __init__(self, config: Config, cache: Cache, write: bool = True, scan: Scan | None = None, library=None) -> None:
        """``library``: the build's (``library.Library``), which parses the content files read for the index when
        there are many (``index_content``)."""
        self.config = config
        self.cache = cache
        self.write = write
        self.scan = scan or Scan()
        self.report = ImportReport()
        self.listing: list[tuple[str, tuple]] = []
        # The two folders listed side by side: the content folder by a forked process (or, where forking is
        # unsafe, a thread) while this one lists the seeds (100,000 of each at 100,000 articles: a stat and a few
        # microseconds of Python each, which a thread would run on this process's one core). Both are done before
        # anything else forks (``index_content``'s and ``read_all``'s workers). The content folder takes the longer
        # (100,000 files at 100,000 articles: 1.1 s against the seeds' 0.7 s, their names being longer): the stores
        # of the seeds and of the content index are read meanwhile, and ``index_content`` then takes the listing.
        walked: list = []
        thread = None
        if not self.scan.walk_aside(config.content, ".md"):
            thread = threading.Thread(target=_walk_into, args=(self.scan, config.content, walked), name="crossings-content-walk")
            thread.start()
        try:
            self.listed = seed_files(config.seeds, self.listing)
        except BaseException:
            if thread is None:
                self.scan.signatures(config.content, ".md")  # (the child reaped)
            raise
        finally:
            if thread is not None:
                thread.join()
        if walked:
            raise walked[0]
        self.known: dict[str, tuple] = cache.load_journaled("seeds") or {}
        self.index = index_content(config, cache, self.scan, library)
        self.rules = rules_digest(config)
        """Seed file name → (signature, SHA-256 of its bytes, its problems if rejected, ``input_hash``); under the key
        RULES, the rules digest of those input hashes (the same as this run's: they need not be computed again)."""
        self.hashed = self.known.get(RULES) == self.rules
        self.fresh: dict[str, tuple] = {RULES: self.known[RULES] if self.hashed else self.rules}  # (the stored object: unchanged)
        self.content_prefix = display_path(config.content)
        self.seen: dict[str, str] = {}
        self.present: set[str] = set()
        """The ids of the seeds in the seeds folder."""
        self.sources: dict[str, str] = {}
        """The new source URL of each file this run rewrote with another one."""
        self.temporary: set[str] = set()
        """Content files written ahead by workers, not yet moved in place."""
        self.indexed: dict[str, tuple] = {}
        """The content index's entry (``_plain``) of each file this run wrote, from the text written: stored with the
        file's signature at the end of the run, so that the next run does not read it again (``index_content``)."""

    def run(self) -> ImportReport:
        entries, problems = self.listed  # (in ``__init__``)
        self.report.problems.extend(publishers.problems(self.config, self.cache) + problems)
        self.report.rejected.extend(p.path for p in problems)
        prefix = display_path(self.config.seeds)
        # First every seed that already has its file (re-delivered seeds rewrite it,
        # perhaps with another source URL); then the new seeds, in order, each checked
        # for duplicates against the archive as it will be, so that the outcome does
        # not depend on what the previous run left in content/.
        self.present = {entry.name[:-4] for entry in entries}
        settled = self.settled(entries)
        pending = [i for i, done in enumerate(settled) if done is None]
        shown = {i: f"{prefix}/{entries[i].name}" for i in pending}
        looks = {i: self.look(entries[i]) for i in pending}
        jobs = [(i, (entries[i].path, entries[i].name[:-4], shown[i], *looks[i][2])) for i in pending if looks[i][2]]
        names = self.publisher_names() if any(job[3] is None for _, job in jobs) else None
        if jobs:  # seeds to read, perhaps to convert: the entity table kept by the last run, or made here when
            # seeds are new or the cache is not (where every seed has its file and the cache was lost, as in CI,
            # most are unchanged: a worker that meets one to convert makes the table then)
            keep_entities(self.cache, self.config, self.rules, make=bool(self.known) or any(job[3] is None for _, job in jobs))
        done = dict(zip((i for i, _ in jobs), read_all([job for _, job in jobs], self.config, self.rules, self.write)))
        if names is not None:
            self.save_publisher_names(*names)
        self.report.problems.extend(entity_problems(self.config, self.cache, self.rules))
        self.temporary = {result[1][4] for result in done.values() if result[1] is not None and result[1][4]}
        try:
            self.decide(entries, settled, shown, looks, done)
        finally:
            for tmp in self.temporary:  # written ahead by a worker for a seed that was not saved
                Path(tmp).unlink(missing_ok=True)
        if self.write and self.fresh != self.known:
            self.cache.save_journaled("seeds", self.fresh)
        if self.report.imported:
            if self.write:  # what changed in content/ is what was written (not a walk of the whole folder again)
                self.scan.refresh(self.config.content, list(self.report.written))
                self.store_written()
            else:
                self.scan.forget(self.config.content)
        return self.report

    def store_written(self) -> None:
        """Store the files this run wrote in the content index, each with its signature now and its entry made from
        the text written: the next run reads only the files changed since (before, every file of an import of many
        seeds, e.g. a build from the seeds, was read again by the next run: 15 s more for one new seed's build
        after a build from 100,000 seeds). A file whose signature is unknown (gone meanwhile) is left out: read then.
        Not for a few files (``WRITTEN_INDEXED_FROM``): the next run reads them."""
        if not self.indexed or len(self.indexed) < max(WRITTEN_INDEXED_FROM, len(self.index.stored) // 100):
            return
        listed = self.scan.walk(self.config.content, ".md")  # (each file's stat, as ``refresh`` took it after the writing)
        stored = dict(self.index.stored)  # (a new dict: the stored one is the base its differences are taken from)
        for rel, info in self.indexed.items():
            stat = listed.get(rel)
            if stat is not None:
                stored[rel] = (signature(stat), info)
            else:
                stored.pop(rel, None)
        self.cache.save_journaled("content-index", stored)

    def publisher_names(self) -> tuple[tuple, int]:
        """Give the publishers table the hosts' names found by earlier runs (under the same table and
        Public Suffix List): importing one seed then needs no tldextract. Returns (key, names known)."""
        table = _publishers(self.config, self.rules)
        key = publishers.names_key(self.config)
        stored = self.cache.load(publishers.NAMES_STORE) or {}
        if stored.get("key") == key:
            table.learn(stored["names"])
        return key, len(table.names())

    def save_publisher_names(self, key: tuple, known: int) -> None:
        names = _publishers(self.config, self.rules).names()
        if self.write and len(names) != known:
            self.cache.save(publishers.NAMES_STORE, {"key": key, "names": names})

    def settled(self, entries: list[os.DirEntry]) -> list[tuple | None]:
        """For each seed whose outcome is known without looking further, what ``one`` would record of it:
        (its content file, what the cache knows of it); None for the others.

        That is a seed with the signature its stored hash was taken at, under this run's rules, whose content
        file records that hash: ``look`` would ask nothing read and ``one`` would find the file up to date
        (or edited by hand, and keep it). At 100,000 seeds and one new, these are
        99,999 of them, found here by one comprehension rather than ``look`` and ``one`` each. (Its four
        dictionary look-ups a seed are most of its time, as they were of theirs: it saves about 0.5 s of
        the 5 s of import at 100,000.)"""
        if not self.hashed:  # (the stored hashes are of other rules: each is made again by ``look``)
            return [None] * len(entries)
        sigs = dict(self.listing)  # (``seed_files`` took each entry's signature)
        known, by_seed, files = self.known.get, self.index.by_seed.get, self.index.files.get
        return [(rel, cached) if (cached := known(name := entry.name)) is not None and cached[3] and cached[0] == sigs.get(name)
                and (rel := by_seed(name[:-4])) is not None and (info := files(rel)) is not None and info.seed_hash == cached[3]
                else None for entry in entries]

    def decide(self, entries: list[os.DirEntry], settled: list[tuple | None], shown: dict[int, str], looks: dict[int, tuple],
               done: dict[int, tuple]) -> None:
        fresh, files = self.fresh, self.index.files
        unchanged, kept = self.report.unchanged, self.report.kept
        new = []
        for i, entry in enumerate(entries):
            known = settled[i]
            if known is not None:  # (what ``one`` does with such a seed)
                rel, fresh[entry.name] = known
                (kept if files[rel].edited else unchanged).append(self.shown(rel))
            elif (found := self.one(entry, shown[i], looks[i], done.get(i))) is not None:
                new.append(found)
        if self.sources:
            self.index.by_source = {}
            for rel, info in self.index.files.items():
                source = self.sources.get(rel, info.source)
                if source:
                    self.index.by_source.setdefault(source, rel)
        for found in new:
            self.add(*found)

    def look(self, entry: os.DirEntry) -> tuple:
        """What ``one`` needs to know of a seed before reading it: (signature, what the cache
        knows of it or None, the reading job's arguments or None, the error of stat or None).

        The job, run by ``read_all`` (on several cores), reads and hashes the seed and
        converts it unless its article is up to date or edited."""
        try:  # seed_files took the entry's stat already (not a link): not asked of the system again
            sig = signature(entry.stat(follow_symlinks=False))
        except OSError as exc:
            return None, None, None, exc, None, None, ""
        cached = self.known.get(entry.name)
        rel = self.index.by_seed.get(entry.name[:-4])
        info = self.index.files.get(rel) if rel else None
        if cached is None or cached[0] != sig:  # not hashed yet: read it, and convert it if need be
            return sig, None, (info.seed_hash if info else None, info.edited if info else False), None, rel, info, ""
        seed_hash = cached[3] if self.hashed and cached[3] else input_hash(cached[1], self.rules)
        if info is not None and (info.seed_hash == seed_hash or info.edited):
            return sig, cached, None, None, rel, info, seed_hash
        if cached[2] is not None and cached[3] == seed_hash:
            return sig, cached, None, None, rel, info, seed_hash
        return sig, cached, (None, False), None, rel, info, seed_hash

    def one(self, entry: os.DirEntry, shown: str, look: tuple, done: tuple | None) -> tuple[str, seeds.Seed, str, str, str, str, str, tuple | None] | None:
        """Import one seed file whose article exists, recording the outcome in the report;
        return a new seed's (shown path, seed, file text, file name, file written ahead,
        normalised source URL, hash of the file text, its entry in the content index) for ``add``. ``done`` is what ``read_one`` made of it, if ``look`` asked."""
        report = self.report
        sig, cached, _, failure, rel, info, seed_hash = look  # (the index does not change until every seed is looked at)
        if failure is None and done is not None and done[0] is None:
            failure = done[1]
        if failure is not None:
            report.problems.append(error(shown, None, f"cannot be read: {failure.strerror}", "check the file's permissions"))
            report.rejected.append(shown)
            return None
        if cached is None:
            seed_hash = input_hash(done[0], self.rules)
            cached = (sig, done[0], None, seed_hash)
        if info is not None and (info.seed_hash == seed_hash or info.edited) and cached[3] != seed_hash:
            cached = (*cached[:3], seed_hash)  # (stored by an earlier version, or under other rules)
        if info is not None and info.seed_hash == seed_hash:
            self.fresh[entry.name] = cached
            (report.kept if info.edited else report.unchanged).append(self.shown(rel))
            return None
        if info is not None and info.edited:
            self.fresh[entry.name] = cached
            report.kept.append(self.shown(rel))
            if info.seed_file and info.seed_file != cached[1][:16]:
                report.problems.append(warning(self.shown(rel), None, f"kept as edited by hand, but its seed {shown} was re-delivered with changes since",
                                               "copy the correction into this file (then delete its '# fingerprint' line to make it wholly yours and "
                                               "silence this), or delete this file to import the seed again"))
            return None
        if cached[2] is not None and cached[3] == seed_hash:  # rejected before, under the same rules: say it again
            report.problems.extend(Problem(*p) for p in cached[2])
            report.rejected.append(shown)
            self.fresh[entry.name] = cached
            return None
        seed, wanted, problems, name, tmp, key, text_hash, indexed = done[1]
        report.problems.extend(problems)
        if seed is None:
            report.rejected.append(shown)
            self.fresh[entry.name] = (sig, cached[1], tuple(p.as_tuple() for p in problems), seed_hash)
            return None
        self.fresh[entry.name] = (sig, cached[1], None, seed_hash)
        if rel is None:
            return shown, seed, wanted, name, tmp, key, text_hash, indexed
        self.save(rel, wanted, tmp, text_hash, indexed)
        if key != info.source:
            self.sources[rel] = key
        return None

    def add(self, shown: str, seed: seeds.Seed, wanted: str, name: str, tmp: str, key: str, text_hash: str, indexed: tuple | None) -> None:
        """Write a new seed's article, unless its source URL (normalised: ``key``) is already in the archive."""
        report = self.report
        owner = self.index.by_source.get(key)
        info = self.index.files.get(owner) if owner else None
        if info is not None and not info.edited and info.seed and info.seed not in self.present:
            # The seed of that article is gone and this one has its source URL: the seed
            # was renamed. Its article follows it (same file, same address).
            self.save(owner, wanted, tmp, text_hash, indexed)
            self.index.by_seed[seed.seed_id] = owner
            self.present.add(info.seed)  # one new name per article
            return
        other = self.shown(owner) if owner else self.seen.get(key)
        if other:
            report.problems.append(warning(shown, None, f"duplicate: its source URL is already in {other}", "not imported again; delete one of the two seeds"))
            report.duplicates.append(shown)
            return
        rel = self.free_name(name, seed.seed_id)
        self.save(rel, wanted, tmp, text_hash, indexed)
        self.index.names.add(rel.lower())
        self.index.by_seed[seed.seed_id] = rel
        self.seen[key] = f"{self.shown(rel)} (imported from {shown})"

    def save(self, rel: str, text: str, tmp: str = "", text_hash: str = "", indexed: tuple | None = None) -> None:
        """Write a content file: move in the copy a worker wrote ahead (``tmp``) when it lies
        in the same folder (creating files is what costs, on a slow file system). ``text_hash``:
        the hash of ``text``, if the worker computed it; ``indexed``: the file's entry in the content
        index (``_plain`` of ``read_content_file`` of the text, made by ``read_one``)."""
        if self.write:
            path = self.config.content / rel
            if tmp and os.path.dirname(tmp) == str(path.parent):
                os.replace(tmp, path)
                self.temporary.discard(tmp)
            else:
                if not text:  # a worker sends no text it wrote ahead: it is in that file
                    with open(tmp, encoding="utf-8", newline="") as ahead:
                        text = ahead.read()
                write_atomic(path, text)
            self.report.written[path] = text_hash or sha(text.encode("utf-8"))
            if indexed is not None:
                self.indexed[rel] = indexed
        self.report.imported.append(self.shown(rel))

    def shown(self, rel: str) -> str:
        return f"{self.content_prefix}/{rel}"

    def free_name(self, name: str, seed_id: str) -> str:
        """Use ``name`` unless another article has it; then tell them apart by the seed id."""
        if name.lower() not in self.index.names:
            return name
        stem = name[:-3]
        suffix = seed_id.split("_", 1)[-1]
        for length in (8, 16):
            candidate = f"{stem}-{suffix[:length]}.md"
            if candidate.lower() not in self.index.names:
                return candidate
        return f"{stem}-{seed_id}.md"


def import_seeds(config: Config, cache: Cache | None = None, *, write: bool = True) -> ImportReport:
    """Turn every new or changed seed into its content file; with ``write=False`` only report."""
    return Importer(config, cache or Cache(None), write).run()


# Bump when import would write different files from the same seeds (a fix in the
# parser or the entity matcher): unedited content files are then written again.
IMPORT_RULES = "7"  # 2: the fingerprint records the seed file's own hash; 3: the entity rules of #16; 4: acronyms spelled out, bare Red Cross, given names before any country word;
                   # 5: the language read from the first 600 characters, not 1,500; 6: the common words answer before Lingua
                   # (the same answers on every set measured, but an archive's seeds are converted again once, so that no
                   # article keeps an answer a fresh import would not give); 7: a list item with ',', '?', a bracket or a brace
                   # is quoted (written plain, it made a file import could not read)


def rules_digest(config: Config) -> str:
    """A hash of everything besides the seed that import's output depends on."""
    try:
        entities = config.entities.read_bytes()
    except OSError:
        entities = b""
    return sha(repr((IMPORT_RULES, config.languages, config.language, publishers.table_digest(config))).encode() + entities)


RULES = ""
"""The key of the rules digest in the store of seeds (no seed file has that name)."""


def input_hash(seed_sha: str, rules: str) -> str:
    """What a content file records of its origin: the seed's bytes and the import rules."""
    return sha((seed_sha + rules).encode())[:16]


def _entities(path: Path, digest: str):
    """The entity table (``entities.load``) under the import rules ``digest``: the one ``keep_entities``
    took from the build cache, or made here."""
    return _KEPT_ENTITIES.get((path, digest)) or _load_entities(path, digest)


@lru_cache(maxsize=4)
def _load_entities(path: Path, digest: str):
    from . import entities

    found = entities.load(path)
    _MADE_PROBLEMS[(path, digest)] = found[1]
    return found


_MADE_PROBLEMS: dict[tuple[Path, str], list[Problem]] = {}
"""The problems of the entity tables made by this process (``entity_problems`` takes them rather than read the file
again)."""


_KEPT_ENTITIES: dict[tuple[Path, str], tuple] = {}
ENTITIES_STORE = "entity-table"


def keep_entities(cache: Cache, config: Config, rules: str, make: bool = True) -> None:
    """Take the entity table from the build cache, or (if ``make``) store the one made here for the next runs.

    Making it reads CLDR's country names in four languages and folds some 3,000 names: 0.11 s, a tenth of
    a build with one new seed at 1,000 articles; the stored one loads in 0.01 s. It is stored as a pickle
    (its names are objects) inside a store of the cache, under what it is made from: the import rules
    (``entities.toml`` among them), the code that makes it, Babel's version (CLDR) and pycountry's list."""
    found = (config.entities, rules)
    if found in _KEPT_ENTITIES or cache.root is None:
        return
    import pickle

    from . import entities

    key = [rules, _entities_source(entities.__file__)]
    stored = cache.load(ENTITIES_STORE)
    if stored is not None and stored[0] == key:
        try:
            table = pickle.loads(stored[1])
        except Exception:  # noqa: BLE001 - a damaged store: made again below
            table = None
        if isinstance(table, tuple) and len(table) == 2 and isinstance(table[0], entities.Entities):
            _KEPT_ENTITIES.clear()
            _KEPT_ENTITIES[found] = table
            return
    if not make:
        return
    table = _load_entities(*found)
    cache.save(ENTITIES_STORE, (key, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)))


def release_tables() -> None:
    """Let go of what only import uses, the entity table and Lingua's models (~55 MB with the CLDR data they read):
    a build from seeds otherwise carries them to its end, its largest moment, and forks them into every worker."""
    from . import language

    _KEPT_ENTITIES.clear()
    _load_entities.cache_clear()
    _MADE_PROBLEMS.clear()
    language.detector.cache_clear()


ENTITY_PROBLEMS_STORE = "entity-problems"


def entity_problems(config: Config, cache: Cache, rules: str) -> list[Problem]:
    """What is wrong with ``entities.toml``, said by every run: not only by one that converts a seed (and so makes the
    entity table). Before, once the seeds were converted under a broken file, the next runs (an article edited, the
    cache lost in CI, ``check``) said nothing and ended well, the articles tagged with nothing. Stored under the
    import rules, which hash the file; found without making the table (``entities.check``: ~25 ms) when not stored."""
    key = (rules, display_path(config.entities))  # (the problems name the file as the working folder shows it)
    stored = cache.load(ENTITY_PROBLEMS_STORE)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
        return [Problem(*p) for p in stored[1]]
    kept = _KEPT_ENTITIES.get((config.entities, rules))
    found = kept[1] if kept is not None else _MADE_PROBLEMS.get((config.entities, rules))
    if found is None:
        from . import entities

        found = entities.check(config.entities)
    cache.save(ENTITY_PROBLEMS_STORE, (key, [p.as_tuple() for p in found]))
    return found


@lru_cache(maxsize=1)
def _entities_source(module: str) -> str:
    """What the entity table is made from besides the import rules: the module making it, Babel's
    version and pycountry's list of countries (its file's size and time: importing pycountry to ask its
    version costs more than the table saves)."""
    import importlib.util

    import babel

    parts = [Path(module).read_bytes(), babel.__version__.encode()]
    spec = importlib.util.find_spec("pycountry")
    if spec is not None and spec.origin:
        try:
            stat = (Path(spec.origin).parent / "databases" / "iso3166-1.json").stat()
            parts.append(f"{stat.st_size}/{stat.st_mtime_ns}".encode())
        except OSError:
            pass
    return sha(b"\0".join(parts))


@lru_cache(maxsize=4)
def _publishers(config: Config, digest: str) -> publishers.Table:
    return publishers.for_config(config)


_JOB: tuple | None = None  # (config, rules, write) for forked workers


def read_one(path: str, seed_id: str, shown: str, article_hash: str | None, edited: bool) -> tuple:
    """Read a seed and hash it: (sha, None when the seed's article is up to date
    (``article_hash``) or edited, else ``convert``'s result with the article's file name,
    when writing a temporary copy of the file in its folder (then instead of the file's text,
    '': the parent need not receive and hold it), the normalised source URL, the hash of
    the file's text and its entry in the content index); or (None, OSError) if it cannot be read. Whatever depends
    on this seed alone is done here, on the worker's core, not in the parent's ``decide``."""
    config, rules, write = _JOB
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, OSError(exc.errno, exc.strerror)
    digest = sha(raw)
    if article_hash is not None and (article_hash == input_hash(digest, rules) or edited):
        return digest, None
    seed, wanted, problems = convert(raw, seed_id, shown, config, rules)
    if seed is None:
        return digest, (None, wanted, problems, "", "", "", "", None)
    name = articles.file_name(seed.date, seed.title, seed.seed_id)
    tmp = _write_ahead(config.content / name, wanted) if write else ""
    return digest, (dataclasses.replace(seed, paragraphs=()), "" if tmp else wanted, problems, name, tmp,  # the paragraphs are in wanted
                    seeds.normalize_url(seed.source), sha(wanted.encode("utf-8")) if write else "",
                    _plain(read_content_file(wanted)) if write else None)  # (its entry in the content index)


def _write_ahead(path: Path, text: str) -> str:
    """Write ``text`` to a temporary file beside ``path``; return its name ('' if that fails:
    the file is then written in place later, and any error reported there)."""
    data = text.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = _create_beside(path)
    except OSError:
        return ""
    try:
        _write_all(handle, data)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return ""
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _create_beside(path: Path) -> tuple[int, str]:
    """Create a new hidden file beside ``path`` (``.NAME.PID-N.tmp``, which no listing of seeds or content takes),
    open for writing: (descriptor, its path). Its permissions are those of any new file (0666 less the umask, as
    the editor's own files), not ``tempfile.mkstemp``'s 0600, which moved in place kept a content file from the
    editor's group until git checked it out again."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.getpid()}-{next(_TEMPORARY_NUMBERS)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), tmp
        except FileExistsError:  # (left by a run killed in its writing, whose process had this number)
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


_TEMPORARY_NUMBERS = itertools.count()


def _write_all(handle: int, data: bytes) -> None:
    """Write ``data`` to the descriptor and close it."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def _read_some(jobs: list[tuple]) -> list[tuple]:
    return [read_one(*job) for job in jobs]


def _read_some_named(jobs: list[tuple]) -> tuple[list[tuple], dict[str, str]]:
    """``_read_some`` in a worker: the results, and the names of the publishers it found (for the parent's table)."""
    results = _read_some(jobs)
    config, rules, _ = _JOB
    return results, _publishers(config, rules).names()


def read_all(jobs: list[tuple], config: Config, rules: str, write: bool = False) -> list[tuple]:
    """``read_one`` of every job, in order: on every core when there are enough of them.

    Workers are forked once the entity tables, the publishers table and Lingua's
    models are loaded, so they share them. The results are the same on one core.
    """
    global _JOB
    if not jobs:
        return []
    _JOB = (config, rules, write)
    try:
        workers = min(parallel.worker_count(), (len(jobs) + PARALLEL_FROM - 1) // PARALLEL_FROM)
        if workers < 2 or "fork" not in get_all_start_methods():
            return _read_some(jobs)
        if any(job[3] is None for job in jobs):  # new seeds to convert: load the tables once, for every worker
            from .language import preload

            _entities(config.entities, rules)[0].compiled()  # its matching index too, built lazily otherwise (once per worker)
            _publishers(config, rules)
            preload(config.languages)
            # (Not the patterns of written-out dates, from Babel's month and day names: 0.2-0.3 s, which a date in
            # digits, the collectors' DD.MM.YYYY, never needs. A worker that meets a written-out date makes them:
            # if every worker does, as early, the wall time is the same as making them here first.)
            publishers.preload()  # the Public Suffix List, read once: so many seeds name some unlisted host
        else:  # every seed only read and hashed (a build whose cache was lost): the disk is waited for, mostly
            workers = min(parallel.reader_count(), (len(jobs) + PARALLEL_FROM - 1) // PARALLEL_FROM)
        size = max(16, min(64, len(jobs) // (workers * 8)))  # small enough that the workers finish together
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        results = []
        table = _publishers(config, rules)
        gc.freeze()  # the tables are for reading: the workers' collections then never walk them (nor copy their pages)
        try:
            from concurrent.futures import ProcessPoolExecutor  # (here: 20 ms of imports a build without workers does without)
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                for chunk, names in pool.map(_read_some_named, chunks):
                    results.extend(chunk)
                    table.learn(names)
        finally:
            gc.unfreeze()
        return results
    finally:
        _JOB = None


def convert(raw: bytes, seed_id: str, shown: str, config: Config, rules: str | None = None) -> tuple[seeds.Seed | None, str, list[Problem]]:
    """Turn a seed's bytes into its content file's text (pure); None and problems if rejected."""
    from .language import identify  # Lingua loads its models lazily; most runs never need it

    text, problems = seeds.decode(raw, shown)
    if text is None:
        return None, "", problems
    seed, more = seeds.parse(text, seed_id, shown, config.languages)
    problems += more
    if seed is None:
        return None, "", problems
    body = "\n".join(seed.paragraphs)
    lang = identify(seed.title + "\n" + body, config.languages, config.language)
    rules = rules or rules_digest(config)
    entities = _entities(config.entities, rules)[0]  # (its problems: said once by the run, ``entity_problems``)
    countries, organizations = entities.find(seed.title + "\n" + body)
    name = _publishers(config, rules).name_of(seed.source)
    seed_file = sha(raw)
    return seed, articles.seed_text(seed, lang, input_hash(seed_file, rules), countries, organizations, name, seed_file), problems


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader sees the old or the new text, never a part."""
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = _create_beside(path)
    try:
        _write_all(handle, data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

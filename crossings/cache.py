"""Build state kept between runs, outside the site (``cache_dir``).

Everything cached is keyed by content hashes (a fresh clone has new modification
times, so those alone would be wrong); a file's (mtime, size, inode) only lets a
run skip re-reading a file whose hash it already knows. Each store is one file of
plain values (tuples, strings, numbers, dicts) in ``marshal`` format, the fastest
Python reads; written atomically and tagged with the Crossings and Python
versions and a digest of the package's code: a store from other code is ignored, a
damaged one discarded with a warning, and the build simply does more work. A big dict
is written in pieces (``PIECES_FROM``). (One value holds a pickle: the entity table's,
whose names are objects; see ``importer.keep_entities``.)
"""

from __future__ import annotations

import hashlib
import logging
import os
import marshal
import mmap
import struct
import sys
import tempfile
import threading
from array import array
from itertools import islice
from stat import S_ISREG
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__

log = logging.getLogger(__name__)
# Bump FORMAT whenever the shape of a stored value changes, so old stores are dropped.
FORMAT = 7  # 7: the year exports' and the site sizes' stores (perf, #13) beside 6 (stories, #14)


def _code_digest() -> str:
    """A digest of this package's own code: a store is another version's when the code that made it differs, even
    under one version number (a developer's change; releases bump the version too). 1-2 ms: ~600 kB read and hashed."""
    found = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        found.update(path.name.encode() + b"\0" + path.read_bytes())
    return found.hexdigest()[:16]


TAG = ("crossings-cache", FORMAT, __version__, _code_digest(), tuple(sys.version_info[:2]))


JOURNAL_FOLD = 8
"""``save_journaled`` stores its dict whole again once the differences from the base reach 1/JOURNAL_FOLD of
its entries (or ``JOURNAL_FOLD_FROM``, whichever is more)."""
JOURNAL_FOLD_FROM = 1000
_MISSING = object()


def sha(data: bytes) -> str:
    """The content hash used everywhere in the build state."""
    return hashlib.sha256(data).hexdigest()


def signature(stat: os.stat_result) -> tuple[int, int, int]:
    """What tells cheaply that a file has not changed since it was hashed."""
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


MAP_FROM = 1 << 20
"""A store of this many bytes or more is read through a memory map (``_read``)."""


PIECES_FROM = 20_000
"""A dict of this many entries or more (a store's value, or the last item of a tuple that is) is written in pieces
of as many entries (``_write_pieces``). ``marshal.dumps`` makes a value's bytes whole, and a table of the objects it
has written with them: storing the site's manifest at 100,000 articles (345,000 files, ~55 MB) took the build's
process ~110 MB more at its very end, where its memory peaks; in pieces, a few MB."""
PIECES = b"\0pieces\0"  # (no marshal data starts with a NUL byte)
PIECE = struct.Struct("<Q")  # the length of the piece that follows


def _read(path: Path) -> Any:
    """The value of a marshal file, read whole: ``loads`` on the bytes (``load`` on a file object reads it in tiny
    pieces). A big store is read through a memory map of the file rather than a copy of it: a copy costs a
    page fault every 4 kB, the map about one every 64 kB (the file's cache, mapped). The site's manifest at
    100,000 articles (70 MB) loaded in 0.34–0.36 s rather than 0.39–0.54 s, 44,000 page faults rather than 60,000."""
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size < MAP_FROM:
            data = file.read()
            return _read_pieces(memoryview(data)) if data.startswith(PIECES) else marshal.loads(data)
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as view:
            if view[:len(PIECES)] == PIECES:
                with memoryview(view) as buffer:  # (released before the map is closed)
                    return _read_pieces(buffer)
            return marshal.loads(view)


def _write_pieces(out, tag: tuple, value: Any) -> bool:
    """Write ``(tag, value)`` in pieces if ``value`` is a big dict, or a tuple ending with one (``PIECES_FROM``):
    the header (the tag, the tuple's other items, the number of entries), then the dict's entries a piece at a
    time, each piece its length and its marshal bytes. False (nothing written) for any other value."""
    if isinstance(value, dict):
        head, entries = None, value
    elif isinstance(value, tuple) and value and isinstance(value[-1], dict):
        head, entries = value[:-1], value[-1]
    else:
        return False
    if len(entries) < PIECES_FROM:
        return False
    out.write(PIECES)
    items = iter(entries.items())
    piece = (tag, head, len(entries))
    while piece:
        data = marshal.dumps(piece)
        out.write(PIECE.pack(len(data)))
        out.write(data)
        piece = dict(islice(items, PIECES_FROM))
    return True


def _read_pieces(buffer: memoryview) -> tuple:
    """``(tag, value)`` from what ``_write_pieces`` wrote; ValueError if a piece is missing (a damaged store)."""
    at, end, value = len(PIECES), len(buffer), {}
    header = None
    while at < end:
        (size,) = PIECE.unpack_from(buffer, at)
        at += PIECE.size
        if at + size > end:
            raise ValueError("a store's piece is cut short")
        with buffer[at:at + size] as data:
            piece = marshal.loads(data)
        at += size
        if header is None:
            header = piece
        else:
            value.update(piece)
    if not (isinstance(header, tuple) and len(header) == 3 and header[2] == len(value)):
        raise ValueError("a store's pieces are missing")
    tag, head, _ = header
    return tag, (value if head is None else (*head, value))


class Cache:
    """Named pickle stores under one folder; ``None`` as folder keeps nothing."""

    def __init__(self, root: Path | None, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only
        self.warnings: list[str] = []
        self._bases: dict[str, tuple[str, dict]] = {}
        """The bases of the journaled stores read or written (``load_journaled``): name → (token, dict)."""

    def load(self, name: str) -> Any:
        """The stored value, or None if absent, from another version or damaged."""
        if self.root is None:
            return None
        path = self.root / f"{name}.marshal"
        try:
            tag, value = _read(path)
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - any damage means: start afresh
            self.warnings.append(f"{path}: warning: discarded a damaged build cache ({type(exc).__name__}) — this build redoes the work")
            if not self.read_only:
                path.unlink(missing_ok=True)
            return None
        return value if tag == TAG else None

    def save(self, name: str, value: Any, strict: bool = False) -> bool:
        """Store a value so that a reader finds the old or the new one, never a part.

        The cache only saves work: if it cannot be written (a full disk), the
        build goes on and says so once (and False is returned); ``strict`` stores (what
        the output folders hold) raise instead, since a wrong record there would be
        worse than none.
        """
        if self.root is None or self.read_only:
            return False
        tmp = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                if not _write_pieces(out, TAG, value):
                    out.write(marshal.dumps((TAG, value)))
            os.replace(tmp, self.root / f"{name}.marshal")
            return True
        except OSError as exc:
            if tmp:
                Path(tmp).unlink(missing_ok=True)
            if strict:
                raise
            message = f"{self.root}: warning: the build cache could not be written ({exc.strerror or exc}) — the next build will redo more work"
            if message not in self.warnings:
                self.warnings.append(message)
            return False

    def load_journaled(self, name: str) -> dict | None:
        """A dict stored by ``save_journaled``: its base with the differences since, a new dict (the base
        is kept for the next ``save_journaled``, which stores the differences from it); None if absent,
        damaged, or if the differences are not from that base (a build killed between the two saves)."""
        journal = self.load(name)
        if isinstance(journal, dict):  # stored whole, as earlier versions did: the next save writes a base
            return journal
        if not (isinstance(journal, tuple) and len(journal) == 4 and journal[0] == "journal"):
            return None
        _, token, changed, gone = journal
        based = self.load(f"{name}-base")
        if not (isinstance(based, tuple) and len(based) == 2 and based[0] == token and isinstance(based[1], dict)):
            return None
        base = based[1]
        self._bases[name] = (token, base)
        value = dict(base)
        try:
            value.update(changed)
            for key in gone:
                del value[key]
        except (KeyError, TypeError, ValueError):
            return None
        return value

    def save_journaled(self, name: str, value: dict) -> bool:
        """Store a dict of many entries of which few change from one build to the next: only the entries that
        are not those of its base (the value last stored whole), and the keys gone from it; the whole dict
        as a new base once those reach an eighth of it (``JOURNAL_FOLD``). Each save is atomic (``save``);
        a build killed between the base and the differences leaves differences from another base, which
        ``load_journaled`` does not trust. An entry is compared by identity: an unchanged entry is the very
        object ``load_journaled`` gave (one made again is stored again, which is only a few bytes more)."""
        token, base = self._bases.get(name, (None, None))
        if base is not None:
            get = base.get
            changed = {key: entry for key, entry in value.items() if get(key, _MISSING) is not entry}
            gone = tuple(base.keys() - value.keys())
            if len(changed) + len(gone) <= max(JOURNAL_FOLD_FROM, len(value) // JOURNAL_FOLD):
                return self.save(name, ("journal", token, changed, gone))
        token = os.urandom(8).hex()
        if not self.save(f"{name}-base", (token, value)):
            return False
        self._bases[name] = (token, value)
        return self.save(name, ("journal", token, {}, ()))

    def rename(self, name: str, new: str) -> bool:
        """Make the store ``name`` the store ``new`` (in one step, without reading it); False if it is absent."""
        if self.root is None or self.read_only:
            return False
        try:
            os.replace(self.root / f"{name}.marshal", self.root / f"{new}.marshal")
            return True
        except FileNotFoundError:
            return False

    def discard(self, name: str) -> None:
        """Remove a store (nothing, in a read-only cache: ``check`` changes no file)."""
        if self.root is not None and not self.read_only:
            (self.root / f"{name}.marshal").unlink(missing_ok=True)
            (self.root / f"{name}-base.marshal").unlink(missing_ok=True)  # (a journaled store's)
            self._bases.pop(name, None)

    def keep_only(self, prefix: str, wanted) -> None:
        """Remove the stores named ``prefix`` + something not in ``wanted`` (stores kept by part, month or
        id, whose part, month or id is gone)."""
        if self.root is None or self.read_only or not self.root.is_dir():
            return
        wanted = set(wanted)
        for path in self.root.glob(f"{prefix}*.marshal"):
            name = path.name[:-len(".marshal")]
            if name[len(prefix):] not in wanted:
                self.discard(name)


def walk(root: Path, suffix: str = "", hidden: tuple[str, ...] = ()) -> dict[str, os.stat_result]:
    """Every regular file below ``root`` (relative POSIX path → stat), without following links.

    Names starting with a dot are skipped (editor temp files, .git), except those in ``hidden``.
    """
    return dict(sorted(_files(root, suffix, hidden)))


def _files(root: Path, suffix: str, hidden: tuple[str, ...]):
    """``walk``'s files as (relative path, stat), folder by folder."""
    if not root.is_dir():
        return
    # Each folder listed from its descriptor: a file's stat is then taken by name from it (no path walked by the
    # system for each of the 100,000 content files at 100,000 articles).
    by_fd = os.scandir in os.supports_fd
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if by_fd else None
        except OSError:
            continue
        try:
            try:
                entries = list(os.scandir(folder if fd is None else fd))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if name.startswith(".") and name not in hidden:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{folder}{os.sep}{name}", prefix + name + "/"))
                elif name.endswith(suffix) and entry.is_file(follow_symlinks=False):
                    yield prefix + name, entry.stat(follow_symlinks=False)
        finally:
            if fd is not None:
                os.close(fd)


class Stat(NamedTuple):
    """What a listing made in another process (``Scan.walk_aside``) keeps of a file's stat: what ``signature`` reads."""
    st_mtime_ns: int
    st_size: int
    st_ino: int


def _walk_to(fd: int, root: Path, suffix: str, hidden: tuple[str, ...]) -> None:
    """In a forked child: ``walk``, written to ``fd`` as marshal data, in columns: the paths joined by NUL (which
    no name holds), and the mtimes, sizes and inodes as 64-bit arrays' bytes; then exit. (For 100,000 content
    files, a list of (path, mtime, size, inode) took 0.2 s to serialise, these 0.03 s; the listing kept no stat
    object nor dict: the child took 0.6 s rather than 1.0 s, while the build waited for it after the seeds.)"""
    status = 1
    try:
        rows = sorted([(rel, s.st_mtime_ns, s.st_size, s.st_ino) for rel, s in _files(root, suffix, hidden)])
        data = marshal.dumps(("\0".join([row[0] for row in rows]), array("q", [row[1] for row in rows]).tobytes(),
                              array("Q", [row[2] for row in rows]).tobytes(), array("Q", [row[3] for row in rows]).tobytes()))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        status = 0
    finally:
        os._exit(status)


class Scan:
    """Folder listings for one build: each folder is read once, again only after ``forget``."""

    def __init__(self) -> None:
        self._walks: dict[tuple, dict[str, os.stat_result]] = {}
        self._signatures: dict[tuple, list[tuple[str, tuple[int, int, int]]]] = {}
        self._aside: dict[tuple, tuple[int, int]] = {}  # key → (pid, read end of its pipe): ``walk_aside``

    def walk(self, root: Path, suffix: str = "", hidden: tuple[str, ...] = ()) -> dict[str, os.stat_result]:
        key = (root, suffix, hidden)
        if key in self._aside:
            self._take_aside(key)
        if key not in self._walks:
            self._walks[key] = walk(root, suffix, hidden)
        return self._walks[key]

    def walk_aside(self, root: Path, suffix: str = "") -> bool:
        """Start listing ``root`` in a forked process, so that this one may list another folder meanwhile on
        another core (a thread would share this one: each file's stat is a few microseconds of Python around
        a system call, 100,000 content files at 100,000 articles). ``walk`` and ``signatures`` take its
        result. False (nothing started) where forking is unsafe or impossible: threads running (the dev
        server's), or no ``fork``."""
        key = (root, suffix, ())
        if key in self._walks or key in self._aside or not hasattr(os, "fork") or threading.active_count() > 1:
            return False
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: lists, writes, exits (never returns)
            os.close(read)
            _walk_to(write, root, suffix, ())
        os.close(write)
        self._aside[key] = (pid, read)
        return True

    def _take_aside(self, key: tuple) -> None:
        """The listing ``walk_aside`` started (made here again if the child failed)."""
        pid, read = self._aside.pop(key)
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return  # ``walk`` lists the folder here
        paths, mtimes, sizes, inodes = marshal.loads(data)
        rows = list(zip(paths.split("\0") if paths else [], array("q", mtimes), array("Q", sizes), array("Q", inodes)))
        self._walks[key] = {rel: Stat(mtime, size, ino) for rel, mtime, size, ino in rows}
        self._signatures[key] = [(rel, (mtime, size, ino)) for rel, mtime, size, ino in rows]

    def _take_all(self, root: Path) -> None:
        for key in [k for k in self._aside if k[0] == root]:
            self._take_aside(key)

    def signatures(self, root: Path, suffix: str = "", hidden: tuple[str, ...] = ()) -> list[tuple[str, tuple[int, int, int]]]:
        """``walk``'s files with their ``signature``, in its order: made once for the listing (import, the
        build's check for changes and the library each need them: 100,000 at 100,000 articles)."""
        key = (root, suffix, hidden)
        if key in self._aside:
            self._take_aside(key)
        found = self._signatures.get(key)
        if found is None:
            found = self._signatures[key] = [(rel, signature(stat)) for rel, stat in self.walk(root, suffix, hidden).items()]
        return found

    def refresh(self, root: Path, paths) -> None:
        """Bring the listings of ``root`` up to date after this process wrote the files ``paths`` (absolute,
        below ``root``; written as wholes, renamed in place): only those are looked at again, not the
        whole folder (100,000 files at 100,000 articles)."""
        self._take_all(root)
        for key, found in self._walks.items():
            if key[0] != root:
                continue
            self._signatures.pop(key, None)
            _, suffix, hidden = key
            added = False
            prefix = os.path.join(root, "")
            for path in paths:
                path = os.fspath(path)  # (strings, not Path's relative_to: 10,000 files at a build from 10,000 seeds)
                if not path.startswith(prefix):
                    raise ValueError(f"{path} is not below {root}")
                rel = path[len(prefix):].replace(os.sep, "/")
                if not rel.endswith(suffix) or any(part.startswith(".") and part not in hidden for part in rel.split("/")):
                    continue
                try:
                    stat = os.lstat(path)
                except OSError:
                    found.pop(rel, None)
                    continue
                if not S_ISREG(stat.st_mode):
                    found.pop(rel, None)
                    continue
                added = added or rel not in found
                found[rel] = stat
            if added:
                self._walks[key] = dict(sorted(found.items()))

    def forget(self, root: Path) -> None:
        self._take_all(root)
        for key in [k for k in self._walks if k[0] == root]:
            del self._walks[key]
            self._signatures.pop(key, None)

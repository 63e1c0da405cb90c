"""The output folder, replaced in one step, with only changed files written.

A build never writes into the live folder (``_site``). It brings a **spare**
twin of it up to date — the spare is the site as it was one build ago, so only
the files that changed in the last two builds need touching; unchanged files are
hard links shared with the live folder, and a changed file is always a new file
(written beside, then renamed), so the live folder never sees a partial write.
Then the two folders are exchanged in one ``renameat2(RENAME_EXCHANGE)`` call
on Linux (elsewhere: two renames, and the next build finishes or undoes a swap
that a kill interrupted). A build that fails or is killed leaves the previous
site exactly as it was.

The manifests (output path → key of what it was built from, hash of its bytes)
of both folders live in the cache, one store each (``output``, ``output-spare``):
a build writes only the new site's, which it names ``output-next`` before the
swap and ``output`` after it, the live one becoming ``output-spare`` by a rename.
Each of those stores holds only how its manifest differs from a **base**, a whole
manifest stored once under its own name (``output-base-<id>``, which the stores name):
a change writes and reads a few hundred entries, not two manifests of 343,000 (57 MB each
at 100,000 articles). A new base is written once the differences grow past an eighth of
the site (``FOLD``); bases that neither store names are removed after each swap. A
store whose base is missing or damaged describes an unknown folder, as a missing store does.
A spare whose state is unknown (no cache, or a build killed while updating it)
is thrown away and made again from the live folder with hard links; both are
unknown after a build killed during its swap (``output-next`` left behind).

A build that leaves no spare behind (a cold build: the spare became the site) starts
making the next one in the background, a process of its own that hard-links the live
files into a folder named after that site (``site-spare.making-<id>``, renamed
``site-spare.ready-<id>`` once whole). The next build takes it as its spare when the site
is still that one, waiting for it if it is still being made, instead of linking tens of
thousands of files itself (creating the folders is the cost: 2.2 s at 10,000 articles,
right after a cold build). A folder for another site, or one left half made, is removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import subprocess
import sys
import time
from itertools import repeat
from operator import itemgetter
from pathlib import Path

from .cache import Cache, sha

AT_FDCWD = -100
RENAME_EXCHANGE = 2
Manifest = dict[str, tuple[str, str]]


def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


RENAMEAT2 = _renameat2()

FOLD = 8
"""A new base manifest is written when a site's differences from its base reach 1/FOLD of its files (or
``FOLD_FROM``, whichever is more): until then a build stores only those differences."""
FOLD_FROM = 2000

SPARE_AHEAD_FROM = 3000
"""A site of at least this many files has its next spare made in the background after a cold build
(below it, linking the files in the next build costs little)."""
SPARE_EARLY_FROM = 100_000
"""A site of at least this many files has its next spare started as soon as it is swapped in, not after the
build's last steps (measuring the site, the build state): those take seconds in the build's one process at
100,000 articles (345,000 files), while linking them takes ~7 s on the other core, and a change right after
the build waited for it. Below this, the last steps are short and the linking would only be in their way."""
SPARE_WAIT = 600.0
"""How long a build waits, at most, for a spare being made in the background (then it makes its own)."""
_JOBS: dict[int, subprocess.Popen] = {}
"""The background spares started by this process (a long-lived one, the dev server, reaps them)."""


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system cannot."""
    if RENAMEAT2 is None:
        return False
    return RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def remove_later(path: Path) -> None:
    """Delete a folder without waiting for it: rename it aside, let ``rm`` finish it."""
    if not path.exists():
        return
    aside = path
    if ".trash-" not in path.name:
        aside = path.with_name(path.name + f".trash-{os.getpid()}-{id(path)}")
        os.rename(path, aside)
    if os.name == "posix" and shutil.which("rm"):
        subprocess.Popen(["rm", "-rf", str(aside)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    else:
        shutil.rmtree(aside, ignore_errors=True)


class OutputTree:
    """The live output folder and its spare twin."""

    def __init__(self, out: Path, cache: Cache) -> None:
        self.out = out
        self.cache = cache
        self.spare = self._spare_path()
        self.old = out.parent / f".{out.name}.old"
        self.recover()
        if cache.load("output-next") is not None:  # a build killed during its swap: which site is where is unknown
            for name in ("output", "output-spare", "output-next"):
                cache.discard(name)
        self._bases: dict[str, Manifest | None] = {}
        """The base manifests read (by id; None: missing or damaged), never changed: the stores name them."""
        state = cache.load("output") or {}
        self.live: Manifest | None = self._manifest(state) if out.is_dir() else None
        self._live_base: str | None = state.get("base") if self.live is not None else None
        self._live_gone: tuple = tuple(state.get("gone", ())) if self._live_base is not None else ()  # (its base's files it has not)
        spare = cache.load("output-spare") if self.spare.is_dir() and self.live is not None else None
        self.spare_manifest: Manifest | None = self._manifest(spare) if spare else None  # the live site's store, renamed
        self._apart: set[str] | None = None
        """The files whose entries in the live or spare manifest may not be their base's very objects (their
        differences from it: changed, new or gone); None when either manifest is not made from the live site's base."""
        if self._live_base is not None and (self.spare_manifest is None or (spare.get("base") == self._live_base)):
            self._apart = set(state["set"]).union(state["gone"], *((spare["set"], spare["gone"]) if self.spare_manifest is not None else ()))
        self.live_id: str = state.get("live_id", "") if self.live is not None else ""
        """Names the live site of the manifest (a new one at each commit): a spare made in the background is for it."""
        job = cache.load("output-job") if self.live_id else None
        self.job: list | None = job if job and job[1] == self.live_id else None
        """[pid, live id] of the process making the next spare in the background, if one was started."""
        self._clear_spares_ahead()
        self._entries: dict[str, tuple[str, str]] = {}
        """The manifest entries ``prepare`` found made already (the spare's or the live site's very objects, which
        the manifests share with their base: the new manifest's differences from it are found by identity); when
        ``_lean``, only those of the files apart (see ``_apart``)."""
        self._todo: set[str] = set()
        """The files ``prepare`` found to make, when it looked only at those (``_lean``): every other file it was given is
        the live one, with the live manifest's entry, or the spare's (then in ``_entries``)."""
        self._lean = False  # (whether ``prepare`` did so)
        self.removed: list[str] | None = None
        """The files of the site replaced by the last ``commit`` that the new one has not (None: not known)."""
        self._prepared = 0  # (how many files it was given then, in all)
        self.differ: set[str] = set()
        """The files of the new site whose bytes are not the live file's (new ones among them): rendered with other
        bytes, or taken from the spare with other bytes than the live one's (known once ``commit`` is called)."""
        self._folders: set[str] = set()
        self.sizes: dict[str, int] = {}
        """The size of each file ``put`` wrote (or found the live one's), by its hash: what the site's size needs
        (``builder.size_problems``), without a look at every file of a cold build's site (0.05 s at 1,000 articles)."""
        self._fresh: bool | None = None
        """Whether ``prepare`` found the spare's state unknown and began it afresh (None: not prepared yet)."""
        self._ahead_pending = False  # (whether the next spare is still to be made in the background: ``start_spare_ahead``)
        self._committed = False
        """Whether ``commit`` was called: a tree serves one build (its state above is that of the site it replaced)."""

    def _manifest(self, state: dict) -> Manifest | None:
        """The manifest a store describes: its base with its differences; None if that cannot be known."""
        return manifest_of(self.cache, state, self._bases)

    def _differences(self, manifest: Manifest, made: list[str] | None = None, removed: list[str] | None = None) -> dict:
        """The store of ``manifest``: its differences from the live site's base, or, past ``FOLD``, from a
        new base (written here: the manifest itself). ``made``: the files whose entries are new objects (the
        others are those of the live or spare manifest, see ``_entries``), when both are made from that base;
        ``removed``, if known, the live files the manifest has not (those of the base it has not are among them
        or among the live site's own differences: no look at each file of the base)."""
        base = self._bases.get(self._live_base) if self._live_base else None
        if base is not None:
            get = base.get
            if made is not None:
                # Any other entry is one of the live or spare manifest's not apart from their base: its very object.
                changed = {rel: value for rel in self._apart.union(made) if (value := manifest.get(rel)) is not None and get(rel) is not value}
                new = sum(1 for rel in changed if rel not in base)
                if len(manifest) - new == len(base):
                    gone = ()
                elif removed is not None:
                    gone = tuple(rel for rel in dict.fromkeys([*self._live_gone, *removed]) if rel in base and rel not in manifest)
                else:
                    gone = tuple(base.keys() - manifest.keys())
            else:
                changed = {rel: value for rel, value in manifest.items() if get(rel) is not value}  # (see ``_entries``)
                gone = tuple(base.keys() - manifest.keys())
            if len(changed) + len(gone) <= max(FOLD_FROM, len(manifest) // FOLD):
                return {"base": self._live_base, "set": changed, "gone": gone}
        token = secrets.token_hex(8)
        self.cache.save(f"{BASE}{token}", manifest, strict=True)
        self._bases[token] = manifest
        return {"base": token, "set": {}, "gone": ()}

    def _drop_bases(self, keep: set) -> None:
        """Remove the base manifests that no store names any more."""
        self.cache.keep_only(BASE, keep)

    def _spare_path(self) -> Path:
        """In the cache folder when it is on the output's file system, else beside the output."""
        root = self.cache.root
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
            self.out.parent.mkdir(parents=True, exist_ok=True)
            if os.stat(root).st_dev == os.stat(self.out.parent).st_dev:
                return root / "site-spare"
        return self.out.parent / f".{self.out.name}.spare"

    def recover(self) -> None:
        """Finish a swap that a killed build left half done (only without renameat2)."""
        if self.old.exists():
            if not self.out.exists():
                os.rename(self.old, self.out)
            else:
                remove_later(self.old)
        for trash in self.spare.parent.glob(self.spare.name + ".*"):
            if ".trash-" in trash.name:
                remove_later(trash)  # left by a run that stopped before its rm finished

    def _ahead(self, state: str) -> Path:
        """The folder of the spare made in the background for the live site (``making`` or ``ready``)."""
        return self.spare.with_name(f"{self.spare.name}.{state}-{self.live_id}")

    def _clear_spares_ahead(self) -> None:
        """Remove spares made in the background for another site than the live one."""
        for path in self.spare.parent.glob(self.spare.name + ".*-*"):
            state, _, token = path.name[len(self.spare.name) + 1:].partition("-")
            if state in ("making", "ready") and (not self.live_id or token != self.live_id) and ".trash-" not in path.name:
                remove_later(path)

    def _take_spare_ahead(self) -> None:
        """Make the spare made in the background (for this live site) this build's spare, waiting for it
        while its process is still at work."""
        if self.live is None or not self.job:  # (a job is only ever this live site's: see ``__init__``)
            return
        ready, making = self._ahead("ready"), self._ahead("making")
        waited = time.monotonic() + SPARE_WAIT
        while not ready.is_dir() and making.is_dir() and _running(self.job[0]) and time.monotonic() < waited:
            time.sleep(0.01)
        if not ready.is_dir():
            return
        if self.spare.exists():
            remove_later(self.spare)
        os.rename(ready, self.spare)
        self.spare_manifest = self.live  # (its entries apart from the base: the live site's, in ``_apart`` already)

    def _make_spare_ahead(self) -> None:
        """Start making the next spare in the background: the live files, hard-linked (see the module's text)."""
        self.job = None
        if self.live is None or len(self.live) < SPARE_AHEAD_FROM or self.cache.root is None:
            return
        making, ready = self._ahead("making"), self._ahead("ready")
        package = str(Path(__file__).resolve().parent.parent)
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")])))
        try:
            # ``making`` is there from the start, before the process is (its Python starts, then reads the manifest:
            # a second or more on a busy machine): a build that comes meanwhile waits for the spare rather than
            # take an empty ``making`` for a job that failed (``_take_spare_ahead``), and makes no spare of its own.
            remove_later(making)
            making.mkdir()
            process = subprocess.Popen([sys.executable, "-c", "import sys; from crossings.writer import link_spare; link_spare(*sys.argv[1:], nice=True)",
                                        str(self.cache.root), self.live_id, str(self.out), str(making), str(ready)],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment,
                                       start_new_session=True)
        except OSError:
            with contextlib.suppress(OSError):
                making.rmdir()
            return
        _JOBS[process.pid] = process
        self.job = [process.pid, self.live_id]

    def unchanged(self, wanted: dict[str, str]) -> bool:
        """Tell whether the live folder is already exactly what ``wanted`` describes."""
        return self.live is not None and len(self.live) == len(wanted) and all(
            self.live.get(rel, ("",))[0] == key for rel, key in wanted.items())

    def prepare(self, wanted: dict[str, str], remove: bool = True) -> list[str]:
        """Bring the spare up to date except for what must be rendered; return that.

        With ``remove=False``, ``wanted`` is only a part of the new site (the build prepares the
        pages while the search index is still being made, then the index): files of the spare
        that are not wanted stay until ``remove_unwanted`` is given the whole site."""
        self._one_build()
        if self._fresh is None:
            if self.spare_manifest is None:
                self._take_spare_ahead()
            self.job = None
            self.cache.discard("output-job")
            self.cache.discard("output-spare")  # from here until commit, the spare's state is unknown
            self._fresh = self.spare_manifest is None
            if self._fresh:
                remove_later(self.spare)
                self.spare.mkdir(parents=True)
        fresh = self._fresh
        live = self.live or {}
        differ, entries = self.differ, self._entries
        made: set[str] = set()
        nothing = ("", "")
        twin = self.spare_manifest is None or self.spare_manifest is live
        apart = set() if twin else self._apart
        if apart is not None:
            # The spare's entry of a file not ``apart`` is the live manifest's very object (or both have none): that
            # file is the live one (or to make) in both. Then one look a file (343,000 at 100,000 articles) finds the
            # files to make; the others are the live manifest's entries, which ``commit`` copies all at once; the
            # files apart (those the last two builds changed, a few hundred) are looked at one by one below.
            todo = [rel for rel in _other_keys(wanted, live) if rel not in apart]
            if self.spare_manifest is None and len(todo) < len(wanted):  # a new spare: every file kept is linked
                making = set(todo)
                for rel in wanted:
                    if rel not in making:
                        self._link(rel, made, fresh)
            check = [rel for rel in apart if rel in wanted]
            self._lean = True
            self._prepared += len(wanted)
        else:
            todo, check = [], wanted
        if check:
            spare_get, live_get = self.spare_manifest.get, live.get
            for rel in check:
                key = wanted[rel]
                there = spare_get(rel, nothing)
                if there[0] == key:
                    entries[rel] = there
                    here = live_get(rel, nothing)
                    if here is not there and here[1] != there[1]:
                        differ.add(rel)
                    continue
                there = live_get(rel, nothing)
                if there[0] == key:
                    self._link(rel, made, fresh)
                    entries[rel] = there
                else:
                    todo.append(rel)
        if apart is not None:
            self._todo.update(todo)
        if remove:
            self.remove_unwanted(wanted)
        return todo

    def remove_unwanted(self, wanted: dict[str, str]) -> None:
        """Remove from the spare the files the new site (all of it: ``wanted``) does not have."""
        self._one_build()
        spare = self.spare_manifest or {}
        if self._lean and self.live is not None and not self._unwanted_live(wanted):
            # (then the spare's files not wanted are among those apart: the others are the live site's)
            for rel in [rel for rel in self._apart or () if rel in spare and rel not in wanted]:
                self._remove(rel)
            return
        for rel in spare.keys() - wanted.keys():
            self._remove(rel)

    def _unwanted_live(self, wanted: dict[str, str], made=()) -> int:
        """How many live files ``wanted`` (all of the new site) has not, after a ``prepare`` that was ``_lean``: as
        many as it has less of them than there are (each file wanted is a live one, else to make or found in the
        spare), found without a look at each file (usually none)."""
        live = self.live or {}
        new = sum(1 for rel in self._todo.union(self._entries, made) if rel in wanted and rel not in live)
        return len(live) - len(wanted) + new

    def put(self, rel: str, data: bytes) -> str:
        """Write one file of the new site (a new file: the live twin is never touched)."""
        digest = sha(data)
        self.sizes[digest] = len(data)
        path = self._place(rel, digest)
        if path is None:
            return digest
        try:
            # Nothing there yet: nobody else can see this file, write it in place.
            with open(path, "xb") as out:
                out.write(data)
            return digest
        except FileExistsError:
            pass  # maybe a hard link to the live file: replace it, never write into it
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return digest

    def adopt(self, rel: str, source: Path, digest: str) -> str:
        """Make ``source`` (a file of the build's spool, on the same file system, with this SHA-256) this
        file of the new site by moving it: no copy. Same bytes as the live file: that one is shared."""
        path = self._place(rel, digest)
        if path is None:
            return digest
        try:
            os.replace(source, path)  # replaces a hard link to the live file, never writes into it
        except OSError:  # another file system: copy
            return self.put(rel, Path(source).read_bytes())
        return digest

    def adopt_folders(self, found: list[tuple[str, Path, str]]) -> dict[str, str]:
        """``adopt`` folder by folder where it can: each folder of the spool whose files are all these and
        whose place in the new site is free (and whose files the live site has not: a cold build's search index,
        six folders of ~170 files at 1,000 articles) is moved in one step; rel → hash of the files so moved
        (the others are for ``adopt``, one by one: ~40 µs each, at the end of the build on one core)."""
        by_folder: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for rel, source, digest in found:
            folder, _, name = rel.rpartition("/")
            parent, _, source_name = os.fspath(source).rpartition(os.sep)
            if folder and source_name == name:
                by_folder.setdefault((folder, parent), []).append((rel, digest))
        live = self.live or {}
        moved: dict[str, str] = {}
        for (folder, source), files in by_folder.items():
            target = self.spare / folder
            if folder in self._folders or any(rel in live for rel, _ in files):
                continue
            try:
                if len(os.listdir(source)) != len(files) or target.exists():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(source, target)
            except OSError:
                continue
            self._folders.add(folder)
            moved.update(files)
        return moved

    def _place(self, rel: str, digest: str) -> Path | None:
        """Where a new file of the site goes in the spare (its folder made), or None when the live file
        has the same bytes: then that one is shared (a hard link, its date kept) and nothing is written."""
        live = (self.live or {}).get(rel)
        if live is not None and live[1] == digest:
            self._link(rel, set())
            return None
        path = self.spare / rel
        folder = rel.rpartition("/")[0]
        if folder not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return path

    def commit(self, wanted: dict[str, str], shas: dict[str, str], spare_ahead: bool | None = True) -> None:
        """Make the spare the live folder, in one step where the system allows. With ``spare_ahead=False``,
        the next spare is made in the background only once the build calls ``start_spare_ahead``: after
        its own last steps, which that process (linking every file of the site) would slow down. With
        None: as False for a site of fewer than ``SPARE_EARLY_FROM`` files, as True for a bigger one."""
        self._one_build()
        live = self.live or {}
        self.differ.update(rel for rel, digest in shas.items() if live.get(rel, ("", ""))[1] != digest)  # (rendered, perhaps by workers)
        entries = self._entries
        if self._lean:
            # The new manifest is the live one without the files gone, with the spare's entries found and the files
            # made (a copy of the dict and a few hundred entries at 100,000 articles, not a new entry for each of
            # 345,000 files).
            manifest = dict(live)
            removed = list(live.keys() - wanted.keys()) if self._unwanted_live(wanted, shas) else []
            for rel in removed:
                del manifest[rel]
            manifest.update(entries)
            made = [rel for rel in shas if rel in wanted]
            for rel in made:
                manifest[rel] = (wanted[rel], shas[rel])
            if len(manifest) != len(wanted) or self._prepared != len(wanted) or not self._todo <= shas.keys():
                raise RuntimeError("the files to write were not all prepared and made")  # (a mistake of the build's)
        else:
            for rel in shas:  # (rendered: not the entries found)
                entries.pop(rel, None)
            get = entries.get  # (an entry found, else a file rendered: in ``shas``)
            manifest = {rel: get(rel) or (key, shas[rel]) for rel, key in wanted.items()}
            made = [rel for rel in wanted if rel not in entries]
            removed = None  # (not known)
        self.removed = removed
        live_id = secrets.token_hex(8)
        state = self._differences(manifest, made if self._apart is not None else None, removed)
        self.cache.save("output-next", {**state, "live_id": live_id}, strict=True)
        if not self.out.exists():
            os.rename(self.spare, self.out)
            old = None
        elif exchange(self.spare, self.out):
            old = self.live
        else:
            os.rename(self.out, self.old)
            os.rename(self.spare, self.out)
            os.rename(self.old, self.spare)
            old = self.live
        old_base = self._live_base
        if old is None or not self.cache.rename("output", "output-spare"):
            self.cache.discard("output-spare")
            old = old_base = None
        self.cache.rename("output-next", "output")
        self._committed = True
        self.live, self.spare_manifest, self.live_id = manifest, old, live_id
        self._live_base = state["base"]
        self._drop_bases({state["base"], old_base})
        self._clear_spares_ahead()  # those made for the site just replaced
        self._ahead_pending = old is None
        if spare_ahead or (spare_ahead is None and len(wanted) >= SPARE_EARLY_FROM):
            self.start_spare_ahead()

    def _one_build(self) -> None:
        """Refuse a second build through this tree (``prepare``, ``remove_unwanted``, ``commit`` after ``commit``):
        what ``prepare`` set up once (``_fresh``), the files changed by the last two builds (``_apart``) and the live
        store's gone files are those of the site ``commit`` replaced, so a second build would be made from a wrong
        state (and store a wrong manifest) rather than fail."""
        if self._committed:
            raise RuntimeError("an OutputTree serves one build: make a new one for the next")  # (a mistake of the caller's)

    def start_spare_ahead(self) -> None:
        """Start making the next spare in the background, if the last ``commit`` left none."""
        if self._ahead_pending:
            self._ahead_pending = False
            self._make_spare_ahead()
            if self.job:
                self.cache.save("output-job", self.job)

    def _link(self, rel: str, made: set[str], fresh: bool = False) -> None:
        target = self.spare / rel
        parent = target.parent
        if str(parent) not in made:
            parent.mkdir(parents=True, exist_ok=True)
            made.add(str(parent))
        if fresh:  # an empty spare: nothing to replace
            try:
                os.link(self.out / rel, target)
                return
            except OSError:
                pass
        try:
            if os.path.samefile(self.out / rel, target):
                return  # already shared (renaming a link over itself would do nothing)
        except FileNotFoundError:
            pass
        tmp = parent / f".{target.name}.tmp"
        try:
            os.link(self.out / rel, tmp)
        except FileExistsError:
            tmp.unlink()
            os.link(self.out / rel, tmp)
        except OSError:  # no hard links here (another file system): copy
            shutil.copyfile(self.out / rel, tmp)
        os.replace(tmp, target)

    def _remove(self, rel: str) -> None:
        path = self.spare / rel
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.spare:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _other_keys(wanted: dict[str, str], manifest: Manifest, run: int = 512) -> list[str]:
    """The files of ``wanted`` (path → key) that ``manifest`` has not with that key, in order. The keys are compared
    a run of files at a time, as lists (in C): only a run that differs is looked at file by file (345,000 files at
    100,000 articles, a few hundred of them new or changed)."""
    rels = list(wanted)
    keys = list(wanted.values())
    there = list(map(itemgetter(0), map(manifest.get, rels, repeat(("", "")))))
    found = []
    for start in range(0, len(rels), run):
        end = start + run
        if keys[start:end] != there[start:end]:
            found.extend(rels[i] for i in range(start, min(end, len(rels))) if keys[i] != there[i])
    return found


def _running(pid: int) -> bool:
    """Whether the process is still at work (a child of this process is reaped here)."""
    job = _JOBS.get(pid)
    if job is not None:
        return job.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return True


def link_spare(cache: str, live_id: str, out: str, making: str, ready: str, nice: bool = False) -> None:
    """The background process of ``OutputTree._make_spare_ahead``: hard-link the live site's files (its
    manifest, which the build saved before starting it) into ``making``, then rename it ``ready``.
    Any failure leaves ``making`` half made: the next build ignores it, and the one after removes it.

    ``nice``: at the lowest priority. The linking (7–8 s of system calls at 100,000 articles) then takes
    only what the build's last steps and the user's next builds leave of the cores. Right after a cold
    build of 100,000 articles, a build with no change and a build with one new seed each took 0.8 s
    more while they shared the cores with it at the same priority. A build that needs the spare sleeps
    while it waits for it (``_take_spare_ahead``), so the linking then has a core to itself."""
    if nice and hasattr(os, "nice"):
        os.nice(19)
    store = Cache(Path(cache))
    state = store.load("output") or {}
    manifest = manifest_of(store, state, {}) if state.get("live_id") == live_id else None  # (else another site by now)
    if manifest is None:
        with contextlib.suppress(OSError):
            os.rmdir(making)  # (made empty by the build that started this process: no spare to wait for)
        return
    # Folders first, parents before children (sorted), then the files, each by its path from the two folders
    # (no walk of the whole path, no check that a parent is there): 7.7 s rather than 9.5 s at 100,000
    # articles (144,682 folders, 345,731 files), time the first build after a cold one may wait for.
    os.makedirs(making, exist_ok=True)
    source, target = os.open(out, os.O_RDONLY | os.O_DIRECTORY), os.open(making, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for folder in sorted({rel.rpartition("/")[0] for rel in manifest} - {""}):
            try:
                os.mkdir(folder, dir_fd=target)
            except FileNotFoundError:  # a parent holding no file of its own
                os.makedirs(os.path.join(making, folder), exist_ok=True)
        for rel in manifest:
            os.link(rel, rel, src_dir_fd=source, dst_dir_fd=target, follow_symlinks=False)
    finally:
        os.close(source)
        os.close(target)
    os.rename(making, ready)


BASE = "output-base-"
"""The stores of base manifests: ``output-base-<id>``."""


def manifest_of(cache: Cache, state: dict, bases: dict[str, Manifest | None]) -> Manifest | None:
    """The manifest an ``output`` store describes (``bases``: those read already, by id, kept there), a new
    dict; None when it cannot be known (its base missing or damaged, or not the base it was made from)."""
    if "live" in state:  # a whole manifest, as earlier versions stored it
        return state["live"]
    token = state.get("base")
    if not isinstance(token, str):
        return None
    if token not in bases:
        base = cache.load(f"{BASE}{token}")
        bases[token] = base if isinstance(base, dict) else None
    base = bases[token]
    if base is None:
        return None
    manifest = dict(base)
    try:
        manifest.update(state["set"])
        for rel in state["gone"]:
            del manifest[rel]
    except (KeyError, TypeError, ValueError):
        return None
    return manifest


def output_problem(out: Path, protected: list[Path]) -> str:
    """Say why ``out`` must not be replaced by a build, or '' if it may."""
    out = out.resolve()
    if out == Path(out.anchor) or out == Path.home().resolve():
        return f"{out} is a system or home folder"
    for path in protected:
        path = path.resolve()
        if out == path or out in path.parents:
            return f"{out} holds {path}, which a build must not replace"
    if (out / ".git").exists() or (out / "pyproject.toml").exists():
        return f"{out} looks like a project folder (it has .git or pyproject.toml)"
    return ""

"""The build, as a flat list of steps: import, load, model, plan, render, write.

Each step does only the work its inputs' changes require (see ``cache``,
``library``, ``site`` and ``writer``); the result is always byte-identical to a
build from nothing, which the tests check by replaying sequences of edits.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import marshal
import os
import posixpath
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__, ownsearch, parallel
from .cache import Cache, Scan, sha, signature
from .catalogs import Catalogs, load_catalogs, untranslated
from .config import Config
from .exports import ExportsAhead
from .importer import ImportReport, Importer, release_tables
from .library import Library
from .problems import Problem, display_path, error, has_errors
from .problems import warning as warning_problem
from .render import RENDER_ERRORS, in_process, make_env, render, render_all, template_digests, template_problem, templates_warmed, warm_templates, write_problem
from .search import Cancelled, SearchError, plan_search
from .site import ArticlePlanAhead, Output, build_site, digest, digest_of, plan
from .writer import OutputTree, output_problem


HIDDEN = (".well-known",)  # the one hidden folder static/ may publish


def _clocks() -> tuple[float, ...]:
    """Wall and CPU seconds of this process; with CROSSINGS_TIMINGS=system, and the machine's busy CPU seconds."""
    if os.environ.get("CROSSINGS_TIMINGS") == "system":
        busy = machine_busy()
        if busy is not None:
            return time.perf_counter(), time.process_time(), busy
    return time.perf_counter(), time.process_time()


def machine_busy() -> float | None:
    """The CPU seconds all cores of the machine have spent working since it started (Linux's /proc/stat: user,
    nice, system, interrupts, steal; not idle or waiting for the disk); None elsewhere."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if fields[:1] != [b"cpu"] or len(fields) < 9:
        return None
    return sum(int(fields[i]) for i in (1, 2, 3, 6, 7, 8)) / os.sysconf("SC_CLK_TCK")


@dataclass
class BuildReport:
    """What a run did, for the summary line and the exit status."""

    imports: ImportReport | None = None
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0
    pages: int = 0
    rendered: int = 0
    written: bool = False
    cancelled: bool = False
    """The dev server called this build off before it wrote anything."""
    search_pending: bool = False
    """The search index or an export still shows an earlier state (``search_later``); build again to catch up."""
    changed: bool = False
    """Whether the site folder changed (False for a build that found nothing to do)."""
    seconds: float = 0.0
    phases: dict[str, tuple[float, ...]] = field(default_factory=dict)
    """Wall and CPU seconds of each step of this process, in order (printed with CROSSINGS_TIMINGS=1); with
    CROSSINGS_TIMINGS=system, also the CPU seconds of the whole machine (every process, on every core: the
    build's workers, and anything else that runs)."""

    def lap(self, name: str) -> None:
        now = _clocks()
        before = self.phases.get(name, (0.0,) * len(now))
        self.phases[name] = tuple(b + n - l for b, n, l in zip(before, now, self._lap))
        self._lap = now

    _lap: tuple[float, ...] = field(default_factory=_clocks)

    def all_problems(self) -> list[Problem]:
        return (self.imports.problems if self.imports else []) + self.problems

    @property
    def rejected(self) -> int:
        return len({p.path for p in self.all_problems() if p.is_error})


def build(config: Config, *, write: bool = True, strict: bool = False, progress: bool = False, search_later: bool = False,
          cancel=None, collect: bool = True) -> BuildReport:
    """Build the site into ``config.output``; with ``write=False``, render in memory only (check).

    ``collect=False`` (the command line, which exits right after) skips the final collection
    of the build's garbage: at 10,000 articles it takes a tenth of a second or more; and the
    build's model is kept (in ``KEPT``) rather than freed object by object (0.3–0.4 s at
    100,000 articles), for ``build.py`` to end the process without freeing it either."""
    # A build allocates a great many small objects and frees them all at the end;
    # the cyclic collector would rescan the growing heap over and over (it tripled
    # the time to load the caches at 10,000 articles). One collection at the end.
    collecting = gc.isenabled()
    gc.disable()
    report = None
    try:
        report = _build(config, write=write, strict=strict, progress=progress, search_later=search_later, cancel=cancel,
                        keep=not collect)
        return report
    finally:
        templates_warmed()
        if collecting:
            if collect:
                gc.collect()
            else:  # about to exit: nothing to reclaim, and nothing for the collector to scan again
                gc.freeze()
            gc.enable()
        if report is not None and os.environ.get("CROSSINGS_TIMINGS"):
            report.lap("collect")
            system = len(next(iter(report.phases.values()), ())) == 3
            print(("timings (wall/CPU/machine CPU s): " if system else "timings (wall/CPU s): ")
                  + ", ".join(f"{name} " + "/".join(f"{v:.3f}" for v in values) for name, values in report.phases.items())
                  + f"; CPU since the process started {time.process_time():.3f}", file=sys.stderr)


KEPT: list = []
"""The last build's model when its caller exits right after (``build(collect=False)``): freeing it would only take time."""


def _build(config: Config, *, write: bool, strict: bool, progress: bool, search_later: bool, cancel=None, keep: bool = False) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    cache = Cache(config.cache, read_only=not write)
    warm_templates(config, cache)  # a cold build: the templates compiled by another process meanwhile
    scan = Scan()
    spool = make_spool(cache) if write else None
    site = ahead = None
    try:
        library = Library(config, cache, scan=scan, spool=Path(spool) if spool is not None else None)
        # Import first: the pages are built from content/, which import fills (and whose files it reads: many of
        # them, when the build's cache was lost, are parsed for the library by the workers that read them).
        importer = Importer(config, cache, write, scan, library)
        report.imports = importer.run()
        report.lap("import")
        # Nothing changed since the last build: say so, with the problems it found.
        inputs = input_signature(config, scan, importer.listing)
        state = cache.load("build") or {}
        report.lap("unchanged?")
        if write and state.get("inputs") == inputs and config.output.is_dir():
            report.problems = [Problem(*p) for p in state["problems"]]
            report.articles = state["articles"]
            report.written = True
            report.seconds = time.perf_counter() - started
            return report
        library.read_already(importer.index.read)
        importer = None  # its stores and index (of every seed and content file) freed: the memory is used again below
        if keep:  # (a process that exits after this build; the preview server keeps the tables for its next)
            release_tables()
        records, problems = library.load()
        report.problems.extend(problems)
        report.lap("library")
        catalogs = load_catalogs(config.locales, cache if write else None)  # (``check`` reads the .po files themselves)
        report.problems.extend(catalogs.problems)
        site, problems = build_site(records, config, library, catalogs)
        report.problems.extend(problems)
        report.articles = len(site.records)
        site.stories  # (grouped now: the step that grows fastest with the archive, timed on its own)
        report.lap("stories")
        ahead = search_ahead(config, cache, scan, site, search_later, cancel, spool) if write and not strict else None
        report.lap("search started")
        outputs = plan(site, report.lap, exports=ahead.exports if ahead is not None else None, articles=ahead.articles if ahead is not None else None)
        report.lap("plan")
        report.problems.extend(site.stories.problems)
        statics, assets = static_outputs(config, cache, scan, {o.path for o in outputs}, report)
        outputs += statics
        report.pages = sum(1 for o in outputs if o.path.endswith(".html"))
        env = make_env(config, config.cache if write else None, assets, catalogs)
        report.lap("static, env")
        if not write:
            _check_render(env, config, outputs, report)
            report.problems.extend(untranslated(catalogs, sorted(set(config.interface) | set(catalogs.catalogs)), config.templates, config.root))
        else:
            _write(env, config, cache, site, outputs, report, strict, progress, search_later, cancel, catalogs, ahead, spool)
            if report.written and not report.search_pending:
                cache.save("build", {"inputs": inputs, "problems": tuple(p.as_tuple() for p in report.all_problems()), "articles": report.articles})
    except BaseException:
        if ahead is not None:
            ahead.stop()  # e.g. Ctrl-C: Pagefind is stopped rather than waited for
        raise
    finally:
        if ahead is not None:
            ahead.join()
            if ahead.exports is not None:
                ahead.exports.stop()
            if ahead.articles is not None:
                ahead.articles.stop()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
        stories = site.__dict__.get("stories") if site is not None else None
        if stories is not None and stories.grouper is not None:
            stories.grouper.settle()  # the stories' stores written (by a process of their own after a grouping from nothing)
        if ahead is not None:
            ahead.tree.start_spare_ahead()
    for warning in cache.warnings:
        print(warning, file=sys.stderr)
    if keep:
        KEPT[:] = [locals()]  # the site, its outputs, the library: not freed on return
    report.seconds = time.perf_counter() - started
    return report


def protected(config: Config) -> list:
    return [config.root, config.seeds, config.content, config.templates, config.static]


class SearchAhead:
    """The search index planned (Pagefind run on the changed shards) in a thread, while the pages are
    planned: Pagefind works on another core meanwhile, and the thread mostly waits for it.

    ``kept`` needs the settings' digest, which needs the hashed names of static files: they are
    taken before planning (``static_outputs`` without the generated paths); if the build's own
    differ (a static file that collides with a page is left out), the search is planned again."""

    def __init__(self, site, cache: Cache, tree: OutputTree, settings: str, later: bool, cancel, spool: str | None = None,
                 child: SearchChild | None = None) -> None:
        self.site, self.cache, self.tree, self.settings, self.later = site, cache, tree, settings, later
        self.child = child
        self.spool = Path(spool) if spool is not None else None
        self._stopped = threading.Event()
        self.cancel = _Either(cancel, self._stopped) if cancel is not None else self._stopped
        self._result: tuple | None = None
        self._error: BaseException | None = None
        self.forked = threading.Event()  # set when what is left of the search runs in a process of its own
        self.exports: ExportsAhead | None = None  # the export files, planned and made meanwhile (``search_ahead``)
        self.articles: ArticlePlanAhead | None = None  # the article pages' keys, made meanwhile (``search_ahead``)
        self._thread = threading.Thread(target=self._run, name="crossings-search")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self.plan(self.settings)
        except BaseException as exc:  # noqa: BLE001 - handed to the build's thread, which handles it
            self._error = exc

    def plan(self, settings: str) -> tuple[list[Output], bool] | None:
        """The search's outputs (and whether a catch-up is due); from the child if there is one (None if it failed)."""
        if self.child is not None:
            self.forked.set()  # this thread only waits for the child's findings (a pipe read)
            return self.child.result()
        return plan_search(self.site, self.cache, kept_in(self.tree, settings), later=self.later, cancel=self.cancel, spool=self.spool,
                           forked=self.forked)

    def wait_until_fork_is_safe(self) -> None:
        """Wait until this thread holds nothing a forked process could need: it ended, or it only waits
        for the process making our own search index (Pagefind's thread does its work here: wait for it)."""
        while not self.forked.wait(0.05):
            if not self._thread.is_alive():
                return

    def result(self, settings: str) -> tuple[list[Output], bool]:
        self._thread.join()
        if settings != self.settings or (self._result is None and self._error is None):  # (the child failed: planned here)
            self.child = None
            return self.plan(settings)
        if self._error is not None:
            raise self._error
        return self._result

    def stop(self) -> None:
        """Call the search off (the build stops): Pagefind is killed, the thread ends soon."""
        self._stopped.set()
        if self.child is not None:
            self.child.kill()

    def join(self) -> None:
        self._thread.join()


class SearchChild:
    """``plan_search`` (our own index) in a process forked once the model is made, rather than in ``SearchAhead``'s
    thread: that thread only waits for its findings.

    One new article at 100,000 articles: before making the changed part in a process of its own, the thread
    read the index's store, cut the archive into parts, made each part's key and checked that the site still has
    its files (100,000 fragments): 1.3 s of this process's interpreter, shared with the pages being planned, so
    that the part was begun some 2 s after the model was made, and the build waited for it at the end. The child
    does all of it on the other core from the start, writes the files it made into the spool (not those the site
    already has: an article's fragment that kept its number), stores the index's state, and hands back every
    output (path, key, and its file in the spool or its bytes). If it fails, the search is planned here.

    Started where ``ExportsAhead`` is, under the same conditions (no other thread, two cores or more, a spool, a
    site already built)."""

    def __init__(self, aside: parallel.Aside) -> None:
        self.aside = aside

    @classmethod
    def start(cls, site, cache: Cache, kept, spool: str | None) -> SearchChild | None:
        if site.config.search != "crossings" or spool is None:
            return None

        def work() -> bytes:  # (in the child) the index planned and made; every output as plain values
            outputs, pending = plan_search(site, cache, kept, spool=Path(spool), here=True)
            rows = []
            for o in outputs:
                if o.source is not None:
                    rows.append((o.path, o.key, str(o.source[0]), o.source[1]))
                elif o.data is ownsearch._vanished:  # a file the site has (``kept``): never made
                    rows.append((o.path, o.key, None, None))
                else:
                    rows.append((o.path, o.key, None, o.data()))
            return marshal.dumps((rows, pending))

        aside = parallel.Aside.start(work, behind=True)  # (its findings needed once the pages are rendered)
        return cls(aside) if aside is not None else None

    def result(self) -> tuple[list[Output], bool] | None:
        """The outputs ``plan_search`` plans, and whether a catch-up is due; None if the child failed."""
        data = self.aside.take()
        if data is None:
            return None
        rows, pending = marshal.loads(data)
        return [Output(path, None, key, None, ownsearch._bytes(Path(made)) if made is not None else ownsearch._bytes(data) if data is not None
                       else ownsearch._vanished, source=(Path(made), data) if made is not None else None)
                for path, key, made, data in rows], pending

    def kill(self) -> None:
        self.aside.kill()


class _Either:
    """Set when either of two events is (the caller's cancel, or the build's own stop)."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


def kept_in(tree: OutputTree, settings: str):
    """``kept(path, key)`` for ``plan_search``: whether the live or spare site has that file made from that key."""
    context = context_key(None, None, {}, settings, None)  # (the search's files: no template, no language)

    def kept(path: str, key: str) -> bool:  # (asked of every citation.bib and search fragment: 200,000 at 100,000 articles)
        live, spare = tree.live, tree.spare_manifest
        found = live.get(path) if live is not None else None
        if found is not None and found[0] == context + key:
            return True
        found = spare.get(path) if spare is not None else None
        return found is not None and found[0] == context + key
    return kept


def search_ahead(config: Config, cache: Cache, scan: Scan, site, later: bool, cancel, spool: str | None = None) -> SearchAhead | None:
    """Start planning the search index now (see ``SearchAhead``), unless the site will not be written there."""
    if output_problem(config.output, protected(config)):
        return None
    try:
        tree = OutputTree(config.output, cache)
    except OSError:
        return None  # _write says why
    _, assets = static_outputs(config, cache, scan, set(), BuildReport())
    site.stories  # what the thread reads of the model is made before it starts, not by both threads at once
    settings = settings_digest(config, assets)
    aside = tree.live is not None and not later and cancel is None
    kept = kept_in(tree, settings)  # (the files the site has: what the exports' and the search's processes need not make)
    # the export files, by a process forked before the thread starts (see ``ExportsAhead``): not for a cold
    # build (the render workers make them with the rest), nor for the dev server (``later``, ``cancel``). It is
    # the process the build waits for (0.4-1 s at 100,000 articles after a new seed), and needs no facet: forked
    # before they are made here (0.26 s at 100,000 articles).
    exports = ExportsAhead.start(site, kept, spool) if aside else None
    for lang in config.interface:
        site.facets_in(lang)
    # the article pages' keys, by another (see ``ArticlePlanAhead``): not for a cold build either
    articles = ArticlePlanAhead.start(site) if aside else None
    # and the search index, by a third (see ``SearchChild``): not for a cold build either
    child = SearchChild.start(site, cache, kept, spool) if aside else None
    ahead = SearchAhead(site, cache, tree, settings, later, cancel, spool, child)
    ahead.exports = exports
    ahead.articles = articles
    return ahead


def make_spool(cache: Cache) -> str | None:
    """A folder in the cache where the search indexes made by this build wait until the site is written
    (rather than in memory: 545 MB at 100,000 articles), and the bodies read by the library's workers (or import's readers) until the
    pages, exports and search index have taken them (``Library.spool``); None if it cannot be made (then in memory,
    and the bodies read again from their files)."""
    try:
        if cache.root is not None:
            cache.root.mkdir(parents=True, exist_ok=True)
            _remove_stale_spools(cache.root)
        return tempfile.mkdtemp(prefix=f".search-{os.getpid()}-", dir=cache.root)
    except OSError:
        return None


def _remove_stale_spools(root: Path) -> None:
    """Remove the search spools that killed builds left (their process is gone)."""
    for folder in root.glob(".search-*-*"):
        pid = folder.name.split("-")[1]
        try:
            os.kill(int(pid), 0)
            continue  # its build is still running (the dev server and a build side by side)
        except ProcessLookupError:
            pass
        except (ValueError, OSError):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _write(env, config: Config, cache: Cache, site, outputs: list[Output], report: BuildReport, strict: bool, progress: bool,
           search_later: bool = False, cancel=None, catalogs: Catalogs | None = None, ahead: SearchAhead | None = None,
           spool: str | None = None) -> None:
    """Render what changed into the spare folder and swap it in, unless something forbids it.

    The search indexes made on the way wait on disk in ``spool`` (a folder of the cache that the
    build removes at its end, see ``make_spool``) rather than in memory."""
    why = output_problem(config.output, protected(config))
    if why:
        report.problems.append(error(display_path(config.output), None, f"will not write the site there: {why}", "choose another --out folder"))
        return
    if strict and report.all_problems():
        return
    if ahead is not None:
        tree = ahead.tree
    else:
        try:
            tree = OutputTree(config.output, cache)
        except OSError as exc:
            report.problems.append(write_problem(exc, config))
            return
    settings = settings_digest(config, env.globals.get("assets"))
    templates = template_digests(env, cache)
    early = None
    if ahead is not None and cancel is None and not search_later:
        early = _render_early(env, config, outputs, tree, templates, catalogs, report, progress, ahead)
        if early is False:
            return

    try:
        report.lap("write setup")
        if ahead is not None:
            found, report.search_pending = ahead.result(settings)
        else:
            found, report.search_pending = plan_search(site, cache, kept_in(tree, settings), later=search_later, cancel=cancel,
                                                       spool=Path(spool) if spool is not None else None)
        report.lap("search (what was left of it)" if ahead is not None else "search")
    except Cancelled:
        report.cancelled = True
        return
    except OSError as exc:
        report.problems.append(error(display_path(config.output), None, f"cannot write the search index: {exc.strerror or exc}",
                                     "free some disk space or make the temporary folder writable; the previous site is unchanged"))
        return
    except SearchError as exc:
        report.problems.append(error("pagefind", None, f"the search index could not be built: {exc}", "check that the pagefind[bin] package is installed (make build installs it)"))
        return
    exports = ahead.exports if ahead is not None else None
    if early is not None:  # the pages are in the spare: now the search index, then the swap
        if exports is not None:
            early = (*early[:3], exports.resolve(early[3]))
            report.lap("exports (what was left of them)")
        _finish_early(env, config, cache, site, tree, found, early, templates, settings, report)
        return
    outputs = (exports.resolve(outputs) if exports is not None else outputs) + found
    keys = output_keys(env, config, outputs, catalogs, templates=templates)
    report.lap("keys")
    if search_later and tree.live:
        for output in outputs:  # the dev server shows the pages first; exports catch up right after
            old = tree.live.get(output.path)
            if output.deferrable and old is not None and old[0] != keys[output.path]:
                keys[output.path] = old[0]
                report.search_pending = True
    if tree.unchanged(keys):
        report.written = True
        report.problems.extend(size_problems(config, cache, tree.live, tree))
        return
    try:
        todo = set(tree.prepare(keys))
        pending = [o for o in outputs if o.path in todo]
        report.lap("prepare spare")
        shas, problem = _render_in_order(env, config, site, tree, pending, progress and sys.stderr.isatty())
        report.lap(f"render {len(pending)}")
        if problem:
            report.problems.append(problem)
            return
        before = tree.live_id
        tree.commit(keys, shas)
        report.lap("commit")
    except OSError as exc:
        report.problems.append(write_problem(exc, config))
        return
    report.changed = True
    report.rendered = sum(1 for o in pending if o.path.endswith(".html"))
    report.written = True
    report.problems.extend(size_problems(config, cache, tree.live, tree, before))
    report.lap("sizes")


def _render_early(env, config: Config, outputs: list[Output], tree: OutputTree, templates: dict[str, str], catalogs: Catalogs | None,
                  report: BuildReport, progress: bool, ahead: SearchAhead | None = None):
    """While the search index is being made (``SearchAhead``), prepare the spare and render the pages
    that changed; return (their keys, the hashes of what was written, the outputs rendered), None when
    no page changed (nothing is touched: the search index alone may have), or False after a problem.

    Render workers are forked only once the search thread is safe to fork beside (``SearchAhead.
    wait_until_fork_is_safe``): our own index is made in a process of its own, which then shares the
    cores with them; Pagefind's thread must have ended."""
    keys = output_keys(env, config, outputs, catalogs, templates=templates)
    report.lap("keys")
    live = tree.live
    if live is not None and all(live.get(rel, ("",))[0] == key for rel, key in keys.items()):
        return None
    try:
        todo = set(tree.prepare(keys, remove=False))
        chosen = [o for o in outputs if o.path in todo] if todo else []
        # with the search index: the files listing others, once those are written; and the exports that
        # ``ExportsAhead``'s process is making (``resolve``)
        waiting = ahead.exports.waiting if ahead is not None and ahead.exports is not None else {}
        pending = [o for o in chosen if not o.after and o.path not in waiting]
        after = [o for o in chosen if o.after or o.path in waiting]
        report.lap("prepare spare")
        if not in_process(pending):
            # Workers are forked only once the search thread holds nothing they could need: our own index
            # is then being made in a process of its own, which shares the cores with them; Pagefind's
            # thread must have finished.
            if ahead is None:
                return keys, {}, [], pending + after  # rendered after the search, with the workers
            ahead.wait_until_fork_is_safe()
            report.lap("wait to fork")
        shas, problem = render_all(env, config, pending, tree.put, progress and sys.stderr.isatty())
        report.lap(f"render {len(pending)} while the search runs")
    except OSError as exc:
        report.problems.append(write_problem(exc, config))
        return False
    if problem:
        report.problems.append(problem)
        return False
    return keys, shas, pending, after


def _finish_early(env, config: Config, cache: Cache, site, tree: OutputTree, found: list[Output], early: tuple, templates: dict[str, str],
                  settings: str, report: BuildReport) -> None:
    """After ``_render_early``: the search index's files (and pages left for the workers) into the spare, then the swap."""
    keys, shas, rendered, later = early
    keys = {**keys, **output_keys(None, config, found, None, templates=templates, settings=settings)}
    try:
        todo = set(tree.prepare({o.path: keys[o.path] for o in found}, remove=False))
        pending = later + [o for o in found if o.path in todo]
        moved = tree.adopt_folders([(o.path, *o.source) for o in pending if o.source is not None])  # (a cold build's index)
        if moved:
            pending = [o for o in pending if o.path not in moved]
            shas = {**shas, **moved}
        more, problem = _render_in_order(env, config, site, tree, pending, False, shas)
        report.lap(f"write {len(pending)}")
        if problem:
            report.problems.append(problem)
            return
        tree.remove_unwanted(keys)
        before = tree.live_id
        tree.commit(keys, {**shas, **more}, spare_ahead=None)  # (a cold build's next spare: at its end, ``_build``, or now for a big site)
        report.lap("commit")
    except OSError as exc:
        report.problems.append(write_problem(exc, config))
        return
    report.changed = True
    report.rendered = sum(1 for o in rendered + pending if o.path.endswith(".html"))
    report.written = True
    report.problems.extend(size_problems(config, cache, tree.live, tree, before))
    report.lap("sizes")


def _render_in_order(env, config: Config, site, tree: OutputTree, outputs: list[Output], progress: bool,
                     done: dict[str, str] | None = None) -> tuple[dict[str, str], Problem | None]:
    """``render_all``, but the outputs made from other files of the site (``Output.after``) once those are
    written (``done``: the hashes of files written before), their sizes and hashes in ``Site.files``."""
    first, after = [o for o in outputs if not o.after], [o for o in outputs if o.after]
    shas, problem = render_all(env, config, first, tree.put, progress) if first else ({}, None)
    if problem or not after:
        return shas, problem
    # Only files this build wrote: one left as it was, or kept back for later (the dev server), may not be what
    # the output's key stands for; the output then finds it in the build cache, or makes it again.
    written = {**(done or {}), **shas}
    for rel in sorted({rel for o in after for rel in o.after}.intersection(written)):
        try:
            site.files[rel] = ((tree.spare / rel).stat().st_size, written[rel])
        except OSError:
            pass
    more, problem = render_all(env, config, after, tree.put, False)
    return {**shas, **more}, problem


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 100_000_000 else f"{n / 1e6:.2f} MB"


PAGES_LIMIT = 1_000_000_000
"""GitHub Pages publishes a site of at most 1 GB: past it, a build for a github.io address warns
(the tests lower it)."""


def size_problems(config: Config, cache: Cache, manifest: dict[str, tuple[str, str]] | None, tree: OutputTree | None = None,
                  before: str = "") -> list[Problem]:
    """A warning when the site is too big for GitHub Pages and its address is on github.io.

    The site's size is kept in the cache with the live site it is of (``tree.live_id``): after a build that
    replaced the site ``before`` (its id) by the one in ``tree``, only the files that changed are looked at,
    the old ones in the spare folder (the site just replaced). Otherwise the size of each file is remembered
    by its hash (the manifest gives every file's), so that only new files are looked at."""
    if not (urlsplit(config.base_url).hostname or "").endswith(".github.io") or not manifest:
        return []
    total = _site_size(config, cache, manifest, tree, before)
    if total <= PAGES_LIMIT:
        return []
    return [warning_problem(display_path(config.output), None,
                    f"the site is {_size(total)}, more than GitHub Pages publishes ({_size(PAGES_LIMIT)} for a site at {urlsplit(config.base_url).hostname})",
                    "publish it on another static host and set base_url to its address (README: 'Beyond GitHub Pages')")]


def _site_size(config: Config, cache: Cache, manifest: dict[str, tuple[str, str]], tree: OutputTree | None, before: str) -> int:
    live_id = tree.live_id if tree is not None and tree.live is manifest else ""
    stored = (cache.load("site-size") or {}) if live_id else {}
    if live_id and stored.get("live_id") == live_id:
        return stored["total"]  # the site is the one measured last
    total = None
    if live_id and before and stored.get("live_id") == before and tree.spare_manifest is not None:
        total = _changed_size(config, stored["total"], manifest, tree)
    if total is None:
        total = _every_size(config, cache, manifest, tree.sizes if tree is not None else {})
    if live_id:
        cache.save("site-size", {"live_id": live_id, "total": total})
    return total


def _changed_size(config: Config, total: int, manifest: dict[str, tuple[str, str]], tree: OutputTree) -> int | None:
    """The size of the new site from the old one's: the files whose bytes differ (``OutputTree.differ``), new
    in the site, old in the spare (the site just replaced); None if one cannot be looked at."""
    old = tree.spare_manifest
    try:
        for rel in tree.differ:  # (the others are the live file's bytes: linked, or written the same)
            if rel not in manifest:
                continue
            total += (config.output / rel).stat().st_size
            if rel in old:
                total -= (tree.spare / rel).stat().st_size
        for rel in (old.keys() - manifest.keys()) if tree.removed is None else tree.removed:
            total -= (tree.spare / rel).stat().st_size
    except OSError:
        return None
    return total


def _every_size(config: Config, cache: Cache, manifest: dict[str, tuple[str, str]], written: dict[str, int]) -> int:
    """The site's size from each file's, by hash: known from the build cache, or from this build's writing
    (``written``: ``OutputTree.sizes``), else looked at: new files only (a change's hundred, not the site's
    340,000 at 100,000 articles; a cold build's search files, moved in from the spool, are looked at by their
    paths as strings: 2-4 µs each rather than 10 µs as Paths). One pass over the manifest, with no set or list
    of every file's hash beside it: a cold build ends here, where its memory peaks."""
    known: dict[str, int] = cache.load("sizes") or {}
    get, made = known.get, written.get
    root, stat = os.fspath(config.output) + os.sep, os.stat
    total = added = 0
    for rel, (_, digest_) in manifest.items():
        size = get(digest_)
        if size is None:
            size = made(digest_)
            if size is None:
                try:
                    size = stat(root + rel).st_size
                except OSError:
                    size = 0
            known[digest_] = size
            added += 1
        total += size
    if len(known) > 2 * len(manifest) + 1000:  # the sizes of files long gone: kept only the site's
        known = {digest_: known[digest_] for _, digest_ in manifest.values()}
        added += 1
    if added:
        cache.save("sizes", known)
    return total


def _check_render(env, config: Config, outputs: list[Output], report: BuildReport) -> None:
    """Render every page in memory (for ``check``): template errors are problems too."""
    for output in outputs:
        try:
            render(env, output)
        except RENDER_ERRORS as exc:
            report.problems.append(template_problem(exc, config, output))
            return


def settings_digest(config: Config, assets: dict[str, str] | None = None) -> str:
    return digest(__version__, sorted((assets or {}).items()), *(v for k, v in dataclasses.asdict(config).items() if k != "root"))


def output_keys(env, config: Config, outputs: list[Output], catalogs: Catalogs | None = None, cache: Cache | None = None,
                templates: dict[str, str] | None = None, settings: str | None = None) -> dict[str, str]:
    """The final key of every output: its own key, its templates, the settings, the version, and for a
    page in an interface language, that language's catalog (so a .po change rebuilds exactly its pages).

    It is the output's key after a digest of the rest (``context_key``, of fixed length): one per template and
    language, not one hash per output (343,000 of them at 100,000 articles)."""
    settings = settings if settings is not None else settings_digest(config, env.globals.get("assets"))
    templates = templates if templates is not None else template_digests(env, cache)
    keys = {}
    contexts: dict[tuple, str] = {}
    get = contexts.get
    for o in outputs:
        context = get((o.template, o.lang))
        if context is None:
            context = contexts[(o.template, o.lang)] = context_key(o.template, o.lang, templates, settings, catalogs)
        keys[o.path] = context + o.key
    return keys


def context_key(template: str | None, lang: str | None, templates: dict[str, str], settings: str, catalogs: Catalogs | None) -> str:
    """What an output's final key (``output_keys``) adds to its own: a digest (always of the same length) of
    its templates, the settings and the version, and of its language's catalog for a page in an interface language."""
    parts = (templates.get(template, "") if template else "data", settings)
    if lang:
        parts += (lang, catalogs.digest(lang) if catalogs is not None else "")
    return digest_of(parts)


HASHED = (".css", ".js")  # published also under a name with their content hash, which pages link


def static_outputs(config: Config, cache: Cache, scan: Scan, generated: set[str], report: BuildReport) -> tuple[list[Output], dict[str, str]]:
    """Every file of ``static/`` as an output keyed by its content hash; and the hashed names
    of stylesheets and scripts (``css/crossings.css`` → ``css/crossings.3f2a9c1b.css``), so
    that browsers may keep them as long as they like."""
    assets: dict[str, str] = {}
    known = cache.load("static") or {}
    fresh = {}
    outputs = []
    root = config.static
    for rel, stat in scan.walk(root, hidden=HIDDEN).items():
        path = root / rel
        if rel in generated:
            report.problems.append(error(display_path(path), None, f"would overwrite the generated {rel}", "rename or move the static file"))
            continue
        sig = signature(stat)
        entry = known.get(rel)
        if entry is None or entry[0] != sig:
            entry = (sig, sha(path.read_bytes()))
        fresh[rel] = entry
        outputs.append(Output(rel, None, "static:" + entry[1], None, path.read_bytes))
        if rel.endswith(HASHED):
            stem, dot, suffix = rel.rpartition(".")
            assets[rel] = f"{stem}.{entry[1][:10]}{dot}{suffix}"
            outputs.append(Output(assets[rel], None, "static:" + entry[1], None, path.read_bytes))
    if fresh != known:
        cache.save("static", fresh)
    _hashed_imports(root, outputs, assets)
    return outputs, assets


MODULE_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\./[\w./-]+\.js)\2""")
"""A module's static import of another by a relative path (``from "./search-page.js"``)."""


def _hashed_imports(root: Path, outputs: list[Output], assets: dict[str, str]) -> None:
    """In the hashed copy of a script, its imports of other scripts name their hashed copies, and its own
    name is the hash of those bytes: a page's hashed script never runs with a module of another version
    (a browser keeps hashed files, and a server may keep the plain ones for minutes after a deploy)."""
    made: dict[str, tuple[bytes, str]] = {}  # a script → its hashed copy's bytes and name
    by_path = {o.path: i for i, o in enumerate(outputs)}

    def hashed(rel: str, seen: tuple[str, ...] = ()) -> tuple[bytes, str] | None:
        if rel in made or rel in seen:
            return made.get(rel)
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        folder = posixpath.dirname(rel)

        def swap(match: re.Match) -> str:
            target = posixpath.normpath(posixpath.join(folder, match.group(3)))
            if target not in assets or hashed(target, seen + (rel,)) is None:
                return match.group(0)
            name = made[target][1]
            return f"{match.group(1)}{match.group(2)}./{posixpath.relpath(name, folder or '.')}{match.group(2)}"

        changed = MODULE_IMPORT.sub(swap, text)
        data = changed.encode("utf-8")
        digest = sha(data)
        stem, dot, suffix = rel.rpartition(".")
        made[rel] = (data, f"{stem}.{digest[:10]}{dot}{suffix}" if changed != text else assets[rel])
        return made[rel]

    for rel in [r for r in assets if r.endswith(".js")]:
        found = hashed(rel)
        if found is None or found[1] == assets[rel]:
            continue
        data, name = found
        outputs[by_path[assets[rel]]] = Output(name, None, "static:" + sha(data), None, lambda data=data: data)
        assets[rel] = name


def input_signature(config: Config, scan: Scan, seeds: list[tuple[str, tuple]]) -> str:
    """One hash of every input file's (path, mtime, size, inode), the settings and the version.

    Equal signatures mean nothing changed since the last build; any difference
    sends the build through the normal, hash-checked path.
    """
    parts: list = [repr((__version__, dataclasses.astuple(config))), seeds]
    for table in config.tables:  # import reads them, and names in pages come from them too
        try:
            parts.append((str(table), signature(table.stat())))
        except OSError:
            parts.append((str(table), ()))
    for root, suffix in ((config.content, ".md"), (config.templates, ""), (config.static, ""), (config.locales, ".po")):
        parts.append((str(root), scan.signatures(root, suffix, HIDDEN if root == config.static else ())))
    # Plain values written by marshal (much faster than their repr at 100,000 files). Its version 2 writes no
    # references to values met before, which depend on how many references each value has: equal values, equal bytes.
    return hashlib.sha256(marshal.dumps(parts, 2)).hexdigest()


def exit_status(report: BuildReport, strict: bool = False) -> int:
    """0 when all is well; 1 when a file was rejected (or, with --strict, anything was reported)."""
    problems = report.all_problems()
    if has_errors(problems) or (strict and problems):
        return 1
    return 0



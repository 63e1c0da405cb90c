"""Full-text search with Pagefind, in indexes by language and period, indexed again only when their articles change.

Pagefind (through ``pagefind[bin]``) indexes about 700 articles a second on
two cores and holds ~200 MB of memory per 1,000: one index of a 10,000-article
archive would make every change wait fifteen seconds and need 2 GB. So the
archive is indexed by language and period: each language's articles in runs of
consecutive months, oldest first, of at most ``search_shard_size`` articles each
(a month with more stands alone), the newest year starting a run of its own. A new
article, dated in the newest year, re-indexes only its language's newest period
(~120 articles at 10,000 over thirty years); an edit re-indexes its article's
period; the periods before an article never move. A query loads at least one chunk
(~20–40 kB) of every index it searches: periods of one language each make fewer
indexes to search than periods holding every language (at 10,000 articles, a query
in Latin letters searches 7 rather than 12). The assignment depends only on the
articles, so a clean build gives the very same files. The browser merges the
indexes of every language and period, so that one query finds French, English,
Spanish and Arabic articles alike.

What gets indexed is only each article's title and body (minimal pages written
for Pagefind, never the site's navigation or listings), with filters (country,
organisation, source, language, year, story), a date to sort on, and the metadata a
result shows. Every index would carry the same WebAssembly search code; the two
Pagefind scripts are rewritten (a few lines, checked) to fetch it from ``pagefind/``
for all indexes, and once per language rather than once per index.
The names of filter values (story titles, countries in each interface language)
are in ``pagefind/labels.json``, which the search page reads only when its filters
are opened.
"""

from __future__ import annotations

import hashlib
import html
import json
import functools
import os
import re
import subprocess
import tempfile
from pathlib import Path

from .facets import keys_of
from .library import Record
from .site import Output, Site, digest


@functools.cache
def search_version() -> str:
    """What Pagefind's index depends on besides the articles: its version, and the layout's (asked only when
    Pagefind's index is planned: importing importlib.metadata and reading the version take 20 ms)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "1/" + version("pagefind-bin") + "/4"
    except PackageNotFoundError:
        return "1/4"


SHARED = re.compile(r"^(?:pagefind\.js|pagefind-worker\.js|wasm\.[a-z-]+\.pagefind)$")
UNUSED = re.compile(r"^pagefind-(?:ui|component-ui|modular-ui|highlight)\.(?:js|css)$")
# Where the two scripts find the WebAssembly and the worker: from the index's own
# folder (pagefind/<period>/) up to the shared pagefind/ folder.
SHARED_PATHS = [
    ("const wasm_url=`${this.basePath}wasm.${language}.pagefind`", "const wasm_url=`${this.basePath.replace(/[^\\/]+\\/$/,\"\")}wasm.${language}.pagefind`"),
    ("workerUrl=`${basePath}pagefind-worker.js`", "workerUrl=`${basePath.replace(/[^\\/]+\\/$/,\"\")}pagefind-worker.js`"),
    # Every index (one per period and language) would fetch its WebAssembly again, ~72 kB
    # each, though the script's WebAssembly module, once started, is the one all its
    # indexes use: fetched and started once per copy of the script (that is, per language
    # in the page; in the worker, the first). Started together, several would also
    # overwrite each other's memory.
    ('let compressed_resp=await this.throttledFetch(wasm_url);let compressed_wasm=await compressed_resp.arrayBuffer();'
     'const final_wasm=this.decompress(new Uint8Array(compressed_wasm),"Pagefind WebAssembly");'
     'if(!final_wasm){throw new Error("No WASM after decompression");}this.wasm=await this.backend({module_or_path:final_wasm});',
     'this.wasm=await(this.backend.crossingsStarted??=(async()=>{'
     'let compressed_resp=await this.throttledFetch(wasm_url);let compressed_wasm=await compressed_resp.arrayBuffer();'
     'const final_wasm=this.decompress(new Uint8Array(compressed_wasm),"Pagefind WebAssembly");'
     'if(!final_wasm){throw new Error("No WASM after decompression");}return this.backend({module_or_path:final_wasm});})());'),
]


class SearchError(Exception):
    """Pagefind failed: the site is built without updating the search index."""


class Cancelled(Exception):
    """The dev server called the indexing off: a newer change came in."""


def pagefind_binary() -> str:
    import pagefind_bin

    return os.path.join(os.path.dirname(pagefind_bin.__file__), "pagefind" + (".exe" if os.name == "nt" else ""))


def indexes(records: list[Record], size: int) -> list[tuple[str, list[Record]]]:
    """The search indexes: (folder, articles), for each language its periods (``fr-2019-03``)."""
    if not records:
        return []
    newest = max(record.article.date.year for record in records)
    found = []
    for lang in sorted({record.article.lang for record in records}):
        name = re.sub(r"[^a-z0-9-]", "_", lang.lower())
        found += [(f"{name}-{start}", group) for start, group in periods([r for r in records if r.article.lang == lang], size, newest)]
    return found


def periods(records: list[Record], size: int, newest: int | None = None) -> list[tuple[str, list[Record]]]:
    """The search indexes: (name, articles) for runs of consecutive months, oldest first.

    Months are taken in order and added to the current run while it stays within
    ``size`` articles (a month with more makes a run of its own); the newest year
    of the archive (``newest``, by default the records') starts a new run, so that new articles, which are dated there,
    change only the last run or two. A run is named after its first month
    (``2019-03``). Adding or editing an article changes its own run and, when the
    run overflows, those after it; the runs before it never move.
    """
    months: dict[tuple[int, int], list[Record]] = {}
    for record in records:
        months.setdefault((record.article.date.year, record.article.date.month), []).append(record)
    if not months:
        return []
    newest = max(months)[0] if newest is None else newest
    runs: list[tuple[str, list[Record]]] = []
    for year, month in sorted(months):
        found = months[(year, month)]
        if not runs or len(runs[-1][1]) + len(found) > size or (year == newest and not runs[-1][0].startswith(f"{newest:04d}-")):
            runs.append((f"{year:04d}-{month:02d}", []))
        runs[-1][1].extend(found)
    return runs


def search_page(site: Site, record: Record) -> str:
    """The page Pagefind indexes for one article: its title and body, filters, sort and metadata."""
    article = record.article
    body, _ = site.library.body(record)
    filters = [("country", v) for v in keys_of(record, "countries")] + [("organization", v) for v in keys_of(record, "organizations")]
    filters += [("source", article.source_name)] if article.source_name else []
    filters += [("language", article.lang), ("year", str(article.date.year))] + [("tag", v) for v in keys_of(record, "tags")]
    story = site.stories.of.get(article.slug)
    filters += [("story", story.id)] if story else []
    hidden = "".join(f'<span data-pagefind-filter="{name}:{html.escape(value)}"></span>' for name, value in filters)
    meta = (f'<span data-pagefind-meta="date:{article.date.isoformat()}"></span><span data-pagefind-meta="lang:{article.lang}"></span>'
            f'<span data-pagefind-meta="source:{html.escape(article.source_name)}"></span><span data-pagefind-sort="date:{article.date.isoformat()}"></span>')
    return (f'<!doctype html><html lang="{article.lang}"><head><meta charset="utf-8"><title>{html.escape(article.title)}</title></head>'
            f'<body><main data-pagefind-body><h1 data-pagefind-meta="title">{html.escape(article.title)}</h1>\n{body}\n'
            f'<div data-pagefind-ignore>{hidden}{meta}</div></main></body></html>')


def scratch_folder() -> str | None:
    """Memory-backed temporary space when the system has some (Pagefind's many small files are
    written twice as fast there); otherwise the usual temporary folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def index_shard(site: Site, records: list[Record], cancel=None, keep: Path | None = None) -> dict[str, bytes | Path]:
    """Run Pagefind over one period's articles; return its files (path inside the bundle → bytes).

    With ``keep`` (a folder that does not exist yet), Pagefind writes the index there and the files
    stay on disk until the site is written: each file is given by its path, except the shared ones
    (the scripts and the WebAssembly) and pagefind-entry.json, given by their bytes."""
    with tempfile.TemporaryDirectory(prefix="crossings-search-", dir=scratch_folder()) as tmp:
        pages = Path(tmp) / "site"
        for record in records:
            folder = pages / "articles" / record.article.slug
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "index.html").write_text(search_page(site, record), encoding="utf-8")
        out = keep if keep is not None else Path(tmp) / "out"
        out.parent.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen([pagefind_binary(), "--site", str(pages), "--output-path", str(out), "--quiet"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while True:
            try:
                output, _ = process.communicate(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    process.kill()
                    process.communicate()
                    raise Cancelled from None
        if process.returncode != 0:
            raise SearchError((output or "").strip()[-500:])
        files = {}
        for path in sorted(out.rglob("*")):
            rel = path.relative_to(out).as_posix()
            if path.is_file() and not UNUSED.match(rel):
                files[rel] = path if keep is not None and not SHARED.match(rel) and rel != "pagefind-entry.json" else path.read_bytes()
        return files


def share_wasm(script: bytes, name: str) -> bytes:
    """Make a Pagefind script fetch the WebAssembly (and its worker) from the folder above the period's."""
    text = script.decode("utf-8")
    for old, new in SHARED_PATHS:
        if old in text:
            text = text.replace(old, new)
        elif not (name == "pagefind-worker.js" and "workerUrl" in old):
            raise SearchError(f"this Pagefind version loads its files differently ({name}); pin pagefind to 1.5")
    return text.encode("utf-8")


def plan_search(site: Site, cache, kept: callable, later: bool = False, cancel=None, spool: Path | None = None,
                forked=None, here: bool = False) -> tuple[list[Output], bool]:
    """Outputs of the search index: unchanged periods reused, changed periods indexed now.

    ``kept(path, key)`` tells whether the live or spare site already has that file
    built from that key (then it is not indexed again). With ``later``, a changed
    period whose previous files are still there keeps them for now (the dev server
    shows the pages first and catches up on search right after); the second value
    returned says whether such a catch-up is due. When the periods themselves change
    (one overflowed), every changed period is indexed now: keeping an old period's
    files beside a new period's could show an article twice. With ``spool`` (a folder that
    lasts until the site is written), the indexes' files wait there rather than in memory
    (545 MB at 100,000 articles). ``forked`` (an event), if given, is set once what is left of the work
    is in another process (our own index's), this thread only waiting for it: the build may fork then.
    ``here``: this process is a child of the build's (``builder.SearchChild``): our own index is made in it.
    """
    if site.config.search == "crossings":
        from .ownsearch import plan_own_search

        return plan_own_search(site, cache, kept, _labels, later, cancel, spool, forked, here)
    pending = False
    runs = indexes(site.records, site.config.search_shard_size)
    known = cache.load("search") or {}
    if later and set(known.get("periods", ())) != {name for name, _ in runs}:
        later = False
    fresh: dict = {"shared": known.get("shared", {}), "periods": [name for name, _ in runs]}
    outputs: list[Output] = []
    languages: dict[str, dict[str, int]] = {}
    for name, records in runs:
        key = digest(search_version(), name, [(r.article.slug, r.file_sha, _story(site, r)) for r in records])
        previous = known.get("index:" + name)
        reusable = previous and all(kept(f"pagefind/{name}/{rel}", "search:" + sha) for rel, sha in previous[1])
        if reusable and (previous[0] == key or later):
            pending = pending or previous[0] != key
            files, listing, entry = None, previous[1], previous[2]
            key = previous[0]
        else:
            files = index_shard(site, records, cancel, spool / name if spool is not None else None)
            for shared in [n for n in files if SHARED.match(n)]:
                data = files.pop(shared)
                fresh["shared"][shared] = share_wasm(data, shared) if shared.endswith(".js") else data
            listing = [(rel, _sha256(data)) for rel, data in files.items()]
            entry = json.loads(files.get("pagefind-entry.json", b'{"languages": {}}'))["languages"]
        fresh["index:" + name] = (key, listing, entry)
        languages[f"{name}/"] = {lang: info["page_count"] for lang, info in entry.items()}
        for rel, sha in listing:
            data = (files or {}).get(rel)
            outputs.append(Output(f"pagefind/{name}/{rel}", None, "search:" + sha, None, _bytes(data)))
    needed = {f"wasm.{lang}.pagefind" for counts in languages.values() for lang in counts} | {"pagefind.js", "pagefind-worker.js"}
    for shared in sorted(needed & fresh["shared"].keys()):
        data = fresh["shared"][shared]
        outputs.append(Output(f"pagefind/{shared}", None, "search:" + hashlib.sha256(data).hexdigest(), None, _bytes(data)))
    # What the search page needs to start (the indexes, the names of languages for its results) apart
    # from what only its filters need (every value's name, stories' titles): labels.json, read when they open.
    manifest = {"shards": languages, "languages": _labels(site, site.config.language)["language"]}
    labels = {"labels": _labels(site, site.config.language),
              "story_langs": {story.id: story.title_record.article.lang for story in site.stories.stories.values()}}
    if len(site.config.interface) > 1:  # the search page in each interface language names the filters' values in it
        manifest["translated_languages"] = {lang: _labels(site, lang)["language"] for lang in site.config.interface[1:]}
        labels["translated_labels"] = {lang: _labels(site, lang) for lang in site.config.interface[1:]}
    for path, content in (("pagefind/shards.json", manifest), ("pagefind/labels.json", labels)):
        data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        outputs.append(Output(path, None, "search:" + hashlib.sha256(data).hexdigest(), None, _bytes(data)))
    if fresh != known:
        cache.save("search", fresh)
    return outputs, pending


def _sha256(data: bytes | Path) -> str:
    return hashlib.sha256(data.read_bytes() if isinstance(data, Path) else data).hexdigest()


def _bytes(data: bytes | Path | None):
    def read() -> bytes:
        if data is None:
            raise SearchError("a search file vanished from the site; build again with --clean")
        return data.read_bytes() if isinstance(data, Path) else data
    return read


def _story(site: Site, record: Record) -> str:
    story = site.stories.of.get(record.article.slug)
    return story.id if story else ""


def _labels(site: Site, lang: str) -> dict[str, dict[str, str]]:
    """Names for filter values in ``lang`` (codes are what is indexed); a story is named by its title, in its own language."""
    names = {"countries": "country", "organizations": "organization", "languages": "language", "sources": "source", "tags": "tag"}
    facets = site.facets_in(lang)
    labels = {names[kind]: {value.key: value.label for value in facets[kind].values()} for kind in names}
    labels["story"] = {story.id: story.title for story in site.stories.stories.values()}
    return labels

"""Full-text search with Pagefind, in shards that are indexed again only when their articles change.

Pagefind (through ``pagefind[bin]``) indexes about 700 articles a second on
two cores and holds ~200 MB of memory per 1,000: one index of a 10,000-article
archive would make every change wait fifteen seconds and need 2 GB. So articles
are spread over shards by a stable hash of their id (a power of two of them,
at most ``search_shard_size`` articles each on average), and a build indexes
only the shards whose articles changed; the browser merges the shards (and, inside each,
Pagefind's per-language indexes, so one query finds French, English, Spanish
and Arabic articles alike). The assignment depends only on the articles, so a
clean build gives the very same files.

What gets indexed is only each article's title and body (minimal pages written
for Pagefind, never the site's navigation or listings), with filters (country,
organisation, source, language, year, story), a date to sort on, and the metadata a
result shows. Every shard would carry the same WebAssembly search code; the two
Pagefind scripts are rewritten (one line, checked) to fetch it once from
``pagefind/`` for all shards.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from .facets import keys_of
from .library import Record
from .site import Output, Site, digest


def _search_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "1/" + version("pagefind-bin")
    except PackageNotFoundError:
        return "1"


SEARCH_VERSION = _search_version() + "/4"
SHARED = re.compile(r"^(?:pagefind\.js|pagefind-worker\.js|wasm\.[a-z-]+\.pagefind)$")
UNUSED = re.compile(r"^pagefind-(?:ui|component-ui|modular-ui|highlight)\.(?:js|css)$")
# Where the two scripts find the WebAssembly and the worker: from the index's own
# folder (pagefind/sN/) up to the shared pagefind/ folder.
SHARED_PATHS = [
    ("const wasm_url=`${this.basePath}wasm.${language}.pagefind`", "const wasm_url=`${this.basePath.replace(/s\\d+\\/$/,\"\")}wasm.${language}.pagefind`"),
    ("workerUrl=`${basePath}pagefind-worker.js`", "workerUrl=`${basePath.replace(/s\\d+\\/$/,\"\")}pagefind-worker.js`"),
    # Every index of a language (one per shard) would fetch the language's WebAssembly
    # again (~72 kB each: 16 times for a query at 10,000 articles); fetched once, shared.
    ("let compressed_resp=await this.throttledFetch(wasm_url);let compressed_wasm=await compressed_resp.arrayBuffer();",
     "let compressed_wasm=await((globalThis.__crossingsWasm??={})[wasm_url]??=this.throttledFetch(wasm_url).then((r)=>r.arrayBuffer()));"),
]


class SearchError(Exception):
    """Pagefind failed: the site is built without updating the search index."""


class Cancelled(Exception):
    """The dev server called the indexing off: a newer change came in."""


def pagefind_binary() -> str:
    import pagefind_bin

    return os.path.join(os.path.dirname(pagefind_bin.__file__), "pagefind" + (".exe" if os.name == "nt" else ""))


def shard_count(articles: int, size: int) -> int:
    """The fewest shards, a power of two, that hold ``articles`` with at most ``size`` each on average.

    Doubling (rather than adding one shard per ``size`` articles) keeps the
    assignment, which moves every article when the count changes, stable from
    one article to the next: it changes at 2 × size, 4 × size, 8 × size…
    Shards stay bounded, so Pagefind's memory and the cost of a change do too.
    """
    count = 1
    while articles > count * size:
        count *= 2
    return count


def shard_of(slug: str, count: int) -> int:
    return int.from_bytes(hashlib.blake2b(slug.encode(), digest_size=4).digest(), "big") % count


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


def index_shard(site: Site, records: list[Record], cancel=None) -> dict[str, bytes]:
    """Run Pagefind over one shard's articles; return its files (path inside the bundle → bytes)."""
    with tempfile.TemporaryDirectory(prefix="crossings-search-", dir=scratch_folder()) as tmp:
        pages = Path(tmp) / "site"
        for record in records:
            folder = pages / "articles" / record.article.slug
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "index.html").write_text(search_page(site, record), encoding="utf-8")
        out = Path(tmp) / "out"
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
                files[rel] = path.read_bytes()
        return files


def share_wasm(script: bytes, name: str) -> bytes:
    """Make a Pagefind script fetch the WebAssembly (and its worker) from the folder above the shard's."""
    text = script.decode("utf-8")
    for old, new in SHARED_PATHS:
        if old in text:
            text = text.replace(old, new)
        elif not (name == "pagefind-worker.js" and "workerUrl" in old):
            raise SearchError(f"this Pagefind version loads its files differently ({name}); pin pagefind to 1.5")
    return text.encode("utf-8")


def plan_search(site: Site, cache, kept: callable, later: bool = False, cancel=None) -> tuple[list[Output], bool]:
    """Outputs of the search index: unchanged shards reused, changed shards indexed now.

    ``kept(path, key)`` tells whether the live or spare site already has that file
    built from that key (then it is not indexed again). With ``later``, a changed
    shard whose previous files are still there keeps them for now (the dev server
    shows the pages first and catches up on search right after); the second value
    returned says whether such a catch-up is due.
    """
    pending = False
    count = shard_count(len(site.records), site.config.search_shard_size)
    shards: list[list[Record]] = [[] for _ in range(count)]
    for record in site.records:
        shards[shard_of(record.article.slug, count)].append(record)
    known = cache.load("search") or {}
    if later and known.get("count") not in (None, count):
        # The number of shards changes: every article moves. The dev server keeps the
        # previous shards for now; the catch-up build indexes the new ones.
        count, shards = known["count"], [[] for _ in range(known["count"])]
        for record in site.records:
            shards[shard_of(record.article.slug, count)].append(record)
    fresh: dict = {"shared": known.get("shared", {}), "count": count}
    outputs: list[Output] = []
    languages: dict[str, dict[str, int]] = {}
    for number, records in enumerate(shards):
        key = digest(SEARCH_VERSION, count, [(r.article.slug, r.file_sha, _story(site, r)) for r in records])
        previous = known.get(str(number))
        reusable = previous and all(kept(f"pagefind/s{number}/{rel}", "search:" + sha) for rel, sha in previous[1])
        if reusable and (previous[0] == key or later):
            pending = pending or previous[0] != key
            files, listing, entry = None, previous[1], previous[2]
            key = previous[0]
        else:
            files = index_shard(site, records, cancel) if records else {}
            for name in [n for n in files if SHARED.match(n)]:
                data = files.pop(name)
                fresh["shared"][name] = share_wasm(data, name) if name.endswith(".js") else data
            listing = [(rel, hashlib.sha256(data).hexdigest()) for rel, data in files.items()]
            entry = json.loads(files.get("pagefind-entry.json", b'{"languages": {}}'))["languages"]
        fresh[str(number)] = (key, listing, entry)
        languages[f"s{number}/"] = {lang: info["page_count"] for lang, info in entry.items()}
        for rel, sha in listing:
            data = (files or {}).get(rel)
            outputs.append(Output(f"pagefind/s{number}/{rel}", None, "search:" + sha, None, _bytes(data)))
    needed = {f"wasm.{lang}.pagefind" for counts in languages.values() for lang in counts} | {"pagefind.js", "pagefind-worker.js"}
    for name in sorted(needed & fresh["shared"].keys()):
        data = fresh["shared"][name]
        outputs.append(Output(f"pagefind/{name}", None, "search:" + hashlib.sha256(data).hexdigest(), None, _bytes(data)))
    manifest = {"shards": languages, "labels": _labels(site, site.config.language),
                "story_langs": {story.id: story.title_record.article.lang for story in site.stories.stories.values()}}
    if len(site.config.interface) > 1:  # the search page in each interface language names the filters' values in it
        manifest["translated_labels"] = {lang: _labels(site, lang) for lang in site.config.interface[1:]}
    data = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    outputs.append(Output("pagefind/shards.json", None, "search:" + hashlib.sha256(data).hexdigest(), None, _bytes(data)))
    if fresh != known:
        cache.save("search", fresh)
    return outputs, pending


def _bytes(data: bytes | None):
    def read() -> bytes:
        if data is None:
            raise SearchError("a search file vanished from the site; build again with --clean")
        return data
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

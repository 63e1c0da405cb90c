"""Take the archive away: BibTeX for each article and the whole archive, CSV of every article,
for each year a CSV and a gzip-compressed JSON Lines file (with the text), listed in
data/index.json, and CSV and JSON of every story.

Year files keep each download small and each change local: a new article rewrites
its year's two files (and the combined CSV, the BibTeX file and the index), never
the others, unless it changes another article's story or copies (``story``,
``same_text``): that article's year files are then written again too. data/index.json gives every year file's article count, size and
SHA-256; to write it without making every file again, the build cache remembers
the size and hash of each year file by what it was made from.

CSV follows RFC 4180 (CRLF, quotes doubled) in UTF-8; a cell that a spreadsheet
would take for a formula (starting with = + - @, a tab or a carriage return)
is prefixed with an apostrophe. Ordering is stable: by date, then by id.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import marshal
import os
import re
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from babel.numbers import format_decimal

from . import parallel, publishers
from .catalogs import N_
from .facets import keys_of
from .feeds import absolute
from .library import Record
from .site import Output, Site, _newest, _page, digest, each_language
from .storypages import _entities

EXPORTS_VERSION = "5"  # bump when the year files' bytes change for the same articles, or what the build cache keeps of them (3: JSON Lines
# gzip-compressed; 4: a gzip member a month; 5: the stories' parts kept as UTF-8 bytes)

FIELDS = [
    ("id", N_("The article's permanent name in this archive; its page is articles/<id>/.")),
    ("url", N_("The address of the article's page in this archive.")),
    ("date", N_("Date of publication of the original, YYYY-MM-DD.")),
    ("title", N_("Title, as published.")),
    ("lang", N_("Language of the article, ISO 639-1 (fr, en, es, ar…), identified from the text and checked by editors.")),
    ("source_name", N_("The publisher's name, e.g. Yabiladi: from the archive's table of publishers by the source's host "
                       "(all of an outlet's subdomains, AMP and CDN hosts give one name), else the host's registrable domain "
                       "(fr.lapresse.it gives lapresse.it); an editor may have written another.")),
    ("source_host", N_("The host of the source's address as it is, e.g. en.yabiladi.com.")),
    ("source", N_("The address of the original article.")),
    ("countries", N_("Countries the article mentions, ISO 3166-1 alpha-2 codes (MA, ES…), the most central first: those named in the title, "
                     "then those named in the first paragraph, then by number of mentions, then by first mention (as import found them; "
                     "an editor's order is kept as written); in the CSV separated by ';'.")),
    ("organizations", N_("Organisations the article mentions, short ids (IOM, UNHCR…), in the same order of centrality as countries; "
                         "in the CSV separated by ';'.")),
    ("tags", N_("Free tags added by editors; in the CSV separated by ';'.")),
    ("seed", N_("The id of the seed file the article was imported from (empty for articles written by hand).")),
    ("story", N_("The id of the story the article belongs to (its page is stories/<id>/; see stories.csv), empty when the archive "
                 "holds no other coverage of its incident. Found by comparing places, numbers, kinds of incident, names and dates "
                 "across languages; editors decide in the end with story: in the front matter.")),
    ("same_text", N_("The ids of the other articles carrying the same text (one wire story carried by several outlets, with light "
                     "edits); in the CSV separated by ';'.")),
    ("text", N_("The full text, paragraphs separated by a blank line (JSON Lines only).")),
]
STORY_FIELDS = [
    ("id", N_("The story's permanent name; its page is stories/<id>/. Made from its first article's id (or the id editors gave with "
              "story:), so that it stays when later reports join.")),
    ("url", N_("The address of the story's page in this archive.")),
    ("title", N_("The title of its first article in the archive's language, or else of its first article.")),
    ("first", N_("Date of its first report, YYYY-MM-DD.")),
    ("last", N_("Date of its last report, YYYY-MM-DD.")),
    ("articles", N_("How many articles report it.")),
    ("outlets", N_("How many publishers report it (several copies of one text count once per publisher).")),
    ("languages", N_("The languages of its articles, ISO 639-1; in the CSV separated by ';'.")),
    ("countries", N_("The countries its articles name, most named first; in the CSV separated by ';'.")),
    ("organizations", N_("The organisations its articles name, most named first; in the CSV separated by ';'.")),
    ("members", N_("Its articles' ids, in date order; in the CSV separated by ';'. In the JSON, a list of objects with id, url, "
                   "date, lang, source_name, title and same_text.")),
]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_~^]")
BIBTEX_REPLACE = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
                  "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
LANGIDS = {"fr": "french", "en": "english", "es": "spanish", "ar": "arabic", "de": "german", "it": "italian", "pt": "portuguese", "nl": "dutch"}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def chronological(site: Site) -> list[Record]:
    found = site.memo.get("chronological")
    if found is None:
        found = site.memo["chronological"] = sorted(site.records, key=lambda r: (r.article.date, r.article.slug))
    return found


class Year(NamedTuple):
    """One year of the archive, as the exports see it: its articles oldest first, and the keys of its parts
    (what its rows in the CSV files and its entries in the BibTeX file are made from)."""

    year: int
    records: list[Record]
    csv_key: str
    bib_key: str


def archive_years(site: Site) -> list[Year]:
    """The archive's years, oldest first, each with the keys of its parts: made once per build (the CSV key
    stands for every article's id, hash, story and copies, which the year files and the combined CSV show;
    a key of the whole archive is made of them, not of 100,000 articles again)."""
    found = site.memo.get("years")
    if found is not None:
        return found
    found = []
    stories, copies = site.stories.of, site.stories.copies
    names = [name for name, _ in FIELDS]
    config = site.config
    for year, group in groupby(chronological(site), key=lambda r: r.article.date.year):
        records = list(group)
        every = [(r.article.slug, r.file_sha, stories[r.article.slug].id if r.article.slug in stories else "", copies.get(r.article.slug, ()))
                 for r in records]
        found.append(Year(year, records, digest("csv-part", year, every, config.base_url, names, EXPORTS_VERSION),
                          digest("bib-part", year, [item[:2] for item in every], config.base_url, config.title, EXPORTS_VERSION)))
    site.memo["years"] = found
    return found


def metadata(site: Site, record: Record) -> dict:
    article = record.article
    story = site.stories.of.get(article.slug)
    return {"id": article.slug, "url": absolute(site, article.url), "date": article.date.isoformat(), "title": article.title,
            "lang": article.lang, "source_name": article.source_name, "source_host": publishers.host_of(article.source), "source": article.source,
            "countries": list(keys_of(record, "countries")), "organizations": list(keys_of(record, "organizations")),
            "tags": list(keys_of(record, "tags")), "seed": article.seed, "story": story.id if story else "",
            "same_text": list(site.stories.copies.get(article.slug, ()))}


def safe_cell(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (OWASP's advice: a leading apostrophe)."""
    return "'" + value if value.startswith(FORMULA) else value


def articles_csv(site: Site, records: list[Record] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [name for name, _ in FIELDS if name != "text"]
    writer.writerow(names)
    for record in chronological(site) if records is None else records:
        row = metadata(site, record)
        writer.writerow([safe_cell(";".join(row[n]) if isinstance(row[n], list) else str(row[n])) for n in names])
    return out.getvalue().encode("utf-8")


def articles_jsonl(site: Site, records: list[Record]) -> bytes:
    """JSON Lines (https://jsonlines.org/): one article a line, its fields and its text."""
    lines = []
    for record in records:
        item = metadata(site, record)
        item["text"] = site.library.text(record)
        lines.append(json.dumps(item, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def articles_jsonl_gz(site: Site, records: list[Record]) -> bytes:
    """The JSON Lines file compressed with gzip: the full texts take a third of the bytes or less. Level 6
    (about 80 MB/s here) and no time stamp in the header, so that two builds give the same bytes.

    One gzip member a month, one after the other: a gzip file may hold several, which every reader reads
    as one stream (RFC 1952, 2.2: ``gzip -d``, ``zcat``, Python's ``gzip``, pandas). Each month's member is
    kept in the build cache by what its lines are made of (``month_key``, as the year's CSV key is made),
    so that a new article compresses its month again, not its year: 0.8 s for the newest year's file at
    100,000 articles, where a month takes a twelfth of that."""
    if not records:
        return gzip.compress(b"", compresslevel=6, mtime=0)
    year = records[0].article.date.year
    cache = site.library.cache
    name = f"exports-jsonl-{year}"  # the year's members, by their keys (one store a year: 31 at 1,000 articles over 31 years)
    stored = cache.load(name)
    stored = stored if isinstance(stored, dict) else {}
    members = {}
    for month, group in groupby(records, key=lambda r: r.article.date.month):
        group = list(group)
        key = month_key(site, year, month, group)
        members[key] = stored.get(key) or gzip.compress(articles_jsonl(site, group), compresslevel=6, mtime=0)
    if members.keys() != stored.keys():
        cache.save(name, members)
    return b"".join(members.values())


def month_key(site: Site, year: int, month: int, records: list[Record]) -> str:
    """What a month's lines of a year's JSON Lines file are made of: what the year's CSV key stands for
    (``archive_years``), for the month's articles."""
    stories, copies = site.stories.of, site.stories.copies
    every = [(r.article.slug, r.file_sha, stories[r.article.slug].id if r.article.slug in stories else "", copies.get(r.article.slug, ()))
             for r in records]
    return digest("jsonl-month", year, month, every, site.config.base_url, [name for name, _ in FIELDS], EXPORTS_VERSION)


YEAR_FILES = (("csv", "csv", articles_csv), ("jsonl", "jsonl.gz", articles_jsonl_gz))
"""Each year's files: the kind (its key in data/index.json), the file name's extension, how it is made."""


def year_files(site: Site) -> tuple[list[Output], list[dict]]:
    """data/YYYY.csv and data/YYYY.jsonl.gz for every year; and each year's facts, for ``year_index``.

    The index gives each year file's size and hash. They come from the build cache when the
    file was made from the same articles before (its key says what from); else from the file
    this build writes: the index is rendered after the files it lists (``Output.after``), so
    that a year file is made once, by the rendering workers, not also here to be measured.
    """
    outputs, years = [], []
    for year, records, csv_key, _ in archive_years(site):
        entry = {"year": year, "count": len(records)}
        for kind, extension, make in YEAR_FILES:
            key = digest("year", kind, csv_key)  # the year's articles, their stories and copies, the fields and the base URL
            path = f"data/{year}.{extension}"
            outputs.append(Output(path, None, key, None, _year_file(site, make, records), deferrable=True, weight=1 + len(records) * YEAR_WEIGHT // 1000))
            entry[kind] = {"path": path, "url": absolute(site, path), "key": key}
        years.append(entry)
    return outputs, years


def year_index(site: Site, years: list[dict]) -> Output:
    """data/index.json: the year files (``years`` as ``year_files`` lists them), the combined ones, the fields."""
    def data() -> bytes:
        index = {"title": site.config.title, "source": absolute(site, ""), "count": len(site.records), "fields": dict(FIELDS),
                 "combined": {"csv": "data/articles.csv", "bib": "data/articles.bib"},
                 "stories": {"csv": "data/stories.csv", "json": "data/stories.json", "fields": dict(STORY_FIELDS)},
                 "years": year_facts(site, years)}
        return (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    # Keyed by what the index is made of: the year files' keys stand for their bytes.
    key = digest("index", site.config.title, absolute(site, ""), len(site.records), FIELDS, STORY_FIELDS, years)
    return Output("data/index.json", None, key, None, data, deferrable=True, after=_year_paths(years))


def _year_paths(years: list[dict]) -> tuple[str, ...]:
    """The year files ``years`` lists (what data/index.json and the data page are made from)."""
    return tuple(y[kind]["path"] for y in years for kind, _, _ in YEAR_FILES)


def year_facts(site: Site, years: list[dict]) -> list[dict]:
    """``years`` (as ``year_files`` lists them) with each file's size and SHA-256 in place of its key: from
    the build cache, else from the file this build wrote (``Site.files``), else made here (a check renders
    in memory). What was learned is kept in the cache for the next build."""
    found = site.memo.get("year facts")
    if found is not None:
        return found
    cache = site.library.cache
    known = cache.load("exports") or {}
    fresh: dict[str, tuple[int, str]] = {}
    records: dict[int, list[Record]] = {}  # the years' articles, only if a file's facts must be made here (0.3 s at 100,000)
    found = []
    for entry in years:
        shown = dict(entry)
        for kind, _, make in YEAR_FILES:
            file = entry[kind]
            facts = known.get(file["key"]) or site.files.get(file["path"])
            if facts is None:
                if not records:
                    records.update((y.year, y.records) for y in archive_years(site))
                made = make(site, records[entry["year"]])
                facts = (len(made), hashlib.sha256(made).hexdigest())
            fresh[file["key"]] = tuple(facts)
            shown[kind] = {"path": file["path"], "url": file["url"], "bytes": facts[0], "sha256": facts[1]}
        found.append(shown)
    if fresh != known:
        cache.save("exports", fresh)
    site.memo["year facts"] = found
    return found


def _year_file(site: Site, make, records: list[Record]):
    return lambda: make(site, records)


MEGABYTES = N_("%(num)s MB")
KILOBYTES = N_("%(num)s kB")


def _size(n: int, lang: str, translator) -> str:
    """A file's size for the data page, in ``lang``: ``1,2 Mo``, ``1.2 MB``, ``3 kB``."""
    if n >= 100_000:
        return translator.gettext(MEGABYTES, num=format_decimal(n / 1e6, format="0.0", locale=lang, numbering_system="latn"))
    return translator.gettext(KILOBYTES, num=max(1, round(n / 1000)))


def bibtex_text(value: str) -> str:
    return BIBTEX_SPECIAL.sub(lambda m: BIBTEX_REPLACE[m.group()], value)


def bibtex(site: Site, record: Record) -> str:
    """One biblatex @online entry (BibTeX-compatible fields too)."""
    article = record.article
    fields = [
        ("title", "{" + bibtex_text(article.title) + "}"),
        ("date", article.date.isoformat()),
        ("year", str(article.date.year)),
        ("month", MONTHS[article.date.month - 1]),
        ("organization", bibtex_text(article.source_name or site.config.title)),
        ("url", (article.source or absolute(site, article.url)).replace("{", "%7B").replace("}", "%7D")),
        ("langid", LANGIDS.get(article.lang, article.lang)),
        ("note", bibtex_text(f"Archived in {site.config.title}: ") + "\\url{" + absolute(site, article.url).replace("{", "%7B").replace("}", "%7D") + "}"),
    ]
    keywords = list(keys_of(record, "countries")) + list(keys_of(record, "organizations")) + list(keys_of(record, "tags"))
    if keywords:
        fields.append(("keywords", bibtex_text(", ".join(keywords))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{bibtex_key(article.slug)},\n{body}\n}}\n"


def bibtex_key(slug: str) -> str:
    return "crossings:" + re.sub(r"[^A-Za-z0-9:-]", "-", slug)


def citation(site: Site, record: Record) -> dict:
    """The parts of a ready citation, for the article page to lay out."""
    article = record.article
    return {"source_name": article.source_name, "title": article.title, "date": article.date.isoformat(), "url": article.source,
            "archived": absolute(site, article.url), "site": site.config.title}


COMBINED_WEIGHT = 2
"""An export of the whole archive, made from the parts the build cache keeps, takes about this many pages' time
per 1,000 articles (``Output.weight``; at 100,000 articles data/articles.bib took 0.44 s, an article page 2–3 ms)."""
YEAR_WEIGHT = 33
"""A year file, made again whole, about this many pages' time per 1,000 articles of its year (data/2026.jsonl.gz,
3,000 articles at 100,000: 0.27 s)."""


def plan_exports(site: Site) -> list[Output]:
    """citation.bib for every article; data/articles.{csv,bib}, the year files, their index and the page documenting them."""
    outputs, years = export_files(site)
    return outputs + [year_index(site, years)] + plan_data_page(site, years)


def export_files(site: Site, bibs: bool = True) -> tuple[list[Output], list[dict]]:
    """The files ``plan_exports`` plans but the year index and the data page (made from them: ``Output.after``),
    and the years as ``year_index`` and ``plan_data_page`` take them; the citation.bib files first, one per
    article in the site's order (left out without ``bibs``: ``_made_ahead`` lists them itself)."""
    # a citation.bib is made of its article's file alone (``Record.file_sha`` covers a publisher's name from the
    # table too): its hash stands as the key, rather than a digest of it (100,000 of them at 100,000 articles)
    outputs = [Output(*_bib_file(record), None, _bib(site, record)) for record in site.records] if bibs else []
    every = archive_years(site)  # the whole archive's keys are made of its years' and its stories' (see ``archive_years``, ``story_key``)
    weight = 1 + len(site.records) * COMBINED_WEIGHT // 1000
    outputs.append(Output("data/articles.csv", None, digest("csv", [y.csv_key for y in every]), None, lambda: combined_csv(site), deferrable=True,
                          weight=weight))
    stories = [story_key(site, s) for s in site.stories.stories.values()]
    outputs.append(Output("data/stories.csv", None, digest("stories-csv", stories), None, lambda: stories_csv(site), deferrable=True, weight=weight))
    outputs.append(Output("data/stories.json", None, digest("stories-json", stories), None, lambda: stories_json(site), deferrable=True, weight=weight))
    outputs.append(Output("data/articles.bib", None, digest("bib-all", [y.bib_key for y in every]), None,
                          lambda: combined_bib(site), deferrable=True, weight=weight))
    found, years = year_files(site)
    return outputs + found, years


def cached_parts(site: Site, store: str, keyed) -> list:
    """The parts ``keyed`` lists as (group, key, make), in order: each part remembered in the build cache by
    its key (what it is made from), so that a change makes again only the parts whose key changed. The parts
    are stored by group (a year: ``store-<group>``, the groups listed in ``store``), so that a change writes
    its group's parts again, not the whole archive's (150 MB at 100,000 articles)."""
    cache = site.library.cache
    groups = cache.load(store)
    if groups is None:
        groups = []
        cache.discard("export-" + store.removeprefix("exports-"))  # where earlier versions kept every part in one store
    stored = {group: cache.load(f"{store}-{group}") or {} for group in groups}
    known: dict = {}
    for items in stored.values():
        known.update(items)
    fresh: dict = {}
    parts = []
    for group, key, make in keyed:
        part = known.get(key)
        if part is None:
            part = make()
        fresh.setdefault(group, {})[key] = part
        parts.append(part)
    for group, items in fresh.items():
        if items.keys() != stored.get(group, {}).keys():
            cache.save(f"{store}-{group}", items)
    present = list(fresh)
    for group in set(groups) - set(present):
        cache.discard(f"{store}-{group}")
    if present != groups:
        cache.save(store, present)
    return parts


def year_parts(site: Site, store: str, part_key, make) -> list[bytes]:
    """``make(records)`` for the articles of each year, oldest year first, kept by ``part_key(year)`` (a ``Year``;
    see ``cached_parts``): a change makes only its year's part again."""
    return cached_parts(site, store, ((year.year, part_key(year), lambda records=year.records: make(records)) for year in archive_years(site)))


def combined_csv(site: Site) -> bytes:
    """data/articles.csv: the header, then every year's rows (the year file's, less its header; made again
    only for the years whose articles changed)."""
    header = len(articles_csv(site, []))
    parts = year_parts(site, "exports-csv", lambda year: year.csv_key, lambda records: articles_csv(site, records)[header:])
    return b"".join([articles_csv(site, []), *parts])


def combined_bib(site: Site) -> bytes:
    """data/articles.bib: every article's entry, oldest first, one blank line apart (made again only for
    the years whose articles changed)."""
    parts = year_parts(site, "exports-bib", lambda year: year.bib_key, lambda records: "\n".join(bibtex(site, r) for r in records).encode("utf-8"))
    return b"\n".join(parts)


def plan_data_page(site: Site, years: list[dict]) -> list[Output]:
    """The page documenting the exports, in every interface language (the files are one set, at the root),
    with the year files (newest first) and their sizes; ``years`` as ``year_files`` lists them (the sizes
    are read once the files are written: the page comes after them, like data/index.json)."""
    paths = _year_paths(years)
    key = digest(len(site.records), FIELDS, STORY_FIELDS, [(y["year"], y["count"], y["csv"]["key"], y["jsonl"]["key"]) for y in years])

    @each_language
    def plan(site: Site, lang: str) -> list[Output]:
        def context() -> dict:
            translator = site.translator(lang)
            shown = [{"year": y["year"], "count": y["count"], "csv": y["csv"]["path"], "csv_size": _size(y["csv"]["bytes"], lang, translator),
                      "jsonl": y["jsonl"]["path"], "jsonl_size": _size(y["jsonl"]["bytes"], lang, translator)}
                     for y in reversed(year_facts(site, years))]
            return {"page": _page(site, "data", "data/", "", lang, "data"),
                    "fields": [{"name": n, "description": translator.raw_gettext(d)} for n, d in FIELDS],
                    "story_fields": [{"name": n, "description": translator.raw_gettext(d)} for n, d in STORY_FIELDS],
                    "count": len(site.records), "years": shown,
                    "files": ["data/articles.csv", "data/articles.bib", "data/index.json", "data/stories.csv", "data/stories.json"]}

        return [Output("data/index.html", "data.html", key, context, lastmod=_newest(site.records), deferrable=True, after=paths)]

    return plan(site)


def _story_labels(site: Site, story) -> tuple:
    return (story.title, tuple(_entities(story, "countries")), tuple(_entities(story, "organizations")))


def story_row(site: Site, story) -> dict:
    """What stories.csv and stories.json hold of a story (in both, the stories come oldest first, then by id)."""
    copies = site.stories.copies
    return {
        "id": story.id, "url": absolute(site, story.url), "title": story.title, "first": story.first.isoformat(),
        "last": story.last.isoformat(), "articles": len(story.records), "outlets": len(story.outlets),
        "languages": list(story.languages), "countries": list(_entities(story, "countries")),
        "organizations": list(_entities(story, "organizations")),
        "members": [{"id": r.article.slug, "url": absolute(site, r.article.url), "date": r.article.date.isoformat(), "lang": r.article.lang,
                     "source_name": r.article.source_name, "title": r.article.title,
                     "same_text": list(copies.get(r.article.slug, ()))} for r in story.records],
    }


def stories_csv(site: Site) -> bytes:
    names = [name for name, _ in STORY_FIELDS]

    def line(story) -> bytes:
        out = io.StringIO()
        row = story_row(site, story)
        row["members"] = [m["id"] for m in row["members"]]
        csv.writer(out, lineterminator="\r\n").writerow([safe_cell(";".join(row[n]) if isinstance(row[n], list) else str(row[n])) for n in names])
        return out.getvalue().encode("utf-8")

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(names)
    return b"".join([out.getvalue().encode("utf-8"), *story_parts(site, "exports-stories-csv", line)])


def story_parts(site: Site, store: str, make) -> list[bytes]:
    """``make(story)`` for every story, oldest first (then by id), each kept by what a story's row shows
    (see ``cached_parts``)."""
    stories = sorted(site.stories.stories.values(), key=lambda s: (s.first, s.id))
    return cached_parts(site, store, ((story.first.year, story_key(site, story), lambda story=story: make(story)) for story in stories))


def story_key(site: Site, story) -> str:
    """What a story's rows in stories.csv and stories.json show: its articles (and their copies), its title,
    countries and organisations (made once per build)."""
    keys = site.stories.row_keys
    found = keys.get(story.id)
    if found is None:
        copies = site.stories.copies  # a story's rows show each member's copies (same_text)
        found = keys[story.id] = digest("story-row", story.id, [(r.article.slug, r.version, copies.get(r.article.slug, ())) for r in story.records],
                                        _story_labels(site, story), site.config.base_url, EXPORTS_VERSION)
    return found


def stories_json(site: Site) -> bytes:
    """data/stories.json: the document, indented by one space a level. Each story's part of the text is
    kept in the build cache by what it shows (json's indenting encoder is pure Python: 0.4 s at 10,000
    articles), and the document is put together as ``json.dumps(document, indent=1)`` writes it."""
    document = {"title": site.config.title, "source": absolute(site, "stories/"), "count": len(site.stories.stories), "fields": dict(STORY_FIELDS),
                "stories": []}
    text = json.dumps(document, ensure_ascii=False, indent=1)
    # each story a list item two levels in: every line after its first indented by two more spaces
    parts = story_parts(site, "exports-stories-json",
                        lambda story: json.dumps(story_row(site, story), ensure_ascii=False, indent=1).replace("\n", "\n  ").encode("utf-8"))
    if not parts:
        return (text + "\n").encode("utf-8")
    assert text.endswith('"stories": []\n}')
    # One join of UTF-8 bytes (43 MB at 100,000 articles): joining the parts as text, then adding the ends and
    # encoding, made four copies of it, the text ones twice its size with any Arabic title (two bytes a character).
    pieces = [(text[:-len("[]\n}")] + "[\n  ").encode("utf-8")]
    for part in parts:
        pieces += (part, b",\n  ")
    pieces[-1] = b"\n ]\n}\n"
    return b"".join(pieces)


def _bib_file(record: Record) -> tuple[str, None, str]:
    """A citation.bib's path, template (none) and key, as its ``Output`` starts."""
    return record.article.url + "citation.bib", None, "bib:" + record.file_sha[:24]


def _bib(site: Site, record: Record):
    return lambda: bibtex(site, record).encode("utf-8")


class ExportsAhead:
    """The export files (``export_files``) planned, and those that changed made into the build's spool, by a
    process forked once the model is made, while this one plans the pages.

    One new article at 100,000 articles: planning the exports takes this process 0.6–0.7 s (a key for every
    article's citation.bib, the years' keys), and making the whole archive's files (articles.csv, articles.bib,
    stories.csv, stories.json, the year's two files: 160 MB, read from the cache's year parts, written and hashed)
    took the render workers about a second more, while the second core sat idle as the pages were planned. The
    forked process does both on that core, in two steps:

    - first it hands back every file's path and key, and which of them it makes (``outputs``): the pages are
      planned with those keys at once;
    - then it makes those into the spool and records their SHA-256 there (``resolve``, once the pages are
      rendered: ``Output.source``, moved into the site). When it handed back the whole (each file made before
      the keys were given), this process waited up to 1.4 s for it at 100,000 articles, the page planning done.

    A file it does not make (the live or spare site has it with that key: ``kept``) is made here if the build
    needs it after all (``Output.data``), as are all of them if the process fails.

    Started only where forking is safe (no other thread: not in the dev server) and worth it (two cores or more,
    a spool, a site already built: a cold build's render workers make the exports with everything else)."""

    def __init__(self, aside: parallel.Aside, spool: str) -> None:
        self.aside = aside
        self.spool = spool
        self.waiting: dict[str, int] = {}
        """The files the child makes after handing back the keys: path → its row's number (``resolve``)."""

    @classmethod
    def start(cls, site: Site, kept, spool) -> "ExportsAhead | None":
        if spool is None:
            return None
        todo: list = []  # (in the child) what ``_planned_ahead`` leaves for ``_made_ahead``
        # (behind the build: its keys are needed after most pages are planned, its files once they are rendered)
        aside = parallel.Aside.start(lambda: _planned_ahead(site, kept, todo), then=lambda: _made_ahead(todo, spool), behind=True)
        return cls(aside, spool) if aside is not None else None

    def outputs(self, site: Site) -> list[Output] | None:
        """What ``plan_exports`` plans; None if the child failed. A file the child makes is in ``waiting``:
        its ``Output`` makes it here (``data``) until ``resolve`` gives the child's."""
        data = self.aside.take(wait=False)  # (the child goes on making the files: ``resolve`` waits for it)
        try:
            rows, years, making = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        planned: list = []  # (``plan_exports`` again, here, only if a file must be made here after all)

        def make(i: int):
            def data() -> bytes:
                if not planned:
                    planned.append(export_files(site)[0])
                return planned[0][i].data()
            return data

        outputs = [Output(path, None, key, None, make(i), lastmod, deferrable, weight=weight)
                   for i, (path, key, lastmod, deferrable, weight) in enumerate(rows)]
        self.waiting = {outputs[i].path: i for i in making}
        return outputs + [year_index(site, years)] + plan_data_page(site, years)

    def resolve(self, outputs: list[Output]) -> list[Output]:
        """``outputs`` with each file the child was making (``waiting``) as it made it (``Output.source``), once it
        is done; left to be made here if it failed."""
        if not self.waiting or not any(o.path in self.waiting for o in outputs):
            return outputs
        made = None
        if self.aside.done():
            try:
                with open(os.path.join(self.spool, MADE_AHEAD), "rb") as record:
                    made = marshal.loads(record.read())
            except (OSError, EOFError, ValueError, TypeError):
                made = None
        if not isinstance(made, dict):
            return outputs
        waiting = self.waiting
        return [o._replace(source=(Path(_spooled(self.spool, i)), made[i])) if (i := waiting.get(o.path)) is not None and i in made else o
                for o in outputs]

    def stop(self) -> None:
        """Wait for the child if ``resolve`` did not: no zombie is left."""
        self.aside.stop()


MADE_AHEAD = "exports-made.marshal"
"""The file of the spool in which ``ExportsAhead``'s child records the files it made: row number → SHA-256."""


def _spooled(spool: str, i: int) -> str:
    """Where ``ExportsAhead``'s child makes the file of row ``i``."""
    return os.path.join(spool, f"export-{i}")


def _planned_ahead(site: Site, kept, todo: list) -> bytes:
    """In ``ExportsAhead``'s child: every export file's (path, key, lastmod, deferrable, weight), the years, and
    the numbers of the rows not ``kept(path, key)``, as marshal data; those rows' (number, make) put in ``todo``
    for ``_made_ahead``."""
    rows = []

    def row(path: str, key: str, make, lastmod: str = "", deferrable: bool = False, weight: int = 1) -> None:
        if not kept(path, key):
            todo.append((len(rows), make))
        rows.append((path, key, lastmod, deferrable, weight))

    # the citation.bib files as ``export_files`` lists them (first, an ``Output`` each, with these defaults), without
    # making 100,000 of them at 100,000 articles: most are kept, and the article is all a file that is not needs
    for record in site.records:
        path, _, key = _bib_file(record)
        row(path, key, lambda record=record: bibtex(site, record).encode("utf-8"))
    outputs, years = export_files(site, bibs=False)
    for o in outputs:
        row(o.path, o.key, o.data, o.lastmod, o.deferrable, o.weight)
    return marshal.dumps((rows, years, [i for i, _ in todo]))


def _made_ahead(todo: list, spool: str) -> None:
    """In ``ExportsAhead``'s child, once the keys are handed back: the files ``_planned_ahead`` left, made into
    ``spool`` (``_spooled``), and their SHA-256s recorded there (``MADE_AHEAD``: read only once the child has
    ended well, so whole)."""
    made = {}
    for i, make in todo:
        data = make()
        with open(_spooled(spool, i), "wb") as out:
            out.write(data)
        made[i] = hashlib.sha256(data).hexdigest()
    with open(os.path.join(spool, MADE_AHEAD), "wb") as out:
        out.write(marshal.dumps(made))

"""Take the archive away: BibTeX for each article and the whole archive, CSV of every article,
and for each year a CSV and a JSON Lines file (with the text), listed in data/index.json.

Year files keep each download small and each change local: a new article rewrites
its year's two files (and the combined CSV, the BibTeX file and the index), never
the others. data/index.json gives every year file's article count, size and
SHA-256; to write it without making every file again, the build cache remembers
the size and hash of each year file by what it was made from.

CSV follows RFC 4180 (CRLF, quotes doubled) in UTF-8; a cell that a spreadsheet
would take for a formula (starting with = + - @, a tab or a carriage return)
is prefixed with an apostrophe. Ordering is stable: by date, then by id.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from itertools import groupby

from . import publishers
from .facets import keys_of
from .feeds import absolute
from .library import Record
from .site import Output, Site, _fixed, _newest, _page, digest

EXPORTS_VERSION = "2"  # bump when the year files' bytes change for the same articles

FIELDS = [
    ("id", "The article's permanent name in this archive; its page is articles/<id>/."),
    ("url", "The address of the article's page in this archive."),
    ("date", "Date of publication of the original, YYYY-MM-DD."),
    ("title", "Title, as published."),
    ("lang", "Language of the article, ISO 639-1 (fr, en, es, ar…), identified from the text and checked by editors."),
    ("source_name", "The publisher's name, e.g. Yabiladi: from the archive's table of publishers by the source's host "
                    "(all of an outlet's subdomains, AMP and CDN hosts give one name), else the host's registrable domain "
                    "(fr.lapresse.it gives lapresse.it); an editor may have written another."),
    ("source_host", "The host of the source's address as it is, e.g. en.yabiladi.com."),
    ("source", "The address of the original article."),
    ("countries", "Countries the article mentions, ISO 3166-1 alpha-2 codes (MA, ES…); in the CSV separated by ';'."),
    ("organizations", "Organisations the article mentions, short ids (IOM, UNHCR…); in the CSV separated by ';'."),
    ("tags", "Free tags added by editors; in the CSV separated by ';'."),
    ("seed", "The id of the seed file the article was imported from (empty for articles written by hand)."),
    ("text", "The full text, paragraphs separated by a blank line (JSON Lines only)."),
]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_~^]")
BIBTEX_REPLACE = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
                  "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
LANGIDS = {"fr": "french", "en": "english", "es": "spanish", "ar": "arabic", "de": "german", "it": "italian", "pt": "portuguese", "nl": "dutch"}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def chronological(site: Site) -> list[Record]:
    return sorted(site.records, key=lambda r: (r.article.date, r.article.slug))


def metadata(site: Site, record: Record) -> dict:
    article = record.article
    return {"id": article.slug, "url": absolute(site, article.url), "date": article.date.isoformat(), "title": article.title,
            "lang": article.lang, "source_name": article.source_name, "source_host": publishers.host_of(article.source), "source": article.source,
            "countries": list(keys_of(record, "countries")), "organizations": list(keys_of(record, "organizations")),
            "tags": list(keys_of(record, "tags")), "seed": article.seed}


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
        item["text"] = site.library.body(record)[1]
        lines.append(json.dumps(item, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


YEAR_FILES = (("csv", articles_csv), ("jsonl", articles_jsonl))
KEEP_MADE = 32_000_000
"""Year files made at plan time (for their size and hash) are kept to be written, up to this
many bytes in all (a change's year or two); past it (a cold build) they are made again by
the rendering workers, in parallel, rather than held in memory."""


def plan_years(site: Site) -> tuple[list[Output], list[dict]]:
    """data/YYYY.csv and data/YYYY.jsonl for every year, and data/index.json listing them.

    The size and hash of a year file come from the build cache when it made that file
    from the same articles before (the key says what from), else from making it now;
    the file itself is made only if the site needs it written.
    """
    cache = site.library.cache
    known = cache.load("exports") or {}
    fresh: dict[str, tuple[int, str]] = {}
    outputs, years = [], []
    budget = KEEP_MADE  # bytes made here and kept for writing, rather than made again by a worker
    for year, group in groupby(chronological(site), key=lambda r: r.article.date.year):
        records = list(group)
        every = [(r.article.slug, r.file_sha) for r in records]
        entry = {"year": year, "count": len(records)}
        for kind, make in YEAR_FILES:
            key = digest("year", kind, year, every, site.config.base_url, [name for name, _ in FIELDS], EXPORTS_VERSION)
            facts, made = known.get(key), None
            if facts is None:
                made = make(site, records)
                facts = (len(made), hashlib.sha256(made).hexdigest())
                budget -= len(made)
            fresh[key] = facts
            path = f"data/{year}.{kind}"
            data = (lambda made=made: made) if made is not None and budget >= 0 else _year_file(site, make, records)
            outputs.append(Output(path, None, key, None, data, deferrable=True))
            entry[kind] = {"path": path, "url": absolute(site, path), "bytes": facts[0], "sha256": facts[1]}
        years.append(entry)
    if fresh != known:
        cache.save("exports", fresh)
    index = {"title": site.config.title, "source": absolute(site, ""), "count": len(site.records), "fields": dict(FIELDS),
             "combined": {"csv": "data/articles.csv", "bib": "data/articles.bib"}, "years": years}
    data = (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    outputs.append(Output("data/index.json", None, digest("index", data), None, lambda: data, deferrable=True))
    return outputs, years


def _year_file(site: Site, make, records: list[Record]):
    return lambda: make(site, records)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{max(1, round(n / 1000))} kB"


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


def plan_exports(site: Site) -> list[Output]:
    """citation.bib for every article; data/articles.{csv,bib}, the year files, their index and the page documenting them."""
    outputs = []
    for record in site.records:
        outputs.append(Output(record.article.url + "citation.bib", None, digest("bib", record.file_sha), None, _bib(site, record)))
    every = [(r.article.slug, r.file_sha) for r in chronological(site)]
    outputs.append(Output("data/articles.csv", None, digest("csv", every), None, lambda: articles_csv(site), deferrable=True))
    outputs.append(Output("data/articles.bib", None, digest("bib-all", every), None,
                          lambda: "\n".join(bibtex(site, r) for r in chronological(site)).encode("utf-8"), deferrable=True))
    found, years = plan_years(site)
    outputs += found
    shown = [{"year": y["year"], "count": y["count"], "csv": y["csv"]["path"], "csv_size": _size(y["csv"]["bytes"]),
              "jsonl": y["jsonl"]["path"], "jsonl_size": _size(y["jsonl"]["bytes"])} for y in reversed(years)]
    context = {"page": _page("data", "data/", "", site.config.language, "data"), "fields": [{"name": n, "description": d} for n, d in FIELDS],
               "count": len(site.records), "files": ["data/articles.csv", "data/articles.bib", "data/index.json"], "years": shown}
    outputs.append(Output("data/index.html", "data.html", digest(len(site.records), shown), _fixed(context), lastmod=_newest(site.records)))
    return outputs


def _bib(site: Site, record: Record):
    return lambda: bibtex(site, record).encode("utf-8")

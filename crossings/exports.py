"""Take the archive away: BibTeX for each article and the whole archive, CSV and JSON of every article.

CSV follows RFC 4180 (CRLF, quotes doubled) in UTF-8; a cell that a spreadsheet
would take for a formula (starting with = + - @, a tab or a carriage return)
is prefixed with an apostrophe. Ordering is stable: by date, then by id.
"""

from __future__ import annotations

import csv
import io
import json
from json.encoder import encode_basestring
import re

from . import publishers
from .facets import keys_of
from .feeds import absolute
from .library import Record
from .site import Output, Site, _fixed, _newest, _page, digest, each_language

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
    ("countries", "Countries the article mentions, ISO 3166-1 alpha-2 codes (MA, ES…), the most central first: those named in the title, "
                  "then those named in the first paragraph, then by number of mentions, then by first mention (as import found them; "
                  "an editor's order is kept as written); in the CSV separated by ';'."),
    ("organizations", "Organisations the article mentions, short ids (IOM, UNHCR…), in the same order of centrality as countries; "
                      "in the CSV separated by ';'."),
    ("tags", "Free tags added by editors; in the CSV separated by ';'."),
    ("seed", "The id of the seed file the article was imported from (empty for articles written by hand)."),
    ("text", "The full text, paragraphs separated by a blank line (JSON only)."),
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


def articles_csv(site: Site) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [name for name, _ in FIELDS if name != "text"]
    writer.writerow(names)
    for record in chronological(site):
        row = metadata(site, record)
        writer.writerow([safe_cell(";".join(row[n]) if isinstance(row[n], list) else str(row[n])) for n in names])
    return out.getvalue().encode("utf-8")


def articles_json(site: Site) -> bytearray:
    """Every article with its text, as one JSON document (``indent=1``).

    Written one article at a time: ``json.dumps`` of the whole document would hold
    every text, and the millions of pieces of the result, at once (~400 MB at
    10,000 articles, for a 74 MB file); this holds the file and one article.
    """
    records = chronological(site)
    document = {"title": site.config.title, "source": absolute(site, ""), "count": len(records), "fields": dict(FIELDS), "articles": []}
    if not records:
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    document["articles"] = [0]  # a placeholder: the articles go where it stands
    head, _, tail = json.dumps(document, ensure_ascii=False, indent=1).rpartition("\n  0\n")
    out = bytearray((head + "\n").encode("utf-8"))
    for n, record in enumerate(records):
        item = metadata(site, record)
        item["text"] = site.library.body(record)[1]
        out += (_json_item(item) + (",\n" if n < len(records) - 1 else "\n")).encode("utf-8")
    out += (tail + "\n").encode("utf-8")
    return out  # not copied into bytes: that would hold the file twice


def _json_item(item: dict) -> str:
    """``json.dumps(item, ensure_ascii=False, indent=1)`` two levels deep, for flat items
    (strings, numbers, lists of strings), with the C string encoder: ~5× faster."""
    fields = []
    for key, value in item.items():
        if isinstance(value, list):
            inner = ",\n".join("    " + encode_basestring(v) for v in value)
            value = "[\n" + inner + "\n   ]" if value else "[]"
        elif isinstance(value, str):
            value = encode_basestring(value)
        else:
            value = json.dumps(value)
        fields.append(f"   {encode_basestring(key)}: {value}")
    return "  {\n" + ",\n".join(fields) + "\n  }"


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
    """citation.bib for every article; data/articles.{csv,json,bib} and the page documenting them."""
    outputs = []
    for record in site.records:
        outputs.append(Output(record.article.url + "citation.bib", None, digest("bib", record.file_sha), None, _bib(site, record)))
    every = [(r.article.slug, r.file_sha) for r in chronological(site)]
    outputs.append(Output("data/articles.csv", None, digest("csv", every), None, lambda: articles_csv(site), deferrable=True))
    outputs.append(Output("data/articles.json", None, digest("json", every), None, lambda: articles_json(site), deferrable=True))
    outputs.append(Output("data/articles.bib", None, digest("bib-all", every), None,
                          lambda: "\n".join(bibtex(site, r) for r in chronological(site)).encode("utf-8"), deferrable=True))
    outputs.extend(plan_data_page(site))
    return outputs


@each_language
def plan_data_page(site: Site, lang: str) -> list[Output]:
    """The page documenting the exports, in every interface language (the files are one set, at the root)."""
    context = {"page": _page(site, "data", "data/", "", lang, "data"), "fields": [{"name": n, "description": d} for n, d in FIELDS],
               "count": len(site.records), "files": ["data/articles.csv", "data/articles.json", "data/articles.bib"]}
    return [Output("data/index.html", "data.html", digest(len(site.records)), _fixed(context), lastmod=_newest(site.records))]


def _bib(site: Site, record: Record):
    return lambda: bibtex(site, record).encode("utf-8")

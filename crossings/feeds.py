"""Feeds (Atom for the site and every facet value, JSON Feed 1.1 for the site, in every interface language), sitemap and robots.txt.

Every URL in them is absolute under ``base_url`` when it names a host; feeds
carry each article's date, source link, language and summary. The site's feeds
carry the full text too; a facet value's feed carries summaries only (a follower
opens the article page): full text in every facet value's feed would put each
article's text in the site four or five times more (13 of the 441 MB of the
10,000-article bench site; with a real archive's hundreds of sources and
countries, much more), and every interface language has its own set of feeds.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape  # (with quote=False, what xml.sax.saxutils.escape does: that module imports urllib, http and ssl, 30 ms)
from collections.abc import Callable
from zoneinfo import ZoneInfo

from . import __version__
from .facets import KINDS, keys_of, slug_of
from .i18n import language_name
from .library import Record
from .site import Output, Site, digest

LATEST = 50
SITEMAP_LIMIT = 45_000  # a sitemap file may list 50,000 URLs


def absolute(site: Site, path: str) -> str:
    """A site path as an absolute URL (or a path from the domain root when base_url has no host)."""
    return site.config.base_url + path if site.config.absolute_base else site.config.base_path + path


def timestamp(site: Site, date: dt.date) -> str:
    """RFC 3339: the article's day at midnight in the site's time zone."""
    return dt.datetime.combine(date, dt.time(), ZoneInfo(site.config.timezone)).isoformat()


def entry_id(site: Site, record: Record) -> str:
    """A permanent id: the article's URL, or a tag: URI when the site has no host."""
    if site.config.absolute_base:
        return absolute(site, record.article.url)
    return f"tag:crossings,{record.article.date.isoformat()}:{record.article.url}"


def feed_entry(site: Site, record: Record, lang: str | None = None, full: bool = True) -> dict:
    """One article as a feed entry; its categories named in ``lang`` (the feed's language);
    with its full text unless ``full`` is false (a facet value's feed: the summary only)."""
    article = record.article
    html, text = site.library.body(record) if full else (None, None)
    facets = site.facets_in(lang or site.config.language)
    prefix = site.config.prefix(lang or site.config.language)
    categories = [{"term": facets[kind][slug_of(kind, key)].key, "label": facets[kind][slug_of(kind, key)].label,
                   "scheme": absolute(site, f"{prefix}{kind}/")}
                  for kind in ("countries", "organizations", "tags") for key in keys_of(record, kind)]
    return {
        "id": entry_id(site, record), "title": article.title, "url": absolute(site, article.url), "lang": article.lang,
        "source": article.source, "source_name": article.source_name, "published": timestamp(site, article.date),
        "updated": timestamp(site, article.date),
        "excerpt": record.excerpt, "body_html": html, "text": text, "categories": categories,
    }


def _feed(site: Site, path: str, title: str, page: str, records: list[Record], label_key: object, lang: str, full: bool = True) -> Output:
    latest = records[:LATEST]
    key = digest(title, [r.file_sha for r in latest], label_key, full)

    def context() -> dict:
        entries = [feed_entry(site, r, lang, full) for r in latest]
        return {"feed": {"title": title, "id": absolute(site, path) if site.config.absolute_base else f"tag:crossings,2000:{path}",
                         "self": absolute(site, path), "alternate": absolute(site, page), "lang": lang,
                         "subtitle": site.config.description_in(lang),
                         "updated": entries[0]["published"] if entries else timestamp(site, dt.date(2000, 1, 1))},
                "entries": entries, "version": __version__}
    return Output(path, "feed.xml", key, context)


def site_feed_title(site: Site, lang: str) -> str:
    """The site's name; in the other interface languages, with the language's own name: ``Crossings (العربية)``."""
    config = site.config
    return config.title if lang == config.language else f"{config.title} ({language_name(lang, lang)})"


def plan_feeds(site: Site) -> list[Output]:
    """In every interface language: the site's Atom and JSON feeds, and an Atom feed for every facet value
    (the same articles; titles and categories in the feed's language)."""
    outputs = []
    latest = site.records[:LATEST]
    for lang in site.config.interface:
        prefix = site.config.prefix(lang)
        title = site_feed_title(site, lang)
        outputs.append(_feed(site, prefix + "feed.xml", title, prefix, site.records, _labels(site, latest, lang), lang))
        outputs.append(Output(prefix + "feed.json", None, digest("json", title, [r.file_sha for r in latest], _labels(site, latest, lang)), None,
                              _json_feed(site, latest, lang)))
        for kind in KINDS:
            for value in site.facets_in(lang)[kind].values():
                title = f"{site.config.title} — {value.label}"
                outputs.append(_feed(site, prefix + value.url + "feed.xml", title, prefix + value.url, value.records,
                                     _labels(site, value.records[:LATEST], lang), lang, full=False))
    return outputs


def _labels(site: Site, records: list[Record], lang: str | None = None) -> tuple:
    facets = site.facets_in(lang or site.config.language)
    return tuple(facets[kind][slug_of(kind, key)].label for r in records for kind in ("countries", "organizations", "tags") for key in keys_of(r, kind))


def _json_feed(site: Site, records: list[Record], lang: str) -> Callable[[], bytes]:
    return lambda: json_feed(site, records, lang)


def json_feed(site: Site, records: list[Record], lang: str | None = None) -> bytes:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    lang = lang or site.config.language
    prefix = site.config.prefix(lang)
    items = []
    for record in records:
        entry = feed_entry(site, record, lang)
        item = {"id": entry["id"], "url": entry["url"], "title": entry["title"], "content_html": entry["body_html"],
                "content_text": entry["text"], "summary": entry["excerpt"], "date_published": entry["published"],
                "language": entry["lang"], "tags": [c["label"] for c in entry["categories"]]}
        if entry["source"]:
            item["external_url"] = entry["source"]
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": site_feed_title(site, lang), "description": site.config.description_in(lang),
            "home_page_url": absolute(site, prefix), "feed_url": absolute(site, prefix + "feed.json"), "language": lang, "items": items}
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def plan_sitemap(site: Site, outputs: list[Output]) -> list[Output]:
    """sitemap.xml (an index of several when there are very many pages) and robots.txt naming it.

    A page of the archive built in several interface languages lists its versions as
    ``xhtml:link rel="alternate" hreflang`` (each, and ``x-default``, the root's).
    """
    if not site.config.absolute_base:
        return []  # a sitemap needs absolute URLs: set base_url to the site's address
    config = site.config
    several = len(config.interface) > 1
    pages = []
    for o in outputs:
        if not o.path.endswith(".html") or o.path.rpartition("/")[2] == "404.html":
            continue
        alternates = ()
        if several and o.family:
            family = _page_path(o.family)
            alternates = tuple((lang, config.prefix(lang) + family) for lang in config.interface) + (("x-default", family),)
        pages.append((_page_path(o.path), o.lastmod, alternates))
    pages.sort()
    chunks = [pages[i:i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)] or [[]]
    result = []
    names = ["sitemap.xml"] if len(chunks) == 1 else [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
    for name, chunk in zip(names, chunks):
        result.append(Output(name, None, digest("sitemap", chunk), None, _sitemap(site, chunk)))
    if len(chunks) > 1:
        result.append(Output("sitemap.xml", None, digest("sitemap-index", names), None, _sitemap_index(site, names)))
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site, 'sitemap.xml')}\n".encode()
    result.append(Output("robots.txt", None, digest("robots", robots), None, lambda: robots))
    return result


def _page_path(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path


XHTML = "http://www.w3.org/1999/xhtml"


def _sitemap(site: Site, pages: list[tuple[str, str, tuple]]) -> Callable[[], bytes]:
    def data() -> bytes:
        several = any(alternates for _, _, alternates in pages)
        namespaces = ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"' + (f' xmlns:xhtml="{XHTML}"' if several else "")
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<urlset{namespaces}>"]
        for path, lastmod, alternates in pages:
            links = "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(absolute(site, other), quote=False)}"/>' for lang, other in alternates)
            lines.append(f"<url><loc>{escape(absolute(site, path), quote=False)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + links + "</url>")
        lines.append("</urlset>")
        return ("\n".join(lines) + "\n").encode("utf-8")
    return data


def _sitemap_index(site: Site, names: list[str]) -> Callable[[], bytes]:
    def data() -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        lines += [f"<sitemap><loc>{escape(absolute(site, name), quote=False)}</loc></sitemap>" for name in names]
        lines.append("</sitemapindex>")
        return ("\n".join(lines) + "\n").encode("utf-8")
    return data

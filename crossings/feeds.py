"""Feeds (Atom for the site and every facet value, JSON Feed 1.1 for the site), sitemap and robots.txt.

Every URL in them is absolute under ``base_url`` when it names a host; feeds
carry each article's date, source link, language and summary. The site's feeds
carry the full text too; a facet value's feed carries summaries only (a follower
opens the article page): full text in every facet value's feed would put each
article's text in the site four or five times more (13 of the 441 MB of the
10,000-article bench site; with a real archive's hundreds of sources and
countries, much more).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from . import __version__
from .facets import KINDS, keys_of, slug_of
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


def feed_entry(site: Site, record: Record, full: bool = True) -> dict:
    article = record.article
    html, text = site.library.body(record) if full else (None, None)
    categories = [{"term": site.facets[kind][slug_of(kind, key)].key, "label": site.facets[kind][slug_of(kind, key)].label,
                   "scheme": absolute(site, f"{kind}/")}
                  for kind in ("countries", "organizations", "tags") for key in keys_of(record, kind)]
    return {
        "id": entry_id(site, record), "title": article.title, "url": absolute(site, article.url), "lang": article.lang,
        "source": article.source, "source_name": article.source_name, "published": timestamp(site, article.date),
        "excerpt": record.excerpt, "body_html": html, "text": text, "categories": categories,
    }


def _feed(site: Site, path: str, title: str, page: str, records: list[Record], label_key: object, full: bool = True) -> Output:
    latest = records[:LATEST]
    key = digest(title, [r.file_sha for r in latest], label_key, full)

    def context() -> dict:
        entries = [feed_entry(site, r, full) for r in latest]
        return {"feed": {"title": title, "id": absolute(site, path) if site.config.absolute_base else f"tag:crossings,2000:{path}",
                         "self": absolute(site, path), "alternate": absolute(site, page), "lang": site.config.language,
                         "updated": entries[0]["published"] if entries else timestamp(site, dt.date(2000, 1, 1))},
                "entries": entries, "version": __version__}
    return Output(path, "feed.xml", key, context)


def plan_feeds(site: Site) -> list[Output]:
    """The site's Atom and JSON feeds, and an Atom feed for every facet value."""
    outputs = [_feed(site, "feed.xml", site.config.title, "", site.records, ())]
    latest = site.records[:LATEST]
    outputs.append(Output("feed.json", None, digest("json", [r.file_sha for r in latest], _labels(site, latest)), None, lambda: json_feed(site, latest)))
    for kind in KINDS:
        for value in site.facets[kind].values():
            title = f"{site.config.title} — {value.label}"
            outputs.append(_feed(site, value.url + "feed.xml", title, value.url, value.records, _labels(site, value.records[:LATEST]), full=False))
    return outputs


def _labels(site: Site, records: list[Record]) -> tuple:
    return tuple(site.facets[kind][slug_of(kind, key)].label for r in records for kind in ("countries", "organizations", "tags") for key in keys_of(r, kind))


def json_feed(site: Site, records: list[Record]) -> bytes:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    items = []
    for record in records:
        entry = feed_entry(site, record)
        item = {"id": entry["id"], "url": entry["url"], "title": entry["title"], "content_html": entry["body_html"],
                "content_text": entry["text"], "summary": entry["excerpt"], "date_published": entry["published"],
                "language": entry["lang"], "tags": [c["label"] for c in entry["categories"]]}
        if entry["source"]:
            item["external_url"] = entry["source"]
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": site.config.title, "description": site.config.description,
            "home_page_url": absolute(site, ""), "feed_url": absolute(site, "feed.json"), "language": site.config.language, "items": items}
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def plan_sitemap(site: Site, outputs: list[Output]) -> list[Output]:
    """sitemap.xml (an index of several when there are very many pages) and robots.txt naming it."""
    if not site.config.absolute_base:
        return []  # a sitemap needs absolute URLs: set base_url to the site's address
    pages = sorted((o.path[: -len("index.html")] if o.path.endswith("index.html") else o.path, o.lastmod)
                   for o in outputs if o.path.endswith(".html") and o.path != "404.html")
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


def _sitemap(site: Site, pages: list[tuple[str, str]]) -> Callable[[], bytes]:
    def data() -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for path, lastmod in pages:
            lines.append(f"<url><loc>{escape(absolute(site, path))}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
        lines.append("</urlset>")
        return ("\n".join(lines) + "\n").encode("utf-8")
    return data


def _sitemap_index(site: Site, names: list[str]) -> Callable[[], bytes]:
    def data() -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        lines += [f"<sitemap><loc>{escape(absolute(site, name))}</loc></sitemap>" for name in names]
        lines.append("</sitemapindex>")
        return ("\n".join(lines) + "\n").encode("utf-8")
    return data

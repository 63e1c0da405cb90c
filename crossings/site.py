"""The site model and the plan of its pages: articles in, a list of outputs out.

First everything is gathered (every article, sorted, with URLs checked for
collisions), then each page kind's planner turns the model into ``Output``s:
a path, a template and a context made of plain data (strings, numbers, lists,
dicts). Plain contexts are what make exact incremental builds cheap: an output
whose context, template and settings are unchanged renders to the same bytes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from .articles import RTL, Article
from .config import Config
from .markup import Renderer, excerpt
from .problems import Problem, error


@dataclass(frozen=True)
class Output:
    """One file of the site: rendered from a template, or given as bytes."""

    path: str
    template: str | None = None
    context: dict = field(default_factory=dict)
    data: bytes | None = None


@dataclass
class Site:
    """Every published article, newest first, with its rendered body."""

    config: Config
    articles: list[Article]
    html: dict[str, str]
    text: dict[str, str]

    def entry(self, article: Article) -> dict:
        """What a list shows of an article."""
        return {
            "title": article.title, "url": article.url, "date": article.date.isoformat(),
            "lang": article.lang, "dir": article.dir, "source_name": article.source_name,
            "excerpt": excerpt(self.text[article.path]),
        }

    def months(self) -> dict[tuple[int, int], list[Article]]:
        """Articles by (year, month), newest month first."""
        groups: dict[tuple[int, int], list[Article]] = defaultdict(list)
        for article in self.articles:
            groups[(article.date.year, article.date.month)].append(article)
        return dict(groups)


def build_site(articles: list[Article], config: Config, renderer: Renderer | None = None) -> tuple[Site, list[Problem]]:
    """Sort the articles, refuse URL collisions, and render their bodies."""
    renderer = renderer or Renderer()
    problems: list[Problem] = []
    owners: dict[str, Article] = {}
    published = []
    for article in sorted(articles, key=lambda a: a.path):
        if article.draft:
            continue
        first = owners.get(article.url)
        if first is not None:
            problems.append(error(article.path, None, f"its page {article.url} is already made from {first.path}", "rename one of the two files"))
            continue
        owners[article.url] = article
        published.append(article)
    published.sort(key=lambda a: (a.date, a.path), reverse=True)
    html: dict[str, str] = {}
    text: dict[str, str] = {}
    for article in published:
        html[article.path], text[article.path] = renderer.render(article.body)
    return Site(config, published, html, text), problems


# --- planners: one function per page kind --------------------------------------

def plan(site: Site) -> list[Output]:
    """Every output of the site, in a stable order."""
    outputs: list[Output] = []
    for planner in PLANNERS:
        outputs.extend(planner(site))
    return outputs


def plan_articles(site: Site) -> list[Output]:
    """One page per article, linked to its neighbours in time and to its month."""
    outputs = []
    articles = site.articles
    for i, article in enumerate(articles):
        newer = articles[i - 1] if i > 0 else None
        older = articles[i + 1] if i + 1 < len(articles) else None
        context = {
            "page": _page(article.title, article.url, excerpt(site.text[article.path], 160), article.lang, "article"),
            "article": {
                **site.entry(article),
                "source": article.source,
                "body_html": site.html[article.path],
                "seed": article.seed,
            },
            "older": site.entry(older) if older else None,
            "newer": site.entry(newer) if newer else None,
            "month": {"year": article.date.year, "month": article.date.month, "url": month_url(article.date.year, article.date.month)},
        }
        outputs.append(Output(article.url + "index.html", "article.html", context))
    return outputs


def plan_index(site: Site) -> list[Output]:
    """The home page and its following pages, ``per_page`` articles each, newest first."""
    per_page = site.config.per_page
    total = max(1, math.ceil(len(site.articles) / per_page))
    outputs = []
    for number in range(1, total + 1):
        chunk = site.articles[(number - 1) * per_page:number * per_page]
        url = page_url("", number)
        context = {
            "page": _page(site.config.title, url, site.config.description, site.config.language, "index"),
            "entries": [site.entry(a) for a in chunk],
            "pagination": pagination("", number, total),
            "total": len(site.articles),
        }
        outputs.append(Output(url + "index.html", "index.html", context))
    return outputs


def plan_timeline(site: Site) -> list[Output]:
    """The timeline: all years with monthly counts, then a page per year and per month."""
    language = site.config.language
    months = site.months()
    years: dict[int, dict[int, int]] = defaultdict(dict)
    for (year, month), items in months.items():
        years[year][month] = len(items)
    overview = [
        {"year": year, "url": year_url(year), "count": sum(counts.values()),
         "months": [{"month": m, "count": counts.get(m, 0), "url": month_url(year, m) if m in counts else None} for m in range(1, 13)]}
        for year, counts in sorted(years.items(), reverse=True)
    ]
    outputs = [Output("timeline/index.html", "timeline.html", {
        "page": _page("timeline", "timeline/", site.config.description, language, "timeline"),
        "years": overview,
    })]
    ordered_years = [y["year"] for y in overview]
    for i, year in enumerate(ordered_years):
        context = {
            "page": _page(str(year), year_url(year), "", language, "year"),
            "year": year,
            "months": [{"month": m, "url": month_url(year, m), "entries": [site.entry(a) for a in months[(year, m)]]}
                       for m in sorted(years[year], reverse=True)],
            "count": sum(years[year].values()),
            "newer": _year_link(ordered_years[i - 1]) if i > 0 else None,
            "older": _year_link(ordered_years[i + 1]) if i + 1 < len(ordered_years) else None,
        }
        outputs.append(Output(year_url(year) + "index.html", "year.html", context))
    ordered_months = sorted(months, reverse=True)
    for i, (year, month) in enumerate(ordered_months):
        context = {
            "page": _page("", month_url(year, month), "", language, "month"),
            "year": year, "month": month, "year_url": year_url(year),
            "entries": [site.entry(a) for a in months[(year, month)]],
            "newer": _month_link(*ordered_months[i - 1]) if i > 0 else None,
            "older": _month_link(*ordered_months[i + 1]) if i + 1 < len(ordered_months) else None,
        }
        outputs.append(Output(month_url(year, month) + "index.html", "month.html", context))
    return outputs


def plan_special(site: Site) -> list[Output]:
    """The 404 page and the marker that turns off Jekyll on GitHub Pages."""
    return [
        Output("404.html", "404.html", {"page": _page("not_found", "404.html", "", site.config.language, "404")}),
        Output(".nojekyll", data=b""),
    ]


PLANNERS = [plan_articles, plan_index, plan_timeline, plan_special]


# --- URLs and helpers ------------------------------------------------------------

def page_url(prefix: str, number: int) -> str:
    """URL of page ``number`` of a paginated list (page 1 is the list's own URL)."""
    return prefix if number == 1 else f"{prefix}page/{number}/"


def year_url(year: int) -> str:
    return f"timeline/{year:04d}/"


def month_url(year: int, month: int) -> str:
    return f"timeline/{year:04d}/{month:02d}/"


def pagination(prefix: str, number: int, total: int, window: int = 2) -> dict:
    """Links for a page navigation: first, last, a window around the current page, gaps."""
    shown = sorted({1, total, *range(max(1, number - window), min(total, number + window) + 1)})
    pages: list[dict | None] = []
    for n in shown:
        if pages and pages[-1] is not None and n - pages[-1]["number"] > 1:
            pages.append(None)
        pages.append({"number": n, "url": page_url(prefix, n), "current": n == number})
    return {
        "number": number, "total": total, "pages": pages if total > 1 else [],
        "newer": page_url(prefix, number - 1) if number > 1 else None,
        "older": page_url(prefix, number + 1) if number < total else None,
    }


def _page(title: str, url: str, description: str, lang: str, kind: str) -> dict:
    return {"title": title, "url": url, "description": description, "lang": lang, "dir": "rtl" if lang in RTL else "ltr", "kind": kind}


def _year_link(year: int) -> dict:
    return {"year": year, "url": year_url(year)}


def _month_link(year: int, month: int) -> dict:
    return {"year": year, "month": month, "url": month_url(year, month)}

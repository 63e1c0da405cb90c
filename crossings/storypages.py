"""Stories on the site: a page per story, the overview, their feed, and what article pages show of them.

The grouping itself is ``stories``; this module turns it into the site's model
(``StoryIndex``: each story's articles as records, its title, outlets, languages)
and plans the pages. Every key names what the page shows, so incremental builds
stay exact.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from babel.numbers import format_decimal

from . import __version__
from . import stories as engine
from .catalogs import N_, Translator
from .facets import facet_title, keys_of, slug_of
from .i18n import language_name
from .library import Record
from .problems import Problem
from .site import Output, Site, _fixed, _page, digest, each_language, pagination, page_url, stable_pages

SHOWN = ("dead", "missing", "rescued", "people")
"""What a story page compares across its articles, when they report different numbers."""
MEASURES = {"dead": N_("dead"), "missing": N_("missing"), "rescued": N_("rescued"), "people": N_("people")}
"""How a story page names each measure (after its numbers)."""
STORIES = N_("Stories")
STORIES_INTRO = N_("Each story gathers the articles that report one incident, across publishers and languages.")
COVERAGE_SHOWN = 6
"""At most this many other articles of the story on an article's page (then a link to the story)."""


@dataclass(eq=False)
class Story:
    """One incident: its articles in date order, and the copies of one text among them."""

    id: str
    records: list[Record]
    title_record: Record
    copies: dict[str, tuple[str, ...]]
    """Article slug → the slugs of the other articles of the story carrying the same text."""
    entities: dict[str, list[str]] = field(default_factory=dict, repr=False)
    """Kind → the story's countries or organisations, most named first (see ``_entities``), made once."""

    @property
    def url(self) -> str:
        return f"stories/{self.id}/"

    @property
    def title(self) -> str:
        return self.title_record.article.title

    @property
    def first(self) -> dt.date:
        return self.records[0].article.date

    @property
    def last(self) -> dt.date:
        return self.records[-1].article.date

    @cached_property
    def outlets(self) -> list[str]:
        """The publishers, in the order of their first report (an article without one counts as its own)."""
        return list(dict.fromkeys(r.article.source_name or r.article.slug for r in self.records))

    @cached_property
    def languages(self) -> list[str]:
        return list(dict.fromkeys(r.article.lang for r in self.records))

    @cached_property
    def reports(self) -> list[tuple[Record, list[Record]]]:
        """Each text once: (its first article, the other articles carrying it), in date order."""
        by_slug = {r.article.slug: r for r in self.records}
        seen: set[str] = set()
        reports = []
        for record in self.records:
            slug = record.article.slug
            if slug in seen:
                continue
            others = [by_slug[s] for s in self.copies.get(slug, ()) if s in by_slug]
            seen.add(slug)
            seen.update(r.article.slug for r in others)
            reports.append((record, others))
        return reports


@dataclass(eq=False)
class StoryIndex:
    """Every story of the site, newest first (by first report), and each article's story and copies."""

    stories: dict[str, Story] = field(default_factory=dict)
    of: dict[str, Story] = field(default_factory=dict)
    copies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Article slug → the slugs of every other article carrying the same text (in a story or not)."""
    problems: list[Problem] = field(default_factory=list)
    grouper: engine.Grouper | None = None
    nodes: dict[str, engine.Node] = field(default_factory=dict)
    table_digest: str = ""
    reports_of: dict[str, tuple] = field(default_factory=dict, repr=False)
    """Story id → what article pages show of its reports (see ``_reports``), made once per build."""
    row_keys: dict[str, str] = field(default_factory=dict, repr=False)
    """Story id → the key of its rows in stories.csv and stories.json (see ``exports.story_parts``), made once."""

    def numbers(self, story: Story) -> list[tuple[str, list[float]]]:
        """For each measure the headlines and first paragraphs report differently: the values, smallest first."""
        found: dict[str, set[float]] = defaultdict(set)
        for record in story.records:
            node = self.nodes.get(record.article.slug)
            if node is None or self.grouper is None:
                continue
            for value, measure in self.grouper.reported_numbers(node):
                if measure in SHOWN:
                    found[measure].add(value)
        return [(m, sorted(found[m])) for m in SHOWN if len(found[m]) >= 2]


def build_index(site: Site) -> StoryIndex:
    """Group the site's articles (see ``stories``) and make the model of every story."""
    config = site.config
    table = engine.load_table(config.places)
    by_slug = site.by_slug
    nodes = {slug: engine.node_of(record) for slug, record in by_slug.items()}

    def text_of(slug: str) -> tuple[str, str]:
        record = by_slug[slug]
        return record.article.title, site.library.text(record)

    grouper = engine.Grouper(table, site.library.cache, text_of, config.language)
    if site.library.features_table is table:  # made with this very table by the workers that read the content
        grouper.made = site.library.features_made
    grouping = grouper.group(nodes)
    index = StoryIndex(grouper=grouper, nodes=nodes, table_digest=table.digest)
    index.problems = list(table.problems) + engine.pin_problems(site.records, grouping)
    language = config.language
    made = []
    for sid, keys in grouping.stories.items():
        records = [by_slug[k] for k in keys]
        title = next((r for r in records if r.article.lang == language), records[0])
        members = set(keys)
        copies = {k: tuple(o for o in grouping.copies.get(k, ()) if o in members) for k in keys if grouping.copies.get(k)}
        made.append(Story(sid, records, title, copies))
    made.sort(key=lambda s: (s.first, s.last, s.id), reverse=True)
    index.stories = {s.id: s for s in made}
    for story in made:
        for record in story.records:
            index.of[record.article.slug] = story
    index.copies = dict(grouping.copies)
    return index


# --- what other pages show of stories -------------------------------------------------------------

def story_version(site: Site, story: Story) -> tuple:
    """What a list shows of a story changes exactly when this does."""
    return (story.id, story.title, story.first.isoformat(), story.last.isoformat(), len(story.records), len(story.outlets),
            tuple(story.languages))


def story_summary(site: Site, story: Story, lang: str) -> dict:
    """What lists (overview, browse, coverage) show of a story, on a page in ``lang``."""
    return {"id": story.id, "title": story.title, "url": story.url, "lang": story.title_record.article.lang,
            "dir": story.title_record.article.dir, "first": story.first.isoformat(), "last": story.last.isoformat(),
            "articles": len(story.records), "outlets": len(story.outlets), "languages": len(story.languages),
            "language_names": [language_name(code, lang) for code in story.languages]}


def _reports(site: Site, story: Story) -> tuple:
    """For the article pages of a story, each report's (lead's slug, key, every address it links to), and
    the story's version: the same for every article of the story, so made once."""
    index = site.stories
    found = index.reports_of.get(story.id)
    if found is None:
        rows = [(lead.article.slug, (lead.article.slug, site.version(lead), tuple(c.article.slug for c in copies)),
                 (lead.article.url, *(c.article.url for c in copies))) for lead, copies in story.reports]
        found = index.reports_of[story.id] = (rows, story_version(site, story), {row[0] for row in rows})
    return found


def article_part(site: Site, record: Record, lang: str) -> tuple[Callable[[], dict] | None, list[dict], tuple, set[str]]:
    """For an article page in ``lang``: what its story part shows (made only when the page is rendered;
    None without a story), the articles carrying its text, a key of both, and the addresses both link to
    (the page's own and its copies' among them, which no list of related articles holds anyway)."""
    index = site.stories
    slug = record.article.slug
    by_slug = site.by_slug
    copies_of = index.copies.get(slug)
    same = [by_slug[s] for s in copies_of if s in by_slug] if copies_of else []
    also = [{"name": r.article.source_name or r.article.title, "url": r.article.url, "lang": r.article.lang} for r in same]
    urls = {a["url"] for a in also}
    story = index.of.get(slug)
    key: tuple = (tuple((r.article.slug, r.version) for r in same),)
    if story is None:
        return None, also, key, urls
    hidden = {slug} | {r.article.slug for r in same}
    rows, version, leads = _reports(site, story)
    shown = []  # the first reports of the story but this page's (a story of thousands: not all looked at, for each of them)
    for i, row in enumerate(rows):
        if len(shown) == COVERAGE_SHOWN:
            break
        if row[0] not in hidden:
            shown.append(i)
    others = len(rows) - len(hidden & leads)
    for i in shown:
        urls.update(rows[i][2])

    def part() -> dict:
        reports = story.reports
        entries = []
        for i in shown:
            lead, copies = reports[i]
            entry = dict(site.entry(lead))
            entry["language_name"] = language_name(lead.article.lang, lang)
            entry["also"] = [{"name": c.article.source_name or c.article.title, "url": c.article.url} for c in copies if c.article.slug not in hidden]
            entries.append(entry)
        return {"id": story.id, "title": story.title, "url": story.url, "lang": story.title_record.article.lang,
                "dir": story.title_record.article.dir, "articles": len(story.records), "outlets": len(story.outlets),
                "languages": len(story.languages), "entries": entries, "more": others - len(shown)}

    key += (version, tuple(rows[i][1] for i in shown), others)
    return part, also, key, urls


# --- planners ------------------------------------------------------------------------------------------

@each_language
def plan_stories(site: Site, lang: str) -> list[Output]:
    """In every interface language: a page per story, the overview (newest first, paginated like every
    list) and the Atom feed of stories."""
    outputs = []
    for story in site.stories.stories.values():
        outputs.append(_story_page(site, story, lang))
    outputs.extend(_overview(site, lang))
    outputs.append(_feed(site, lang))
    return outputs


def lede(story: Story, translator: Translator) -> str:
    """"3 articles from 2 outlets in 2 languages.", in the translator's language."""
    return translator.gettext(STORY_LEDE,
                              articles=translator.ngettext("%(num)s article", "%(num)s articles", len(story.records)),
                              outlets=translator.ngettext("%(num)s outlet", "%(num)s outlets", len(story.outlets)),
                              languages=translator.ngettext("%(num)s language", "%(num)s languages", len(story.languages)))


STORY_LEDE = N_("%(articles)s from %(outlets)s in %(languages)s.")


def _story_page(site: Site, story: Story, lang: str) -> Output:
    index = site.stories
    facets = site.facets_in(lang)
    labels = [(kind, tuple((facets[kind][slug_of(kind, key)].label, facets[kind][slug_of(kind, key)].url) for key in _entities(story, kind)))
              for kind in ("countries", "organizations")]
    key = digest("story", story_version(site, story), [(r.article.slug, r.file_sha, r.version) for r in story.records],
                 sorted(story.copies.items()), labels, index.table_digest)

    def context() -> dict:
        translator = site.translator(lang)
        by_language: dict[str, list] = {}
        for lead, copies in story.reports:
            entry = dict(site.entry(lead))
            entry["also"] = [{"name": c.article.source_name or c.article.title, "url": c.article.url} for c in copies]
            by_language.setdefault(lead.article.lang, []).append(entry)
        groups = [{"lang": code, "name": _inside(language_name(code, lang), lang), "entries": entries,
                   "count": sum(1 + len(e["also"]) for e in entries)} for code, entries in by_language.items()]
        numbers = [{"measure": measure, "label": translator.gettext(MEASURES[measure]),
                    "values": " / ".join(format_decimal(v, locale=lang) for v in values)} for measure, values in index.numbers(story)]
        summary = story_summary(site, story, lang)
        description = lede(story, translator)
        return {
            "page": _page(site, story.title, story.url, description, lang, "story"),
            "story": {**summary, "description": description, "feed": "stories/feed.xml"},
            "groups": groups,
            "numbers": numbers,
            "facets": [{"kind": kind, "title": facet_title(kind, translator), "items": [{"label": label, "url": url} for label, url in items]}
                       for kind, items in labels if items],
        }
    return Output(story.url + "index.html", "story.html", key, context, lastmod=story.last.isoformat())


def _inside(name: str, language: str) -> str:
    """A language's name inside a sentence: "En arabe", not "En Arabe" (Babel writes them in lower case there)."""
    return name[:1].lower() + name[1:] if language in ("fr", "es", "it", "pt", "nl") else name


def _entities(story: Story, kind: str) -> list[str]:
    """The countries (or organisations) the story's articles name, most named first."""
    found = story.entities.get(kind)
    if found is None:
        records = story.records
        one = keys_of(records[0], kind) if len(records) == 1 else None
        if one is not None and len(set(one)) == len(one):  # (a story of one article, most of them: each named once)
            found = sorted(one)
        else:
            counts = Counter(key for r in records for key in keys_of(r, kind))
            found = sorted(counts, key=lambda k: (-counts[k], k))
        story.entities[kind] = found
    return found


def _overview(site: Site, lang: str) -> list[Output]:
    every = list(site.stories.stories.values())
    pages = stable_pages(every, site.config.per_page)
    outputs = []
    for number, chunk in pages:
        url = page_url("stories/", number)
        nav = pagination("stories/", number, len(pages), site.shows_page_count)
        items = [story_version(site, s) for s in chunk]
        key = digest("stories", repr(nav), len(every) if number == 0 else None, items)

        def context(chunk=chunk, url=url, nav=nav, number=number) -> dict:
            return {"page": _page(site, "stories", url, site.translator(lang).gettext(STORIES_INTRO), lang, "stories"),
                    "stories": [story_summary(site, s, lang) for s in chunk], "pagination": nav,
                    "total": len(every) if number == 0 else None, "feed": "stories/feed.xml"}
        outputs.append(Output(url + "index.html", "stories.html", key, context, lastmod=chunk[0].last.isoformat() if chunk else ""))
    if not pages or not every:
        context = {"page": _page(site, "stories", "stories/", site.translator(lang).gettext(STORIES_INTRO), lang, "stories"), "stories": [],
                   "pagination": pagination("stories/", 0, 1, site.shows_page_count), "total": 0, "feed": "stories/feed.xml"}
        outputs = [Output("stories/index.html", "stories.html", digest("stories-empty"), _fixed(context))]
    return outputs


LATEST = 50


def _feed(site: Site, lang: str) -> Output:
    """The Atom feed of the newest stories, in ``lang`` (its summaries, and its links to the story pages in ``lang``)."""
    from .feeds import absolute, timestamp

    latest = list(site.stories.stories.values())[:LATEST]
    key = digest("stories-feed", [story_version(site, s) for s in latest], [[(r.article.slug, site.version(r)) for r in s.records] for s in latest])

    def context() -> dict:
        config = site.config
        translator = site.translator(lang)
        prefix = config.prefix(lang)
        entries = []
        for story in latest:
            items = "".join(f'<li><a href="{html.escape(absolute(site, r.article.url))}" lang="{html.escape(r.article.lang)}">{html.escape(r.article.title)}</a>'
                            f' ({html.escape(r.article.source_name)}, {r.article.date.isoformat()}, {html.escape(r.article.lang)})</li>'
                            for r in story.records)
            summary = lede(story, translator)
            url = prefix + story.url
            entries.append({"id": absolute(site, url) if config.absolute_base else f"tag:crossings,{story.first.isoformat()}:{url}",
                            "title": story.title, "url": absolute(site, url), "lang": story.title_record.article.lang,
                            "source": "", "source_name": "", "published": timestamp(site, story.first),
                            "updated": timestamp(site, story.last), "categories": [], "excerpt": summary,
                            "body_html": f'<p lang="{lang}">{html.escape(summary)}</p><ul>{items}</ul>'})
        path = prefix + "stories/feed.xml"
        return {"feed": {"title": f"{config.title} — {translator.gettext(STORIES)}",
                         "subtitle": translator.gettext(STORIES_INTRO),
                         "id": absolute(site, path) if config.absolute_base else f"tag:crossings,2000:{path}",
                         "self": absolute(site, path), "alternate": absolute(site, prefix + "stories/"), "lang": lang,
                         "updated": max((e["updated"] for e in entries), default=timestamp(site, dt.date(2000, 1, 1)))},
                "entries": entries, "version": __version__}
    return Output("stories/feed.xml", "feed.xml", key, context)


def stories_per_month(site: Site) -> list[tuple[int, int, int]]:
    """(year, month, stories first reported that month) from the archive's first month to its last."""
    counts = Counter((s.first.year, s.first.month) for s in site.stories.stories.values())
    from .facets import month_series

    series = month_series(site.records)
    return [(y, m, counts.get((y, m), 0)) for y, m, _ in series]


def largest(site: Site, count: int = 10) -> list[Story]:
    """The stories with the most outlets, then articles, then the newest."""
    every = list(site.stories.stories.values())
    return sorted(every, key=lambda s: (-len(s.outlets), -len(s.records), -s.first.toordinal(), s.id))[:count]


def newest(site: Site, count: int = 8) -> list[Story]:
    return list(site.stories.stories.values())[:count]


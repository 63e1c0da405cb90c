"""The site model and the plan of its pages: records in, a list of outputs out.

First everything is gathered (every article, sorted, URLs checked for
collisions), then each page kind's planner turns the model into ``Output``s.
An output has a **key** — a short string naming everything its bytes depend on
besides its template and the settings (content hashes of the articles it shows,
its page number…) — and a **context** function called only when the output has
to be rendered. Keys are what make incremental builds exact and cheap: an
output whose key, template and settings are unchanged has unchanged bytes.
"""

from __future__ import annotations

from pathlib import Path

import dataclasses
import hashlib
import heapq
import marshal
import math
import re
from sys import intern
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from operator import attrgetter, itemgetter
from typing import NamedTuple

from . import __version__, parallel
from .articles import RTL
from .catalogs import Catalogs, N_, Translator, load_catalogs
from .config import Config
from .facets import KINDS, Groups, Value, bar_chart, facet_groups, facet_title, facet_values, keys_of, month_chart, month_series, slug_of, years_table
from .i18n import language_name
from .library import Library, Record, entry
from .problems import Problem, error


class Output(NamedTuple):
    """One file of the site: rendered from a template, or given as bytes. (A named tuple: a build makes one for
    every file of the site, 340,000 at 100,000 articles, several times faster than a frozen dataclass.)"""

    path: str
    template: str | None = None
    key: str = ""
    context: Callable[[], dict] | None = None
    data: Callable[[], bytes] | None = None
    lastmod: str = ""
    """For the sitemap: the date of the newest article the page shows."""
    deferrable: bool = False
    """Costly and read by no page (an export): the dev server may bring it up to date a moment later."""
    lang: str = ""
    """The interface language it is rendered in ('' for data): its catalog is part of its key."""
    family: str = ""
    """For a page of the archive built in every interface language: its path without the language
    prefix, the same for all its versions (the sitemap lists them as alternates)."""
    source: tuple[Path, str] | None = None
    """A file already made in the build's spool, and its SHA-256: moved into the site rather than read and
    written again (``data`` still reads it, for whoever needs the bytes)."""
    after: tuple[str, ...] = ()
    """The files of the site it is made from (their sizes and hashes: data/index.json): rendered once those
    are written, reading them from ``Site.files`` (its key must stand for their bytes)."""
    weight: int = 1
    """About how many pages' time it takes to make (an export of the whole archive: hundreds at 100,000
    articles): whether forking render workers is worth it, and the order they are given work in."""


def digest(*parts: object) -> str:
    """A short hash of plain values (strings, numbers, tuples of them)."""
    return digest_of(parts)


def digest_of(parts: tuple) -> str:
    """``digest(*parts)`` of a tuple already made (the loops over every output).

    The parts are serialised by ``marshal``'s version 0: a function of their values alone (no references
    between objects, no interning: those came with versions 1 and 3), about three times as fast as
    ``repr`` on the lists of versions the keys are made of (0.5 s of a new article's build at 100,000
    articles). Values it does not take (a named tuple, a path, a date) are serialised by ``repr``, marked
    apart, as before."""
    try:
        data = b"m" + marshal.dumps(parts, 0)
    except ValueError:
        data = b"r" + repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=12).hexdigest()


@dataclass(eq=False)
class Site:
    """Every published article, newest first, and what lists show of each."""

    config: Config
    records: list[Record]
    library: Library
    entries: dict[str, dict] = field(default_factory=dict)
    catalogs: Catalogs | None = None
    _facets: dict[str, dict[str, dict[str, Value]]] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, repr=False)
    """What planners derive from the whole archive once per build and use again (e.g. ``exports.archive_years``)."""
    files: dict[str, tuple[int, str]] = field(default_factory=dict, repr=False)
    """The size and SHA-256 of the files of the new site that ``Output.after`` names, once written."""

    def entry(self, record: Record | None) -> dict | None:
        """What lists show of an article (made on demand: only pages being rendered need it)."""
        if record is None:
            return None
        found = self.entries.get(record.rel)
        if found is None:
            found = self.entries[record.rel] = entry(record.article, record.excerpt)
        return found

    @staticmethod
    def version(record: Record | None) -> str:
        return record.version if record else ""

    @cached_property
    def groups(self) -> Groups:
        """Every value of every facet (country, organisation, source, language, tag) and its articles."""
        return facet_groups(self.records)

    def facets_in(self, lang: str) -> dict[str, dict[str, Value]]:
        """Every value of every facet, named in ``lang`` and ordered by count, then name."""
        found = self._facets.get(lang)
        if found is None:
            found = self._facets[lang] = facet_values(self.groups, self.config, lang)
        return found

    @property
    def facets(self) -> dict[str, dict[str, Value]]:
        """The facets named in the site's language."""
        return self.facets_in(self.config.language)

    def translator(self, lang: str) -> Translator:
        if self.catalogs is None:
            self.catalogs = load_catalogs(self.config.locales)
        return self.catalogs.translator(lang)

    def interface_of(self, lang: str) -> str:
        """The interface language of a page about an article in ``lang``: that language if the
        interface speaks it (a catalog, or English), else the site's."""
        if self.catalogs is None:
            self.catalogs = load_catalogs(self.config.locales)
        return lang if self.catalogs.speaks(lang) else self.config.language

    @cached_property
    def stories(self):
        """The stories (see ``storypages.StoryIndex``): grouped when first asked for."""
        from .storypages import build_index

        return build_index(self)

    @cached_property
    def shows_page_count(self) -> bool:
        """Whether a template may show how many pages a list has: some file of the templates folder says
        ``pages`` (as ``pagination.pages`` or otherwise; the shipped ones do not, they ask ``paged``). Then the
        count is in the lists' context, and in their pages' keys (see ``pagination``)."""
        word = re.compile(rb"\bpages\b")
        try:
            files = [p for p in self.config.templates.rglob("*") if p.is_file()]
            return any(word.search(p.read_bytes()) for p in files)
        except OSError:
            return True

    @cached_property
    def by_slug(self) -> dict[str, Record]:
        return {r.article.slug: r for r in self.records}

    def months(self) -> dict[tuple[int, int], list[Record]]:
        """Records by (year, month), newest month first."""
        groups: dict[tuple[int, int], list[Record]] = defaultdict(list)
        for record in self.records:
            groups[(record.article.date.year, record.article.date.month)].append(record)
        return dict(groups)


def build_site(records: list[Record], config: Config, library: Library, catalogs: Catalogs | None = None) -> tuple[Site, list[Problem]]:
    """Sort the records newest first, leave out drafts, and refuse URL collisions."""
    problems: list[Problem] = []
    owners: dict[str, Record] = {}
    published = []
    for record in sorted(records, key=attrgetter("rel")):
        if record.article.draft:
            continue
        first = owners.get(record.article.url)
        if first is not None:
            problems.append(error(record.article.path, None, f"its page {record.article.url} is already made from {first.article.path}", "rename one of the two files"))
            continue
        owners[record.article.url] = record
        published.append(record)
    # newest first, and by file name from the last on a day: (date, rel), reversed (``published`` is by file name)
    published.reverse()
    published.sort(key=attrgetter("article.date"), reverse=True)
    return Site(config, published, library, catalogs=catalogs), problems


# --- planners: one function per page kind --------------------------------------

def plan(site: Site, lap: Callable[[str], None] | None = None, exports=None, articles: ArticlePlanAhead | None = None) -> list[Output]:
    """Every output of the site, in a stable order (``lap(name)`` is told when each planner is done); the
    exports' from ``exports`` if given (an ``exports.ExportsAhead``) and it planned them; the article pages'
    from ``articles`` likewise (taken last: its process works meanwhile)."""
    from .exports import plan_exports
    from .feeds import plan_feeds, plan_sitemap
    from .storypages import plan_stories

    planners = PLANNERS + [plan_stories, plan_feeds, plan_exports]
    found: dict = {}
    for planner in sorted(planners, key=lambda p: p is plan_articles and articles is not None):
        made = None
        if planner is plan_exports and exports is not None:
            made = exports.outputs(site)
        elif planner is plan_articles and articles is not None:
            made = articles.outputs(site)
        found[planner] = made if made is not None else planner(site)
        if lap is not None:
            lap(planner.__name__)
    outputs = [o for planner in planners for o in found[planner]]
    if LIST_KEYS in site.memo:
        site.memo[LIST_KEYS].save()
    outputs.extend(plan_sitemap(site, outputs))
    return outputs


def _newest(records: list[Record]) -> str:
    return records[0].article.date.isoformat() if records else ""


def plan_articles(site: Site) -> list[Output]:
    """One page per article, in the article's language, linked to its neighbours in time and to its month.

    The pages' keys are kept in the build cache (``ArticlePlan``): a build plans again only the pages its
    change reaches, and takes the others' keys from there (a new article at 100,000: some tens of pages)."""
    return ArticlePlan(site).plan()


ARTICLE_PLAN = "article-plan"
"""The build cache's store of the article pages' keys and of what they were made from (``ArticlePlan``)."""
ARTICLE_PLAN_FORMAT = 2
REPLAN_SHARE = 4
"""When a change reaches more than 1/REPLAN_SHARE of the article pages, all of them are planned again."""


class ArticlePlan:
    """The article pages' outputs; their keys made again only where the change since the last build reaches.

    A page's key (``one``) is made of the article's file hash, its neighbours' versions, its related
    articles' versions, the names of its facets in its interface language, that language, and what its story
    part shows (``storypages.article_part``). The store (``ARTICLE_PLAN``) keeps, from the last build, every
    page's key and what tells which of those inputs moved: the order of the articles and their file hashes,
    each entity's list of articles (an article's related articles are found within ``NEIGHBOURS`` of it in
    those lists), each article's related articles, the stories' members, the copies, the interface language
    of each article language and the facets' names. A page is planned again when:
    - its file changed (or it is new), or its newer or older neighbour is another one or changed;
    - an entity list it is in changed within ``NEIGHBOURS`` of it, or it changed (its related articles are
      then found again), or one of its related articles changed or went;
    - its story (then or now) changed members, or has a changed member, or a copy relation in it changed;
      or its copies changed, or one of them did.
    Anything else (the settings, the version, an interface language, a facet's name) plans every page again,
    as does a change that reaches more than 1/``REPLAN_SHARE`` of them. A page whose key is taken from the
    store has its context made only if it is rendered. ``tests/test_article_plan.py`` checks the keys and
    contexts against planning everything, change by change."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.records = site.records
        self.interface: dict[str, str] = {}  # an article's language → its page's (made once per language)
        self.labels: dict[str, Callable[[Record], tuple]] = {}
        self.lists: dict[tuple[str, str], tuple[str, ...]] = {}
        """Each entity's articles (their files' interned names), newest first, as ``related_articles`` makes them."""
        self.pos: dict[str, int] = {}  # each file's index in ``records``
        self.order: list[str] = []  # the files' interned names, in the order of ``records``
        self.planned: int | None = None
        """How many pages were planned with the store's help (None: all were planned, without it)."""
        self.related_at: list[tuple[int, ...]] | None = None
        """Each page's related articles (their indexes in ``records``), when the keys were made by another process."""
        self.related_files: list[tuple[str, ...]] | None = None
        """Each page's related articles (their files), when the keys were made here (``keys``)."""
        self.store: dict | None = None
        """What ``keys`` leaves for ``save`` to store (None: the store holds it already)."""

    def ui(self, lang: str) -> str:
        ui = self.interface.get(lang)
        if ui is None:
            ui = self.interface[lang] = self.site.interface_of(lang)
            self.labels[ui] = _labeller(self.site, ui)
        return ui

    def one(self, i: int, related: list[Record]) -> tuple[str, Callable[[], dict]]:
        """The key and context of the page of ``records[i]``, whose related articles are ``related``."""
        from .storypages import article_part

        records = self.records
        record = records[i]
        article = record.article
        newer = records[i - 1] if i > 0 else None
        older = records[i + 1] if i + 1 < len(records) else None
        ui = self.ui(article.lang)
        story, also, story_key, shown = article_part(self.site, record, ui)
        if shown:  # what "Other coverage" and "Also published by" show is not repeated
            related = [r for r in related if r.article.url not in shown]
        key = digest_of((record.file_sha, newer.version if newer else "", older.version if older else "", [r.version for r in related],
                         self.labels[ui](record), ui, story_key))
        return key, _article_context(self.site, record, newer, older, related, ui, story, also)

    def later(self, i: int) -> dict:
        """The context of a page whose key came from the store (``partial(later, i)``: made if the page is rendered)."""
        if self.related_at is not None:  # (planned by ``ArticlePlanAhead``'s child: its related articles, by index)
            return self.one(i, list(map(self.records.__getitem__, self.related_at[i])))[1]()
        if self.related_files is not None:  # (those its key was made of: found again by ``related_of``, 9–13 ms a page at 100,000)
            return self.one(i, [self.records[self.pos[rel]] for rel in self.related_files[i]])[1]()
        return self.one(i, self.related_of(i))[1]()

    def related_of(self, i: int) -> list[Record]:
        """``related_articles`` of one article (the same articles, in the same order), from ``lists``."""
        records = self.records
        article = records[i].article
        ordinal = article.date.toordinal()
        rel = self.order[i]
        places = []
        for kind, keys in (("countries", article.countries), ("organizations", article.organizations), ("tags", article.tags)):
            weight = WEIGHTS[kind]
            seen: dict[str, int] = {}
            for key in keys:
                items = self.lists[(kind, key)]
                places.append((items, _place_in(items, rel) + seen.get(key, 0), weight))  # a key named twice is in the list twice, as there
                seen[key] = seen.get(key, 0) + 1
        pos = self.pos
        best = heapq.nsmallest(RELATED, [(score, abs(records[pos[other]].article.date.toordinal() - ordinal), other)
                                         for other, score in _candidates(places).items()])
        return [records[pos[found[2]]] for found in best]

    def plan(self) -> list[Output]:
        keys, self.related_files, contexts = self.keys()
        self.save()
        return self.outputs(keys, contexts)

    def save(self) -> None:
        """Store what the next build plans from (``keys`` made it)."""
        if self.store is not None:
            self.site.library.cache.save(ARTICLE_PLAN, self.store)
            self.store = None

    def outputs(self, keys: list[str], contexts: dict[int, Callable[[], dict]]) -> list[Output]:
        """The pages' outputs, of those keys; the context of each page is from ``contexts`` if there, else
        made if the page is rendered (``later``)."""
        interface = self.interface
        later = self.later
        return [Output(f"articles/{record.article.slug}/index.html", "article.html", key,  # (article.url)
                       contexts.get(i) or partial(later, i), None, record.article.date.isoformat(), False, interface[record.article.lang])
                for i, (record, key) in enumerate(zip(self.records, keys))]

    def keys(self) -> tuple[list[str], list[tuple[str, ...]], dict[int, Callable[[], dict]]]:
        """Every page's key and its related articles' files, in the order of ``records``; the contexts of the
        pages planned now (every one without the store's help); what the next build plans from is left for ``save``."""
        site = self.site
        records = self.records
        cache = site.library.cache
        stored = cache.load(ARTICLE_PLAN) if records else None
        # The files' names interned: those of the store are (marshal interns them again as it reads them), so equal
        # names are one object and comparing the lists of the two builds takes no look at their characters.
        order = self.order = list(map(intern, map(_REL, records)))
        shas = [r.file_sha[:24] for r in records]  # (96 bits of each, as the keys have)
        for lang in sorted({r.article.lang for r in records}):
            self.ui(lang)
        names = {ui: {(kind, slug): value.label for kind in KINDS for slug, value in site.facets_in(ui)[kind].items()} for ui in sorted(self.labels)}
        stories = site.stories
        members = {sid: tuple(map(intern, map(_REL, story.records))) for sid, story in stories.stories.items()}
        copies = {slug: tuple(others) for slug, others in stories.copies.items()}
        settings = digest(ARTICLE_PLAN_FORMAT, __version__, RELATED, NEIGHBOURS, sorted(WEIGHTS.items()),
                          *(v for k, v in dataclasses.asdict(site.config).items() if k != "root"))
        state = {"settings": settings, "order": order, "shas": shas, "lists": {}, "interface": self.interface, "names": names,
                 "members": members, "copies": copies}
        reached = self._reached(stored, state) if stored is not None and stored.get("settings") == settings else None
        if reached is None:
            self.lists = state["lists"] = {name: tuple(map(order.__getitem__, items)) for name, items in _entity_lists(records).items()}
            self.pos = {rel: i for i, rel in enumerate(order)}
            everything = related_articles(records)
            again = dict.fromkeys(range(len(records)))
        else:
            again, old_at, pos = reached
            old_keys, old_related = stored["keys"], stored["related"]
            self.planned = len(again)
        keys: list[str] = []
        related: list[tuple[str, ...]] = []
        contexts: dict[int, Callable[[], dict]] = {}
        for i, record in enumerate(records):
            if i not in again:
                j = old_at[i]
                keys.append(old_keys[j])
                related.append(old_related[j])
                continue
            if reached is None:
                found = everything[record.rel]
            else:
                found = again[i]
                found = self.related_of(i) if found is None else [records[pos[rel]] for rel in found]
            key, contexts[i] = self.one(i, found)
            keys.append(key)
            related.append(tuple(intern(r.rel) for r in found))
        if records and not (reached is not None and not again and all(stored[name] == value for name, value in state.items())):
            self.store = {**state, "keys": keys, "related": related}
        return keys, related, contexts

    def _reached(self, stored: dict, state: dict) -> tuple[dict[int, tuple | None], list[int], dict[str, int]] | None:
        """The pages the change since the stored plan reaches: ({index: its related articles' files when they
        are still the stored ones, else None}, each article's index in the stored plan, each file's index);
        None when every page is to be planned again."""
        records = self.records
        order, shas = state["order"], state["shas"]
        n = len(order)
        for lang, ui in self.interface.items():
            if stored["interface"].get(lang, ui) != ui:
                return None
        for ui, found in state["names"].items():
            before = stored["names"].get(ui)
            if before is not None and before != found and any(before.get(name, label) != label for name, label in found.items()):
                return None
        old_order, old_shas = stored["order"], stored["shas"]
        old_pos = {rel: j for j, rel in enumerate(old_order)}
        pos = {rel: i for i, rel in enumerate(order)}
        changed = [i for i, rel in enumerate(order) if (j := old_pos.get(rel)) is None or old_shas[j] != shas[i]]
        if len(changed) * REPLAN_SHARE > n:
            return None
        # The entity lists: only those a new, changed or deleted article is (or was) in can differ from the stored
        # ones (the others' articles keep their dates and names, so their order); made again from those.
        old_lists = stored["lists"]
        moved_files = {order[i] for i in changed} | (old_pos.keys() - pos.keys())
        touched = {name for name, items in old_lists.items() if not moved_files.isdisjoint(items)}
        added: dict[tuple[str, str], list[str]] = {}
        for i in changed:
            article = records[i].article
            for kind, keys in (("countries", article.countries), ("organizations", article.organizations), ("tags", article.tags)):
                for key in keys:
                    added.setdefault((kind, key), []).append(order[i])
        lists = dict(old_lists)
        for name in touched | added.keys():
            items = [rel for rel in old_lists.get(name, ()) if rel not in moved_files] + added.get(name, [])
            items.sort(key=pos.__getitem__)  # (stable: a key named twice by an article is there twice, side by side)
            if items:
                lists[name] = tuple(items)
            else:
                del lists[name]
        self.lists = state["lists"] = lists
        self.pos = pos
        reach = set(changed)
        find = set(changed)  # those whose related articles are found again
        # neighbours: another one, or changed
        for i in changed:
            reach.update((i - 1, i + 1))
        if order != old_order:
            a, b = _changed_span(order, old_order)
            if b - a < 1000:  # one stretch changed (a new article): the pairs within it
                end = b + 3 + max(0, len(old_order) - n)  # (pairs of the old order outside it would only reach more)
                pairs = set(zip(old_order[max(0, a - 1):end - 1], old_order[max(1, a):end]))
                found = zip(order[max(0, a - 1):b + 2], order[max(1, a):b + 3])
            else:
                pairs = set(zip(old_order, old_order[1:]))
                found = zip(order, order[1:])
            for a, b in set(found) - pairs:
                reach.update((pos[a], pos[b]))
            if not old_order or order[0] != old_order[0]:
                reach.add(0)
            if not old_order or order[-1] != old_order[-1]:
                reach.add(n - 1)
        # related articles: an entity list changed near them (or the article's own date may have moved within them)
        for name in touched | added.keys():
            items, old = lists.get(name, ()), old_lists.get(name, ())
            if items == old:
                continue
            if not items:
                continue  # no article has it any more
            a, b = _changed_span(items, old)
            find.update(map(pos.__getitem__, items[max(0, a - NEIGHBOURS):b + NEIGHBOURS + 1]))
        for i in changed:
            article = records[i].article
            for kind, keys in (("countries", article.countries), ("organizations", article.organizations), ("tags", article.tags)):
                for key in keys:
                    items = lists[(kind, key)]
                    at = _place_in(items, order[i])
                    find.update(map(pos.__getitem__, items[max(0, at - NEIGHBOURS):at + NEIGHBOURS + len(keys) + 1]))
        reach |= find  # (so are the articles a changed or deleted one was related to: it was within their windows, they within its)
        # stories and copies
        members, old_members = state["members"], stored["members"]
        copies, old_copies = state["copies"], stored["copies"]
        stories = self.site.stories
        slugs = {records[i].article.slug for i in changed}
        moved = {sid for sid, keys in members.items() if old_members.get(sid) != keys} | (old_members.keys() - members.keys())
        copied = set()
        if copies != old_copies:
            copied = {slug for slug in copies.keys() | old_copies.keys() if copies.get(slug) != old_copies.get(slug)}
        copied.update(slug for slug, others in copies.items() if not slugs.isdisjoint(others))
        for slug in copied | slugs:
            story = stories.of.get(slug)
            if story is not None:
                moved.add(story.id)
        by_slug = self.site.by_slug
        for slug in copied:
            record = by_slug.get(slug)
            if record is not None:
                reach.add(pos[record.rel])
        for rel in set().union(*(members.get(sid, ()) for sid in moved), *(old_members.get(sid, ()) for sid in moved)):
            if rel in pos:
                reach.add(pos[rel])
        reach.discard(-1)
        reach.discard(n)
        if len(reach) * REPLAN_SHARE > n:
            return None
        old_related = stored["related"]
        again = {i: None if i in find else old_related[old_pos[order[i]]] for i in reach}
        for i, found in again.items():
            if found is not None and not all(rel in pos for rel in found):
                again[i] = None
        old_at = [old_pos.get(rel, -1) for rel in order]
        return again, old_at, pos


class ArticlePlanAhead:
    """The article pages' keys (``ArticlePlan.keys``) made by a process forked once the model is made, while
    this one plans the other pages.

    One new article at 100,000 articles: the article pages' plan took this process 2.3–2.5 s of its ~12 s (the
    store read and written again, the files' order compared, the pages the change reaches found; a key and an
    output for each of 100,000 pages), with the second core idle. The child hands back every page's key and its
    related articles (by index), then stores the plan for the next build; here each page's output is made with
    its context to be made if it is rendered (``ArticlePlan.later``, from those related articles). If the child
    fails, the pages are planned here.

    Started where ``ExportsAhead`` is, under the same conditions (no other thread, two cores or more, a site
    already built: a cold build plans every page and renders them all)."""

    def __init__(self, aside) -> None:
        self.aside = aside

    @classmethod
    def start(cls, site: Site) -> "ArticlePlanAhead | None":
        if not site.records:
            return None
        planner = ArticlePlan(site)

        def work() -> bytes:  # (in the child) the keys, handed back; the store is written after (``then``)
            keys, related, _ = planner.keys()
            at = {rel: i for i, rel in enumerate(planner.order)}
            return marshal.dumps((len(keys), keys, [tuple(map(at.__getitem__, found)) for found in related], planner.planned))

        aside = parallel.Aside.start(work, then=planner.save)
        return cls(aside) if aside is not None else None

    def outputs(self, site: Site) -> list[Output] | None:
        """What ``plan_articles`` plans; None if the child failed (then it is planned here)."""
        data = self.aside.take(wait=False)  # (not waiting for the store to be written: ``stop`` does)
        try:
            n, keys, related, planned = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        if n != len(site.records) or len(keys) != n or len(related) != n:
            return None
        planner = ArticlePlan(site)
        planner.planned, planner.related_at = planned, related
        for lang in sorted({r.article.lang for r in site.records}):
            planner.ui(lang)
        return planner.outputs(keys, {})

    def stop(self) -> None:
        """Wait for the child (it stores the plan after handing the keys back): no zombie is left."""
        self.aside.stop()


_REL = itemgetter(1)  # a Record's file (``Record.rel``)


def _entity_lists(records: list[Record]) -> dict[tuple[str, str], list[int]]:
    """Each entity's articles (their indexes), newest first, as ``related_articles`` makes them."""
    lists: dict[tuple[str, str], list[int]] = {}
    for index, record in enumerate(records):
        article = record.article
        for kind, keys in (("countries", article.countries), ("organizations", article.organizations), ("tags", article.tags)):
            for key in keys:
                found = lists.get((kind, key))
                if found is None:
                    found = lists[(kind, key)] = []
                found.append(index)
    return lists


def _place_in(items: tuple[str, ...], rel: str) -> int:
    """Where a file first is in an entity's list (the names are interned: each is compared by identity first)."""
    return items.index(rel)


def _changed_span(items, old) -> tuple[int, int]:
    """Where a sequence differs from what it was: (first index that differs, last one), in ``items``. Their common
    start and end are found by slices compared at C speed: the end tried whole first (one article added or
    removed), else both by doubling, then halving (a list of 50,000 changed at its start)."""
    shorter = min(len(items), len(old))
    a = _common(lambda k: items[:k] == old[:k], shorter)
    most = shorter - a  # the common end does not overlap the common start
    end = most if items[len(items) - most:] == old[len(old) - most:] else _common(lambda k: items[len(items) - k:] == old[len(old) - k:], most)
    return a, len(items) - end - 1


def _common(same, most: int) -> int:
    """The largest k ≤ most for which same(k) holds (same(0) holds, and same(k) for every k below one that does)."""
    low, high = 0, 1
    while high <= most and same(high):  # doubling: a short common part costs short comparisons
        low, high = high, high * 2
    high = min(high, most + 1)  # same(high) fails (or is past most); same(low) holds
    while high - low > 1:
        middle = (low + high) // 2
        if same(middle):
            low = middle
        else:
            high = middle
    return low


def _labeller(site: Site, lang: str) -> Callable[[Record], tuple]:
    """The names of an article's facets in ``lang`` (they change with entities.toml), each facet value's
    name looked up once."""
    facets = site.facets_in(lang)
    known: dict[tuple[str, str], str] = {}

    def label(kind: str, key: str) -> str:
        found = known.get((kind, key))
        if found is None:
            found = known[(kind, key)] = facets[kind][slug_of(kind, key)].label
        return found

    def labels(record: Record) -> tuple:
        return tuple(label(kind, key) for kind in KINDS for key in keys_of(record, kind))
    return labels


def article_facets(site: Site, record: Record, lang: str) -> list[dict]:
    """The facets an article page links to, named in ``lang``: [{kind, title, items: [{label, url}]}]."""
    groups = []
    facets = site.facets_in(lang)
    translator = site.translator(lang)
    for kind in KINDS:
        items = [facets[kind][slug_of(kind, key)] for key in keys_of(record, kind)]
        if items:
            groups.append({"kind": kind, "title": facet_title(kind, translator),
                           "items": [{"label": v.label, "url": v.url, "key": v.key} for v in items]})
    return groups


def _article_context(site: Site, record: Record, newer: Record | None, older: Record | None, related: list[Record], ui: str,
                     story: Callable[[], dict] | None = None, also: list[dict] = ()) -> Callable[[], dict]:
    def context() -> dict:
        article = record.article
        html, _ = site.library.body(record)
        facets = article_facets(site, record, ui)
        countries = [{"code": i["key"], "name": i["label"]} for g in facets if g["kind"] == "countries" for i in g["items"]]
        return {
            "jsonld": news_article(site, record, countries),
            "page": _page(site, article.title, article.url, record.excerpt[:160], ui, "article"),
            "article": {**site.entry(record), "source": article.source, "body_html": html, "seed": article.seed,
                        "countries": countries, "bib": article.url + "citation.bib"},
            "facets": facets,
            "related": [site.entry(r) for r in related],
            "story": story() if story is not None else None,
            "also": list(also),
            "older": site.entry(older),
            "newer": site.entry(newer),
            "month": {"year": article.date.year, "month": article.date.month, "url": month_url(article.date.year, article.date.month)},
        }
    return context


def news_article(site: Site, record: Record, countries: list[dict]) -> dict:
    """schema.org NewsArticle for the article page's JSON-LD: what the page's meta elements do not say already
    (the description is the meta description; the countries are ``about``, once)."""
    article = record.article
    config = site.config
    url = (config.base_url if config.absolute_base else config.base_path) + article.url
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title, "datePublished": article.date.isoformat(),
        "inLanguage": article.lang, "url": url,
        "publisher": {"@type": "Organization", "name": article.source_name or config.title},
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url if config.absolute_base else config.base_path},
    }
    if article.source:
        data["isBasedOn"] = article.source
        data["publisher"]["url"] = article.source.split("/", 3)[0] + "//" + article.source.split("/", 3)[2] + "/"
    if countries:
        data["about"] = [{"@type": "Country", "name": c["name"], "identifier": c["code"]} for c in countries]
    return data


RELATED = 5
NEIGHBOURS = 6  # per shared entity, how many articles before and after in time are candidates
WEIGHTS = {"countries": 1, "organizations": 2, "tags": 2}


def related_articles(records: list[Record]) -> dict[str, list[Record]]:
    """For each article, up to five others sharing the most entities, nearest in time first.

    Candidates are an article's neighbours in time within each entity it has (the
    ``NEIGHBOURS`` before and after), so the cost stays linear in the archive. The
    order (most shared first, then nearest in time, then by file name) is one
    integer per candidate: the score, the distance in days and the rank of the
    file name, each in its own bits, compared at C speed.
    """
    lists: dict[tuple[str, str], list[int]] = defaultdict(list)
    positions: list[list[tuple[list[int], int, int]]] = [[] for _ in records]
    for index, record in enumerate(records):  # newest first
        article = record.article
        found = positions[index]
        for kind, keys in (("countries", article.countries), ("organizations", article.organizations), ("tags", article.tags)):
            weight = WEIGHTS[kind]
            for key in keys:
                items = lists[(kind, key)]
                found.append((items, len(items), weight))
                items.append(index)
    ordinals = [r.article.date.toordinal() for r in records]
    by_name = sorted(range(len(records)), key=lambda i: records[i].rel)
    rank = [0] * len(records)  # each record's place in the order of file names
    for place, index in enumerate(by_name):
        rank[index] = place
    related: dict[str, list[Record]] = {}
    for index, record in enumerate(records):
        scores = _candidates(positions[index])
        if not scores:
            related[record.rel] = []
            continue
        ordinal = ordinals[index]
        best = heapq.nsmallest(RELATED, [(score << 64) | (abs(ordinals[o] - ordinal) << 32) | rank[o] for o, score in scores.items()])
        related[record.rel] = [records[by_name[key & 0xFFFFFFFF]] for key in best]
    return related


def _candidates(places: list[tuple[Sequence, int, int]]) -> dict:
    """An article's candidates for related articles, each with its score (minus the weights of the entities
    it shares with the article): ``places`` are, for each entity of the article, the entity's list of
    articles (newest first), the article's place in it and the entity's weight; the candidates are the
    ``NEIGHBOURS`` before and after that place (the items of the lists: indexes for ``related_articles``,
    files' names for ``ArticlePlan.related_of``)."""
    scores: dict = {}
    get = scores.get
    for items, at, weight in places:
        for other in items[at - NEIGHBOURS if at > NEIGHBOURS else 0:at]:
            scores[other] = get(other, 0) - weight
        for other in items[at + 1:at + 1 + NEIGHBOURS]:
            scores[other] = get(other, 0) - weight
    return scores


def each_language(planner: Callable[[Site, str], list[Output]]) -> Callable[[Site], list[Output]]:
    """A planner of the archive's own pages, run once per interface language: the pages in
    ``language`` at the root, the others under ``<lang>/``."""
    def plan_all(site: Site) -> list[Output]:
        outputs = []
        for lang in site.config.interface:
            prefix = site.config.prefix(lang)
            for o in planner(site, lang):  # (``dataclasses.replace(o, path=…, lang=…, family=…)``, without its checks)
                outputs.append(Output(prefix + o.path, o.template, o.key, o.context, o.data, o.lastmod, o.deferrable, lang,
                                      o.path if o.template else "", o.source, o.after, o.weight))
        return outputs
    plan_all.__name__ = planner.__name__
    plan_all.__doc__ = planner.__doc__
    return plan_all


@each_language
def plan_index(site: Site, lang: str) -> list[Output]:
    """The home page and the older pages, newest first (see ``stable_pages``)."""
    outputs = []
    pages = stable_pages(site.records, site.config.per_page)
    for number, chunk in pages:
        url = page_url("", number)
        count = len(site.records) if number == 0 else None  # only the first page shows the total
        nav = pagination("", number, len(pages), site.shows_page_count)
        key = digest(repr(nav), count, [r.version for r in chunk])
        outputs.append(Output(url + "index.html", "index.html", key, _index_context(site, chunk, url, nav, count, lang), lastmod=_newest(chunk)))
    return outputs


def _index_context(site: Site, chunk: list[Record], url: str, nav: dict, count: int | None, lang: str) -> Callable[[], dict]:
    def context() -> dict:
        config = site.config
        return {
            "page": _page(site, config.title, url, config.description_in(lang), lang, "index"),
            "entries": [site.entry(r) for r in chunk],
            "pagination": nav,
            "total": count,
        }
    return context


LIST_KEYS = "list-keys"
"""The build cache's store of the keys of the facets' list pages (``ListKeys``)."""
LIST_KEYS_FORMAT = 1
VERSION_LENGTH = 24  # (``library.entry_version``: 12 bytes, in hex)


class ListKeys:
    """The keys of the numbered pages of the facets' lists (``stable_pages``), kept from the last build.

    At 100,000 articles the facets have some 35,000 list pages. Each page's key is a digest of its
    pagination and of the versions of its articles: made again for every page of every build, they took
    a new article's build 1.7 s (on this project's 2-core test machine), though the article changes only
    the first page of each of its values' lists (``stable_pages``: page n ≥ 1 always holds the n-th
    stretch from the oldest). The store keeps, for each list, the versions of its articles (one string,
    newest first), how many pages it had, its label and the keys of its pages. A numbered page keeps its
    key when the list has as many pages as before, the same label and the same setting of the page
    count, and the articles of that page's stretch have the same versions as before (the two stretches
    of the strings compared): the inputs of its key are then the same. Every other page (the first page
    always) has its key made as before. ``tests/test_list_keys.py`` compares the keys with and without the
    store, through the changes a list can take."""

    def __init__(self, cache) -> None:
        self.cache = cache
        stored = cache.load(LIST_KEYS) if cache is not None else None
        self.stored: dict = stored[1] if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == LIST_KEYS_FORMAT else {}
        self.fresh: dict = {}
        self.reused = 0
        """How many keys were taken from the store (for the tests)."""

    @classmethod
    def of(cls, site: Site) -> ListKeys:
        """The build's one instance (in ``site.memo``), saved by ``plan``."""
        found = site.memo.get(LIST_KEYS)
        if found is None:
            found = site.memo[LIST_KEYS] = cls(site.library.cache)
        return found

    def kept(self, name: tuple, label: str, records: list[Record], pages: int, site: Site) -> dict[int, str]:
        """{page number: key} of the numbered pages of list ``name`` whose key holds; the caller adds the
        keys it makes (the dict is stored as this list's)."""
        joined = "".join([r.version for r in records])
        settings = (label, pages, site.shows_page_count, site.config.per_page)
        keys: dict[int, str] = {}
        if len(joined) != VERSION_LENGTH * len(records):  # (never: every version is a 12-byte digest in hex)
            return keys
        old = self.stored.get(name)
        if old is not None and old[0] == settings:
            old_joined, old_keys = old[1], old[2]
            per = site.config.per_page * VERSION_LENGTH
            end, old_end = len(joined), len(old_joined)
            for number, key in old_keys.items():
                if number and old_end - number * per >= 0 <= end - number * per \
                        and joined[end - number * per:end - (number - 1) * per] == old_joined[old_end - number * per:old_end - (number - 1) * per]:
                    keys[number] = key
            self.reused += len(keys)
        self.fresh[name] = (settings, joined, keys)
        return keys

    def save(self) -> None:
        if self.cache is not None and self.fresh != self.stored:
            self.cache.save(LIST_KEYS, (LIST_KEYS_FORMAT, self.fresh))


def stable_pages(records: list[Record], per_page: int) -> list[tuple[int, list[Record]]]:
    """Cut a newest-first list into pages counted from its oldest article: [(number, records)].

    Page n (n ≥ 1, at ``page/n/``) always holds the same articles: the n-th stretch of
    ``per_page`` from the oldest. The first page (number 0, the list's own URL)
    holds the newest, between ``per_page`` and twice that. So a new article
    changes a list's first page only (and, every ``per_page`` articles, adds one
    page), instead of shifting every page by one; and a page's address keeps
    showing the same articles, which is what a citation or a bookmark needs.
    """
    total = len(records)
    stretches = math.ceil(total / per_page)
    if stretches <= 2:
        return [(0, records)]
    pages = [(0, records[: total - (stretches - 2) * per_page])]
    for number in range(stretches - 2, 0, -1):
        pages.append((number, records[max(0, total - number * per_page): total - (number - 1) * per_page]))
    return pages


@each_language
def plan_timeline(site: Site, lang: str) -> list[Output]:
    """The timeline: all years with monthly counts, then a page per year and per month."""
    months = site.months()
    years: dict[int, dict[int, int]] = defaultdict(dict)
    for (year, month), items in months.items():
        years[year][month] = len(items)
    overview = [
        {"year": year, "url": year_url(year), "count": sum(counts.values()),
         "months": [{"month": m, "count": counts.get(m, 0), "url": month_url(year, m) if m in counts else None} for m in range(1, 13)]}
        for year, counts in sorted(years.items(), reverse=True)
    ]
    page = _page(site, "timeline", "timeline/", site.config.description_in(lang), lang, "timeline")
    outputs = [Output("timeline/index.html", "timeline.html", digest(repr(overview)), _fixed({"page": page, "years": overview}), lastmod=_newest(site.records))]
    ordered_years = [y["year"] for y in overview]
    for i, year in enumerate(ordered_years):
        newer = _year_link(ordered_years[i - 1]) if i > 0 else None
        older = _year_link(ordered_years[i + 1]) if i + 1 < len(ordered_years) else None
        groups = [(m, months[(year, m)]) for m in sorted(years[year], reverse=True)]
        key = digest(year, repr(newer), repr(older), [(m, [r.version for r in rs]) for m, rs in groups])
        outputs.append(Output(year_url(year) + "index.html", "year.html", key, _year_context(site, year, groups, newer, older, lang), lastmod=_newest(groups[0][1])))
    ordered_months = sorted(months, reverse=True)
    for i, (year, month) in enumerate(ordered_months):
        newer = _month_link(*ordered_months[i - 1]) if i > 0 else None
        older = _month_link(*ordered_months[i + 1]) if i + 1 < len(ordered_months) else None
        chunk = months[(year, month)]
        key = digest(year, month, repr(newer), repr(older), [r.version for r in chunk])
        outputs.append(Output(month_url(year, month) + "index.html", "month.html", key, _month_context(site, year, month, chunk, newer, older, lang),
                              lastmod=_newest(chunk)))
    return outputs


def _year_context(site: Site, year: int, groups: list, newer: dict | None, older: dict | None, lang: str) -> Callable[[], dict]:
    def context() -> dict:
        return {
            "page": _page(site, str(year), year_url(year), "", lang, "year"),
            "year": year,
            "months": [{"month": m, "url": month_url(year, m), "entries": [site.entry(r) for r in rs]} for m, rs in groups],
            "count": sum(len(rs) for _, rs in groups),
            "newer": newer,
            "older": older,
        }
    return context


def _month_context(site: Site, year: int, month: int, chunk: list[Record], newer: dict | None, older: dict | None, lang: str) -> Callable[[], dict]:
    def context() -> dict:
        return {
            "page": _page(site, "", month_url(year, month), "", lang, "month"),
            "year": year, "month": month, "year_url": year_url(year),
            "entries": [site.entry(r) for r in chunk],
            "newer": newer,
            "older": older,
        }
    return context


@each_language
def plan_not_found(site: Site, lang: str) -> list[Output]:
    """The 404 page (GitHub Pages serves the one at the root for any missing address)."""
    return [Output("404.html", "404.html", "", _fixed({"page": _page(site, "not_found", "404.html", "", lang, "404")}))]


def plan_special(site: Site) -> list[Output]:
    """The marker that turns off Jekyll on GitHub Pages, and CNAME for a custom domain."""
    outputs = [Output(".nojekyll", None, "", None, lambda: b"")]
    if site.config.cname:
        cname = (site.config.cname + "\n").encode()
        outputs.append(Output("CNAME", None, digest("cname", cname), None, lambda: cname))
    return outputs


@each_language
def plan_facets(site: Site, lang: str) -> list[Output]:
    """For each facet an overview page, and for each value its paginated list of articles."""
    outputs = []
    facets = site.facets_in(lang)
    translator = site.translator(lang)
    for kind in KINDS:
        values = facets[kind]
        items = [(v.slug, v.label, len(v.records)) for v in values.values()]
        title = facet_title(kind, translator)
        overview = {"page": _page(site, title, f"{kind}/", "", lang, "facets"), "kind": kind, "title": title,
                    "values": [{"url": f"{kind}/{slug}/", "label": label, "count": count} for slug, label, count in items]}
        outputs.append(Output(f"{kind}/index.html", "facets.html", digest(repr(items)), _fixed(overview), lastmod=_newest(site.records)))
        for value in values.values():
            outputs.extend(_plan_value(site, value, title, lang))
    return outputs


def _plan_value(site: Site, value: Value, facet: str, lang: str) -> list[Output]:
    outputs = []
    pages = stable_pages(value.records, site.config.per_page)
    kept = ListKeys.of(site).kept(("facet", lang, value.url), value.label, value.records, len(pages), site)
    for number, chunk in pages:
        url = page_url(value.url, number)
        key = kept.get(number)
        if key is None:
            nav = pagination(value.url, number, len(pages), site.shows_page_count)
            # (the count in the key of the first page only: the shipped template shows it there only, since the other pages,
            # stable, are not made again for a new article)
            key = digest(value.label, repr(nav), len(value.records) if number == 0 else None, [r.version for r in chunk])
            kept[number] = key
        outputs.append(Output(url + "index.html", "facet.html", key, _value_context(site, value, facet, chunk, url, number, len(pages), lang),
                              lastmod=_newest(chunk)))
    return outputs


def _value_context(site: Site, value: Value, facet: str, chunk: list[Record], url: str, number: int, pages: int, lang: str) -> Callable[[], dict]:
    def context() -> dict:
        nav = pagination(value.url, number, pages, site.shows_page_count)
        return {
            "page": _page(site, value.label, url, "", lang, "facet"),
            "facet": {"kind": value.kind, "title": facet, "url": f"{value.kind}/"},
            "value": {"label": value.label, "key": value.key, "url": value.url, "count": len(value.records), "feed": value.url + "feed.xml"},
            "entries": [site.entry(r) for r in chunk],
            "pagination": nav,
        }
    return context


@each_language
def plan_browse(site: Site, lang: str) -> list[Output]:
    """The hub of every way to browse, with the top values of each facet."""
    groups = []
    facets = site.facets_in(lang)
    translator = site.translator(lang)
    for kind in KINDS:
        values = list(facets[kind].values())
        groups.append({"kind": kind, "title": facet_title(kind, translator), "url": f"{kind}/", "count": len(values),
                       "top": [{"label": v.label, "url": v.url, "count": len(v.records)} for v in values[:8]]})
    from .storypages import newest, story_summary

    recent = [story_summary(site, s, lang) for s in newest(site)]
    stories = {"count": len(site.stories.stories), "newest": recent}
    context = {"page": _page(site, "browse", "browse/", "", lang, "browse"), "groups": groups, "total": len(site.records), "stories": stories}
    return [Output("browse/index.html", "browse.html", digest(repr(groups), len(site.records), repr(stories)), _fixed(context),
                   lastmod=_newest(site.records))]


ARTICLES_PER_MONTH = N_("Articles per month")
STORIES_PER_MONTH = N_("New stories per month")


@each_language
def plan_coverage(site: Site, lang: str) -> list[Output]:
    """Articles per month over the whole archive, and counts per facet: SVG charts and tables."""
    series = month_series(site.records)
    translator = site.translator(lang)
    facets = site.facets_in(lang)
    counts = {kind: [(v.label, len(v.records), v.url) for v in facets[kind].values()] for kind in ("countries", "organizations", "sources", "languages")}
    charts = [{"kind": kind, "title": facet_title(kind, translator), "chart": bar_chart([(label, n) for label, n, _ in rows[:15]], facet_title(kind, translator)),
               "rows": [{"label": label, "count": n, "url": url} for label, n, url in rows]} for kind, rows in counts.items()]
    from .storypages import largest, stories_per_month, story_summary

    story_series = stories_per_month(site)
    biggest = [story_summary(site, s, lang) for s in largest(site)]
    context = {
        "page": _page(site, "coverage", "coverage/", "", lang, "coverage"),
        "months": month_chart(series, translator.gettext(ARTICLES_PER_MONTH)),
        "story_months": month_chart(story_series, translator.gettext(STORIES_PER_MONTH)),
        "story_years": years_table(story_series),
        "stories_total": len(site.stories.stories),
        "largest": biggest,
        "years": years_table(series),
        "facets": charts,
        "total": len(site.records),
        "first": site.records[-1].article.date.isoformat() if site.records else None,
        "last": site.records[0].article.date.isoformat() if site.records else None,
    }
    return [Output("coverage/index.html", "coverage.html", digest(repr(series), repr(counts), repr(story_series), repr(biggest)), _fixed(context),
                   lastmod=_newest(site.records))]


@each_language
def plan_search_page(site: Site, lang: str) -> list[Output]:
    """The search page (its index is planned by ``search``, which needs the build cache)."""
    from .catalogs import plural_samples

    context = {"page": _page(site, "search", "search/", "", lang, "search"), "plural_samples": plural_samples(lang)}
    return [Output("search/index.html", "search.html", "", _fixed(context), lastmod=_newest(site.records))]


PLANNERS = [plan_articles, plan_index, plan_timeline, plan_facets, plan_browse, plan_coverage, plan_search_page, plan_not_found, plan_special]


# --- URLs and helpers ------------------------------------------------------------

def page_url(prefix: str, number: int) -> str:
    """URL of page ``number`` of a list (number 0 is the list's own URL, with the newest articles)."""
    return prefix if number == 0 else f"{prefix}page/{number}/"


def year_url(year: int) -> str:
    return f"timeline/{year:04d}/"


def month_url(year: int, month: int) -> str:
    return f"timeline/{year:04d}/{month:02d}/"


def pagination(prefix: str, number: int, pages: int, count: bool = True) -> dict:
    """Links between the pages of a list (see ``stable_pages``): newer, older, newest, oldest; ``paged``: whether
    the list has more than one page; and ``pages``, how many, only with ``count`` (``Site.shows_page_count``).

    Each page's key holds this dict: with the count in it, an article that adds a page to a list makes all its
    numbered pages again (at 100,000 articles, 4,998 pages of the home list for one new seed), to the same bytes
    when no template shows the count."""
    if pages <= 1:
        return {"number": 0, "paged": False, **({"pages": 1} if count else {}), "newer": None, "older": None, "newest": None, "oldest": None}
    last = pages - 1  # the highest page number, next to the first page
    newer = None if number == 0 else page_url(prefix, 0 if number == last else number + 1)
    older = page_url(prefix, last) if number == 0 else (page_url(prefix, number - 1) if number > 1 else None)
    first, oldest = page_url(prefix, 0), page_url(prefix, 1)
    return {"number": number, "paged": True, **({"pages": pages} if count else {}), "newer": newer, "older": older,
            "newest": first if newer not in (None, first) else None,
            "oldest": oldest if older not in (None, oldest) else None}


def _fixed(context: dict) -> Callable[[], dict]:
    return lambda: context


def _page(site: Site, title: str, url: str, description: str, lang: str, kind: str) -> dict:
    """What every template knows of its page: title, address, language, and its other languages.

    A page of the archive exists in every interface language (``languages``, the
    switcher, and ``alternates``, the hreflang links, ``x-default`` the root's); an
    article page exists once, in its own language, and its switcher leads to the
    archive's home in each language. ``prefix`` is where the page's links to the
    archive go: its own language's version (for an article page, the version in
    the article's language when the archive has one, else the root's).
    """
    config = site.config
    interface = config.interface
    article = kind == "article"
    prefix = config.prefix(lang) if lang in interface else ""
    here = url if article else prefix + url
    languages, alternates = [], []
    if len(interface) > 1:
        for other in interface:
            target = config.prefix(other) + ("" if article or kind == "404" else url)  # from a 404, the home of each
            languages.append({"lang": other, "dir": "rtl" if other in RTL else "ltr", "name": language_name(other, other), "url": target,
                              "current": other == lang and (not article or lang in interface)})
        if not article and kind != "404":
            alternates = [{"lang": item["lang"], "url": item["url"]} for item in languages] + [{"lang": "x-default", "url": url}]
    return {"title": title, "url": here, "description": description, "lang": lang, "dir": "rtl" if lang in RTL else "ltr", "kind": kind,
            "prefix": prefix, "languages": languages, "alternates": alternates}


def _year_link(year: int) -> dict:
    return {"year": year, "url": year_url(year)}


def _month_link(year: int, month: int) -> dict:
    return {"year": year, "month": month, "url": month_url(year, month)}

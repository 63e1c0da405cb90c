"""The article pages' plan taken in part from the build cache (``site.ArticlePlan``) is the plan made from
nothing: the same outputs, keys and contexts, after each kind of change an input can bring.

A content folder of 150 articles over two years (three languages, a few countries, organisations and
tags, so that each entity's list of articles is long; incidents reported in three languages, which make
stories; texts carried by two outlets, which are copies) is planned with one build cache kept from change
to change, and each time with an empty one; the two plans must be equal. The changes that reach a few
pages must be planned with the store's help (a bug that always planned everything would pass otherwise).

In that corpus the entity lists are dense, so most pages a rule reaches are reached through them too. A
sparse archive (notes 12 days apart, nearly without entities) isolates the rules it would hide: a story's
member edited, the oldest or newest article deleted, a copy edited; there the site built from the kept
build state is also compared with one built from nothing, byte for byte.
"""

from __future__ import annotations

import datetime
import functools
import json
import random
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from crossings import entities
from crossings.cache import Cache, Scan
from crossings.catalogs import load_catalogs
from crossings.cli import main
from crossings.config import load_config
from crossings.library import Library
from crossings import site as site_module
from crossings.site import ARTICLE_PLAN, NEIGHBOURS, ArticlePlan, build_site, related_articles

from .conftest import FIXTURES, REPO, lay_out

COUNTRIES = ["MA", "ES", "IT", "SN", "TN", "DZ", "FR"]
ORGANIZATIONS = ["IOM", "UNHCR", "Frontex"]
TAGS = ["sea rescue", "asylum", "detention", "border"]
WORDS = ("boat port border camp asylum court minister visa return fence island coast rescue route transit wage farm school "
         "permit family quota convoy desert police mayor hearing vote budget census ferry harbour shelter").split()
LABELLED = tomllib.loads((FIXTURES / "stories" / "tune.toml").read_text(encoding="utf-8"))["article"]
"""Articles of the labelled story set: incidents reported by several outlets and languages, and copies."""


def article(n: int, **change: str) -> str:
    """The n-th article of the corpus's filler (``change`` replaces front matter values, or the body)."""
    rng = random.Random(n)
    values = {
        "title": json.dumps(f"Article {n}: " + " ".join(rng.choice(WORDS) for _ in range(5))), "date": f"{2021 + n % 4}-{1 + n % 12:02d}-{1 + (n * 7) % 27:02d}",
        "lang": ("fr", "en", "es")[n % 3], "source": f"https://www.outlet{n % 5}.example/news/{n}",
        "countries": "[" + ", ".join(COUNTRIES[(n + k) % len(COUNTRIES)] for k in range(1 + n % 3)) + "]",
        "organizations": "[" + ORGANIZATIONS[n % 3] + "]" if n % 2 else "[]",
        "tags": "[" + TAGS[n % 4] + "]",
        "body": "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(30)).capitalize() + "." for _ in range(2)),
    }
    if n % 50 == 20:  # no entity: only its neighbours in time link it to other articles
        values.update(countries="[]", organizations="[]", tags="[]")
    values.update(change)
    body = values.pop("body")
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + "---\n\n" + body + "\n"


def path_of(root: Path, n: int) -> Path:
    return root / "content" / str(2021 + n % 4) / f"article-{n:03d}.md"


def write(root: Path, n: int, **change: str) -> None:
    path = path_of(root, n)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article(n, **change), encoding="utf-8")


@functools.cache
def _entities():
    return entities.load(REPO / "entities.toml")[0]


def labelled_path(root: Path, number: int) -> Path:
    return root / "content" / "labelled" / f"{LABELLED[number]['id']}.md"


def write_labelled(root: Path, number: int, name: str | None = None, **change: str) -> None:
    """A labelled article as an editor writes it, with the countries and organisations import would find."""
    item = LABELLED[number]
    found = _entities()
    text = item["text"].strip()
    countries, organizations = found.find(item["title"] + "\n" + "\n".join(p.strip() for p in text.split("\n\n")))
    front = {"title": json.dumps(item["title"], ensure_ascii=False), "date": item["date"].isoformat(), "source": item["source"],
             "lang": item["lang"], "countries": "[" + ", ".join(countries) + "]", "organizations": "[" + ", ".join(organizations) + "]",
             "body": text, **change}
    body = front.pop("body")
    path = labelled_path(root, number) if name is None else labelled_path(root, number).with_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in front.items()) + "---\n\n" + body + "\n", encoding="utf-8")


def plan(root: Path, cache_dir: Path):
    config, problems = load_config(root / "pyproject.toml")
    assert not problems
    library = Library(config, Cache(cache_dir), scan=Scan())
    records, _ = library.load()
    site, _ = build_site(records, config, library, load_catalogs(config.locales))
    planner = ArticlePlan(site)
    return site, planner, planner.plan()


def compare(root: Path, kept: Path, tmp_path: Path) -> int | None:
    """Plan with the kept cache and from nothing; require the same plan; return how many pages the first planned."""
    site, planner, outputs = plan(root, kept)
    fresh = tmp_path / "fresh-cache"
    shutil.rmtree(fresh, ignore_errors=True)
    clean_site, clean_planner, expected = plan(root, fresh)
    assert clean_planner.planned is None
    assert_same_outputs(outputs, expected)
    # and the store the next build starts from is the one planning everything leaves
    assert Cache(kept).load(ARTICLE_PLAN) == Cache(fresh).load(ARTICLE_PLAN)
    return planner.planned


def assert_same_outputs(outputs: list, expected: list) -> None:
    """The same outputs (paths, keys, lastmod, languages, templates), with the same contexts."""
    assert [(o.path, o.key, o.lastmod, o.lang, o.template) for o in outputs] == [(o.path, o.key, o.lastmod, o.lang, o.template) for o in expected]
    for made, wanted in zip(outputs, expected):
        assert made.context() == wanted.context(), made.path


def lay_out_corpus(root: Path, **settings: object) -> Path:
    """The corpus: 150 filler articles and the labelled set, in a project with these settings."""
    lay_out(root, **settings)
    for n in range(150):
        write(root, n)
    for number in range(len(LABELLED)):
        write_labelled(root, number)
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return lay_out_corpus(tmp_path / "site")


def test_stories_copies_and_long_lists(corpus: Path, tmp_path: Path) -> None:
    """The corpus has what the plan depends on: stories, copies, and entity lists longer than a window."""
    site, _, _ = plan(corpus, tmp_path / "cache")
    assert len(site.stories.stories) >= 5
    assert site.stories.copies
    assert sum(1 for r in site.records if "MA" in r.article.countries) > 4 * NEIGHBOURS


def test_one_article_related_as_all_at_once(corpus: Path, tmp_path: Path) -> None:
    site, planner, _ = plan(corpus, tmp_path / "cache")
    everything = related_articles(site.records)
    assert any(everything.values())
    for i, record in enumerate(site.records):
        assert planner.related_of(i) == everything[record.rel]


def remove_catalog(root: Path) -> None:
    (root / "locales" / "es" / "LC_MESSAGES" / "messages.po").unlink()


def rename_organisation(root: Path) -> None:
    path = root / "entities.toml"
    text = path.read_text(encoding="utf-8")
    old = 'fr = "Organisation internationale pour les migrations (OIM)"'
    assert old in text
    path.write_text(text.replace(old, 'fr = "OIM"', 1), encoding="utf-8")


def story_of(root: Path, number: int) -> None:
    path = labelled_path(root, number)
    path.write_text(path.read_text(encoding="utf-8").replace("\n---\n", "\nstory: none\n---\n", 1), encoding="utf-8")


def with_text_of(number: int, other: int) -> Callable[[Path], None]:
    return lambda root: write_labelled(root, number, body=LABELLED[other]["text"].strip() + "\n\nOne more sentence of its own.")


# (what changes, the change, and whether the store helps: "few" pages planned, "used" (a move across the archive
# reaches the articles between), None (planned again: a facet's or an interface language's name changes every page))
CHANGES = [
    ("an article added in the newest month", lambda root: write(root, 150, date="2024-12-28"), "few"),
    ("a report added to a story (a copy of one of its texts)", lambda root: write_labelled(root, 0, "a001-again.md", source='"https://example.org/again"'), "few"),
    ("an old article's text edited", lambda root: write(root, 33, body="A corrected paragraph."), "few"),
    ("an article without entities edited", lambda root: write(root, 120, title='"Another title"'), "few"),
    ("an article's date moved", lambda root: write(root, 44, date="2024-09-03"), "used"),
    ("an article's date moved by a day", lambda root: write(root, 45, date=article(45).split("date: ")[1][:8] + "02"), "few"),
    ("an article's countries changed", lambda root: write(root, 46, countries="[SN, MA]"), "few"),
    ("an article's tag changed", lambda root: write(root, 47, tags="[detention]"), "few"),
    ("a story's article edited", lambda root: write_labelled(root, 2, title='"Nador : le bilan s\'alourdit encore"'), "few"),
    ("an article kept out of its story", lambda root: story_of(root, 3), "few"),
    ("a copy edited (no longer a copy)", lambda root: write_labelled(root, 1, body="Its own text now, about something else entirely."), "few"),
    ("an article made a copy of another", with_text_of(10, 20), "few"),
    ("an article deleted", lambda root: path_of(root, 60).unlink(), "few"),
    ("a story's article deleted", lambda root: labelled_path(root, 5).unlink(), "few"),
    ("an article renamed", lambda root: path_of(root, 80).rename(path_of(root, 80).with_name("renamed.md")), "few"),
    ("an article made a draft", lambda root: write(root, 90, draft="true"), "few"),
    ("the newest article deleted", lambda root: path_of(root, 150).unlink(), "few"),
    ("an article added before all others", lambda root: write(root, 154, date="2020-01-01"), "few"),
    ("the oldest article deleted", lambda root: path_of(root, 154).unlink(), "few"),
    ("a tag whose spelling names its value now", lambda root: write(root, 153, date="2024-12-30", tags="[Sea-Rescue]"), None),
    ("an organisation renamed in entities.toml", rename_organisation, None),
    ("an interface catalog removed", remove_catalog, None),
    ("nothing", lambda root: None, "few"),
]


def test_every_change_plans_what_planning_everything_would(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_module, "REPLAN_SHARE", 1)  # a small archive: let the store help whatever the share of pages reached
    kept = tmp_path / "kept-cache"
    assert compare(corpus, kept, tmp_path) is None  # the first plan: from nothing
    for name, change, helped in CHANGES:
        change(corpus)
        planned = compare(corpus, kept, tmp_path)
        if helped == "few":
            assert planned is not None and planned < 70, f"{name}: {planned} pages planned"
        elif helped == "used":
            assert planned is not None, name


def test_changed_span_finds_the_stretch_that_differs() -> None:
    """``_changed_span``: what lies before and after the span is the same in both, and the span is the shortest such."""
    from crossings.site import _changed_span

    rng = random.Random(5)
    for _ in range(2000):
        old = [rng.randrange(4) for _ in range(rng.randrange(0, 30))]
        new = list(old)
        for _ in range(rng.randrange(1, 3)):
            at = rng.randrange(len(new) + 1)
            action = rng.randrange(3)
            if action == 0:
                new.insert(at, rng.randrange(4))
            elif action == 1 and at < len(new):
                del new[at]
            elif at < len(new):
                new[at] = rng.randrange(4)
        a, b = _changed_span(new, old)
        tail = len(new) - 1 - b
        assert new[:a] == old[:a] and tail >= 0 and a + tail <= min(len(new), len(old))
        assert new[len(new) - tail:] == old[len(old) - tail:]
        assert a == len(new) or a == len(old) or new[a] != old[a]  # the common start is the longest


# --- rules no other change isolates ---------------------------------------------------------------------
# In the corpus above each entity's list is dense: a change reaches, through the windows of those lists, most
# pages that another rule would reach too, so breaking that rule goes unseen. Below, a sparse archive: notes
# 12 days apart (no two close enough in time to be compared for a story), without entities but for two far
# apart notes an editor put in one story, each with a country of its own. What reaches a page there is the one
# rule under test; each change is planned with the kept store and from nothing (``compare``), then built
# from the kept build state and from nothing, and the two sites compared byte for byte.

NOTES = 40
FAR_STORY = {8: "MA", 30: "IT"}
"""The notes put in the story ``far-apart`` (by ``story:``), each with its country."""


def note(n: int, **change: str) -> str:
    values = {"title": f'"Note {n}"', "date": (datetime.date(2022, 1, 3) + datetime.timedelta(days=12 * n)).isoformat(),
              "lang": "en", "source": f"https://notes{n % 3}.example/{n}"}
    if n in FAR_STORY:
        values.update(countries=f"[{FAR_STORY[n]}]", story="far-apart")
    values.update(change)
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + "---\n\n" + f"What note {n} says, in its own words.\n"


COPIED = ("The harbour office published its yearly count on Tuesday: fewer ferries crossed than the year before, "
          "the night crossings were moved to the morning, and the waiting hall by the eastern pier was closed for repairs "
          "until the end of spring. Travellers were asked to book ahead, to bring their papers in paper form, and to expect "
          "longer queues at the checks on both shores while the new gates are tested.")
"""A text two outlets carry (``write_copy``): two copies of one text, no story."""


def write_copy(root: Path, name: str, days: int, **change: str) -> None:
    """A copy of ``COPIED`` published ``days`` after note 20 (the copies are on either side of it)."""
    values = {"title": f'"The harbour count ({name})"', "date": (datetime.date(2022, 1, 3) + datetime.timedelta(days=12 * 20 + days)).isoformat(),
              "lang": "en", "source": f"https://{name}.example/harbour", "body": COPIED, **change}
    body = values.pop("body")
    (root / "content" / f"{name}.md").write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + "---\n\n" + body + "\n",
                                                 encoding="utf-8")


def note_path(root: Path, n: int) -> Path:
    return root / "content" / f"note-{n:03d}.md"


def write_note(root: Path, n: int, **change: str) -> None:
    note_path(root, n).write_text(note(n, **change), encoding="utf-8")


def site_tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def built(root: Path, out: Path, cache: Path) -> dict[str, bytes]:
    assert main(["build", "--config", str(root / "pyproject.toml"), "--out", str(out), "--cache", str(cache)]) == 0
    return site_tree(out)


def assert_planned_and_built_as_from_nothing(root: Path, tmp_path: Path, most: int) -> None:
    """The site built from the kept build state is the one built from nothing; the plan with the kept store is
    the plan from nothing, made with its help for at most ``most`` pages (not everything planned again)."""
    kept = built(root, root / "_site", root / ".cache")
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    clean = built(root, tmp_path / "clean" / "_site", tmp_path / "clean" / ".cache")
    assert kept.keys() == clean.keys()
    assert [name for name in kept if kept[name] != clean[name]] == []
    planned = compare(root, tmp_path / "kept-plan", tmp_path)
    assert planned is not None and planned <= most, f"{planned} pages planned"


@pytest.fixture
def sparse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = lay_out(tmp_path / "sparse")
    monkeypatch.chdir(root)
    for n in range(NOTES):
        write_note(root, n)
    assert compare(root, tmp_path / "kept-plan", tmp_path) is None
    built(root, root / "_site", root / ".cache")
    return root


def test_a_story_member_edited_reaches_the_other_members(sparse: Path, tmp_path: Path) -> None:
    """A member of a story changed (its members the same): every member's page shows it, and is planned again."""
    site, _, _ = plan(sparse, tmp_path / "look")
    first, second = (site.by_slug[f"note-{n:03d}"] for n in FAR_STORY)
    story = site.stories.of[first.article.slug]
    assert story.id == "far-apart" and [r.article.slug for r in story.records] == [first.article.slug, second.article.slug]
    assert set(first.article.countries).isdisjoint(second.article.countries)  # no entity list links them
    assert abs(site.records.index(first) - site.records.index(second)) > 1  # nor are they neighbours in time
    write_note(sparse, 8, title='"Note 8, its title corrected"')
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 4)  # the note, its two neighbours, the other member
    write_note(sparse, 30, title='"Note 30, with a new title too"', source="https://elsewhere.example/30")
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 4)


def test_the_oldest_and_newest_articles_deleted_reach_the_next_ones(sparse: Path, tmp_path: Path) -> None:
    """The oldest article deleted: the next one has no older neighbour any more (no pair of neighbours is new,
    and no entity list tells it); the same for the newest."""
    note_path(sparse, 0).unlink()
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 1)
    note_path(sparse, NOTES - 1).unlink()
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 1)
    write_note(sparse, 0)  # older than all again, and newer than all
    write_note(sparse, NOTES, date="2024-06-01")
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 4)


def test_a_copy_edited_reaches_the_other_copy(sparse: Path, tmp_path: Path) -> None:
    """Two copies of one text with an article between them (not neighbours), no entity and no story: the
    copy's page says who else published the text, so a copy edited, or no longer a copy, reaches the other."""
    write_copy(sparse, "first", -2)
    write_copy(sparse, "second", 2)
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 5)
    site, _, _ = plan(sparse, tmp_path / "look")
    assert site.stories.copies == {"first": ("second",), "second": ("first",)} and not site.stories.of.get("first")
    write_copy(sparse, "first", -2, source="https://first-renamed.example/harbour")  # still a copy, shown by another name
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 4)
    write_copy(sparse, "first", -2, body="Its own text now: the harbour office said nothing else this week.")  # a copy no more
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 4)
    site, _, _ = plan(sparse, tmp_path / "look")
    assert not site.stories.copies
    write_copy(sparse, "first", -2)  # a copy again
    assert_planned_and_built_as_from_nothing(sparse, tmp_path, 4)


@pytest.mark.parametrize("setting, value", [("RELATED", 3), ("NEIGHBOURS", 2), ("WEIGHTS", {"countries": 2, "organizations": 1, "tags": 1})])
def test_a_changed_rule_of_related_articles_plans_everything_again(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   setting: str, value: object) -> None:
    """The store is of the rules that made it (a new version of the program may change them): when they
    differ, every page is planned again, and the plan is the one made from nothing."""
    kept = tmp_path / "kept-cache"
    assert compare(corpus, kept, tmp_path) is None
    monkeypatch.setattr(site_module, setting, value)
    assert compare(corpus, kept, tmp_path) is None

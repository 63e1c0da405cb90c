"""Search in a real browser, against the built site served under a subpath, with each engine
(``search = "crossings"``, our own index, and ``search = "pagefind"``): the same tests, but where
they look at an engine's own files."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest


from .conftest import FIXTURES, Project, serving, write_pyproject

OK_SEEDS = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))
BASE = "/crossings-test/"


ENGINES = ["crossings", "pagefind"]


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def served(project: Project, engine: str) -> Iterator[str]:
    write_pyproject(project.root, search_shard_size=2, search=engine)  # Pagefind: several periods, merged in the browser
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    status, _, err = project.run("build")
    assert status == 0, err
    with serving(project.out, BASE) as origin:
        yield origin + BASE


def results(page) -> list[str]:
    page.wait_for_function("() => { const s = document.getElementById('search-status').textContent; return s && !s.endsWith('…'); }", timeout=15000)
    return page.eval_on_selector_all("#search-results h2 a", "links => links.map(a => a.textContent)")


@pytest.mark.parametrize(("query", "title"), [
    ("migrants", "Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations"),      # French, stemmed
    ("interregional", "Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations"),  # accents optional
    ("cooperación", "Marruecos y España refuerzan su cooperación migratoria"),                            # Spanish
    ("الميثاق", "المغرب: المنظمة الدولية للهجرة تعقد حوارا إقليميا حول الميثاق العالمي للهجرة"),       # Arabic, with its article
    ("rescued", "Spain: coast guard rescues 58 people off the Canary Islands"),                          # English, stemmed
])
def test_one_box_finds_every_language(served: str, browser, query: str, title: str) -> None:
    page = browser.new_page()
    page.goto(served + "search/?q=" + query)
    assert title in results(page)
    page.close()


@pytest.mark.parametrize(("query", "title"), [
    ("onerror", '<script>alert("x")</script> & *stars*, _under_ [link](javascript:alert(1)) `code`'),
    ("Canary", "Spain: coast guard rescues 58 people off the Canary Islands"),
])
def test_a_word_held_by_one_period_finds_only_its_article(served: str, browser, query: str, title: str) -> None:
    # The other periods have no such word; Pagefind would answer from them with
    # a shorter word the query starts with ("on", "can"), which must not show.
    page = browser.new_page()
    page.goto(served + "search/?q=" + query)
    assert results(page) == [title]
    page.close()


def test_typing_filtering_sorting_and_opening_a_result(served: str, browser) -> None:
    page = browser.new_page()
    page.goto(served)
    page.get_by_label("Rechercher dans l’archive").fill("migration")  # the header box, by its label
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=migration")
    found = results(page)
    assert len(found) >= 2
    status = page.locator("#search-status")
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    assert status.inner_text() == f"{len(found)} articles trouvés pour « migration »."
    assert page.locator("#search-filters-panel").get_attribute("open") is None  # closed: the query loaded no filter data
    page.get_by_text("Filtres", exact=True).click()  # opened: the filters' data and names load, and their counts show
    page.get_by_label("Anglais").check()  # a filter, with its count
    page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length < {len(found)}")
    narrowed = results(page)
    assert narrowed == ["Spain: coast guard rescues 58 people off the Canary Islands"]
    page.get_by_label("Anglais").uncheck()
    page.get_by_label("Ordre").select_option("asc")
    page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length === {len(found)}")
    dates = page.eval_on_selector_all("#search-results time", "times => times.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates)
    first = page.locator("#search-results h2 a").first
    href, title = first.get_attribute("href"), first.inner_text()
    assert href.startswith(BASE + "articles/")
    first.click()
    page.wait_for_url("**" + href)
    assert page.locator("h1").inner_text() == title
    page.close()


def test_arabic_results_read_right_to_left_and_excerpts_are_text(served: str, browser) -> None:
    page = browser.new_page()
    page.goto(served + "search/?q=المغرب")
    results(page)
    item = page.locator("#search-results li").first
    assert item.get_attribute("lang") == "ar" and item.get_attribute("dir") == "rtl"
    assert item.locator("mark").count() >= 1
    page.goto(served + "search/?q=onerror")
    assert results(page)
    assert page.locator("#search-results img").count() == 0  # the seed's "<img onerror>" stays text
    assert "<img src=x onerror=alert(1)>" in page.locator("#search-results .excerpt").first.inner_text()
    page.close()


def test_without_javascript_the_search_box_leads_somewhere(served: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served)
    page.locator("#site-search-q").fill("migration")
    page.locator(".site-search button").click()
    page.wait_for_url("**/search/?q=migration")
    assert page.locator("#search-fallback").is_visible()
    links = page.eval_on_selector_all("#search-fallback a", "links => links.map(a => a.getAttribute('href'))")
    assert BASE + "timeline/" in links and BASE + "countries/" in links
    context.close()


def test_search_after_incremental_updates_that_move_the_periods(project: Project, browser, tmp_path, engine: str) -> None:
    # The index is updated in place, build after build, while articles come, change and go,
    # and the periods themselves change (one overflows, one empties, two become one); each
    # build is the clean build's twin, and a reader's search sees the archive as it is now.
    import json

    from .test_incremental import assert_exact

    write_pyproject(project.root, search_shard_size=2, search=engine)
    seeds = {path.name[:3]: path for path in OK_SEEDS}

    def periods() -> dict[str, int]:
        if engine == "crossings":  # the years before the newest in runs of at most 2 articles (a bigger year alone), the newest
            manifest = json.loads((project.out / "search" / "index.json").read_text(encoding="utf-8"))
            return {part["name"]: part["count"] for part in manifest["parts"]}
        manifest = json.loads((project.out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
        return {name: sum(langs.values()) for name, langs in manifest["shards"].items()}

    def expect(pagefind: dict[str, int], crossings: dict[str, int]) -> None:
        assert periods() == (crossings if engine == "crossings" else pagefind)

    def french(name: str, day: str, word: str) -> None:
        (project.content / f"{name}.md").write_text(f"---\ntitle: Escale à {word}\ndate: {day}\nlang: fr\n---\n\nUn bateau fait escale à {word}.\n",
                                                      encoding="utf-8")

    for code in ("000", "103"):  # French (January 2023) and Spanish (May 2023)
        project.add_seed(seeds[code].name, seeds[code].read_bytes())
    assert_exact(project, tmp_path)
    expect({"fr-2023-01/": 1, "es-2023-05/": 1}, {"y2023": 2})
    project.add_seed(seeds["102"].name, seeds["102"].read_bytes())  # English, March 2024: the newest year
    assert_exact(project, tmp_path)
    expect({"fr-2023-01/": 1, "es-2023-05/": 1, "en-2024-03/": 1}, {"y2023": 2, "y2024": 1})
    french("kalamata", "2023-02-10", "Kalamata")  # joins January's French period
    assert_exact(project, tmp_path)
    french("lavrio", "2023-03-10", "Lavrio")  # which is full: a new period
    assert_exact(project, tmp_path)
    expect({"fr-2023-01/": 2, "fr-2023-03/": 1, "es-2023-05/": 1, "en-2024-03/": 1}, {"y2023": 4, "y2024": 1})
    for code in ("104", "105"):  # Arabic and English, January 2023
        project.add_seed(seeds[code].name, seeds[code].read_bytes())
        assert_exact(project, tmp_path)
    [english] = project.content.rglob("2024-03-14-*.md")
    english.write_text(english.read_text(encoding="utf-8").replace("Canary", "Tenerife"), encoding="utf-8")
    assert_exact(project, tmp_path)
    (project.seeds / seeds["103"].name).unlink()  # the Spanish article taken away: its period goes
    for path in project.content.rglob("2023-05-02-*.md"):
        path.unlink()
    assert_exact(project, tmp_path)
    (project.content / "kalamata.md").unlink()  # January's French period has room again: March's joins it
    assert_exact(project, tmp_path)
    expect({"ar-2023-01/": 1, "en-2023-01/": 1, "fr-2023-01/": 2, "en-2024-03/": 1}, {"y2023": 4, "y2024": 1})

    with serving(project.out, BASE) as origin:
        page = browser.new_page()
        for query, found in [("Tenerife", ["Spain: coast guard rescues 58 people off the Tenerife Islands"]),
                             ("refuerzan", []), ("Kalamata", []),  # words of articles taken away
                             ("Lavrio", ["Escale à Lavrio"]),
                             ("cooperación", ["Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations"]),
                             ("الميثاق", ["المغرب: المنظمة الدولية للهجرة تعقد حوارا إقليميا حول الميثاق العالمي للهجرة"])]:
            page.goto(origin + BASE + "search/?q=" + query)
            assert results(page) == found, query
        page.goto(origin + BASE + "search/?q=migration")
        everything = results(page)
        assert len(everything) >= 2
        page.get_by_text("Filtres", exact=True).click()
        page.get_by_label("Anglais").check()
        page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length < {len(everything)}")
        assert results(page) == ["Spain: coast guard rescues 58 people off the Tenerife Islands"]
        page.close()


def test_sorting_by_date_merges_the_indexes_as_the_reader_pages(project: Project, browser, engine: str) -> None:
    # 60 articles with the word, in three languages and several periods each: sorted by
    # date, each page of 10 is the next 10 of the whole archive, and a page loads the
    # fragments of its own results and of at most one waiting result per index, not
    # those of every result.
    import datetime as dt
    import json

    write_pyproject(project.root, search_shard_size=8, search=engine)
    day = dt.date(2019, 1, 5)
    for n in range(60):
        lang = ("fr", "en", "es")[n % 3]
        (project.content / f"a{n:02d}.md").write_text(
            f"---\ntitle: Escale numéro {n}\ndate: {day + dt.timedelta(days=37 * n)}\nlang: {lang}\n---\n\nUn bateau fait escale à Kalamata, numéro {n}.\n",
            encoding="utf-8")
    assert project.run("build")[0] == 0
    if engine == "crossings":  # the results' texts: f<n>.jsonz, one per article
        indexes, fragment = len(json.loads((project.out / "search" / "index.json").read_text(encoding="utf-8"))["parts"]), r"/search/[^/]+/f\d+\.jsonz$"
        assert indexes == 6  # 2019 to 2024, ~10 articles a year (more than 8): a part each
    else:
        indexes, fragment = len(json.loads((project.out / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]), r"\.pf_fragment$"
        assert 6 <= indexes <= 20
    dates = sorted((str(day + dt.timedelta(days=37 * n)) for n in range(60)), reverse=True)
    with serving(project.out, BASE) as origin:
        page = browser.new_page()
        page.goto(origin + BASE + "search/?q=Kalamata")
        assert len(results(page)) == 10
        fragments = []
        page.on("request", lambda request: fragments.append(request.url) if re.search(fragment, request.url) else None)
        page.get_by_label("Ordre").select_option("desc")
        page.wait_for_function("() => document.querySelector('#search-results time')?.getAttribute('datetime') === '%s'" % dates[0])
        results(page)
        shown = page.eval_on_selector_all("#search-results time", "times => times.map(t => t.getAttribute('datetime'))")
        assert shown == dates[:10]
        assert page.locator("#search-status").inner_text() == "60 articles trouvés pour « Kalamata »."
        assert len(fragments) <= 10 + indexes < 50  # not the 50 not loaded yet (10 were, for the order by relevance)
        for end in (20, 30, 40, 50, 60):
            page.locator("#search-more").click()
            page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length === {end}")
            shown = page.eval_on_selector_all("#search-results time", "times => times.map(t => t.getAttribute('datetime'))")
            assert shown == dates[:end]
        assert page.locator("#search-more").is_hidden()
        page.get_by_label("Ordre").select_option("asc")
        page.wait_for_function("() => document.querySelector('#search-results time')?.getAttribute('datetime') === '%s'" % dates[-1])
        shown = page.eval_on_selector_all("#search-results time", "times => times.map(t => t.getAttribute('datetime'))")
        assert shown == sorted(dates)[:10]
        page.close()

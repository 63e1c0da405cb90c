"""The web's own checkers on a built sample archive under a subpath: Nu Html Checker, axe-core, our link check."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossings.linkcheck import check_built_site

from .conftest import FIXTURES, REPO, SUBPATH_URL, serving

TOOLS = REPO / "tests" / "tools" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
BASE = "/crossings-test/"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PAGES_STORY = "stories/2023-01-27-lmgrb-lmnzm-ldwly-llhjr-t-qd-hwr-qlymy-hwl-lmythq-l-lmy-llhjr"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Iterator[tuple[Path, str]]:
    """A sample archive in four languages with tags and a story (the French and Arabic reports of one
    dialogue), its interface in four languages too, built under a subpath, and a server for it."""

    from crossings.cli import main

    from .conftest import lay_out

    root = lay_out(tmp_path_factory.mktemp("archive") / "site", per_page=3, interface_languages=["fr", "en", "es", "ar"])
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        (root / "seeds" / path.name).write_bytes(path.read_bytes())
    (root / "content" / "hand.md").write_text("---\ntitle: Un article avec des mots-clés\ndate: 2022-06-01\ntags: [asile, Ceuta]\ncountries: [ES]\n---\n\n"
                                              "Un texte avec **du gras**, une [référence](https://example.org) et une liste :\n\n- un\n- deux\n", encoding="utf-8")
    import os
    previous = os.getcwd()
    os.chdir(root)
    try:
        assert main(["build"]) == 0
    finally:
        os.chdir(previous)
    out = root / "_site"
    assert (out / PAGES_STORY / "index.html").exists(), "the sample archive has a story"
    with serving(out, BASE) as origin:
        yield out, origin


def test_nu_html_checker_finds_no_error(archive) -> None:
    out, _ = archive
    assert VNU.exists(), "make test installs the checkers (tests/tools)"
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json", str(out)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').split('/_site/')[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages if m.get("type") == "error"]
    assert errors == []
    assert len(list(out.rglob("*.html"))) > 40


def test_our_own_site_check_is_clean(archive) -> None:
    out, _ = archive
    problems, pages = check_built_site(out, SUBPATH_URL)
    assert [str(p) for p in problems] == [] and pages > 40


PAGES = {
    "home": "", "home, page 2": "page/2/", "article in French": "articles/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations/",
    "article in Arabic": "articles/2023-01-27-lmgrb-lmnzm-ldwly-llhjr-t-qd-hwr-qlymy-hwl-lmythq-l-lmy-llhjr/", "article by hand": "articles/hand/",
    "timeline": "timeline/", "year": "timeline/2023/", "month": "timeline/2023/01/", "browse": "browse/", "countries": "countries/",
    "a country": "countries/ma/", "an organisation": "organizations/iom/", "a source": "sources/yabiladi/", "a language": "languages/ar/",
    "a tag": "tags/asile/", "coverage": "coverage/", "data": "data/", "search with results": "search/?q=migration", "404": "no/such/page/",
    "a story": "stories/2023-01-27-lmgrb-lmnzm-ldwly-llhjr-t-qd-hwr-qlymy-hwl-lmythq-l-lmy-llhjr/", "stories": "stories/",
    "search in a story": "search/?story=2023-01-27-lmgrb-lmnzm-ldwly-llhjr-t-qd-hwr-qlymy-hwl-lmythq-l-lmy-llhjr",
    # the Arabic interface, right to left, and the English one
    "Arabic home": "ar/", "Arabic home, page 2": "ar/page/2/", "Arabic timeline": "ar/timeline/", "Arabic month": "ar/timeline/2023/01/",
    "Arabic browse": "ar/browse/", "Arabic countries": "ar/countries/", "Arabic country": "ar/countries/ma/", "Arabic coverage": "ar/coverage/",
    "Arabic data": "ar/data/", "Arabic search with results": "ar/search/?q=migration", "Arabic 404": "ar/404.html",
    "English home": "en/", "English article": "articles/2024-03-14-spain-coast-guard-rescues-58-people-off-the-canary-islands/",
    "English organisation": "en/organizations/iom/", "English coverage": "en/coverage/", "English search with results": "en/search/?q=migration",
    # a story, the stories and a search in a story in the other interface languages (the title keeps its own language)
    "Arabic story": f"ar/{PAGES_STORY}/", "Arabic stories": "ar/stories/", "Arabic search in a story": f"ar/search/?story={PAGES_STORY.split('/')[1]}",
    "English story": f"en/{PAGES_STORY}/", "Spanish story": f"es/{PAGES_STORY}/",
}


# One test per width and colour scheme: about 45 pages each, which the suite's processes share out.
@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_any_kind_of_page(archive, browser, width: int, scheme: str) -> None:
    _, origin = archive
    assert AXE.exists(), "make test installs the checkers (tests/tools)"
    script = AXE.read_text(encoding="utf-8")
    found = []
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    for name, path in PAGES.items():
        page.goto(origin + BASE + path)
        if path.startswith("search/"):  # results come from the search index
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0", timeout=15000)
        page.add_script_tag(content=script)
        # only the violations: axe then skips gathering the passes and the rest (a fifth of its time here)
        result = page.evaluate("tags => axe.run(document, {runOnly: tags, resultTypes: ['violations']})", TAGS)
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                found.append(f"{scheme} {name}: {violation['id']} {[n['target'] for n in violation['nodes']][:3]}")
        if page.evaluate("document.documentElement.scrollWidth") > width:
            found.append(f"{scheme} {name}: scrolls sideways at {width} px")
    page.close()
    assert found == []


def test_favicon_and_print_stylesheet(archive) -> None:
    out, _ = archive
    assert (out / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    css = (out / "css" / "crossings.css").read_text(encoding="utf-8")
    assert "@media print" in css
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<meta name="description" content="' in text and 'content=""' not in text.split("</head>")[0], page
        if page.name != "404.html":
            assert '<link rel="canonical" href="https://user.github.io/crossings-test/' in text, page


ARABIC_PAGES = {"home": "ar/", "article": PAGES["article in Arabic"], "coverage": "ar/coverage/", "search": "ar/search/?q=migration",
                "timeline": "ar/timeline/", "country": "ar/countries/ma/", "story": f"ar/{PAGES_STORY}/"}


@pytest.mark.parametrize("width", [360, 1280])
def test_arabic_pages_are_right_to_left_at_phone_and_desktop_widths(archive, browser, width: int, tmp_path: Path) -> None:
    """Arabic pages laid out right to left from top to bottom (screenshots kept in the test's folder for a look)."""
    _, origin = archive
    page = browser.new_page(viewport={"width": width, "height": 900})
    for name, path in ARABIC_PAGES.items():
        page.goto(origin + BASE + path)
        if path.startswith("ar/search/"):
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0", timeout=15000)
            assert page.locator("#search-status").inner_text() == "مقالان لـ «migration»."  # the dual, from the page's strings
            assert page.locator("#search-results li").first.get_attribute("lang") in ("fr", "en")  # results keep their language
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
        layout = page.evaluate("""() => {
            const box = (selector) => { const e = document.querySelector(selector); return e && e.getBoundingClientRect().toJSON(); };
            return {direction: getComputedStyle(document.body).direction, scroll: document.documentElement.scrollWidth,
                    brand: box('.brand a'), h1: box('h1'), wrap: box('main .wrap'),
                    menu: [...document.querySelectorAll('.site-header nav[aria-label] > ul > li')].slice(0, 2).map((e) => e.getBoundingClientRect().toJSON())};
        }""")
        assert layout["direction"] == "rtl", name
        assert layout["scroll"] <= width, f"{name} scrolls sideways at {width} px"
        wrap, brand, h1, (first, second) = layout["wrap"], layout["brand"], layout["h1"], layout["menu"]
        # the site's name and the page's heading start at the right edge of the column; the menu reads from the right
        assert abs(brand["right"] - wrap["right"]) < 24 and abs(h1["right"] - wrap["right"]) < 24, (name, brand, h1, wrap)
        assert first["right"] <= brand["left"] + 1 or first["top"] >= brand["bottom"] - 1, (name, first, brand)
        assert second["right"] <= first["left"] + 1 or second["top"] >= first["bottom"] - 1, (name, first, second)
        page.keyboard.press("Tab")  # the skip link shows at the inline start: the right
        skip = page.evaluate("(() => { const r = document.querySelector('.skip-link').getBoundingClientRect(); return [r.left, r.right, r.top]; })()")
        assert skip[2] >= 0 and skip[1] > width / 2, (name, skip)
        assert (tmp_path / f"{name}-{width}.png").stat().st_size > 10_000
    page.close()

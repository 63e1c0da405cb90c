"""Readers in their own language (#15): article pages in the article's language, the archive in
every interface language, gettext catalogs with CLDR plurals, checked on real builds under a subpath."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema
from markupsafe import escape

from crossings import exports
from crossings.catalogs import load_catalogs, plural_categories, po_path
from crossings.cli import main
from crossings.linkcheck import check_built_site

from .conftest import FIXTURES, REPO, SUBPATH_URL, Project, lay_out, write_pyproject
from .test_incremental import clean_build, tree
from .validators import ATOM, atom_problems

BASE = "/crossings-test/"
LANGUAGES = ["fr", "en", "es", "ar"]
SITEMAP_SCHEMA = FIXTURES / "schemas" / "sitemap.xsd"
ARABIC = "articles/2023-01-27-lmgrb-lmnzm-ldwly-llhjr-t-qd-hwr-qlymy-hwl-lmythq-l-lmy-llhjr/index.html"
FRENCH = "articles/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations/index.html"
SPANISH = "articles/2023-05-02-marruecos-y-espana-refuerzan-su-cooperacion-migratoria/index.html"
ENGLISH = "articles/2024-03-14-spain-coast-guard-rescues-58-people-off-the-canary-islands/index.html"


def fill(root: Path) -> None:
    """The sample archive: the fixture seeds in four languages, and an article by hand with tags."""
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        (root / "seeds" / path.name).write_bytes(path.read_bytes())
    (root / "content" / "hand.md").write_text("---\ntitle: Un article avec des mots-clés\ndate: 2022-06-01\ntags: [asile, Ceuta]\n"
                                              "countries: [ES]\n---\n\nUn texte.\n", encoding="utf-8")


def build_in(root: Path, *args: str) -> int:
    previous = os.getcwd()
    os.chdir(root)
    try:
        return main(["build", *args])
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def four(tmp_path_factory) -> Path:
    """A site whose archive is built in French (at the root), English, Spanish and Arabic."""
    root = lay_out(tmp_path_factory.mktemp("four") / "site", per_page=3, interface_languages=LANGUAGES)
    fill(root)
    assert build_in(root) == 0
    return root / "_site"


@pytest.fixture
def single(project: Project) -> Project:
    """The default: one interface language, French."""
    fill(project.root)
    assert project.run("build")[0] == 0
    return project


class Page(HTMLParser):
    """The parts of a page these tests read."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.html: dict = {}
        self.alternates: dict[str, str] = {}
        self.switcher: list[dict] = []
        self.canonical = ""
        self._in_languages = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.html = values
        elif tag == "link" and values.get("rel") == "alternate" and "hreflang" in values:
            self.alternates[values["hreflang"]] = values["href"]
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical = values["href"]
        elif tag == "nav" and values.get("class") == "languages":
            self._in_languages = True
        elif tag == "a" and self._in_languages:
            self.switcher.append(values)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_languages = False


def page(out: Path, rel: str) -> Page:
    return Page((out / rel).read_text(encoding="utf-8"))


def text(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


# --- article pages ------------------------------------------------------------------------

def test_an_arabic_article_page_is_arabic_from_top_to_bottom(single: Project) -> None:
    html = text(single.out, ARABIC)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<a class="skip-link" href="#main">انتقل إلى المحتوى</a>' in html
    for label in ("أحدث المقالات", "التسلسل الزمني", "تصفح", "التغطية"):  # the main navigation
        assert f">{label}</a></li>" in html
    assert '<nav aria-label="الرئيسية">' in html and 'aria-label="مسار التنقل"' in html
    assert '<time datetime="2023-01-27">27 يناير 2023</time>' in html
    assert '<h2 id="cite">الاستشهاد بهذا المقال</h2>' in html and "»، 27 يناير 2023." in html  # Arabic punctuation
    assert '<h2 id="related">مقالات ذات صلة</h2>' in html and '<h2 id="topics">في هذا المقال</h2>' in html
    assert ">المغرب</a>" in html and ">المنظمة الدولية للهجرة</a>" in html  # facet values in Arabic
    assert "<dt>البلدان</dt>" in html
    # nothing of the French interface is left, and nothing but other articles' names has its own lang/dir
    for french in ("Aller au contenu", "Chronologie", "Citer cet article", "Articles liés"):
        assert french not in html
    body = html.split("<body", 1)[1]
    others = re.findall(r'<(\w+)[^>]* lang="(\w+)" dir="(\w+)"', body)
    assert others and all(lang != "ar" or tag == "span" for tag, lang, _ in others)
    assert {tag for tag, _, _ in others} <= {"h3", "a", "span"}
    # one interface language: no switcher, no alternates; the links lead to the (French) archive at the root
    parsed = page(single.out, ARABIC)
    assert parsed.switcher == [] and parsed.alternates == {}
    assert 'href="/crossings-test/timeline/2023/01/"' in html


def test_related_articles_keep_only_their_names_in_their_language(single: Project) -> None:
    html = text(single.out, ARABIC)
    related = html.split('<section class="related"', 1)[1].split("</section>", 1)[0]
    assert '<h3 lang="es" dir="ltr">' in related
    assert "2 de mayo" not in related and "2 مايو 2023" in related  # their dates speak the page's language
    # so does the other coverage of its story (the French report of the same dialogue, no longer among the related)
    coverage = html.split('<section class="story-coverage"', 1)[1].split("</section>", 1)[0]
    assert "تغطيات أخرى لهذا الحدث" in coverage and '<h3 lang="fr"' not in related
    assert re.search(r'<a href="[^"]+" lang="fr" dir="ltr">Maroc : L&#39;OIM tient', coverage)
    assert "27 janvier" not in coverage and "27 يناير 2023" in coverage and "الفرنسية" in coverage
    # counts in Arabic's dual, listed with an Arabic comma
    assert "الحدث كاملا: مقالان، مصدران</a>" in coverage and "(مقالان، مصدران)</p>" in html


def test_an_article_in_a_language_without_a_catalog_keeps_the_site_interface(project: Project) -> None:
    (project.content / "de.md").write_text("---\ntitle: Ein Artikel auf Deutsch\ndate: 2023-03-01\nlang: de\n---\n\nDer Text.\n", encoding="utf-8")
    assert project.run("build")[0] == 0
    html = (project.out / "articles/de/index.html").read_text(encoding="utf-8")
    assert '<html lang="fr" dir="ltr">' in html and "Aller au contenu" in html
    assert '<header lang="de" dir="ltr">' in html and '<div class="body" lang="de" dir="ltr">' in html


def test_the_default_site_has_no_language_versions(single: Project) -> None:
    files = set(single.site_files())
    assert not any(rel.startswith(("en/", "es/", "ar/", "fr/")) for rel in files)
    home = page(single.out, "index.html")
    assert home.html == {"lang": "fr", "dir": "ltr"} and home.alternates == {} and home.switcher == []
    assert 'xmlns:xhtml' not in text(single.out, "sitemap.xml")


# --- the archive in four languages -----------------------------------------------------------

ARCHIVE = re.compile(r"^(?!articles/|pagefind/|search/(?!index\.html)|data/(?!index\.html)|(?:css|js)/)")


def test_four_interface_languages_build_four_versions_of_the_archive(four: Path) -> None:
    pages = {p.relative_to(four).as_posix() for p in four.rglob("*.html")}
    root = {p for p in pages if not p.startswith(("articles/", "en/", "es/", "ar/"))}
    assert {"index.html", "timeline/index.html", "browse/index.html", "countries/ma/index.html", "coverage/index.html",
            "search/index.html", "data/index.html", "404.html"} <= root
    for lang in ("en", "es", "ar"):
        version = {p[len(lang) + 1:] for p in pages if p.startswith(lang + "/")}
        assert version == root, lang
        for rel in sorted(version):
            assert page(four, f"{lang}/{rel}").html == {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}, rel
    assert all(page(four, rel).html["lang"] == "fr" for rel in root)
    assert not any(p.startswith(f"{lang}/articles/") for p in pages for lang in ("en", "es", "ar"))  # articles exist once


def test_each_version_speaks_its_language(four: Path) -> None:
    assert "<h1>Chronologie</h1>" in text(four, "timeline/index.html")
    assert "<h1>Timeline</h1>" in text(four, "en/timeline/index.html")
    assert "<h1>Cronología</h1>" in text(four, "es/timeline/index.html")
    assert "<h1>التسلسل الزمني</h1>" in text(four, "ar/timeline/index.html")
    # facet values: countries by CLDR, organisations from entities.toml, in the page's language
    for lang, morocco, iom in (("", "Maroc", "Organisation internationale pour les migrations (OIM)"), ("en/", "Morocco", "International Organization for Migration (IOM)"),
                               ("es/", "Marruecos", "Organización Internacional para las Migraciones (OIM)"), ("ar/", "المغرب", "المنظمة الدولية للهجرة")):
        assert f"<h1>{morocco}</h1>" in text(four, f"{lang}countries/ma/index.html")
        assert f"<h1>{iom}</h1>" in text(four, f"{lang}organizations/iom/index.html")
        assert f'href="/crossings-test/{lang}countries/ma/">{morocco}</a>' in text(four, f"{lang}countries/index.html")
    # Arabic plural forms in the built pages: one article in 2024 and 2022, four in 2023
    timeline = text(four, "ar/timeline/index.html")
    assert 'href="/crossings-test/ar/timeline/2024/">2024</a> <span class="count">مقال واحد</span>' in timeline
    assert '<span class="count">4 مقالات</span>' in timeline


def test_article_pages_lead_to_the_archive_in_their_language(four: Path) -> None:
    arabic = page(four, ARABIC)
    assert arabic.html == {"lang": "ar", "dir": "rtl"} and arabic.alternates == {}
    assert [(a["hreflang"], a["href"], a.get("aria-current")) for a in arabic.switcher] == [
        ("fr", BASE, None), ("en", BASE + "en/", None), ("es", BASE + "es/", None), ("ar", BASE + "ar/", "true")]
    html = text(four, ARABIC)
    assert 'href="/crossings-test/ar/timeline/2023/01/"' in html and 'href="/crossings-test/ar/countries/ma/"' in html
    assert 'action="/crossings-test/ar/search/"' in html
    assert 'href="/crossings-test/en/timeline/"' in text(four, ENGLISH) and 'href="/crossings-test/timeline/"' in text(four, FRENCH)
    assert page(four, SPANISH).html["lang"] == "es"


def test_every_hreflang_pair_is_reciprocal(four: Path) -> None:
    checked = 0
    for path in sorted(four.rglob("*.html")):
        rel = path.relative_to(four).as_posix()
        parsed = page(four, rel)
        if rel.startswith("articles/") or rel.endswith("404.html"):
            assert parsed.alternates == {}, rel
            continue
        me = parsed.canonical
        assert set(parsed.alternates) == {*LANGUAGES, "x-default"}, rel
        assert parsed.alternates[parsed.html["lang"]] == me, rel  # a page lists itself under its own language
        assert parsed.alternates["x-default"] == parsed.alternates["fr"], rel
        for lang in LANGUAGES:
            other = parsed.alternates[lang]
            assert other.startswith(SUBPATH_URL), other
            back = page(four, other[len(SUBPATH_URL):] + "index.html" if other.endswith("/") else other[len(SUBPATH_URL):])
            assert back.html["lang"] == lang and back.alternates == parsed.alternates, (rel, lang)
        checked += 1
    assert checked > 100


def test_switcher_and_every_link_resolve_under_the_subpath(four: Path) -> None:
    problems, pages = check_built_site(four, SUBPATH_URL)
    assert [str(p) for p in problems] == [] and pages > 150
    switcher = page(four, "ar/countries/ma/index.html").switcher
    assert [(a["hreflang"], a["lang"], a["dir"], a["href"]) for a in switcher] == [
        ("fr", "fr", "ltr", BASE + "countries/ma/"), ("en", "en", "ltr", BASE + "en/countries/ma/"),
        ("es", "es", "ltr", BASE + "es/countries/ma/"), ("ar", "ar", "rtl", BASE + "ar/countries/ma/")]
    assert [a.get("aria-current") for a in switcher] == [None, None, None, "true"]
    assert [a["href"] for a in page(four, "404.html").switcher] == [BASE, BASE + "en/", BASE + "es/", BASE + "ar/"]


def test_the_sitemap_lists_the_alternates(four: Path) -> None:
    sitemap = four / "sitemap.xml"
    xmlschema.XMLSchema(str(SITEMAP_SCHEMA)).validate(str(sitemap))
    root = ElementTree.fromstring(sitemap.read_bytes())
    sm, xhtml = "{http://www.sitemaps.org/schemas/sitemap/0.9}", "{http://www.w3.org/1999/xhtml}"
    urls = {u.findtext(sm + "loc"): {link.get("hreflang"): link.get("href") for link in u.findall(xhtml + "link")} for u in root.findall(sm + "url")}
    pages = {p.relative_to(four).as_posix() for p in four.rglob("*.html") if p.name != "404.html"}
    assert set(urls) == {SUBPATH_URL + (p[: -len("index.html")] if p.endswith("index.html") else p) for p in pages}
    assert urls[SUBPATH_URL + "ar/timeline/"] == {"fr": SUBPATH_URL + "timeline/", "en": SUBPATH_URL + "en/timeline/",
                                                  "es": SUBPATH_URL + "es/timeline/", "ar": SUBPATH_URL + "ar/timeline/", "x-default": SUBPATH_URL + "timeline/"}
    assert urls[SUBPATH_URL + ARABIC[: -len("index.html")]] == {}  # an article exists in one language
    for loc, alternates in urls.items():  # what the sitemap says is what the pages say
        rel = loc[len(SUBPATH_URL):]
        assert page(four, rel + "index.html" if rel.endswith("/") or not rel else rel).alternates == alternates, loc


def test_feeds_are_titled_in_their_language(four: Path) -> None:
    for rel, title, lang in (("feed.xml", "Crossings test", "fr"), ("ar/feed.xml", "Crossings test (العربية)", "ar"),
                             ("en/feed.xml", "Crossings test (English)", "en"), ("ar/countries/ma/feed.xml", "Crossings test — المغرب", "ar"),
                             ("es/organizations/iom/feed.xml", "Crossings test — Organización Internacional para las Migraciones (OIM)", "es")):
        data = (four / rel).read_bytes()
        assert atom_problems(data) == [], rel
        feed = ElementTree.fromstring(data)
        assert feed.findtext(ATOM + "title") == title and feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang, rel
    entries = ElementTree.fromstring((four / "ar/feed.xml").read_bytes()).findall(ATOM + "entry")
    french = next(e for e in entries if "Maroc : L'OIM" in e.findtext(ATOM + "title"))
    assert french.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"  # entries keep their article's language
    assert {c.get("label") for c in french.findall(ATOM + "category")} >= {"المغرب", "المنظمة الدولية للهجرة"}
    assert '"title": "Crossings test (Español)"' in text(four, "es/feed.json") and '"language": "es"' in text(four, "es/feed.json")
    assert 'href="/crossings-test/ar/feed.xml"' in text(four, "ar/index.html")
    # in every language, the site's feed carries the full text, a facet value's feed the summaries only
    for lang in ("", "en/", "es/", "ar/"):
        for rel, full in (("feed.xml", True), ("countries/ma/feed.xml", False), ("organizations/iom/feed.xml", False)):
            entries = ElementTree.fromstring((four / (lang + rel)).read_bytes()).findall(ATOM + "entry")
            assert entries and all(e.findtext(ATOM + "summary") for e in entries), lang + rel
            assert all((e.find(ATOM + "content") is not None) == full for e in entries), lang + rel
    moroccan = ElementTree.fromstring((four / "ar/countries/ma/feed.xml").read_bytes()).findall(ATOM + "entry")
    assert {c.get("label") for e in moroccan for c in e.findall(ATOM + "category")} >= {"المغرب", "المنظمة الدولية للهجرة"}


def test_the_data_page_lists_the_files_in_each_language(four: Path) -> None:
    """One set of files at the root; each version of the data page links them, its table of year files in its language."""
    import json

    index = json.loads((four / "data/index.json").read_bytes())
    assert [y["year"] for y in index["years"]] == [2022, 2023, 2024]
    for lang, caption, unit in (("", "Fichiers par année", "ko"), ("en/", "Files by year", "kB"), ("es/", "Archivos por año", "kB"),
                                ("ar/", "الملفات حسب السنة", "كيلوبايت")):
        html = text(four, f"{lang}data/index.html")
        assert f"<caption>{caption}</caption>" in html, lang
        for rel in ("articles.csv", "articles.bib", "index.json", "stories.csv", "stories.json", "2022.csv", "2023.jsonl.gz", "2024.jsonl.gz"):
            assert f'href="{BASE}data/{rel}" download' in html, (lang, rel)
        if lang:  # the files exist once, at the root
            assert [p.name for p in (four / lang / "data").iterdir()] == ["index.html"], lang
        assert len(re.findall(rf"\(\d+ {unit}\)", html)) == 6, lang  # each year's two files, with their size
        for code in ("YYYY.csv", "YYYY.jsonl.gz", "index.json", "stories.csv", "stories.json", "story", "same_text", "members"):
            assert f"<code>{code}</code>" in html, (lang, code)
        assert 'lang="en"' not in html.split("<main", 1)[1], lang  # no part of the page left in English


def test_the_data_page_documents_the_files_and_fields_in_each_language(four: Path) -> None:
    """The section on files and fields, and every field's description, speak the page's language; the files stay in English."""
    import json

    phrases = {
        "": ("<h2 id=\"formats\">Fichiers et champs</h2>", "Pays que l’article mentionne, en codes ISO 3166-1 alpha-2",
             "selon la RFC 4180", "une entrée biblatex <code>@online</code> par article", "Champs de stories.csv et stories.json"),
        "en/": ("<h2 id=\"formats\">Files and fields</h2>", "the most central first: those named in the title, then those named in the first paragraph",
                "comma-separated as in RFC 4180", "one biblatex <code>@online</code> entry per article", "Fields of stories.csv and stories.json"),
        "es/": ("<h2 id=\"formats\">Archivos y campos</h2>", "Países que menciona el artículo, en códigos ISO 3166-1 alfa-2",
                "según la RFC 4180", "una entrada biblatex <code>@online</code> por artículo", "Campos de stories.csv y stories.json"),
        "ar/": ("<h2 id=\"formats\">الملفات والحقول</h2>", "البلدان التي يذكرها المقال، برموز ISO 3166-1 alpha-2",
                "وفق RFC 4180", "مدخل biblatex واحد من نوع <code>@online</code> لكل مقال", "حقول stories.csv وstories.json"),
    }
    english = [d for _, d in exports.FIELDS + exports.STORY_FIELDS] + ["Files and fields", "one row per article", "Lists are joined with",
                                                                      "Articles are ordered by date", "A story gathers the articles"]
    for lang, expected in phrases.items():
        html = text(four, f"{lang}data/index.html")
        section = html.split('<section aria-labelledby="formats">', 1)[1].split("</section>", 1)[0]
        for phrase in expected:
            assert phrase in section, (lang, phrase)
        for code in ("articles.csv", "YYYY.csv", "index.json", "years", "combined", "articles.bib", ";", "="):
            assert f"<code>{code}</code>" in section, (lang, code)  # the names themselves are not translated
        assert section.count("<tr><th scope=\"row\"><code>") == len(exports.FIELDS) + len(exports.STORY_FIELDS), lang
        left = [s for s in english if str(escape(s)) in section]
        assert left == (english if lang == "en/" else []), (lang, left)
        if lang == "ar/":  # not one English sentence left: only names, formats and standards in Latin letters
            prose = re.sub(r"<[^>]+>", " ", re.sub(r"<code>.*?</code>", " ", section))
            words = set(re.findall(r"[A-Za-z_]{3,}", prose))
            assert words <= {"RFC", "UTF", "CRLF", "CSV", "JSON", "Lines", "jsonlines", "org", "SHA", "biblatex", "ISO", "alpha", "IOM",
                             "UNHCR", "Yabiladi", "yabiladi", "com", "lapresse", "AMP", "CDN", "YYYY", "seed", "front", "matter", "articles",
                             "stories", "csv", "json", "jsonl", "gzip", "pandas", "story", "url", "date", "lang", "source_name", "title", "same_text"}, words
    # the files are one set, in English whatever the page's language
    index = json.loads((four / "data/index.json").read_bytes())
    assert index["fields"] == dict(exports.FIELDS) and index["stories"]["fields"] == dict(exports.STORY_FIELDS)
    assert index["fields"]["countries"].startswith("Countries the article mentions")
    assert (four / "data/articles.csv").read_bytes().startswith(b"id,url,date,title,lang,")


def test_the_search_page_speaks_each_language(four: Path) -> None:
    import json

    def strings(rel: str) -> dict:
        return json.loads(text(four, rel).split('<script type="application/json" id="search-strings">', 1)[1].split("</script>", 1)[0])

    arabic = strings("ar/search/index.html")
    assert arabic["searching"] == "جارٍ البحث…" and arabic["filters"]["country"] == "البلدان"
    assert arabic["results"] == {"zero": "لا توجد مقالات لـ «{q}».", "one": "مقال واحد لـ «{q}».", "two": "مقالان لـ «{q}».",
                                 "few": "{n} مقالات لـ «{q}».", "many": "{n} مقالًا لـ «{q}».", "other": "{n} مقال لـ «{q}»."}
    assert strings("en/search/index.html")["results"] == {"one": "One article found for “{q}”.", "other": "{n} articles found for “{q}”."}
    assert strings("search/index.html")["none"] == "Aucun article trouvé pour « {q} »."
    # the filters' names, read when the filters open; the languages' names, which results show, in the manifest read first
    labels = json.loads((four / "search/labels.json").read_bytes())
    assert labels["labels"]["country"]["MA"] == "Maroc"
    assert labels["translated_labels"]["ar"]["country"]["MA"] == "المغرب" and labels["translated_labels"]["en"]["language"]["fr"] == "French"
    manifest = json.loads((four / "search/index.json").read_bytes())
    assert manifest["languages"]["fr"] == "Français" and manifest["translated_languages"]["en"]["fr"] == "French"
    assert "labels" not in manifest and "translated_labels" not in manifest


# --- catalogs ------------------------------------------------------------------------------------

def test_arabic_plural_forms_follow_cldr() -> None:
    catalogs = load_catalogs(REPO / "locales")
    arabic = catalogs.translator("ar")
    forms = {n: arabic.ngettext("%(num)s article", "%(num)s articles", n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 103, 111, 1000)}
    assert forms == {0: "لا مقالات", 1: "مقال واحد", 2: "مقالان", 3: "3 مقالات", 10: "10 مقالات", 11: "11 مقالًا", 99: "99 مقالًا",
                     100: "100 مقال", 101: "101 مقال", 102: "102 مقال", 103: "103 مقالات", 111: "111 مقالًا", 1000: "1000 مقال"}
    assert plural_categories("ar") == ("zero", "one", "two", "few", "many", "other")
    french = catalogs.translator("fr")
    assert [french.ngettext("%(num)s article", "%(num)s articles", n) for n in (0, 1, 2)] == ["0 article", "1 article", "2 articles"]
    assert catalogs.translator("en").ngettext("%(num)s article", "%(num)s articles", 1) == "1 article"
    assert catalogs.translator("de").gettext("Timeline") == "Timeline"  # no catalog: English


def test_every_catalog_translates_every_string_the_site_uses(project: Project) -> None:
    assert project.run("check")[0] == 0
    status, out, err = project.run("check")
    assert "untranslated" not in err and "fuzzy" not in err, err


def untranslate(root: Path, lang: str, message: str) -> int:
    """Empty one translation in a catalog; return the line of its msgid."""
    path = po_path(root / "locales", lang)
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index(f'msgid "{message}"')
    assert lines[at + 1].startswith("msgstr ")
    lines[at + 1] = 'msgstr ""'
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def test_a_missing_translation_falls_back_to_english_and_check_reports_it(project: Project) -> None:
    write_pyproject(project.root, interface_languages=LANGUAGES)
    fill(project.root)
    line = untranslate(project.root, "ar", "Timeline")
    assert project.run("build")[0] == 0
    assert "<h1>Timeline</h1>" in (project.out / "ar/timeline/index.html").read_text(encoding="utf-8")
    assert "<h1>Chronologie</h1>" in (project.out / "timeline/index.html").read_text(encoding="utf-8")
    status, out, err = project.run("check")
    assert status == 0
    assert (f"locales/ar/LC_MESSAGES/messages.po:{line}: warning: untranslated in 'ar' (shown in English): “Timeline” — translate it") in err.splitlines()
    assert "in 'fr'" not in err and "in 'es'" not in err
    # a new string in a template, in no catalog yet: reported for every language, with where it is used
    base = project.root / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", '<p>{{ _("Made for readers") }}</p></footer>'), encoding="utf-8")
    status, out, err = project.run("check")
    for lang in ("fr", "es", "ar"):
        assert (f"locales/{lang}/LC_MESSAGES/messages.po: warning: untranslated in '{lang}' (shown in English): “Made for readers”, "
                "used in templates/base.html:") in err
    # an interface language without a catalog
    write_pyproject(project.root, interface_languages=["fr", "de"])
    status, out, err = project.run("check")
    assert "locales/de/LC_MESSAGES/messages.po: warning: no catalog for 'de': its interface is in English" in err


def test_a_translation_with_wrong_placeholders_is_reported_and_left_out(project: Project) -> None:
    fill(project.root)
    path = po_path(project.root / "locales", "fr")
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "Lire l’original sur %(name)s"', 'msgstr "Lire l’original sur %(nom)s"'), encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 0
    assert re.search(r"locales/fr/LC_MESSAGES/messages\.po:\d+: warning: the translation of “Read the original on %\(name\)s” uses the placeholder "
                     r"%\(nom\)s, which the message does not have", err)
    assert "Read the original on Yabiladi" in (project.out / FRENCH).read_text(encoding="utf-8")
    # the next build takes the compiled catalog from the build cache, and says it again
    from crossings.cache import Cache
    from crossings.catalogs import CATALOGS_STORE

    assert "fr" in Cache(project.config().cache).load(CATALOGS_STORE)
    article = next(project.content.rglob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
    status, _, again = project.run("build")
    assert status == 0 and "; 0 pages written" not in _
    assert re.search(r"locales/fr/LC_MESSAGES/messages\.po:\d+: warning: the translation of “Read the original on %\(name\)s” uses the placeholder "
                     r"%\(nom\)s, which the message does not have", again)
    assert "Read the original on Yabiladi" in (project.out / FRENCH).read_text(encoding="utf-8")


def test_a_broken_catalog_is_an_error_and_the_site_still_builds(project: Project) -> None:
    fill(project.root)
    po_path(project.root / "locales", "es").write_text('msgid "Timeline"\nmsgstr "Cronología\n', encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 1 and "locales/es/LC_MESSAGES/messages.po" in err and "error: not a valid .po catalog" in err
    assert "Traceback" not in err
    assert '<html lang="fr" dir="ltr">' in (project.out / SPANISH).read_text(encoding="utf-8")  # no Spanish interface meanwhile


def test_a_catalog_change_rebuilds_exactly_the_pages_in_its_language(project: Project, tmp_path: Path) -> None:
    write_pyproject(project.root, interface_languages=LANGUAGES)
    fill(project.root)
    assert project.run("build")[0] == 0
    before = {p.relative_to(project.out).as_posix(): p.stat().st_ino for p in project.out.rglob("*") if p.is_file()}
    path = po_path(project.root / "locales", "es")
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "Cronología"', 'msgstr "Línea del tiempo"'), encoding="utf-8")
    status, out, _ = project.run("build")
    assert status == 0
    after = {p.relative_to(project.out).as_posix(): p.stat().st_ino for p in project.out.rglob("*") if p.is_file()}
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    spanish = {rel for rel in after if rel.startswith("es/") and rel.endswith(".html")} | {SPANISH}
    assert changed == spanish
    assert f"{len(spanish)} pages written" in out
    assert "Línea del tiempo" in (project.out / SPANISH).read_text(encoding="utf-8")
    assert tree(project.out) == clean_build(project, tmp_path)
    # the header's dates only (what pybabel writes each time): nothing to rebuild
    path.write_text(path.read_text(encoding="utf-8").replace('"PO-Revision-Date:', '"PO-Revision-Date: 2030-01-01 00:00+0000\\n"\n"X-Was:', 1), encoding="utf-8")
    assert "; 0 pages written" in project.run("build")[1]


def test_interface_languages_setting_is_checked(tmp_path: Path) -> None:
    from crossings.config import load_config

    for value, message in (('["fr", "xx"]', "'interface_languages' must be a list of ISO 639-1 codes"),
                           ('["fr", "en", "fr"]', "'interface_languages' lists a language twice"),
                           ('["en", "ar"]', "'interface_languages' must include 'language' ('fr'): its version is the one at the root"),
                           ('"en"', "'interface_languages' must be a list of ISO 639-1 codes")):
        (tmp_path / "pyproject.toml").write_text(f"[tool.crossings]\ninterface_languages = {value}\n", encoding="utf-8")
        config, problems = load_config(tmp_path / "pyproject.toml")
        assert [p.message for p in problems] == [message] and problems[0].line == 2 and config.interface == ("fr",)
    (tmp_path / "pyproject.toml").write_text('[tool.crossings]\nlanguage = "en"\ninterface_languages = ["ar", "en"]\ndescriptions = { ar = "أرشيف" }\n', encoding="utf-8")
    config, problems = load_config(tmp_path / "pyproject.toml")
    assert problems == [] and config.interface == ("en", "ar") and config.prefix("ar") == "ar/" and config.prefix("en") == ""
    assert config.description_in("ar") == "أرشيف" and config.description_in("en") == "An archive of news about migration."


# --- moving old-style strings into the catalogs ----------------------------------------------------

def test_old_style_strings_are_converted_into_the_catalogs(project: Project) -> None:
    """What a branch written against the old STRINGS dict needs at merge: its keys become catalog entries."""
    fill(project.root)
    shutil.copy(REPO / "babel.cfg", project.root / "babel.cfg")
    template = project.root / "templates" / "browse.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "</ul>\n</div>", '</ul>\n  <p class="themes">{{ t.themes }}: {{ total|plural("themes") }}, {{ t.theme_of.format(name=site.title) }}</p>\n</div>'), encoding="utf-8")
    strings = project.root / "legacy.py"
    strings.write_text('STRINGS = {\n    "en": {"themes": "Themes", "themes_one": "{n} theme", "themes_other": "{n} themes", "theme_of": "A theme of {name}"},\n'
                       '    "fr": {"themes": "Thèmes", "themes_one": "{n} thème", "themes_other": "{n} thèmes", "theme_of": "Un thème de {name}"},\n'
                       '    "ar": {"themes": "مواضيع", "themes_zero": "لا مواضيع", "themes_one": "موضوع واحد", "themes_two": "موضوعان", "themes_few": "{n} مواضيع",\n'
                       '           "themes_many": "{n} موضوعًا", "themes_other": "{n} موضوع", "theme_of": "موضوع من {name}"},\n}\n', encoding="utf-8")
    previous = os.getcwd()
    os.chdir(project.root)
    try:
        from crossings.catalogs import main as catalogs_main

        assert catalogs_main(["convert", "--strings", str(strings)]) == 0
    finally:
        os.chdir(previous)
    assert strings.read_text(encoding="utf-8").startswith("STRINGS = {}")
    rewritten = template.read_text(encoding="utf-8")
    assert ('{{ _("Themes") }}: {{ ngettext("%(num)s theme", "%(num)s themes", total) }}, {{ _("A theme of %(name)s", name=site.title) }}'
            in rewritten)
    arabic = po_path(project.root / "locales", "ar").read_text(encoding="utf-8")
    assert 'msgid "%(num)s theme"\nmsgid_plural "%(num)s themes"\nmsgstr[0] "لا مواضيع"\nmsgstr[1] "موضوع واحد"\nmsgstr[2] "موضوعان"\n' in arabic
    write_pyproject(project.root, interface_languages=LANGUAGES)
    assert project.run("build")[0] == 0
    assert '<p class="themes">Thèmes: 6 thèmes, Un thème de Crossings test</p>' in (project.out / "browse/index.html").read_text(encoding="utf-8")
    assert '<p class="themes">مواضيع: 6 مواضيع, موضوع من Crossings test</p>' in (project.out / "ar/browse/index.html").read_text(encoding="utf-8")
    assert '<p class="themes">Themes: 6 themes' in (project.out / "es/browse/index.html").read_text(encoding="utf-8")  # not translated: English
    status, out, err = project.run("check")
    assert re.search(r"(untranslated|fuzzy) in 'es' \(shown in English\): “Themes”", err)  # a guess from a similar entry stays unused


def test_strings_not_yet_converted_still_work_in_the_page_language(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between a merge and the conversion, templates using t.key render (in each page's language)."""
    from crossings import i18n

    monkeypatch.setattr(i18n, "STRINGS", {"en": {"stories": "Stories"}, "ar": {"stories": "قصص"}})
    import crossings.render

    monkeypatch.setattr(crossings.render, "STRINGS", i18n.STRINGS)
    fill(project.root)
    write_pyproject(project.root, interface_languages=["fr", "ar"])
    template = project.root / "templates" / "browse.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</ul>\n</div>", "</ul>\n  <p>{{ t.stories }}</p>\n</div>"), encoding="utf-8")
    assert project.run("build")[0] == 0
    assert "<p>قصص</p>" in (project.out / "ar/browse/index.html").read_text(encoding="utf-8")
    assert "<p>Stories</p>" in (project.out / "browse/index.html").read_text(encoding="utf-8")


@pytest.fixture
def shipped() -> Iterator[Path]:
    yield REPO / "locales"


def test_the_shipped_catalogs_are_up_to_date_with_the_templates(shipped: Path, tmp_path: Path) -> None:
    """locales/messages.pot is what extraction gives now; every shipped catalog translates all of it."""
    from crossings.catalogs import extract

    copy = tmp_path / "locales"
    shutil.copytree(shipped, copy)
    extract(REPO, REPO / "templates", copy)
    assert (copy / "messages.pot").read_bytes() == (shipped / "messages.pot").read_bytes(), "run python -m crossings.catalogs extract"
    for lang in ("fr", "es", "ar"):
        assert po_path(copy, lang).read_bytes() == po_path(shipped, lang).read_bytes(), lang
    catalogs = load_catalogs(shipped)
    assert catalogs.problems == [] and sorted(catalogs.catalogs) == ["ar", "es", "fr"]
    assert not list(shipped.rglob("*.mo"))  # compiled in memory, never committed

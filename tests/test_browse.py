"""Browsing, feeds, metadata, citations and exports, checked on real built output under a subpath."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
import xmlschema

from crossings.linkcheck import check_site

from .conftest import FIXTURES, SUBPATH_URL, Project, entries
from .validators import ATOM, atom_problems, json_feed_problems

OK_SEEDS = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))
SITEMAP_SCHEMA = FIXTURES / "schemas" / "sitemap.xsd"
HAND = """---
title: "=HYPERLINK(\\"http://evil.example\\") <b>and</b> </script>"
date: 2023-02-10
source: https://www.example.org/other?x=1&y=2
source_name: example.org
lang: fr
countries: [MA, ES]
organizations: [IOM]
tags: [asile, Ceuta]
---

Un article écrit à la main sur le Maroc, l'Espagne et l'OIM.
"""


@pytest.fixture
def site(project: Project) -> Project:
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    (project.content / "hand.md").write_text(HAND, encoding="utf-8")
    for i in range(25):
        (project.content / f"more-{i:02d}.md").write_text(
            f"---\ntitle: Maroc, article {i}\ndate: 2022-{i % 12 + 1:02d}-{i + 1:02d}\nlang: fr\ncountries: [MA]\ntags: [asile]\n---\n\nTexte {i} sur le Maroc.\n", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    return project


def html(project: Project, rel: str) -> str:
    return (project.out / rel).read_text(encoding="utf-8")


def article(project: Project, word: str) -> str:
    [path] = list((project.out / "articles").glob(f"*{word}*/index.html"))
    return path.read_text(encoding="utf-8")


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.jsonld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta":
            key = values.get("name") or values.get("property")
            self.meta.setdefault(key, []).append(values.get("content"))
        elif tag == "link":
            self.links.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.jsonld.append(data)


def parse(text: str) -> Collect:
    collector = Collect()
    collector.feed(text)
    return collector


def test_every_facet_has_pages_and_every_link_resolves(site: Project) -> None:
    for kind in ("countries", "organizations", "sources", "languages", "tags"):
        assert (site.out / kind / "index.html").exists()
    morocco = html(site, "countries/ma/index.html")
    assert "<h1>Maroc</h1>" in morocco
    assert entries(morocco) == 29  # 29 articles, 20 a page: the first page holds up to 39
    assert not (site.out / "countries/ma/page").exists()
    overview = html(site, "countries/index.html")
    assert re.search(r'href="/crossings-test/countries/ma/">Maroc</a> <span class="count">29<', overview)
    assert (site.out / "organizations/iom/index.html").exists() and (site.out / "sources/yabiladi/index.html").exists()
    assert (site.out / "languages/ar/index.html").exists() and (site.out / "tags/asile/index.html").exists()
    assert check_site(site.out, SUBPATH_URL) == []


def test_article_pages_link_to_their_facets_and_related_articles(site: Project) -> None:
    page = article(site, "maroc-l-oim")
    for link in ('href="/crossings-test/countries/ma/">Maroc<', 'href="/crossings-test/organizations/iom/">Organisation internationale pour les migrations (OIM)<',
                 'href="/crossings-test/sources/yabiladi/">Yabiladi<', 'href="/crossings-test/languages/fr/">Français<'):
        assert link in page
    related = page.split('<section class="related"', 1)[1].split("</section>", 1)[0]
    titles = re.findall(r'<h3[^>]*><a href="[^"]+">([^<]+)</a>', related)
    assert 1 <= len(titles) <= 5
    # The Arabic report of the same dialogue (Morocco, the IOM, the same day) is other coverage of this
    # event, listed above the related articles, and not repeated among them.
    arabic = "المغرب: المنظمة الدولية للهجرة تعقد حوارا إقليميا حول الميثاق العالمي للهجرة"
    assert arabic not in titles
    coverage = page.split('<section class="story-coverage"', 1)[1].split("</section>", 1)[0]
    assert page.index('<section class="story-coverage"') < page.index('<section class="related"')
    assert re.search(r'<a href="/crossings-test/articles/2023-01-27-lmgrb[^"]*/" lang="ar" dir="rtl">' + arabic + "</a>", coverage)


def test_coverage_charts_are_svg_with_titles_and_tables(site: Project) -> None:
    page = html(site, "coverage/index.html")
    assert '<svg viewBox="0 0 960 220" role="img" aria-labelledby="chart-months-title chart-months-desc"' in page
    assert '<title id="chart-months-title">Articles par mois</title>' in page
    assert "<caption>Articles par mois</caption>" in page
    assert "<script" not in page
    table = page.split("<caption>Pays</caption>", 1)[1].split("</table>", 1)[0]
    assert re.search(r'countries/ma/">Maroc</a></th><td>29</td>', table)


def test_feeds_are_valid_and_advertised(site: Project) -> None:
    feed = (site.out / "feed.xml").read_bytes()
    assert atom_problems(feed) == []
    root = ElementTree.fromstring(feed)
    entries = root.findall(ATOM + "entry")
    assert len(entries) == 31
    reference = next(e for e in entries if "Maroc : L'OIM" in e.findtext(ATOM + "title"))
    assert reference.findtext(ATOM + "id") == SUBPATH_URL + "articles/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations/"
    assert reference.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert reference.findtext(ATOM + "published") == "2023-01-27T00:00:00+01:00"
    assert "leurs gouvernements respectifs" in reference.findtext(ATOM + "content")
    assert any(link.get("rel") == "related" and link.get("href").startswith("https://www.yabiladi.com/") for link in reference.findall(ATOM + "link"))
    for rel in ("countries/ma/feed.xml", "organizations/iom/feed.xml", "sources/yabiladi/feed.xml", "languages/ar/feed.xml", "tags/asile/feed.xml"):
        assert atom_problems((site.out / rel).read_bytes()) == [], rel
    facet_entries = ElementTree.fromstring((site.out / "countries/ma/feed.xml").read_bytes()).findall(ATOM + "entry")
    assert len(facet_entries) == 29
    # a facet value's feed carries summaries, the site's feed the full text
    assert all(e.find(ATOM + "content") is None and e.findtext(ATOM + "summary") for e in facet_entries)
    assert all(e.find(ATOM + "content") is not None for e in entries)
    assert json_feed_problems((site.out / "feed.json").read_bytes()) == []
    items = json.loads((site.out / "feed.json").read_bytes())["items"]
    assert {i["language"] for i in items} == {"fr", "en", "es", "ar"} and all(i["content_html"] for i in items)
    home = parse(html(site, "index.html")).links
    assert {"rel": "alternate", "type": "application/atom+xml", "title": "Crossings test — Derniers articles (Atom)", "href": "/crossings-test/feed.xml"} in home
    facet = parse(html(site, "countries/ma/index.html")).links
    assert any(link.get("href") == "/crossings-test/countries/ma/feed.xml" and link.get("rel") == "alternate" for link in facet)


def test_more_than_fifty_articles_give_the_latest_fifty(project: Project) -> None:
    for i in range(60):
        (project.content / f"a{i:02d}.md").write_text(f"---\ntitle: Article {i}\ndate: 2020-01-{i % 28 + 1:02d}\n---\n\nText.\n", encoding="utf-8")
    project.run("build")
    assert len(ElementTree.fromstring((project.out / "feed.xml").read_bytes()).findall(ATOM + "entry")) == 50


def test_sitemap_and_robots(site: Project) -> None:
    sitemap = site.out / "sitemap.xml"
    xmlschema.XMLSchema(str(SITEMAP_SCHEMA)).validate(str(sitemap))
    locations = [e.text for e in ElementTree.fromstring(sitemap.read_bytes()).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*.html")} - {"404.html"}
    assert sorted(locations) == sorted(SUBPATH_URL + (p[:-len("index.html")] if p.endswith("index.html") else p) for p in pages)
    assert f"<loc>{SUBPATH_URL}articles/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations/</loc><lastmod>2023-01-27</lastmod>" in sitemap.read_text()
    assert (site.out / "robots.txt").read_text() == f"User-agent: *\nAllow: /\n\nSitemap: {SUBPATH_URL}sitemap.xml\n"


def test_article_metadata_for_search_engines_and_reference_managers(site: Project) -> None:
    found = parse(article(site, "maroc-l-oim"))
    url = SUBPATH_URL + "articles/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations/"
    assert found.meta["citation_title"] == ["Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations"]
    assert found.meta["citation_publication_date"] == ["2023/01/27"] and found.meta["citation_language"] == ["fr"]
    assert found.meta["og:type"] == ["article"] and found.meta["og:url"] == [url]
    assert {"rel": "canonical", "href": url} in found.links
    [ld] = [json.loads(text) for text in found.jsonld]
    assert ld["@type"] == "NewsArticle" and ld["headline"].startswith("Maroc : L'OIM") and ld["datePublished"] == "2023-01-27"
    assert ld["inLanguage"] == "fr" and ld["isBasedOn"].startswith("https://www.yabiladi.com/articles/details/136423/")
    assert ld["about"] == [{"@type": "Country", "name": "Maroc", "identifier": "MA"}]
    assert set(ld) == {"@context", "@type", "headline", "datePublished", "inLanguage", "url", "publisher", "isPartOf", "isBasedOn", "about"}
    assert ld["publisher"] == {"@type": "Organization", "name": "Yabiladi", "url": "https://www.yabiladi.com/"}
    assert found.meta["citation_publisher"] == ["Yabiladi"] and found.meta["citation_journal_title"] == ["Yabiladi"]


def test_citations(site: Project) -> None:
    page = article(site, "maroc-l-oim")
    assert "<bdi>Yabiladi</bdi>. « <span lang=\"fr\" dir=\"ltr\">Maroc : L&#39;OIM tient un dialogue interrégional sur le Pacte sur les migrations</span> », 27 janvier 2023." in page
    bib = (site.out / "articles/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations/citation.bib").read_text()
    assert bib.startswith("@online{crossings:2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations,\n")
    assert "  title = {{Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations}},\n" in bib
    assert "  date = {2023-01-27},\n  year = {2023},\n  month = {jan},\n" in bib
    assert "  organization = {Yabiladi},\n  url = {https://www.yabiladi.com/articles/details/136423/maroc-l-oim-tient-dialogue-interregional.html},\n" in bib
    assert "  langid = {french},\n" in bib and "  keywords = {MA, IOM, UNNM, UN, AU}\n" in bib
    archive = (site.out / "data/articles.bib").read_text()
    assert archive.count("@online{") == 31
    assert archive.count("{") == archive.count("}")
    hand = next(e for e in archive.split("@online") if "HYPERLINK" in e)
    assert 'title = {{=HYPERLINK("http://evil.example") <b>and</b> </script>}}' in hand


def test_csv_and_json_exports(site: Project) -> None:
    raw = (site.out / "data/articles.csv").read_bytes()
    assert raw.count(b"\r\n") == 32 and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == 31 and list(rows[0]) == ["id", "url", "date", "title", "lang", "source_name", "source_host", "source", "countries", "organizations", "tags", "seed", "story", "same_text"]
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    hand = next(r for r in rows if "HYPERLINK" in r["title"])
    assert hand["title"].startswith("'=HYPERLINK(")  # no formula for a spreadsheet
    assert hand["countries"] == "MA;ES" and hand["tags"] == "asile;Ceuta"
    index = json.loads((site.out / "data/index.json").read_bytes())
    assert index["count"] == 31 and sum(y["count"] for y in index["years"]) == 31
    assert index["combined"] == {"csv": "data/articles.csv", "bib": "data/articles.bib"}
    assert {k: v for k, v in index["stories"].items() if k != "fields"} == {"csv": "data/stories.csv", "json": "data/stories.json"}
    assert list(index["fields"]) == list(rows[0]) + ["text"] and "members" in index["stories"]["fields"]
    articles = []
    for year in index["years"]:  # oldest first; each file as the index describes it
        for kind in ("csv", "jsonl"):
            data = (site.out / year[kind]["path"]).read_bytes()
            assert (len(data), hashlib.sha256(data).hexdigest()) == (year[kind]["bytes"], year[kind]["sha256"])
            assert year[kind]["url"] == SUBPATH_URL + year[kind]["path"]
        assert year["jsonl"]["path"] == f"data/{year['year']}.jsonl.gz"
        lines = gzip.decompress((site.out / year["jsonl"]["path"]).read_bytes()).decode("utf-8").splitlines()
        assert len(lines) == year["count"] and all(json.loads(line)["date"].startswith(str(year["year"])) for line in lines)
        articles += [json.loads(line) for line in lines]
        year_rows = list(csv.DictReader(io.StringIO((site.out / year["csv"]["path"]).read_text(encoding="utf-8"), newline="")))
        assert year_rows == [r for r in rows if r["date"].startswith(str(year["year"]))]
    assert [a["id"] for a in articles] == [r["id"] for r in rows]
    assert not (site.out / "data/articles.json").exists()
    reference = next(a for a in articles if a["seed"] == "000_0a1c3472872379bf")
    assert reference["countries"] == ["MA"] and reference["organizations"] == ["IOM", "UNNM", "UN", "AU"]
    assert (reference["source_name"], reference["source_host"]) == ("Yabiladi", "www.yabiladi.com")
    assert {(r["source_name"], r["source_host"]) for r in rows if r["seed"] == "000_0a1c3472872379bf"} == {("Yabiladi", "www.yabiladi.com")}
    assert "leurs gouvernements respectifs" in reference["text"] and reference["url"].startswith(SUBPATH_URL)
    page = html(site, "data/index.html")
    assert '<a href="/crossings-test/data/2023.jsonl.gz" download>2023.jsonl.gz</a>' in page
    assert '<a href="/crossings-test/data/index.json" download>data/index.json</a>' in page
    for field in ("id", "url", "date", "title", "lang", "source_name", "source_host", "source", "countries", "organizations", "tags", "seed",
                  "story", "same_text", "text", "first", "last", "articles", "outlets", "languages", "members"):
        assert f"<code>{field}</code>" in page
    # the site's language is French: the root's data page documents the fields in French (English under en/ with interface_languages)
    assert "les plus centraux d’abord\u00a0: ceux nommés dans le titre, puis ceux nommés dans le premier paragraphe" in page
    assert index["fields"]["countries"].startswith("Countries the article mentions, ISO 3166-1 alpha-2 codes")  # the files stay in English
    # the French and the Arabic report of the dialogue in Morocco are one story, named after the first (by date, then id)
    story = "2023-01-27-lmgrb-lmnzm-ldwly-llhjr-t-qd-hwr-qlymy-hwl-lmythq-l-lmy-llhjr"
    assert reference["story"] == story and reference["same_text"] == []
    assert {r["id"] for r in rows if r["story"] == story} == {story, reference["id"]}
    stories = list(csv.DictReader(io.StringIO((site.out / "data/stories.csv").read_bytes().decode("utf-8"), newline="")))
    assert [(s["id"], s["articles"], s["outlets"], s["languages"], s["members"]) for s in stories] == [
        (story, "2", "2", "ar;fr", f"{story};{reference['id']}")]
    document = json.loads((site.out / "data/stories.json").read_bytes())
    assert document["count"] == 1 and [m["id"] for m in document["stories"][0]["members"]] == [story, reference["id"]]
    assert document["stories"][0]["title"] == "Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations"  # the site's language


def test_scraped_text_is_escaped_in_every_context(site: Project) -> None:
    page = html(site, "articles/hand/index.html")
    assert "<b>and</b>" not in page and "</script> »" not in page
    head = page.split("</head>", 1)[0]
    assert 'content="=HYPERLINK(&#34;http://evil.example&#34;) &lt;b&gt;and&lt;/b&gt; &lt;/script&gt;"' in head
    ld = head.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "</" not in ld and "<b>" not in ld
    assert json.loads(ld)["headline"] == '=HYPERLINK("http://evil.example") <b>and</b> </script>'
    for rel in ("feed.xml", "countries/ma/feed.xml", "tags/asile/feed.xml"):
        titles = [e.findtext(ATOM + "title") for e in ElementTree.fromstring((site.out / rel).read_bytes()).iter(ATOM + "entry")]
        assert '=HYPERLINK("http://evil.example") <b>and</b> </script>' in titles
    sitemap = (site.out / "sitemap.xml").read_text()
    assert "<b>" not in sitemap


def test_the_facets_group_articles_by_value_slug_first_key_kept_each_article_once() -> None:
    """``facet_groups``: one group per value's address (keys that make the same slug share it, under the first
    key met), its articles in the order given, each once even when the article names the value twice."""
    import datetime as dt

    from crossings.articles import Article
    from crossings.facets import facet_groups
    from crossings.library import Record

    def record(slug, **fields):
        article = Article(f"content/{slug}.md", slug, slug, dt.date(2024, 1, 1), fields.pop("lang", "fr"), "", **fields)
        return Record(article, f"{slug}.md", "sha", "", "v")

    a = record("a", countries=("MA", "ES"), tags=("Asile", "asile", "Ceuta"), source_name="El País", organizations=("IOM",))
    b = record("b", lang="en", countries=("ES",), tags=("asile",), source_name="")
    c = record("c", countries=("MA",), tags=("ceuta",), source_name="El País", organizations=("IOM", "UNHCR"))
    groups = facet_groups([a, b, c])
    shown = {kind: {slug: (key, [r.article.slug for r in items]) for slug, (key, items) in values.items()} for kind, values in groups.items()}
    assert shown == {
        "countries": {"ma": ("MA", ["a", "c"]), "es": ("ES", ["a", "b"])},
        "organizations": {"iom": ("IOM", ["a", "c"]), "unhcr": ("UNHCR", ["c"])},
        "sources": {"el-pais": ("El País", ["a", "c"])},
        "languages": {"fr": ("fr", ["a", "c"]), "en": ("en", ["b"])},
        "tags": {"asile": ("Asile", ["a", "b"]), "ceuta": ("Ceuta", ["a", "c"])},
    }
    assert [list(values) for values in groups.values()] == [["ma", "es"], ["iom", "unhcr"], ["el-pais"], ["fr", "en"], ["asile", "ceuta"]]

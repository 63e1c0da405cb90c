"""Publishers have names: the table, the Public Suffix List fallback, and every place a source is shown."""

from __future__ import annotations

import csv
import io
import gzip
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import pytest

from crossings import publishers
from crossings.config import load_config
from crossings.watch import TABLES, route

from .conftest import FIXTURES, REFERENCE_SEED, REPO, Project, entries
from .test_incremental import assert_exact
from .validators import ATOM

TABLE = REPO / "publishers.toml"
REFERENCE = (FIXTURES / "seeds" / "ok" / f"{REFERENCE_SEED}.txt").read_bytes()
REFERENCE_MD = "2023/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations.md"


@pytest.fixture(scope="module")
def shipped() -> publishers.Table:
    return publishers.parse(TABLE.read_bytes(), "publishers.toml")


def table(text: str) -> publishers.Table:
    return publishers.parse(text.encode("utf-8"), "publishers.toml")


def english_seed(seq: str = "001_1111111111111111") -> tuple[str, bytes]:
    """The reference seed as Yabiladi's English edition published it: another article, another subdomain."""
    data = (REFERENCE.replace(b"https://www.yabiladi.com/articles/details/136423/", b"https://en.yabiladi.com/articles/details/136500/")
            .replace("Maroc : L'OIM tient".encode(), "Morocco: IOM holds".encode()))
    return f"{seq}.txt", data


# --- matching -------------------------------------------------------------------------------

@pytest.mark.parametrize("url, name", [
    ("https://www.yabiladi.com/articles/details/136423/x.html", "Yabiladi"),  # www
    ("https://en.yabiladi.com/articles/details/1/x.html", "Yabiladi"),  # another subdomain, same outlet
    ("https://yabiladi.com/x", "Yabiladi"),  # the bare domain
    ("https://WWW.YABILADI.COM./x", "Yabiladi"),  # case and a final dot
    ("https://fr.le360.ma/societe/x", "Le360"),
    ("https://fr.hespress.com/1.html", "Hespress"),
    ("https://en.hespress.com/1.html", "Hespress"),
    ("https://irishtimes-irishtimes-prod.cdn.arcpublishing.com/world/x", "The Irish Times"),  # a CDN host, listed
    ("https://www.irishtimes.com/world/x", "The Irish Times"),
    ("https://www-lemonde-fr.cdn.ampproject.org/c/s/www.lemonde.fr/afrique/x.html", "Le Monde"),  # AMP cache, decoded
    ("https://www-tsa--algerie-com.cdn.ampproject.org/v/s/www.tsa-algerie.com/x/", "TSA"),  # '--' is a hyphen
    ("https://elpais-com.bing-amp.com/x", "El País"),
    ("https://www.google.com/amp/s/www.rfi.fr/fr/afrique/x", "RFI"),  # Google's AMP viewer
    ("https://www.jeuneafrique.com/1/x/", "Jeune Afrique"),
    ("https://news.un.org/fr/story/x", "UN News"),  # the longest listed host wins…
    ("https://www.un.org/fr/x", "United Nations"),  # …over its parent
    ("https://www.businessnews.com.tn/x", "Business News"),
    ("https://www.bbc.co.uk/news/x", "BBC"),
])
def test_a_host_and_all_its_subdomains_give_one_name(shipped: publishers.Table, url: str, name: str) -> None:
    assert shipped.name_of(url) == name


@pytest.mark.parametrize("url, name", [
    ("https://fr.lapresse.it/x", "lapresse.it"),
    ("https://news.example.co.uk/x", "example.co.uk"),  # two-part public suffixes
    ("https://www.example.com.tn/x", "example.com.tn"),
    ("https://www.sante.gov.ma/x", "sante.gov.ma"),
    ("https://a.b.example.org/x", "example.org"),
    ("https://someone.blogspot.com/x", "someone.blogspot.com"),  # a private suffix: each blog is its own publisher
    ("https://irishtimes-elsewhere.cdn.arcpublishing.com/x", "arcpublishing.com"),  # an unlisted CDN host
    ("https://xn--mnchen-3ya.de/x", "münchen.de"),  # shown in Unicode
    ("http://127.0.0.1:8000/x", "127.0.0.1"),
    ("http://localhost/x", "localhost"),
    ("", ""),
])
def test_an_unknown_host_is_named_by_its_registrable_domain(shipped: publishers.Table, url: str, name: str) -> None:
    assert shipped.name_of(url) == name


def test_the_public_suffix_list_is_read_without_network_or_cache_files(tmp_path: Path) -> None:
    """A fresh interpreter with every connection refused and an empty home: names still come, nothing is written."""
    home = tmp_path / "home"
    home.mkdir()
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from crossings import publishers\n"
        "print(publishers.EMPTY.name_of('https://fr.lapresse.it/x'), publishers.EMPTY.name_of('https://a.gov.ma/'))\n"
    )
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["lapresse.it", "a.gov.ma"]
    assert list(home.rglob("*")) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_the_public_suffix_list_is_read_as_tldextract_reads_it() -> None:
    """Hosts are split by the Public Suffix List as tldextract splits them (its snapshot, read by us without
    importing tldextract and requests): every rule of the list, as a host, under a name, under two, in capitals,
    wildcards and their exceptions, Punycode and Unicode labels, addresses, ports, odd dots, and random mixes."""
    import random

    extractor = publishers._extractor()
    rules = [m.group("suffix") for m in publishers.PUBLIC_SUFFIX.finditer(
        (Path(publishers.find_spec_origin("tldextract")).parent / ".tld_set_snapshot").read_text(encoding="utf-8"))]
    assert len(rules) > 5000
    hosts = {"", ".", "..", "localhost", "127.0.0.1", "1.2.3.4.5", "256.1.1.1", "0.0.0.0", "[::1]", "::1", "[::1]:80", "a..b.com",
             "com.", "http://x.co.uk/p", "//x.co.uk", "user@x.com:80", "xn--.com", "xn--zz.xn--p1ai", "EXAMPLE.COM", "a.ck", "www.ck",
             "b.www.ck", "x.y.kawasaki.jp", "city.kawasaki.jp", "bücher.de", "例え.テスト", "a\u3002b\uff0ecom", "blogspot.com",
             "x.blogspot.com", "www.bbc.co.uk", "fr.lapresse.it"}
    for rule in rules:
        bare = rule.lstrip("!").replace("*", "x")
        hosts.update((rule, bare, f"example.{bare}", f"a.b.{bare}", f"foo.{rule}", bare.upper(), f"xn--bcher-kva.{bare}"))
    pick = random.Random(13)
    labels = ["a", "com", "co", "uk", "xn--p1ai", "рф", "ck", "www", "jp", "kawasaki", "city", "1", "256", "*", "!www", "gov", "ma"]
    hosts.update(".".join(pick.choice(labels) for _ in range(pick.randint(1, 5))) for _ in range(5000))
    differ = [(host, (found.suffix, found.domain), publishers.split_host(host)) for host in sorted(hosts)
              if ((found := extractor(host)).suffix, found.domain) != publishers.split_host(host)]
    assert differ == []


# --- the shipped table ----------------------------------------------------------------------

def test_the_shipped_table_is_clean_and_covers_the_field(shipped: publishers.Table) -> None:
    assert shipped.problems == []
    assert len(shipped.publishers) >= 60
    names = {p.name for p in shipped.publishers}
    assert {"The Irish Times", "Le360", "Yabiladi", "El País", "Hespress", "RFI", "Jeune Afrique", "IOM", "UNHCR", "MSF", "AFP", "Reuters",
            "Al Jazeera", "ANSA", "MAP", "Algérie Presse Service", "Agence de presse sénégalaise"} <= names
    for language in ("fr", "en", "es", "ar"):
        assert sum(language in p.languages for p in shipped.publishers) >= 20, language
    countries = {p.country for p in shipped.publishers}
    assert {"MA", "DZ", "TN", "MR", "ML", "SN", "ES", "FR", "IT", "QA", "AE", "GB"} <= countries
    slugs = [p.slug for p in shipped.publishers]
    assert len(slugs) == len(set(slugs))  # one source page per publisher


def test_the_example_in_the_issue_stays_a_fallback(shipped: publishers.Table) -> None:
    assert shipped.find("fr.lapresse.it") is None


# --- checking the table ---------------------------------------------------------------------

BAD_TABLE = """\
# a comment
[[publisher]]
name = "Yabiladi"
hosts = ["yabiladi.com", "www.yabiladi.com", "yabiladi.com"]
country = "MAR"
languages = ["fr", "french"]
website = "https://www.yabiladi.com/"

[[publisher]]
name = "Yabiladi English"
hosts = ["en.yabiladi.com", "yabiladi.com"]

[[publisher]]
name = "Nobody"

[[publisher]]
hosts = ["example.org"]

[[publisher]]
name = "Bad hosts"
hosts = ["https://www.lemonde.fr/afrique/", "co.uk", "under_score.example"]

[[publisher]]
name = "YABILADI"
hosts = ["yabiladi.ma"]

[outlets]
x = 1
"""


def test_every_problem_in_the_table_is_reported_with_its_line() -> None:
    found = table(BAD_TABLE)
    assert [str(p) for p in found.problems] == [
        "publishers.toml:27: warning: unknown section or key 'outlets' (ignored) — each outlet is a [[publisher]] block with name, hosts, country and languages",
        "publishers.toml:7: warning: unknown key 'website' in a publisher (ignored) — known keys: name, hosts, country, languages",
        "publishers.toml:4: warning: 'www.yabiladi.com' covers only that host and its subdomains, not yabiladi.com (in 'Yabiladi') — write \"yabiladi.com\" to cover every host of the site",
        "publishers.toml:4: warning: 'yabiladi.com' is listed twice for 'Yabiladi' — list it once",
        "publishers.toml:5: warning: 'MAR' is not an ISO 3166-1 country code (in 'Yabiladi'; ignored) — write country = \"MA\"",
        "publishers.toml:6: warning: 'languages' of 'Yabiladi' must be ISO 639-1 codes (ignored) — write languages = [\"fr\", \"ar\"]",
        "publishers.toml:11: error: host 'yabiladi.com' is listed for 'Yabiladi' (line 2) and again for 'Yabiladi English' — keep it under one publisher; meanwhile it stays with 'Yabiladi'",
        "publishers.toml:13: error: 'Nobody' has no list of hosts (left out) — write hosts = [\"yabiladi.com\"]",
        "publishers.toml:16: error: a publisher has no name (left out) — give it one: name = \"Yabiladi\"",
        "publishers.toml:21: error: 'https://www.lemonde.fr/afrique/' is not a host name (in 'Bad hosts') — write the host alone, e.g. \"www.lemonde.fr\"",
        "publishers.toml:21: error: 'co.uk' is a public suffix: it would cover every site under it (in 'Bad hosts') — list the outlet's own domain, e.g. sante.gov.ma",
        "publishers.toml:21: error: 'under_score.example' is not a host name (in 'Bad hosts') — a host is like lemonde.fr: letters, digits, '-' and dots",
        "publishers.toml:21: error: 'Bad hosts' has no usable host (left out) — write hosts = [\"yabiladi.com\"]",
        "publishers.toml:23: warning: 'YABILADI' and 'Yabiladi' (line 2) share one source page (sources/yabiladi/) — give one publisher all its hosts, or tell the names apart",
    ]
    # what is good is used: the first publisher keeps its hosts, the second its own one
    assert found.name_of("https://en.yabiladi.com/x") == "Yabiladi English"
    assert found.name_of("https://www.yabiladi.com/x") == "Yabiladi"
    assert found.find("www.yabiladi.com").country == "" and found.find("yabiladi.com").languages == ()
    assert found.name_of("https://www.lemonde.fr/x") == "lemonde.fr"


@pytest.mark.parametrize("raw, message", [
    (b'[[publisher]]\nname = "A"\nhosts = ["a.com"\n', "publishers.toml:3: error: not valid TOML: Unclosed array (at end of document) — fix the syntax"),
    (b'[[publisher]]\nname = "A" "B"\nhosts = ["a.com"]\n', "publishers.toml:2: error: not valid TOML: "),
    ("name = 'é'".encode("latin-1"), "publishers.toml: error: not UTF-8 (invalid continuation byte at byte 8)"),
    (b"publisher = 3\n", "publishers.toml: error: 'publisher' must be a list of [[publisher]] blocks"),
])
def test_a_broken_table_names_nobody_and_says_why(raw: bytes, message: str) -> None:
    found = publishers.parse(raw, "publishers.toml")
    assert len(found.problems) == 1 and str(found.problems[0]).startswith(message)
    assert found.publishers == [] and found.name_of("https://www.yabiladi.com/") == "yabiladi.com"


def test_a_bad_table_is_reported_by_the_build_without_a_traceback(project: Project) -> None:
    project.add_seed(f"{REFERENCE_SEED}.txt", REFERENCE)
    (project.root / "publishers.toml").write_text('[[publisher]]\nname = "Yabiladi"\nhosts = ["yabiladi.com"]\n\n[[publisher]]\nname = "Other"\nhosts = ["yabiladi.com"]\n', encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 1
    assert err.splitlines()[0] == ("publishers.toml:7: error: host 'yabiladi.com' is listed for 'Yabiladi' (line 1) and again for 'Other' — "
                                   "keep it under one publisher; meanwhile it stays with 'Yabiladi'")
    assert "Traceback" not in err and (project.out / "sources/yabiladi/index.html").exists()
    # said again on the next run (remembered by the cache), and gone once fixed
    status, _, err = project.run("build")
    assert status == 1 and "publishers.toml:7: error" in err
    (project.root / "publishers.toml").write_text('[[publisher]]\nname = "Yabiladi"\nhosts = ["yabiladi.com"]\n', encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0 and err == ""


def test_the_setting_names_the_file(project: Project) -> None:
    (project.root / "tables").mkdir()
    (project.root / "tables" / "outlets.toml").write_text('[[publisher]]\nname = "Yabiladi, Morocco"\nhosts = ["yabiladi.com"]\n', encoding="utf-8")
    (project.root / "pyproject.toml").write_text((project.root / "pyproject.toml").read_text() + 'publishers_file = "tables/outlets.toml"\n', encoding="utf-8")
    project.add_seed(f"{REFERENCE_SEED}.txt", REFERENCE)
    project.run("import")
    assert "\nsource_name: Yabiladi, Morocco\n" in (project.content / REFERENCE_MD).read_text(encoding="utf-8")
    config = project.config()
    assert route(project.root / "tables" / "outlets.toml", config, project.root / "pyproject.toml").kind == TABLES
    assert route(project.root / "entities.toml", config, project.root / "pyproject.toml").kind == TABLES


# --- import, pages, exports -----------------------------------------------------------------

def test_import_writes_the_name_and_one_source_page_holds_both_subdomains(project: Project) -> None:
    project.add_seed(f"{REFERENCE_SEED}.txt", REFERENCE)
    project.add_seed(*english_seed())
    status, _, err = project.run("build")
    assert status == 0, err
    texts = [text.decode("utf-8") for text in project.content_files().values()]
    assert len(texts) == 2 and all("\nsource_name: Yabiladi\n" in text for text in texts)
    assert sorted(p.name for p in (project.out / "sources").iterdir() if p.is_dir()) == ["yabiladi"]
    page = (project.out / "sources/yabiladi/index.html").read_text(encoding="utf-8")
    assert "<h1>Yabiladi</h1>" in page and entries(page) == 2
    assert '<a href="/crossings-test/sources/yabiladi/">Yabiladi</a> <span class="count">2<' in (project.out / "sources/index.html").read_text(encoding="utf-8")
    feed = ElementTree.fromstring((project.out / "sources/yabiladi/feed.xml").read_bytes())
    assert len(feed.findall(ATOM + "entry")) == 2
    # the export keeps each article's own host beside the publisher's name
    rows = list(csv.DictReader(io.StringIO((project.out / "data/articles.csv").read_text(encoding="utf-8"), newline="")))
    assert sorted((r["source_name"], r["source_host"]) for r in rows) == [("Yabiladi", "en.yabiladi.com"), ("Yabiladi", "www.yabiladi.com")]
    data = [json.loads(line) for path in (project.out / "data").glob("*.jsonl.gz") for line in gzip.decompress(path.read_bytes()).splitlines()]
    assert sorted(a["source_host"] for a in data) == ["en.yabiladi.com", "www.yabiladi.com"]
    index = json.loads((project.out / "data/index.json").read_bytes())
    assert "source_host" in index["fields"] and "<code>source_host</code>" in (project.out / "data/index.html").read_text(encoding="utf-8")
    # the citation names the publisher and keeps the full address
    [english] = [p for p in (project.out / "articles").glob("*morocco*/citation.bib")]
    bib = english.read_text(encoding="utf-8")
    assert "  organization = {Yabiladi},\n  url = {https://en.yabiladi.com/articles/details/136500/maroc-l-oim-tient-dialogue-interregional.html},\n" in bib


def test_a_change_of_the_table_renames_unedited_articles_only(project: Project) -> None:
    project.add_seed(f"{REFERENCE_SEED}.txt", REFERENCE)
    project.add_seed(*english_seed())
    project.run("import")
    [edited] = [p for p in project.content.rglob("*.md") if "morocco" in p.name]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Morocco: IOM holds", "Morocco: the IOM holds"), encoding="utf-8")
    before = edited.read_bytes()
    status, out, _ = project.run("import")
    assert status == 0 and "0 imported" in out  # nothing to do
    path = project.root / "publishers.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "Yabiladi"', 'name = "Yabiladi.com"'), encoding="utf-8")
    status, out, _ = project.run("import")
    assert status == 0 and out.startswith("import: 1 imported, 1 skipped (0 unchanged, 1 edited")
    assert "\nsource_name: Yabiladi.com\n" in (project.content / REFERENCE_MD).read_text(encoding="utf-8")
    assert edited.read_bytes() == before  # the editor's file is theirs
    status, out, _ = project.run("import")
    assert "0 imported" in out  # and again: nothing more


HAND = """---
title: Written by hand
date: 2024-06-01
lang: en
source: https://{host}/a/1.html
{name}---

An article an editor wrote, with a source.
"""


def test_hand_written_articles_are_named_too_and_incremental_builds_stay_exact(project: Project, tmp_path: Path) -> None:
    project.add_seed(f"{REFERENCE_SEED}.txt", REFERENCE)
    (project.content / "hand.md").write_text(HAND.format(host="en.yabiladi.com", name=""), encoding="utf-8")  # no name: from the table
    (project.content / "old.md").write_text(HAND.format(host="fr.le360.ma", name="source_name: fr.le360.ma\n").replace("2024-06-01", "2024-05-01"),
                                            encoding="utf-8")  # the host, as import wrote before publishers had names
    (project.content / "own.md").write_text(HAND.format(host="www.lemonde.fr", name="source_name: Le Monde Afrique\n").replace("2024-06-01", "2024-04-01"),
                                            encoding="utf-8")  # an editor's own name is kept
    assert_exact(project, tmp_path)
    assert entries((project.out / "sources/yabiladi/index.html").read_text(encoding="utf-8")) == 2
    assert "Le360" in (project.out / "articles/old/index.html").read_text(encoding="utf-8")
    assert (project.out / "sources/le-monde-afrique/index.html").exists() and not (project.out / "sources/le-monde/index.html").exists()
    # the table changes: every page naming Yabiladi follows, hand-written ones included
    path = project.root / "publishers.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "Yabiladi"', 'name = "Yabiladi (Maroc)"'), encoding="utf-8")
    assert_exact(project, tmp_path)
    assert not (project.out / "sources/yabiladi").exists()
    assert entries((project.out / "sources/yabiladi-maroc/index.html").read_text(encoding="utf-8")) == 2
    hand = (project.out / "articles/hand/index.html").read_text(encoding="utf-8")
    assert 'rel="external noopener">Yabiladi (Maroc)</a>' in hand
    assert "Yabiladi (Maroc)" in (project.out / "articles/hand/citation.bib").read_text(encoding="utf-8")
    assert any("Yabiladi (Maroc)" in gzip.decompress(p.read_bytes()).decode("utf-8") for p in (project.out / "data").glob("*.jsonl.gz"))
    # a change only a hand-written article feels
    path.write_text(path.read_text(encoding="utf-8").replace('name = "Le360"', 'name = "Le 360"'), encoding="utf-8")
    assert_exact(project, tmp_path)
    assert "Le 360" in (project.out / "articles/old/index.html").read_text(encoding="utf-8")
    # the table removed: registrable domains
    path.unlink()
    assert_exact(project, tmp_path)
    assert (project.out / "sources/yabiladi.com/index.html").exists() and (project.out / "sources/le360.ma/index.html").exists()
    # and back
    path.write_bytes(TABLE.read_bytes())
    assert_exact(project, tmp_path)
    assert (project.out / "sources/yabiladi/index.html").exists()


def test_without_imported_articles_a_table_change_still_rebuilds(project: Project, tmp_path: Path) -> None:
    """Import writes nothing then: only the table's own signature tells the build that something changed."""
    (project.content / "hand.md").write_text(HAND.format(host="www.rfi.fr", name=""), encoding="utf-8")
    assert_exact(project, tmp_path)
    path = project.root / "publishers.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "RFI"', 'name = "Radio France Internationale"'), encoding="utf-8")
    out = assert_exact(project, tmp_path)
    assert out.startswith("build: 0 imported") and "; 0 pages written" not in out
    assert 'rel="external noopener">Radio France Internationale</a>' in (project.out / "articles/hand/index.html").read_text(encoding="utf-8")


def test_a_host_named_once_is_not_looked_up_again(project: Project) -> None:
    """A host the table does not list is named by the Public Suffix List (read in every process that needs it).
    A build remembers the names it found, so that importing a seed from that host later, in a new process,
    looks nothing up, and names it the same."""
    def build() -> bool:
        run = subprocess.run([sys.executable, "-c", "import sys; from crossings.cli import main; status = main(['build']); "
                              "from crossings import publishers; print(publishers._suffix_tree.cache_info().misses > 0); "
                              "sys.exit(status)"], cwd=project.root, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
        assert run.returncode == 0, run.stderr
        return run.stdout.strip().splitlines()[-1] == "True"

    (project.content / "hand.md").write_text(HAND.format(host="www.unlisted-news.org", name=""), encoding="utf-8")
    assert build()  # looked up by the build
    assert "unlisted-news.org</a>" in (project.out / "articles/hand/index.html").read_text(encoding="utf-8")
    project.add_seed("001_1111111111111111.txt", REFERENCE.replace(b"https://www.yabiladi.com/", b"https://www.unlisted-news.org/"))
    assert not build()  # import names the new seed's host without it
    [written] = [p for p in project.content.rglob("*.md") if p.name != "hand.md"]
    assert "\nsource_name: unlisted-news.org\n" in written.read_text(encoding="utf-8")
    # an edit of the hand-written article: read again, named again, no look-up either
    hand = project.content / "hand.md"
    hand.write_text(hand.read_text(encoding="utf-8").replace("by hand.", "by hand, edited."), encoding="utf-8")
    assert not build()


def test_the_settings_table_documents_the_file() -> None:
    config, problems = load_config(REPO / "pyproject.toml")
    assert problems == [] and config.publishers == (REPO / "publishers.toml").resolve()
    assert "`publishers_file`" in (REPO / "README.md").read_text(encoding="utf-8")
    assert tomllib.loads(TABLE.read_text(encoding="utf-8"))["publisher"][0]["name"] == "Yabiladi"

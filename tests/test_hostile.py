"""Hostile input and failures: nothing crashes, nothing is lost, nothing is injected."""

from __future__ import annotations

import html
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossings import articles, seeds
from crossings.config import load_config
from crossings.importer import convert
from crossings.markup import Renderer, escape_plain, html_to_text, paragraphs_html

from .conftest import FIXTURES, REFERENCE_SEED, REPO, Project
from .test_incremental import clean_build, tree
from .validators import ATOM

CONFIG, _ = load_config(REPO / "pyproject.toml")
RENDERER = Renderer()
# Text a scraper could deliver: any printable character, Arabic and markup included,
# without control characters nor the invisible format characters the importer removes with
# a warning (seeds.INVISIBLE: U+200B, U+FEFF, the bidirectional embeddings and isolates).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), min_size=1, max_size=80).map(
    lambda text: seeds.INVISIBLE.sub("", text))
WORDS = TEXT.map(seeds.squash).filter(bool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_give_an_article_or_problems(raw: bytes) -> None:
    seed, text, problems = convert(raw, "001_0123456789abcdef", "seeds/x.txt", CONFIG)
    assert (seed is None) == any(p.is_error for p in problems)
    assert all(p.path == "seeds/x.txt" and p.message for p in problems)
    if seed is not None:
        assert articles.load(text, "content/x.md", "x", "fr")[0] is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400).map(lambda t: "\n\n" + t))
def test_any_text_with_a_seed_shape_never_raises(text: str) -> None:
    convert(text.encode("utf-8", errors="surrogatepass") if False else text.encode("utf-8", "replace"), "001_0123456789abcdef", "seeds/x.txt", CONFIG)


@settings(max_examples=400, deadline=None)
@given(WORDS)
def test_plain_text_always_renders_back_to_itself(text: str) -> None:
    assert RENDERER.markdown(escape_plain(text)) == paragraphs_html([text]) == f"<p>{html.escape(text, quote=False)}</p>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WORDS, st.lists(WORDS, min_size=1, max_size=4))
def test_any_title_and_body_come_out_exactly(title: str, paragraphs: list[str]) -> None:
    # Ending each paragraph with a full stop keeps the importer from mending two into one.
    paragraphs = [p if p[-1] in ".!?…" else p + "." for p in paragraphs]
    if any(p[0].islower() for p in paragraphs[1:]):
        paragraphs = [p[:1].upper() + p[1:] for p in paragraphs]
    if seeds.match_date(title):
        return  # a title that starts with a date is the no-title-line case, tested elsewhere
    raw = f"\n\n{title}\n\n27.01.2023 {title}\n\n" + "\n\n".join(paragraphs) + "\n\nSource\n\n:\n<https://example.org/a>"
    seed, text, problems = convert(raw.encode(), "001_0123456789abcdef", "seeds/x.txt", CONFIG)
    assert seed is not None, problems
    article, _ = articles.load(text, "content/x.md", "x", "fr")
    assert article.title == unicodedata.normalize("NFC", title)  # text is kept in NFC: the same characters, composed
    body_html, plain = RENDERER.render(article.body)
    assert plain == "\n\n".join(p for p in seed.paragraphs)
    assert html_to_text(body_html) == "\n\n".join(seed.paragraphs)  # no-break and thin spaces included


class Markup(HTMLParser):
    """Collects every dangerous tag or attribute of a page, as the browser would parse it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "style", "object", "embed", "form", "base", "meta") and not (tag == "meta" and ("charset", "utf-8") in attrs or tag == "meta" and any(a == "name" or a == "property" for a, _ in attrs)) and not (tag == "form" and ("role", "search") in attrs):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (name in ("href", "src", "action") and (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:"))):
                self.found.append(f"<{tag} {name}={value}>")


def markup_found(page: str) -> list[str]:
    parser = Markup()
    parser.feed(page)
    return parser.found


HOSTILE = '''---
title: "<script>alert(1)</script> \\"quoted\\" & {{ site.title }} ]]> --> <!--"
date: 2023-03-01
source: https://example.org/a?x=1&y='q'
source_name: "<img src=x onerror=alert(2)>"
lang: fr
countries: [MA]
organizations: ["<svg onload=alert(3)>"]
tags: ["=cmd|' /C calc'!A0", "<iframe src=javascript:alert(4)>"]
---

Un paragraphe <script>alert(5)</script> et <iframe src="https://evil.example"></iframe>.

<a href="javascript:alert(6)" onclick="alert(7)">lien</a> <img src=x onerror=alert(8)> <style>body{display:none}</style>

[cliquez](javascript:alert(9)) ![img](javascript:alert(10))
'''


def test_hostile_front_matter_and_markdown_never_become_markup(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    (project.content / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    status, _, err = project.run("build")
    assert "content/hostile.md" not in err or "error" not in err, err
    own_scripts = re.compile(r'<script type="application/(?:ld\+)?json"[^>]*>[^<]*</script>|<script type="module" src="/crossings-test/js/search(?:-pagefind)?\.[0-9a-f]{10}\.js"></script>')
    for rel, data in project.site_files().items():
        if rel.startswith("pagefind/"):
            continue  # compressed index, searched in the browser tests
        text = data.decode("utf-8", errors="replace")
        if rel.endswith(".html"):
            assert markup_found(own_scripts.sub("", text)) == [], rel
        if rel.endswith(".xml") and "feed" in rel:
            root = ElementTree.fromstring(data)
            for content in root.iter(ATOM + "content"):
                assert "<script" not in (content.text or "") and "javascript:" not in (content.text or ""), rel
    page = (project.out / "articles/hostile/index.html").read_text(encoding="utf-8")
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; {{ site.title }} ]]&gt; --&gt; &lt;!--</h1>" in page
    ld = json.loads(page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert ld["headline"].startswith("<script>alert(1)</script>")
    assert 'href="https://example.org/a?x=1&amp;y=&#39;q&#39;"' in page
    rows = (project.out / "data/articles.csv").read_text(encoding="utf-8")
    assert ",\"'=cmd|' /C calc'!A0;<iframe src=javascript:alert(4)>\"," in rows or ",'=cmd|' /C calc'!A0;<iframe src=javascript:alert(4)>," in rows
    feed = ElementTree.fromstring((project.out / "feed.xml").read_bytes())
    assert any(e.findtext(ATOM + "title").startswith("<script>alert(1)</script>") for e in feed.iter(ATOM + "entry"))


def test_unusual_seeds_follow_the_decision_table(project: Project) -> None:
    reference = (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_text(encoding="utf-8")
    long_title = "Maroc " + "très long titre " * 32
    project.add_seed("010_00000000000000aa.txt", reference.replace("Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations", long_title.strip()).replace("136423", "1"))
    big = reference.replace("Le Pacte mondial sur les migrations a été adopté", ("Un paragraphe de remplissage. " * 40 + "\n\n") * 4200 + "Le Pacte").replace("136423", "2")
    project.add_seed("011_00000000000000bb.txt", big)
    assert 4_000_000 < len(big.encode()) < 10_000_000
    project.add_seed("012_00000000000000cc.txt", reference.replace("136423", "3") + "\u202e")
    project.add_seed("012_00000000000000dd.txt", reference.replace("136423", "4"))  # the same sequence number: both are seeds
    project.add_seed("013_00000000000000ee.txt", reference.replace("136423", "4"))  # the same URL as 012_…dd: a duplicate
    (project.seeds / "014_00000000000000ff.txt").symlink_to(FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt")
    (project.seeds / "015_0000000000000011.txt").mkdir()
    project.add_seed("016_0000000000000022.txt~", reference)
    project.add_seed(".016_0000000000000022.txt.swp", reference)
    project.add_seed("016_0000000000000022.TXT", reference)
    status, out, err = project.run("build")
    lines = err.splitlines()
    assert status == 1
    assert "seeds/010_00000000000000aa.txt:3: warning: the title is 517 characters long — a body paragraph may have been taken for the title" in lines
    assert any(line.startswith("seeds/012_00000000000000cc.txt:") and "invisible control character" in line for line in lines)
    assert any(line.startswith("seeds/013_00000000000000ee.txt: warning: duplicate: its source URL is already in content/2023/") for line in lines)
    assert "seeds/014_00000000000000ff.txt: error: is a symbolic link, not a seed file — copy the file itself into the seeds folder" in lines
    assert "seeds/015_0000000000000011.txt: error: is a folder, not a seed file — seeds are files directly in the seeds folder" in lines
    assert any(line.startswith("seeds/016_0000000000000022.TXT: error: the name does not follow") for line in lines)
    assert not any("016_0000000000000022.txt~" in line or ".swp" in line for line in lines)
    seeded = {re.search(r"^seed: (\S+)$", p.read_text(encoding="utf-8"), re.M).group(1) for p in project.content.rglob("*.md")}
    assert seeded == {"010_00000000000000aa", "011_00000000000000bb", "012_00000000000000cc", "012_00000000000000dd"}
    assert "Traceback" not in err


@pytest.mark.parametrize("mapped", [False, True], ids=["read", "read-through-a-memory-map"])
def test_a_damaged_cache_is_discarded_with_a_warning(project: Project, tmp_path: Path, monkeypatch, mapped: bool) -> None:
    if mapped:  # (as a store of 1 MB or more is)
        from crossings import cache

        monkeypatch.setattr(cache, "MAP_FROM", 0)
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    project.run("build")
    stores = sorted((project.root / ".cache").glob("*.marshal"))
    for store in stores[1:]:
        store.write_bytes(store.read_bytes()[: len(store.read_bytes()) // 2] + b"garbage")
    stores[0].write_bytes(b"")  # (an empty file cannot be mapped)
    (project.content / "new.md").write_text("---\ntitle: New\ndate: 2024-01-01\n---\n\nText.\n", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0
    assert re.search(r"\.cache/\S+\.marshal: warning: discarded a damaged build cache \(\w+\) — this build redoes the work", err)
    assert tree(project.out) == clean_build(project, tmp_path)


def test_a_full_disk_leaves_the_previous_site(project: Project) -> None:
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    project.run("build")
    before = tree(project.out)
    (project.content / "big.md").write_text("---\ntitle: Big\ndate: 2024-01-01\n---\n\n" + "Un long texte. " * 20000 + "\n", encoding="utf-8")

    def small_files() -> None:  # the kernel refuses any write past 64 kB: as a full disk would
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build"], cwd=project.root, capture_output=True, text=True,
                            preexec_fn=small_files, timeout=120)
    assert result.returncode == 1
    assert re.search(r"^_site: error: cannot write the (new site|search index): File too large — free some disk space .*; the previous site is unchanged$", result.stderr, re.M)
    assert "Traceback" not in result.stderr
    assert tree(project.out) == before
    status, _, _ = project.run("build")
    assert status == 0 and (project.out / "articles/big/index.html").exists()


def test_saving_while_building_is_picked_up_by_the_next_build(project: Project, tmp_path: Path) -> None:
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    for i in range(40):
        (project.content / f"a{i:02d}.md").write_text(f"---\ntitle: A {i}\ndate: 2020-01-{i % 28 + 1:02d}\n---\n\nVersion 0.\n", encoding="utf-8")
    stop = threading.Event()

    def editor() -> None:
        version = 0
        while not stop.is_set():
            version += 1
            target = project.content / f"a{version % 40:02d}.md"
            text = f"---\ntitle: A {version % 40}\ndate: 2020-01-{version % 28 + 1:02d}\n---\n\nVersion {version}.\n"
            if version % 2:
                target.write_text(text, encoding="utf-8")  # saved in place, as many editors do
            else:
                tmp = target.with_suffix(".md.tmp~")
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, target)  # saved by rename
            time.sleep(0.002)

    thread = threading.Thread(target=editor)
    thread.start()
    try:
        for _ in range(3):
            status, _, err = project.run("build")
            assert "Traceback" not in err
    finally:
        stop.set()
        thread.join()
    project.run("build")
    assert tree(project.out) == clean_build(project, tmp_path)

"""Every character arrives as written: non-breaking, narrow and thin spaces from seed to every output.

French press writes "2 457 migrants", "Maroc :" and "« … »" with U+00A0 (no-break
space), U+202F (narrow no-break space) or U+2009 (thin space). They are text, not
layout: only runs of plain spaces and tabs, and spaces of any kind at the ends of
a line, are layout.
"""

from __future__ import annotations

import csv
import io
import gzip
import json
import shutil
import tempfile
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossings import articles, seeds
from crossings.cli import main
from crossings.config import load_config
from crossings.importer import convert
from crossings.markup import Renderer, excerpt, html_to_text

from .conftest import REPO, lay_out

CONFIG, _ = load_config(REPO / "pyproject.toml")
RENDERER = Renderer()
SPACES = ["\u00a0", "\u202f", "\u2009"]
# A word: any printable character but spaces of any kind (and no controls, which the importer removes with a warning).
WORD = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")), min_size=1, max_size=12)
SEPARATOR = st.sampled_from([" ", *SPACES])


@st.composite
def line(draw, first: str, last: str = "") -> str:
    """A line of words with plain and special spaces between them, at least one of each special kind."""
    words = draw(st.lists(WORD, min_size=1, max_size=8))
    gaps = draw(st.lists(SEPARATOR, min_size=len(words) - 1, max_size=len(words) - 1))
    text = first + "".join(w + g for w, g in zip(words, gaps + [""]))
    return text + "\u00a0:\u202f«\u2009" + draw(WORD) + "\u2009»" + last


def seed_bytes(title: str, paragraphs: list[str], url: str = "https://example.org/a") -> bytes:
    return (f"\n\n{title}\n\n27.01.2023 {title}\n\n" + "\n\n".join(paragraphs) + f"\n\nSource\n\n:\n<{url}>").encode()


TITLE = line("Titre ")
PARAGRAPHS = st.lists(line("Paragraphe ", "."), min_size=1, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TITLE, PARAGRAPHS)
def test_special_spaces_survive_import_and_rendering(title: str, paragraphs: list[str]) -> None:
    seed, text, problems = convert(seed_bytes(title, paragraphs), "001_0123456789abcdef", "seeds/x.txt", CONFIG)
    assert seed is not None, problems
    nfc = [unicodedata.normalize("NFC", p) for p in paragraphs]
    assert seed.title == unicodedata.normalize("NFC", title) and list(seed.paragraphs) == nfc
    article, _ = articles.load(text, "content/x.md", "x", "fr")
    assert article.title == seed.title
    body_html, plain = RENDERER.render(article.body)
    assert plain == "\n\n".join(nfc)
    assert html_to_text(body_html) == "\n\n".join(nfc)
    assert excerpt(plain, 10_000) == nfc[0]


def test_runs_of_plain_spaces_and_line_ends_are_layout() -> None:
    assert seeds.squash("\u00a0 2\u00a0457  \t migrants\u202f!  ") == "2\u00a0457 migrants\u202f!"
    assert excerpt("Un\u00a0:  deux\n trois\n\nsuite") == "Un\u00a0: deux trois"


class Text(HTMLParser):
    """The text of a page's h1 and of its article body, as a reader sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.h1 = ""
        self.paragraphs: list[str] = []
        self.in_body = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "div" and ("class", "body") in attrs or self.in_body and tag == "div":
            self.in_body += 1
        self.stack.append(tag)
        if self.in_body and tag == "p":
            self.paragraphs.append("")

    def handle_endtag(self, tag) -> None:
        if self.stack:
            self.stack.pop()
        if tag == "div" and self.in_body:
            self.in_body -= 1

    def handle_data(self, data) -> None:
        if "h1" in self.stack:
            self.h1 += data
        elif self.in_body and self.stack and self.stack[-1] == "p":
            self.paragraphs[-1] += data


def build_one(title: str, paragraphs: list[str]) -> Path:
    root = lay_out(Path(tempfile.mkdtemp(prefix="crossings-characters-")) / "site")
    (root / "seeds" / "001_0123456789abcdef.txt").write_bytes(seed_bytes(title, paragraphs))
    assert main(["build", "--config", str(root / "pyproject.toml")]) == 0
    return root


def outputs_of(root: Path) -> dict[str, object]:
    """What each output says of the one article: its title and text."""
    [content] = (root / "content").rglob("*.md")
    [page] = (root / "_site" / "articles").rglob("index.html")
    parsed = Text()
    parsed.feed(page.read_text(encoding="utf-8"))
    atom = ElementTree.fromstring((root / "_site" / "feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = atom.find("a:entry", ns)
    feed_json = json.loads((root / "_site" / "feed.json").read_bytes())["items"][0]
    [year_file] = (root / "_site" / "data").glob("[0-9]*.jsonl.gz")
    export = json.loads(gzip.decompress(year_file.read_bytes()))
    [row] = csv.DictReader(io.StringIO((root / "_site" / "data" / "articles.csv").read_text(encoding="utf-8")))
    return {
        "front matter": articles.load(content.read_text(encoding="utf-8"), "x.md", "x", "fr")[0].title,
        "page title": parsed.h1.strip(),
        "page text": "\n\n".join(parsed.paragraphs),
        "atom title": entry.find("a:title", ns).text,
        "atom text": html_to_text(entry.find("a:content", ns).text),
        "json feed title": feed_json["title"],
        "json feed text": feed_json["content_text"],
        "export title": export["title"],
        "export text": export["text"],
        "csv title": row["title"],
    }


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TITLE, PARAGRAPHS)
def test_special_spaces_reach_every_output(title: str, paragraphs: list[str]) -> None:
    root = build_one(title, paragraphs)
    try:
        found = outputs_of(root)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
    want_title = unicodedata.normalize("NFC", title)
    want_text = "\n\n".join(unicodedata.normalize("NFC", p) for p in paragraphs)
    for what, value in found.items():
        assert value == (want_text if what.endswith("text") else want_title), what


def test_a_french_article_keeps_its_spaces_everywhere() -> None:
    title = "Maroc\u00a0: 2\u202f457 migrants secourus en\u20092023"
    paragraphs = ["Selon l\u2019OIM, «\u00a0la situation reste grave\u00a0». Au total, 2\u00a0457 personnes ont été secourues.",
                  "Les autorités ont annoncé 1\u202f200 retours\u00a0!"]
    root = build_one(title, paragraphs)
    try:
        found = outputs_of(root)
        content = next((root / "content").rglob("*.md")).read_text(encoding="utf-8")
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
    assert f'title: "{title}"' in content and paragraphs[0] in content
    assert set(found.values()) == {title, "\n\n".join(paragraphs)}

"""Content files: front matter is checked, and every problem names the file and the line."""

from __future__ import annotations

import datetime as dt

import pytest

from crossings import articles

from .conftest import FIXTURES

GOOD = """---
title: "Maroc : un titre"
date: 2023-01-27
source: https://www.yabiladi.com/a.html
lang: fr
---

Corps de l'article.
"""


def load(text: str):
    article, problems = articles.load(text, "content/x.md", "x", "fr")
    return article, [str(p) for p in problems]


def test_good_file_loads() -> None:
    article, problems = load(GOOD)
    assert problems == []
    assert (article.title, article.date, article.lang, article.body) == ("Maroc : un titre", dt.date(2023, 1, 27), "fr", "Corps de l'article.")


@pytest.mark.parametrize(("text", "expected"), [
    ("Juste du texte\n", ["content/x.md:1: error: no front matter: the file starts with 'Juste du texte' — start the file with a line '---', the YAML keys, then a line '---'"]),
    ("---\ntitle: x\ndate: 2023-01-27\n\nCorps\n", ["content/x.md:1: error: the front matter is not closed — add a line '---' after the last key"]),
    ("---\ntitle: Maroc : un titre\ndate: 2023-01-27\n---\nx\n", ["content/x.md:2: error: the front matter is not valid YAML: mapping values are not allowed in this context — a value with ': ' or starting with a quote, [ or { must be put in quotes"]),
    ("---\ndate: 2023-01-27\n---\nx\n", ["content/x.md:2: error: the front matter has no 'title' — write it as text, in quotes if need be: key: \"…\""]),
    ("---\ntitle: x\n---\nx\n", ["content/x.md:2: error: the front matter has no 'date' — write the date as YYYY-MM-DD, e.g. date: 2023-01-27"]),
    ("---\ntitle: x\ndate: 27.01.2023\n---\nx\n", ["content/x.md:3: error: 'date' is not a date in the form YYYY-MM-DD: '27.01.2023' — write the date as YYYY-MM-DD, e.g. date: 2023-01-27"]),
    ("---\ntitle: x\ndate: 2023-02-30\n---\nx\n", ["content/x.md:3: error: the front matter has an impossible value: day is out of range for month — write the date as YYYY-MM-DD, e.g. date: 2023-01-27"]),
    ("---\ntitle: x\ndate: 3023-01-01\n---\nx\n", ["content/x.md:3: error: 'date' is implausible for a news article: 3023-01-01 — write the date as YYYY-MM-DD, e.g. date: 2023-01-27"]),
    ("---\ntitle: [a, b]\ndate: 2023-01-27\n---\nx\n", ["content/x.md:2: error: 'title' must be text, not a list — write it as text, in quotes if need be: key: \"…\""]),
    ("---\ntitle: x\ndate: 2023-01-27\nlang: french\n---\nx\n", ["content/x.md:4: error: 'lang' is not a known language code: 'french' — use a two-letter ISO 639-1 code such as fr, en, es, ar"]),
    ("---\ntitle: x\ndate: 2023-01-27\nsource: javascript:alert(1)\n---\nx\n", ["content/x.md:4: error: 'source' is not an http(s) address: 'javascript:alert(1)' — give the full http(s) address"]),
    ("---\ntitle: x\ndate: 2023-01-27\ndraft: yes please\n---\nx\n", ["content/x.md:4: error: 'draft' must be true or false, not text — write true or false"]),
    ("---\ntitle: x\ntitle: y\ndate: 2023-01-27\n---\nx\n", ["content/x.md:3: error: the key 'title' appears twice (lines 2 and 3) — keep one of them"]),
    ("---\ntitle: x\ndate: 2023-01-27\nauthor: Moi\n---\nx\n", ["content/x.md:4: warning: unknown key 'author' in the front matter (ignored) — known keys: title, date, source, source_name, lang, seed, draft, countries, organizations, tags, story"]),
        ("---\ntitle: x\ndate: 2023-01-27\nstory: Pylos 2023\n---\nx\n", ["content/x.md:4: error: 'story' is not a story id: 'Pylos 2023' — write the id of a story (the end of its address, stories/<id>/: small letters, digits and '-') or none"]),
    ("---\ntitle: x\ndate: 2023-01-27\ncountries: [MA, XX, ma]\n---\nx\n", ["content/x.md:4: warning: unknown country code(s) XX (left out) — use ISO 3166-1 alpha-2 codes such as MA, ES, FR"]),
    ("---\n- a\n- b\n---\nx\n", ["content/x.md:2: error: the front matter is not a set of 'key: value' lines — write one 'key: value' per line"]),
    ("---\ntitle: ''\ndate: 2023-01-27\n---\nx\n", ["content/x.md:2: error: the title is empty — give the article a title"]),
    ("---\ntitle: x\ndate: 2023-01-27\n---\n\n", ["content/x.md:5: warning: the article has no body text — write the article below the closing '---'"]),
])
def test_front_matter_problems(text: str, expected: list[str]) -> None:
    article, problems = load(text)
    assert problems == expected
    assert (article is None) == any(": error: " in p for p in expected)


def test_several_problems_are_all_reported() -> None:
    _, problems = load("---\ntitle: [a]\ndate: nope\nlang: xx-yy\nfoo: 1\n---\nx\n")
    assert [p.split(": ")[0] for p in problems] == ["content/x.md:2", "content/x.md:3", "content/x.md:4", "content/x.md:5"]


def test_crlf_and_bom_content_loads() -> None:
    article, problems = load("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert problems == [] and article.title == "Maroc : un titre"


def test_edit_detection() -> None:
    from crossings.seeds import Seed

    seed = Seed("000_0a1c3472872379bf", "Titre", dt.date(2023, 1, 27), ("Un paragraphe.",), "https://example.org/a")
    text = articles.seed_text(seed, "fr", "0123456789abcdef")
    assert not articles.is_edited(text)
    assert articles.is_edited(text.replace("Un paragraphe.", "Un paragraphe corrigé."))
    assert articles.is_edited(text.replace("title: Titre", "title: Titre corrigé"))
    assert articles.is_edited(GOOD)  # written by hand: no fingerprint


@pytest.mark.parametrize("value", ["Maroc : L'OIM", "2023", "yes", "null", "- x", "a # b", "« x »", "x: y", '"q"', "0x10", "~", "[a]", "a\x85b", "a\u2028b"])
def test_front_matter_values_read_back_exactly(value: str) -> None:
    import yaml

    assert yaml.safe_load(f"k: {articles.yaml_value(value)}") == {"k": value}


@pytest.mark.parametrize("value", ["IOM", "Save, the Children", "A [B]", "A]", "{x}", "a,b", "why?", "a:", "a:b", "x: y", "yes", "2023", "Noël"])
def test_list_items_read_back_exactly(value: str) -> None:
    """An item of a list is written in YAML's flow context, where ',', '?', brackets and braces end a plain
    value: such an item is quoted (an organisation's id with a comma made import write a file it could not read)."""
    import yaml

    written = articles.yaml_value([value, "MA"])
    assert yaml.safe_load(f"k: {written}") == {"k": [value, "MA"]}
    assert yaml.load(f"k: {written}", Loader=yaml.CSafeLoader) == {"k": [value, "MA"]}


def test_values_known_to_read_back_without_parsing_do() -> None:
    """``_check_plain`` trusts the resolver instead of parsing a YAML document for most values (titles,
    source URLs): each value it trusts reads back as itself, on tricky values and on many random ones."""
    import random

    import yaml

    tricky = ["yes", "No", "off", "ON", "null", "Null", "NULL", "~", "true", "FALSE", "12", "0o7", "0x1F", "1_000", "1:20", "190:20:30",
              "1.5e+3", ".inf", "-.Inf", ".NaN", "2023-01-27", "2023-01-27 10:00:00", "2001-12-14t21:59:43.10-05:00", "<<", "=", "a:",
              "a :b", "a:b", "Maroc : L'OIM", "x,y", "a]b", "a}b", "http://x.org/a?b=c#d", "001_0123456701234567", "001_0a1c3472872379bf",
              "Oui", "Noël", "NO", "n", "y", "Y", "a  b", "مرحبا", "a#b", "a# b", "100%", "5 000", "+1", "-1", "1e3", "0b101",
              "x*", "a'b", 'a"b', "a|b", "a>b", "é:", "a:b:", "Yes!", "on-line", "0.", "._", "1__", "0:0", "2023-1-2"]
    rng = random.Random(13)
    alphabet = "aNnYyoOfFtT0123456789:#-.,[]{}'\" _eE+x~=<>|%@`?!&*/\\éءل"
    values = tricky + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(30_000)]
    trusted = 0
    for value in values:
        if value.isprintable() and articles.PLAIN.fullmatch(value) and ": " not in value and " #" not in value \
                and articles._resolves_to_itself(value):
            trusted += 1
            assert yaml.load(f"k: {value}", Loader=yaml.CSafeLoader) == {"k": value}, value
            assert yaml.safe_load(f"k: {value}") == {"k": value}, value
    assert trusted > 3_000


def _front_both_ways(front: str) -> None:
    """``_plain_front`` reads ``front`` as YAML does, or leaves it to YAML (None)."""
    import yaml

    fast = articles._plain_front(front)
    if fast is None:
        return
    slow = yaml.load(front, Loader=yaml.CSafeLoader) if front.strip() else {}
    assert fast == slow and [type(v) for v in fast.values()] == [type(v) for v in slow.values()], front


def test_front_matter_read_without_yaml_is_what_yaml_reads() -> None:
    """Import's front matter is read without YAML (``_plain_front``) only where both read the same: on what import
    writes from tricky and random values, on hand-written lines of every kind, and on random lines."""
    import random

    from crossings.seeds import Seed

    rng = random.Random(29)
    alphabet = "aNnYyoOfFtT0123456789:#-.,[]{}'\" _eE+x~=<>|%@`?!&*/\\\téءل\u00a0\u0085\u2028\ufeff\x01\ud83d"
    tricky = ["yes", "No", "null", "~", "12", "0x1F", "1:20", "2023-01-27", "a:", "x,y", "a]b", "Maroc : L'OIM", "« x »", "100%",
              "a  b", "Oui", "NO", "- x", "[a]", "{a: 1}", "a # b", "é:", "x\\y", 'q"q', "\u00a0x", "tab\there", "ü\u0308", "😀"]
    values = tricky + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))) for _ in range(3000)]
    taken = 0
    for n, value in enumerate(values):
        clean = value.encode("utf-8", "replace").decode("utf-8")  # (a seed's text is UTF-8)
        seed = Seed("000_0a1c3472872379bf", clean or "x", dt.date(2023, 1, 27), ("Un paragraphe.",), "https://example.org/a")
        try:
            text = articles.seed_text(seed, "fr", "0123456789abcdef", [clean[:2].upper() or "MA"], [clean, "IOM", value[::-1]])
        except (UnicodeEncodeError, ValueError):
            continue
        front = articles.split(text, "x.md")[0]
        _front_both_ways(front)
        taken += articles._plain_front(front) is not None
        for line in (f"title: {value}", f"countries: [{value}]", f"organizations: [IOM, {value}]", f"date: {value}", f"tags: [{value}, x]",
                     f"seed: {value}\n# a comment", f'source_name: "{value}"', f"draft: {value}", f"story: {value}"):
            _front_both_ways(line)
    assert taken > 2_500  # import's own files are read the fast way
    for front in ["", "title: a\ntitle: b", "title:  x", "title: x\n  y: z", "date: 2023-02-30", "date: 2023-1-2", "countries: []",
                  "countries: [ ]", "countries: [MA,ES]", "countries: [MA, ]", 'organizations: ["a", b]', 'title: "a" # c',
                  "title: '''x'''", "lang: fr\n---", "unknown: x", 'title: "\\ud83d\\ude00"', 'title: "\\/"', 'title: "\\x41"']:
        _front_both_ways(front)
    reference = (FIXTURES / "seeds" / "ok" / "000_0a1c3472872379bf.expected.md").read_text(encoding="utf-8")
    assert articles._plain_front(articles.split(reference, "x.md")[0]) is not None

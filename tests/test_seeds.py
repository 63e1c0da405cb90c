"""Seeds to front-matter Markdown: golden pairs, bad-input fixtures, encodings, dates, names."""

from __future__ import annotations

import codecs
import re
import datetime as dt
import os
from pathlib import Path

import pytest

from crossings import seeds
from crossings.config import load_config
from crossings.dates import english, match_date
from crossings.importer import convert

from .conftest import FIXTURES, REFERENCE_SEED

OK = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))
BAD = sorted(p for p in (FIXTURES / "seeds" / "bad").glob("*.txt") if not p.name.endswith(".problems.txt"))
CONFIG, _ = load_config(FIXTURES.parent.parent / "pyproject.toml")
UPDATE = os.environ.get("CROSSINGS_UPDATE_GOLDEN") == "1"


def converted(path: Path, data: bytes | None = None) -> tuple[str, list[str]]:
    seed, text, problems = convert(path.read_bytes() if data is None else data, path.stem, path.name, CONFIG)
    return text, [str(p) for p in problems]


@pytest.mark.parametrize("path", OK, ids=[p.stem for p in OK])
def test_seed_matches_its_golden_markdown(path: Path) -> None:
    """Each good seed gives its golden file, with the warnings in its .warnings file (none if there is none)."""
    expected = path.with_suffix(".expected.md")
    warned = path.with_suffix(".warnings")
    text, problems = converted(path)
    if UPDATE:
        expected.write_text(text, encoding="utf-8")
        if problems:
            warned.write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert expected.exists(), f"no golden file {expected.name}; run with CROSSINGS_UPDATE_GOLDEN=1 and review it"
    assert problems == (warned.read_text(encoding="utf-8").splitlines() if warned.exists() else [])
    assert not any(": error: " in p for p in problems)
    assert text == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_seed_reports_exactly_these_problems(path: Path) -> None:
    expected = path.with_suffix(".problems.txt")
    text, problems = converted(path)
    if UPDATE:
        expected.write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert problems == expected.read_text(encoding="utf-8").splitlines()
    rejected = any(": error: " in line for line in problems)
    assert (text == "") == rejected


def test_reference_seed_mends_the_paragraph_broken_mid_sentence() -> None:
    seed, _ = seeds.parse(seeds.decode((FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes(), "x")[0], REFERENCE_SEED, "x")
    assert seed.title == "Maroc : L'OIM tient un dialogue interrégional sur le Pacte sur les migrations"
    assert seed.date == dt.date(2023, 1, 27)
    assert seed.source_name == "yabiladi.com"
    assert len(seed.paragraphs) == 6
    joined = [p for p in seed.paragraphs if "leurs gouvernements respectifs, notamment" in p]
    assert len(joined) == 1 and joined[0].startswith("L'évènement a réuni")


@pytest.mark.parametrize("variant", ["bom", "crlf", "cr", "bom+crlf", "utf16"])
def test_encodings_and_line_endings_give_the_same_article(variant: str) -> None:
    reference = FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt"
    text = reference.read_text(encoding="utf-8")
    if "crlf" in variant:
        text = text.replace("\n", "\r\n")
    if variant == "cr":
        text = text.replace("\n", "\r")
    data = text.encode("utf-8")
    if "bom" in variant:
        data = codecs.BOM_UTF8 + data
    if variant == "utf16":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    out, problems = converted(reference, data)
    # Only the hash of the seed's own bytes, in the fingerprint line, may differ.
    same = re.compile(r"(?<= seed )[0-9a-f]{16} file [0-9a-f]{16}(?= \()")
    assert same.sub("…", out) == same.sub("…", reference.with_suffix(".expected.md").read_text(encoding="utf-8"))
    assert problems == ([f"{reference.name}:1: warning: the file is UTF-16-LE, read as such — seeds should be UTF-8"] if variant == "utf16" else [])


@pytest.mark.parametrize(("line", "date", "rest"), [
    ("27.01.2023 Maroc : titre", dt.date(2023, 1, 27), "Maroc : titre"),
    ("27/01/2023 - Titre", dt.date(2023, 1, 27), "Titre"),
    ("2023-01-27 Titre", dt.date(2023, 1, 27), "Titre"),
    ("vendredi 27 janvier 2023, Titre", dt.date(2023, 1, 27), "Titre"),
    ("1er février 2023 Titre", dt.date(2023, 2, 1), "Titre"),
    ("January 27, 2023 Title", dt.date(2023, 1, 27), "Title"),
    ("27 January 2023: Title", dt.date(2023, 1, 27), "Title"),
    ("27 de enero de 2023 Título", dt.date(2023, 1, 27), "Título"),
    ("27 يناير 2023 عنوان", dt.date(2023, 1, 27), "عنوان"),
    ("٢٧ جانفي ٢٠٢٣ عنوان", dt.date(2023, 1, 27), "عنوان"),
    ("12 كانون الثاني 2024 عنوان", dt.date(2024, 1, 12), "عنوان"),
])
def test_date_notations(line: str, date: dt.date, rest: str) -> None:
    found = match_date(line)
    assert (found.date, found.rest) == (date, rest)


@pytest.mark.parametrize("line", ["Maroc : L’OIM tient un dialogue", "2023 : l'année des migrations", "Le 27 du mois"])
def test_a_title_is_not_a_date(line: str) -> None:
    assert match_date(line) is None


@pytest.mark.parametrize(("name", "ok"), [
    ("000_0a1c3472872379bf.txt", True),
    ("1234_0a1c3472872379bf.txt", True),
    ("1234567_0a1c3472872379bf.txt", True),
    ("00_0a1c3472872379bf.txt", False),
    ("000_0A1C3472872379BF.txt", False),
    ("000_0a1c3472872379b.txt", False),
    ("000_0a1c3472872379bf.md", False),
    ("article.txt", False),
])
def test_seed_names(name: str, ok: bool) -> None:
    assert seeds.is_seed_name(name) is ok


@pytest.mark.parametrize(("url", "normal"), [
    ("https://www.yabiladi.com/a/1.html", "https://yabiladi.com/a/1.html"),
    ("http://WWW.Yabiladi.com/a/1.html/#top", "https://yabiladi.com/a/1.html"),
    ("https://yabiladi.com/a/1.html?utm_source=x&id=2", "https://yabiladi.com/a/1.html?id=2"),
])
def test_urls_are_normalised_for_duplicate_detection(url: str, normal: str) -> None:
    assert seeds.normalize_url(url) == normal


def notation_table() -> list[tuple[str, list[str], str]]:
    """The rows of README's table "Date lines and Source blocks: every notation": (notation, examples, outcome)."""
    text = (FIXTURES.parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("### Date lines and Source blocks: every notation", 1)[1]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| notation |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        notation, written, outcome = (cell.strip() for cell in line.strip("|").split(" | "))
        rows.append((notation, re.findall(r"`([^`]+)`", written), outcome))
    return rows


NOTATIONS = notation_table()
BODY = "Un paragraphe du corps de l'article, assez long pour en être un."


def seed_with(notation_example: str, source_row: bool) -> bytes:
    if source_row:
        block = "\n\n".join(line.strip() for line in notation_example.split("⏎"))
        return f"\n\nTitle\n\n27.01.2023 Title\n\n{BODY}\n\n{block}".encode()
    title = notation_example.split()[-1]
    return f"\n\n{title}\n\n{notation_example}\n\n{BODY}\n\nSource\n\n:\n<https://example.org/a>".encode()


@pytest.mark.parametrize(("notation", "examples", "outcome"), NOTATIONS, ids=[row[0] for row in NOTATIONS])
def test_every_notation_in_the_readme_has_the_outcome_it_says(notation: str, examples: list[str], outcome: str) -> None:
    source_row = any("://" in example for example in examples)
    message = re.search(r"with a warning: `([^`]+)`", outcome)
    written_date = re.match(r"(\d{1,2}) (\w+) (\d{4})", outcome)
    for n, example in enumerate(examples):
        seed, _, problems = convert(seed_with(example, source_row), "001_0123456789abcdef", "seeds/x.txt", CONFIG)
        said = [p.message for p in problems]
        if outcome.startswith("refused"):
            assert seed is None and any(p.is_error for p in problems), (example, said)
            continue
        assert seed is not None, (example, said)
        if "silently" in outcome:
            assert said == [], (example, said)
        else:
            assert len(said) == 1 and all(p.severity == "warning" for p in problems), (example, said)
            assert problems[0].line == (5 if not source_row else 9), (example, problems[0])
            if n == 0 and message:
                assert said == [message.group(1)]
        if n == 0 and written_date:
            assert english(seed.date) == written_date.group(0)


def test_the_notation_table_covers_the_dates_and_source_blocks() -> None:
    assert len(NOTATIONS) >= 20
    assert sum(1 for _, _, outcome in NOTATIONS if "warning" in outcome) >= 12

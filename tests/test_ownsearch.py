"""Our own search index (search = "crossings"): the browser's stemmers agree with the build's, and a
new article rewrites only the newest part of the index. (The search itself, in Chromium: test_search.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.ownsearch import WORD, _stemmer, words_in

from .conftest import FIXTURES, REPO, Project, write_pyproject

STEMMER_FILES = REPO / "static" / "js" / "stemmers"


def words_by_language() -> dict[str, list[str]]:
    """The words of each language's interface catalog, and those of the generated corpus (bench/generate.py)."""
    import sys

    from babel.messages.pofile import read_po

    sys.path.insert(0, str(REPO / "bench"))
    from generate import RARE, VOCAB

    found: dict[str, set[str]] = defaultdict(set)
    for lang in ("fr", "es", "ar"):
        with (REPO / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
            for message in read_po(po):
                for text in (message.string if isinstance(message.string, (list, tuple)) else [message.string]):
                    found[lang] |= set(WORD.findall((text or "").lower()))
                if lang == "fr":  # the catalogs' own messages are English
                    for text in (message.id if isinstance(message.id, (list, tuple)) else [message.id]):
                        found["en"] |= set(WORD.findall((text or "").lower()))

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from strings(item)
    for table in (VOCAB, RARE):
        for lang, value in table.items():
            for text in strings(value):
                found[lang] |= set(WORD.findall(text.lower()))
    return {lang: sorted(words) for lang, words in found.items()}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the stemmers")
def test_the_browsers_stemmers_give_the_builds_stems(tmp_path: Path) -> None:
    # For French, Spanish and Arabic, Snowball's own JavaScript: the same stem for every word. For English,
    # the vendored stemmer is Porter's original rather than Snowball's English: most words agree, not all
    # (the browser stems only a word the archive lacks, so this affects only such words).
    words = words_by_language()
    assert all(len(words[lang]) >= 300 for lang in ("fr", "en", "es", "ar")), {k: len(v) for k, v in words.items()}
    (tmp_path / "words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    script = tmp_path / "stem.mjs"
    script.write_text(
        "import fs from 'fs';\n"
        f"const words = JSON.parse(fs.readFileSync({json.dumps(str(tmp_path / 'words.json'))}, 'utf8'));\n"
        "const out = {};\n"
        "for (const lang of ['fr', 'en', 'es', 'ar']) {\n"
        f"  const {{ stemmer }} = await import({json.dumps((STEMMER_FILES / 'x').as_uri()[:-1])} + lang + '.js');\n"
        "  out[lang] = words[lang].map((w) => stemmer(w));\n"
        "}\n"
        "process.stdout.write(JSON.stringify(out));\n", encoding="utf-8")
    stems = json.loads(subprocess.run(["node", str(script)], capture_output=True, text=True, check=True, timeout=60).stdout)
    for lang in ("fr", "es", "ar"):
        python = _stemmer(lang).stemWords(words[lang])
        differ = [(w, p, j) for w, p, j in zip(words[lang], python, stems[lang]) if p != j]
        assert differ == [], (lang, len(words[lang]), differ[:10])
    python = _stemmer("en").stemWords(words["en"])
    agree = sum(p == j for p, j in zip(python, stems["en"])) / len(python)
    assert agree >= 0.9, agree  # 404 of 425 words


def test_a_new_article_rewrites_only_the_newest_part(project: Project) -> None:
    write_pyproject(project.root, search="crossings")
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    assert project.run("build")[0] == 0

    def files() -> dict[str, bytes]:
        return {p.relative_to(project.out).as_posix(): p.read_bytes() for p in (project.out / "search").rglob("*") if p.is_file()}

    before = files()
    manifest = json.loads(before["search/index.json"])
    names = [part["name"] for part in manifest["parts"]]
    assert names[-1] == "y2024" and len(names) == 2 and names[0].startswith("y20"), names
    old = f"search/{names[0]}/"
    (project.content / "new.md").write_text("---\ntitle: Escale à Kalamata\ndate: 2024-12-30\nlang: fr\n---\n\nUn bateau fait escale à Kalamata.\n",
                                            encoding="utf-8")
    assert project.run("build")[0] == 0
    after = files()
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert changed and all(path.startswith("search/y2024/") or path == "search/index.json" for path in changed), changed
    assert {path for path in before if path.startswith(old)} == {path for path in after if path.startswith(old)}


def test_the_search_setting_names_an_engine(tmp_path: Path) -> None:
    from crossings.config import load_config

    (tmp_path / "pyproject.toml").write_text('[tool.crossings]\nsearch = "lunr"\n', encoding="utf-8")
    config, problems = load_config(tmp_path / "pyproject.toml")
    assert [p.message for p in problems] == ["'search' must be \"crossings\" or \"pagefind\", not 'lunr'"]
    assert config.search == "crossings"
    (tmp_path / "pyproject.toml").write_text('[tool.crossings]\nsearch = "pagefind"\n', encoding="utf-8")
    assert load_config(tmp_path / "pyproject.toml")[0].search == "pagefind"


def test_the_preview_shows_an_edit_first_and_its_search_right_after(project: Project, tmp_path: Path) -> None:
    # The dev server builds with search_later: an edit of an article in the older part keeps that part's
    # files for the moment (the pages come first) and says a catch-up is due; the catch-up gives the clean build.
    from crossings.builder import build
    from crossings.config import load_config

    from .test_incremental import assert_exact

    write_pyproject(project.root, search="crossings")
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    assert project.run("build")[0] == 0
    [part] = [p for p in (project.out / "search").iterdir() if p.is_dir() and p.name != "y2024"]
    older = {p: p.read_bytes() for p in part.iterdir()}
    [article] = project.content.rglob("2023-05-02-*.md")
    article.write_text(article.read_text(encoding="utf-8").replace("Rabat", "Tanger"), encoding="utf-8")
    config, _ = load_config(project.root / "pyproject.toml")
    report = build(config, search_later=True)
    assert report.search_pending
    assert {p: p.read_bytes() for p in part.iterdir()} == older
    assert "Tanger" in (project.out / "articles" / article.stem / "index.html").read_text(encoding="utf-8")
    assert_exact(project, tmp_path)  # the catch-up: the older part made again, as a clean build makes it
    assert {p: p.read_bytes() for p in part.iterdir()} != older


def test_older_years_are_cut_into_parts_that_stay_put() -> None:
    import datetime as dt
    from types import SimpleNamespace

    from crossings.ownsearch import FEWEST_PARTS, MOST_PARTS, parts

    def archive(counts: dict[int, int]) -> list:
        return [SimpleNamespace(article=SimpleNamespace(date=dt.date(year, 1 + n % 12, 1), slug=f"a-{year}-{n:05d}"))
                for year, count in counts.items() for n in range(count)]

    counts = {2000: 650, 2001: 300, 2002: 300, 2003: 900, 2004: 150, 2005: 700, 2006: 40}
    found = parts(archive(counts), size=1000)
    assert [(name, len(records)) for name, records in found] == [
        ("y2000-2001", 950), ("y2002", 300), ("y2003", 900), ("y2004-2005", 850), ("y2006", 40)]
    assert all(records == sorted(records, key=lambda r: (r.article.date, r.article.slug)) for _, records in found)
    # A year larger than a part stands alone; more articles in the newest year move no older part.
    assert [name for name, _ in parts(archive({**counts, 2003: 2500, 2006: 900}), size=1000)] == ["y2000-2001", "y2002", "y2003", "y2004-2005", "y2006"]
    # A small archive: the size is halved until there are FEWEST_PARTS runs or so (an edit makes one again).
    small = {year: 30 for year in range(1995, 2027)}
    found = parts(archive(small), size=2000)
    assert len(found) - 1 >= FEWEST_PARTS and all(len(records) <= 250 for _, records in found[:-1])
    assert [len(records) for _, records in found[:-1]] == [240, 240, 240, 210]
    # Past MOST_PARTS runs, the size doubles until they fit: a query fetches a chunk or two of each part.
    many = parts(archive({year: 500 for year in range(1990, 2021)}), size=500)
    assert len(many) - 1 <= MOST_PARTS and sum(len(r) for _, r in many) == 31 * 500
    assert all(len(records) <= 2000 for _, records in many[:-1])


def test_the_index_made_by_a_child_reading_the_texts_is_the_same(project: Project, tmp_path: Path, monkeypatch) -> None:
    """The forked child that makes the index reads the articles' texts itself (from ``CHILD_READS_FROM`` articles
    to index: every build), a Markdown body among them: the same index as from texts read by the build."""
    from crossings import ownsearch
    from crossings.cli import main

    write_pyproject(project.root, search="crossings")
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    (project.content / "hand.md").write_text("---\ntitle: Écrit à la main\ndate: 2024-06-01\nlang: fr\n---\n\nUn *article* en "
                                            "[Markdown](https://example.org/), avec une liste :\n\n- Kalamata\n- Lesbos\n",
                                            encoding="utf-8")

    def index(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "search").rglob("*") if p.is_file()}

    monkeypatch.chdir(project.root)
    monkeypatch.setattr(ownsearch, "CHILD_READS_FROM", 10**9)
    assert main(["build", "--out", str(tmp_path / "read-here"), "--cache", str(tmp_path / "cache-1")]) == 0
    monkeypatch.setattr(ownsearch, "CHILD_READS_FROM", 1)
    assert main(["build", "--out", str(tmp_path / "read-there"), "--cache", str(tmp_path / "cache-2")]) == 0
    here, there = index(tmp_path / "read-here"), index(tmp_path / "read-there")
    assert here == there
    assert any(b"Lesbos" in __import__("gzip").decompress(data) for path, data in there.items() if "/f" in path)


def test_the_parts_made_by_two_processes_are_those_one_makes(project: Project, tmp_path: Path, monkeypatch) -> None:
    """From ``SHARED_FROM`` articles to index, two forked processes make the parts, about as many articles each:
    the site's index is the one a single process makes, byte for byte, and both processes made some of it."""
    from crossings import ownsearch
    from crossings.cli import main

    write_pyproject(project.root, search="crossings")
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    for year in range(2015, 2024):  # older years: the index has several parts
        (project.content / f"hand-{year}.md").write_text(f"---\ntitle: Arrivées à Lampedusa en {year}\ndate: {year}-06-01\nlang: fr\n---\n\n"
                                                        f"Des migrants sont arrivés à Lampedusa en {year}, selon le HCR.\n", encoding="utf-8")
    makers = tmp_path / "makers"
    made_into = ownsearch._made_into

    def noted(site, todo, *args, **kwargs):
        with makers.open("a") as out:
            out.write(f"{__import__('os').getpid()} {' '.join(name for name, *_ in todo)}\n")
        return made_into(site, todo, *args, **kwargs)

    def index(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "search").rglob("*") if p.is_file()}

    monkeypatch.chdir(project.root)
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")  # (two processes on any machine)
    monkeypatch.setattr(ownsearch, "_made_into", noted)
    monkeypatch.setattr(ownsearch, "SHARED_FROM", 10**9)
    assert main(["build", "--out", str(tmp_path / "one"), "--cache", str(tmp_path / "cache-1")]) == 0
    one = makers.read_text().splitlines()
    makers.unlink()
    monkeypatch.setattr(ownsearch, "SHARED_FROM", 1)
    assert main(["build", "--out", str(tmp_path / "two"), "--cache", str(tmp_path / "cache-2")]) == 0
    two = makers.read_text().splitlines()
    assert len(one) == 1 and len(one[0].split()) >= 4  # one process, every part
    assert len(two) == 2 and len({line.split()[0] for line in two}) == 2  # two processes
    parts = [line.split()[1:] for line in two]
    assert sorted(parts[0] + parts[1]) == sorted(one[0].split()[1:]) and all(parts)
    assert index(tmp_path / "one") == index(tmp_path / "two")
    assert ownsearch._shares([5, 3, 2, 2]) == [[0, 3], [1, 2]]  # the largest first, each to the process with fewer


def test_the_newest_part_is_made_again_from_what_the_last_build_took_of_its_articles(project: Project, tmp_path: Path, monkeypatch) -> None:
    """A new article in the newest year makes the newest part again: only its own text is cut into words (the
    others' words and fragments come from the build cache, ``Memo``), and the index is the clean build's, byte
    for byte. An edited article of that year is read again; a part made without the memo is the same. The same
    for an older article: its run of years is made again from that part's store."""
    from crossings import ownsearch
    from crossings.cli import main

    write_pyproject(project.root, search="crossings")
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        project.add_seed(path.name, path.read_bytes())
    (project.content / "hand.md").write_text("---\ntitle: Arrivées à Lesbos\ndate: 2024-06-01\nlang: fr\n---\n\nDes arrivées à *Lesbos*.\n",
                                            encoding="utf-8")
    log = tmp_path / "analysed.log"
    analyse = ownsearch.analyse

    def spy(fragment, *args):  # (the forked process that makes the index appends too)
        with log.open("a", encoding="utf-8") as out:
            out.write(fragment["url"] + "\n")
        return analyse(fragment, *args)

    def analysed() -> list[str]:
        found = log.read_text(encoding="utf-8").split() if log.exists() else []
        log.unlink(missing_ok=True)
        return found

    def index(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "search").rglob("*") if p.is_file()}

    monkeypatch.chdir(project.root)
    monkeypatch.setattr(ownsearch, "analyse", spy)
    assert main(["build"]) == 0
    newest = json.loads((project.out / "search" / "index.json").read_text(encoding="utf-8"))["parts"][-1]
    assert newest["name"] == "y2024" and newest["count"] == 2
    assert len(analysed()) >= newest["count"]  # every article, the first time
    (project.content / "new.md").write_text("---\ntitle: Escale à Kalamata\ndate: 2024-01-02\nlang: fr\n---\n\nUn bateau fait escale à Kalamata.\n",
                                            encoding="utf-8")
    assert main(["build"]) == 0
    assert [url.rsplit("/", 2)[-2] for url in analysed()] == ["new"]

    def clean(name: str) -> dict[str, bytes]:
        assert main(["build", "--out", str(tmp_path / name), "--cache", str(tmp_path / f"{name}-cache")]) == 0
        return index(tmp_path / name)

    assert index(project.out) == clean("clean-1")
    analysed()
    (project.content / "new.md").write_text("---\ntitle: Escale à Kalamata\ndate: 2024-01-02\nlang: fr\n---\n\nUn voilier fait escale à Kalamata.\n",
                                            encoding="utf-8")
    assert main(["build"]) == 0
    assert [url.rsplit("/", 2)[-2] for url in analysed()] == ["new"]
    assert index(project.out) == clean("clean-2")
    assert b"voilier" in b"".join(__import__("gzip").decompress(data) for path, data in index(project.out).items() if "/c-" in path)

    # an edit of an older article makes its run of years again, from that part's store: only it is read
    def parts() -> list[str]:
        return [part["name"] for part in json.loads((project.out / "search" / "index.json").read_text(encoding="utf-8"))["parts"]]

    def memos() -> list[str]:
        return sorted(path.name[len(ownsearch.Memo.PREFIX):-len(".marshal")] for path in (project.root / ".cache").glob(ownsearch.Memo.PREFIX + "*"))

    assert len(parts()) >= 2 and memos() == sorted(parts())  # (every part's, made by the first build)
    older = project.content / "older.md"
    older.write_text("---\ntitle: Arrivées à Malte\ndate: 2023-03-04\nlang: fr\n---\n\nDes arrivées à Malte.\n", encoding="utf-8")
    assert main(["build"]) == 0
    assert "older" in [url.rsplit("/", 2)[-2] for url in analysed()]
    assert index(project.out) == clean("clean-3")
    analysed()
    older.write_text("---\ntitle: Arrivées à Malte\ndate: 2023-03-04\nlang: fr\n---\n\nDes arrivées à La Valette.\n", encoding="utf-8")
    assert main(["build"]) == 0
    assert [url.rsplit("/", 2)[-2] for url in analysed()] == ["older"]  # (not the other articles of 2023)
    assert index(project.out) == clean("clean-4")
    assert b"valette" in b"".join(__import__("gzip").decompress(data) for path, data in index(project.out).items() if "/c-" in path)
    # a store of a part the index no longer has is removed (here: the runs of years move when a year comes and goes)
    (project.content / "oldest.md").write_text("---\ntitle: Arrivées à Lampedusa\ndate: 2019-03-04\nlang: fr\n---\n\nDes arrivées.\n",
                                               encoding="utf-8")
    assert main(["build"]) == 0
    before = parts()
    assert memos() == sorted(before)
    (project.content / "oldest.md").unlink()
    assert main(["build"]) == 0
    gone = set(before) - set(parts())
    assert gone and not gone & set(memos()) and set(memos()) <= set(parts())
    assert index(project.out) == clean("clean-5")


def test_words_are_cut_as_one_character_at_a_time_would() -> None:
    """WORD takes runs of letters and digits and runs of combining marks whole (faster): the same words as the
    definition one character at a time, on decomposed accents, Arabic with its marks, underscores and digits."""
    import random
    import re
    import unicodedata

    one_at_a_time = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670])+")
    pieces = ["cafe\u0301", "na\u0308ive", "_x_", "a_b", "\u0627\u064e\u0644\u0652", "\u0300abc", "\u0301\u0302", "x\u0670y", "12_34",
              "Lampedusa", "l'OIM", "— ", " ", "\n", "migrants", "\u0645\u0647\u0627\u062c\u0631\u064a\u0646", "2023", "ñ", "-", "..."]
    rng = random.Random(7)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(2000)]
    texts.append(unicodedata.normalize("NFD", (FIXTURES / "seeds" / "ok" / "000_0a1c3472872379bf.txt").read_text(encoding="utf-8")))
    for text in texts:
        assert WORD.findall(text.lower()) == one_at_a_time.findall(text.lower())


@given(st.text(alphabet=st.sampled_from("aéZ9_ -'’\u0301\u0308\u064b\u0650\u0670عربيةçÑ\u00a0.,\n") | st.characters(), max_size=60))
@settings(max_examples=400, deadline=None)
def test_the_words_of_a_text_are_words_findall_with_or_without_combining_marks(text: str) -> None:
    """``words_in`` takes the shorter pattern for a text without a combining mark: the same words either way."""
    assert words_in(text) == WORD.findall(text)
    assert words_in(text + "e\u0301") == WORD.findall(text + "e\u0301")  # (with a mark: the full pattern)


@given(st.text(alphabet=st.sampled_from("aéZ9_ -'’\"\\\u0301\u0308\u064b\u0650\u0670عربيةçÑ\u00a0.,\n\t\x01") | st.characters(), max_size=80))
@settings(max_examples=300, deadline=None)
def test_an_entrys_size_is_the_length_of_its_json(text: str) -> None:
    """The index cuts its entries into chunks by their JSON's length, told without writing it (``_json_size``): the
    same as written, for the stems and postings of every word of any text, in the four languages."""
    from crossings.ownsearch import DIGITS, FINAL, Words, _json, _json_size, postings

    words = Words()
    for word in words_in(text.lower()):
        stems = {lang: words(lang, word)[1] for lang in ("fr", "en", "es", "ar")}
        assert _json_size(stems) == len(_json(stems))
    some = {lang: postings(list(range(0, 40 * n, n + 1)), [n % 8] * 40) for n, lang in enumerate(("fr", "en", "es", "ar"), 1)}
    assert set("".join(some.values())) <= set(DIGITS + FINAL)
    assert _json_size(some) == len(_json(some)) and _json_size({}) == len(_json({}))

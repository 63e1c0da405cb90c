"""Reading the content folder across cores gives what one core gives: the same records in the
same order, the same problems, the same Markdown kept, on a build whose cache was lost.

The folder holds enough files for the workers to fork (``library.PARALLEL_FROM``): plain
articles, Markdown ones (their HTML is kept in the cache), articles whose publisher is named
from publishers.toml, and broken files (bad YAML, no title, not UTF-8).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crossings import importer
from crossings import library as library_
from crossings.cache import Cache, Scan
from crossings.library import Library

from crossings.config import load_config

from .conftest import lay_out


def _article(n: int) -> bytes:
    year = 2000 + n % 20
    if n % 97 == 5:
        return b"---\ntitle: [unclosed\ndate: 2020-01-01\n---\nBody.\n"
    if n % 97 == 6:
        return b"---\ndate: 2020-01-01\n---\nNo title here.\n"
    if n % 97 == 7:
        return "---\ntitle: Caf\u00e9\ndate: 2020-01-01\n---\nBody.\n".encode("latin-1")
    source = f"https://www.example{n % 7}.org/news/{n}" if n % 3 else f"https://www.lemonde.fr/international/{n}.html"
    body = (f"Paragraph {n} on migrants at sea.\n\nA second paragraph with *emphasis* and a [link](https://example.org/{n}).\n"
            if n % 5 == 0 else f"Plain paragraph {n} about arrivals in Lampedusa.\n\nAnother plain one.\n")
    lang = ("fr", "en", "es", "ar")[n % 4]
    return (f"---\ntitle: \"Article {n}: arrivals\"\ndate: {year}-0{1 + n % 9}-1{n % 10}\nlang: {lang}\n"
            f"source: {source}\ncountries: [MA, ES]\norganizations: [IOM]\n---\n{body}").encode("utf-8")


def _corpus(tmp_path: Path) -> tuple[Path, int]:
    """A project whose content folder holds enough articles for the workers to fork (``_article``'s mix)."""
    root = lay_out(tmp_path / "site")
    count = 2 * library_.PARALLEL_FROM + 37
    for n in range(count):
        folder = root / "content" / str(2000 + n % 20)
        folder.mkdir(exist_ok=True)
        (folder / f"article-{n:04d}.md").write_bytes(_article(n))
    return root, count


def _load(root: Path, cache_dir: Path, workers: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CROSSINGS_WORKERS", workers)
    config, problems = load_config(root / "pyproject.toml")
    assert not problems
    cache = Cache(cache_dir)
    lib = Library(config, cache, scan=Scan())
    records, found = lib.load()
    return records, found, dict(cache.load("html") or {}), lib.stored()[0]


def _read_by_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """The corpus (``_corpus``) read by two workers, its cache lost: (config, the library, its records)."""
    root, _ = _corpus(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    config, _ = load_config(root / "pyproject.toml")
    lib = Library(config, Cache(tmp_path / "cache"), scan=Scan())
    records, _ = lib.load()
    return config, lib, records


def test_parallel_read_equals_one_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, count = _corpus(tmp_path)
    monkeypatch.chdir(root)

    forked = []
    real_read_many = Library._read_many

    def spy(self, jobs):
        made = real_read_many(self, jobs)
        forked.append(len(made))
        return made

    monkeypatch.setattr(Library, "_read_many", spy)
    one = _load(root, tmp_path / "cache-one", "1", monkeypatch)
    assert forked == [0]  # one core: nothing forked
    two = _load(root, tmp_path / "cache-two", "2", monkeypatch)
    assert forked[1] == count  # every file read by the workers
    records_one, problems_one, html_one, content_one = one
    records_two, problems_two, html_two, content_two = two
    assert [r.as_tuple() for r in records_two] == [r.as_tuple() for r in records_one]
    assert problems_two == problems_one
    assert html_two == html_one and html_one  # the Markdown bodies' HTML, kept alike
    assert content_two == content_one
    assert len(records_one) == count - sum(1 for n in range(count) if n % 97 in (5, 6, 7))
    assert any("not UTF-8" in p.message for p in problems_one)
    assert any("not valid YAML" in p.message for p in problems_one)
    assert any(r.article.source_name == "Le Monde" for r in records_one)  # named from publishers.toml


def test_the_workers_make_the_story_features_the_stories_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers that read the content make each article's story features while they hold its text: the
    same features the stories make from the text they read back (plain and Markdown bodies), so that the
    stories need no workers of their own; and the grouping takes them."""
    from crossings import stories
    from crossings.catalogs import load_catalogs
    from crossings.site import build_site

    config, lib, records = _read_by_workers(tmp_path, monkeypatch)
    table = stories.load_table(config.places)
    assert lib.features_table is table and len(lib.features_made) == len(records)
    for record in records:
        article = record.article
        assert lib.features_made[record.file_sha] == (article.lang, stories.features(article.title, lib.body(record)[1], article.lang, table))
    assert any(lib.html_store().get(r.file_sha) for r in records)  # Markdown bodies among them
    made = dict(lib.features_made)
    site, _ = build_site(records, config, lib, load_catalogs(config.locales))
    index = site.stories
    assert not lib.features_made  # every one taken by the grouping
    assert all(index.grouper.features_of(index.nodes[r.article.slug]) == made[r.file_sha][1] for r in records)


def test_an_articles_text_is_its_bodys_plain_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Library.text``, which the search, the exports and the stories read, is ``body``'s plain text: of a
    plain body (read again), of a Markdown one (kept in the cache, and made again when the cache is lost)."""
    root, _ = _corpus(tmp_path)
    monkeypatch.chdir(root)
    config, _ = load_config(root / "pyproject.toml")
    records, _ = Library(config, Cache(tmp_path / "cache"), scan=Scan()).load()
    for cache in (tmp_path / "cache", tmp_path / "none"):  # (with the Markdown kept, then without)
        lib = Library(config, Cache(cache), scan=Scan())
        plain = markdown = 0
        for record in records:
            assert lib.text(record) == lib.body(record)[1]
            if "*emphasis*" in (config.content / record.rel).read_text(encoding="utf-8"):
                markdown += 1
                assert "emphasis" in lib.text(record) and "*" not in lib.text(record)
            else:
                plain += 1
        assert plain and markdown


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_plain_bodies_read_are_held_for_the_build_within_a_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    """The plain bodies a build reads (by its workers, or one by one) are held for its pages, exports and search
    (``Library.body`` and ``text`` read no file again), while they take at most ``BODIES_KEPT`` characters; the
    others are read again from their files. Shown by taking the files away after the load: a body held is
    still given, the same as read from the file; one past the budget is not."""
    root, count = _corpus(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("CROSSINGS_WORKERS", workers)
    config, _ = load_config(root / "pyproject.toml")
    read_back = Library(config, Cache(None), scan=Scan())
    records, _ = read_back.load()
    expected = {r.rel: read_back.body(r) for r in records}
    plain = [r for r in records if "*emphasis*" not in (config.content / r.rel).read_text(encoding="utf-8")]
    budget = sum(len(expected[r.rel][0]) + len(expected[r.rel][1]) for r in plain) // 2
    monkeypatch.setattr(library_, "BODIES_KEPT", budget)
    lib = Library(config, Cache(None), scan=Scan())
    records, _ = lib.load()
    for record in records:
        (config.content / record.rel).unlink()
    held = 0
    for record in plain:
        try:
            body = lib.body(record)
        except FileNotFoundError:
            continue
        assert body == expected[record.rel] and lib.text(record) == expected[record.rel][1]
        held += 1
    assert plain and len(plain) // 3 < held < len(plain)  # about half of them: the budget's


def test_whether_reading_the_texts_may_need_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that read every body (its cache lost) has each at hand, plain ones held and Markdown ones' HTML
    stored: reading the texts needs no Python-Markdown (the search's process is then forked without importing it:
    0.1 s). A build whose library came from the cache has not read the plain bodies: it may; and so may one
    past the budget of bodies held."""
    config, lib, records = _read_by_workers(tmp_path, monkeypatch)
    assert any(lib.html_store().get(r.file_sha) for r in records)  # Markdown bodies among them
    assert not lib.may_need_markdown(records)
    again = Library(config, Cache(tmp_path / "cache"), scan=Scan())
    records, _ = again.load()  # from the cache: no body read
    assert again.may_need_markdown(records)
    assert not again.may_need_markdown([r for r in records if again.html_store().get(r.file_sha)])  # (the Markdown ones: stored)
    monkeypatch.setattr(library_, "BODIES_KEPT", 100)
    small = Library(config, Cache(tmp_path / "other"), scan=Scan())
    records, _ = small.load()
    assert small.may_need_markdown(records)


def test_a_build_whose_cache_was_lost_takes_the_bodies_from_its_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a spool (the build's folder, ``builder.make_spool``), the workers that read every file leave the plain
    bodies there rather than send them to the build's process: ``body`` and ``text`` then give each plain body from
    the spool, the same as read from its file, without the file (taken away after the load). Once the spool is
    gone (the build over), a body is read from its file again; and the Markdown ones are stored as before."""
    root, count = _corpus(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    config, _ = load_config(root / "pyproject.toml")
    read_back = Library(config, Cache(None), scan=Scan())
    records, _ = read_back.load()
    expected = {r.rel: read_back.body(r) for r in records}
    files = {r.rel: (config.content / r.rel).read_bytes() for r in records}
    markdown = {r.rel for r in records if b"*emphasis*" in files[r.rel]}
    assert markdown and len(markdown) < len(records)
    spool = tmp_path / "spool"
    spool.mkdir()
    lib = Library(config, Cache(tmp_path / "cache"), scan=Scan(), spool=spool)
    records, _ = lib.load()
    assert not lib._kept  # none sent back to be held: every plain body is in the spool
    assert sorted(p.name for p in spool.iterdir()) == sorted(f"bodies-{at}" for at in set(lib._spooled.values()))
    assert set(lib._spooled) == {r.file_sha for r in records if r.rel not in markdown}
    assert not lib.may_need_markdown(records)
    for record in records:
        (config.content / record.rel).unlink()
    for record in reversed(records):  # (in the other order too: the spool files are read again as need be)
        assert lib.body(record) == expected[record.rel]
        assert lib.text(record) == expected[record.rel][1]
    for path in spool.iterdir():
        path.unlink()
    again = Library(config, Cache(tmp_path / "cache"), scan=Scan(), spool=spool)
    again._spooled = dict(lib._spooled)  # (what the build's process knew: its spool files gone meanwhile)
    plain = next(r for r in records if r.rel not in markdown)
    with pytest.raises(FileNotFoundError):  # neither the spool file nor the content file: the file was read
        again.body(plain)
    for rel, data in files.items():
        (config.content / rel).write_bytes(data)
    assert all(again.body(r) == expected[r.rel] for r in records)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the library's workers are forked")
def test_a_cold_build_by_workers_equals_one_made_on_one_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole site built from the corpus with its cache lost: by two workers (bodies spooled, content files read by
    several readers at import) and on one core, byte for byte; and the spool is gone after the build."""
    from crossings.cli import main

    from .test_incremental import tree

    root, count = _corpus(tmp_path)
    monkeypatch.chdir(root)
    parsed: dict[str, list[int]] = {}
    real_ahead_made, real_read_many = Library.ahead_made, Library._read_many

    def ahead_made(self, made):
        parsed[run].append(len(made))
        return real_ahead_made(self, made)

    def read_many(self, jobs):
        parsed[run].append(-len(jobs))
        return real_read_many(self, jobs)

    monkeypatch.setattr(Library, "ahead_made", ahead_made)
    monkeypatch.setattr(Library, "_read_many", read_many)
    sites = {}
    for run, workers, index_from in (("readers", "2", 2), ("workers", "2", importer.INDEX_PARALLEL_FROM), ("one core", "1", 2)):
        # "readers": import's readers index every file (``INDEX_PARALLEL_FROM``) and parse it for the library
        monkeypatch.setattr(importer, "INDEX_PARALLEL_FROM", index_from)
        monkeypatch.setenv("CROSSINGS_WORKERS", workers)
        parsed[run] = []
        out, cache = tmp_path / f"out-{run}", tmp_path / f"cache-{run}"
        assert main(["build", "--out", str(out), "--cache", str(cache)]) == 1  # (the corpus's broken files)
        assert not list(cache.glob(".search-*"))
        sites[run] = tree(out)
    assert sum(parsed["readers"]) == count and min(parsed["readers"]) > 0  # all parsed by the readers, none by the library's workers
    assert parsed["workers"] == [-count]  # all by the library's workers
    assert parsed["one core"] == [-count]  # (which fork none: ``worker_count`` is one)
    assert len([p for p in sites["one core"] if p.startswith("articles/") and p.endswith("/index.html")]) > library_.PARALLEL_FROM
    assert sites["readers"] == sites["one core"]
    assert sites["workers"] == sites["one core"]

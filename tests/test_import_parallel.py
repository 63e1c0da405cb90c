"""Import across cores gives what one core gives: the same content files, byte for byte, and
the same report (problems in the same order), on a first import and on later ones.

The seeds mix generated articles (bench/generate.py: French, English, Spanish, Arabic), the golden
and the bad fixtures, duplicates (one source URL under two seeds), two articles that want
the same file name, and, on the second round, a changed seed, an edited article, an edited
article whose seed is re-delivered with changes, a renamed seed, a new seed and a lost
build cache.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import re
import shutil
from pathlib import Path

import pytest

from crossings import importer
from crossings.cache import Cache
from crossings.config import load_config
from crossings.language import SAMPLE_CHARS, detector, identify

from .conftest import FIXTURES, REPO, lay_out

_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def seeds_into(folder: Path) -> None:
    generate.generate(60, folder)
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt")):
        shutil.copy(path, folder / path.name)
    bad = sorted(p for p in (FIXTURES / "seeds" / "bad").glob("*.txt") if not p.name.endswith(".problems.txt"))
    for n, path in enumerate(bad):
        shutil.copy(path, folder / f"{500 + n}_{n:016x}.txt")
    first = sorted(folder.glob("000*.txt"))[0]
    shutil.copy(first, folder / "900_00000000000000d1.txt")  # the same source URL: a duplicate
    text = first.read_text(encoding="utf-8")
    url = text.rsplit("<", 1)[1].rstrip(">\n")
    (folder / "901_00000000000000d2.txt").write_text(text.replace(url, url + "?other=1"), encoding="utf-8")  # same title and date
    (folder / "notes.txt").write_text("not a seed name\n", encoding="utf-8")


def run_import(root: Path) -> tuple[dict[str, bytes], tuple]:
    config, problems = load_config(root / "pyproject.toml")
    assert not problems
    cwd = os.getcwd()
    os.chdir(root)
    try:
        report = importer.import_seeds(config, Cache(config.cache))
    finally:
        os.chdir(cwd)
    files = {p.relative_to(root / "content").as_posix(): p.read_bytes() for p in sorted((root / "content").rglob("*")) if p.is_file()}
    outcome = (report.imported, report.unchanged, report.kept, report.duplicates, report.rejected, [str(p) for p in report.problems],
               sorted(str(p.relative_to(root)) for p in report.written))
    return files, outcome


RENAMED = "950_00000000000000e7"


def article_of(root: Path, seed_id: str) -> Path:
    [path] = [p for p in (root / "content").rglob("*.md") if re.search(rf"^seed: \"?{seed_id}\"?$", p.read_text(encoding="utf-8"), re.MULTILINE)]
    return path


def second_round(root: Path) -> None:
    seeds = sorted((root / "seeds").glob("0*.txt"))
    seeds[3].write_bytes(seeds[3].read_bytes().replace(b"\n\nSource", b"\n\nUne phrase de plus.\n\nSource", 1))
    article = sorted((root / "content").rglob("*.md"))[5]
    article.write_bytes(article.read_bytes() + b"\nAjout d'un \xc3\xa9diteur.\n")
    # an edited article whose seed is re-delivered with changes: kept, with a warning at every run
    edited = article_of(root, seeds[6].stem)
    edited.write_bytes(edited.read_bytes() + b"\nCorrection d'un \xc3\xa9diteur.\n")
    seeds[6].write_bytes(seeds[6].read_bytes().replace(b"\n\nSource", b"\n\nUne correction.\n\nSource", 1))
    seeds[7].rename(root / "seeds" / f"{RENAMED}.txt")  # a renamed seed: its article follows it
    generate.generate(3, root / "seeds", start=200)
    shutil.rmtree(root / ".cache", ignore_errors=True)


class _Workers:
    pids: Path = Path()
    read_some = None
    index_some = None


def _noting_index_pid(indices):
    """Run in the workers indexing content files (a cache lost): each leaves its process id."""
    (_Workers.pids / f"index-{os.getpid()}").touch()
    return _Workers.index_some(indices)


def _noting_pid(jobs):
    """Run in the forked workers (so defined at module level): each leaves its process id."""
    (_Workers.pids / str(os.getpid())).touch()
    return _Workers.read_some(jobs)


def test_import_on_several_cores_equals_one_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "PARALLEL_FROM", 8)  # a small corpus, yet spread over the workers
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setattr(_Workers, "pids", pids)
    monkeypatch.setattr(_Workers, "read_some", importer._read_some)
    monkeypatch.setattr(importer, "_read_some", _noting_pid)
    monkeypatch.setattr(importer, "INDEX_PARALLEL_FROM", 8)  # the second round's content, its cache lost, indexed by workers
    monkeypatch.setattr(_Workers, "index_some", importer._index_some)
    monkeypatch.setattr(importer, "_index_some", _noting_index_pid)
    rounds = {}
    for workers in ("1", "3"):
        monkeypatch.setenv("CROSSINGS_WORKERS", workers)
        root = lay_out(tmp_path / f"w{workers}")
        seeds_into(root / "seeds")
        first = run_import(root)
        renamed = article_of(root, sorted((root / "seeds").glob("0*.txt"))[7].stem)
        second_round(root)
        second = run_import(root)
        third = run_import(root)
        # the cache lost again, and only the seeds that have their article (none to convert): each one read and hashed
        imported = {m.group(1) for p in (root / "content").rglob("*.md")
                    for m in [re.search(r'^seed: "?([^"\n]+)"?$', p.read_text(encoding="utf-8"), re.MULTILINE)] if m}
        for seed in (root / "seeds").glob("*.txt"):
            if seed.stem not in imported:
                seed.unlink()
        shutil.rmtree(root / ".cache")
        pools: list[int] = []
        real_pool = concurrent.futures.ProcessPoolExecutor

        def pool(max_workers=None, *args, **kwargs):
            pools.append(max_workers)
            return real_pool(max_workers, *args, **kwargs)

        monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", pool)
        fourth = run_import(root)
        monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", real_pool)
        rounds[workers] = (first, second, third, fourth)
        if workers == "3":  # by more processes than workers (``parallel.reader_count``): as many as the chunks need
            assert pools and max(pools) > 3
        assert article_of(root, RENAMED) == renamed  # the renamed seed kept its article (same file, same address)
        assert not [p for p in (root / "content").rglob("*") if p.name.startswith(".")]  # no file written ahead is left
    one, many = rounds["1"], rounds["3"]
    assert len(one[0][0]) > 60 and one[0][1][3] and one[0][1][4]  # articles, duplicates and rejections to compare
    assert one[1][1][0] and one[1][1][2]  # the second round imported and kept files too
    for later in (one[1], one[2]):  # the edited article's re-delivered seed is reported at every run
        assert sum("was re-delivered with changes since" in p for p in later[1][5]) == 1
    for single, several in zip(one, many):
        assert several[0] == single[0]  # content files, byte for byte
        assert several[1] == single[1]  # the report, problems in order
    assert len({p.name for p in pids.iterdir() if not p.name.startswith("index-")} - {str(os.getpid())}) >= 2  # several workers read seeds
    assert len({p.name for p in pids.iterdir() if p.name.startswith("index-")} - {f"index-{os.getpid()}"}) >= 2  # and indexed content


def test_worker_count_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from crossings.parallel import MAX_WORKERS, worker_count

    monkeypatch.setenv("CROSSINGS_WORKERS", "1")
    assert worker_count() == 1
    monkeypatch.setenv("CROSSINGS_WORKERS", "5")
    assert worker_count() == 5
    monkeypatch.setenv("CROSSINGS_WORKERS", "zero")
    assert worker_count() == min(os.cpu_count() or 1, MAX_WORKERS)


def test_readers_are_several_per_worker_and_one_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from crossings.parallel import READERS, reader_count

    monkeypatch.setenv("CROSSINGS_WORKERS", "1")
    assert reader_count() == 1  # one process: everything in it
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    assert reader_count() == 2 * READERS > 2


def labelled_texts() -> list[tuple[str, str]]:
    import tomllib

    found = []
    for path in sorted((FIXTURES / "stories").glob("*.toml")) + sorted((FIXTURES / "entities" / "realstyle").glob("*.toml")):
        for article in tomllib.loads(path.read_text(encoding="utf-8")).get("article", []):
            if "lang" in article:
                found.append((article["lang"], (article.get("title", "") + "\n" + article["text"]).strip()))
    return found


def test_language_is_lingua_high_accuracy_on_the_labelled_sets() -> None:
    """identify() sends long texts to the low-accuracy detector: the answers are those of the
    high-accuracy mode, for whole articles and for their first 60 to 200 characters."""
    languages = ("fr", "en", "es", "ar", "de", "it", "pt", "nl")
    texts = labelled_texts()
    assert len(texts) > 200 and {lang for lang, _ in texts} == {"fr", "en", "es", "ar"}
    high = detector(languages)
    compared = 0
    for lang, text in texts:
        assert identify(text, languages, "fr") == lang
        for cut in (60, 110, 125, 200):
            expected = high.detect_language_of(text[:cut])
            assert identify(text[:cut], languages, "fr") == (expected.iso_code_639_1.name.lower() if expected else "fr")
            compared += 1
    assert compared > 800


def lingua_answer(text: str, languages: tuple[str, ...]) -> str:
    """What Lingua alone says of the sample ``identify`` reads (high-accuracy mode: the reference)."""
    found = detector(languages).detect_language_of(text[:SAMPLE_CHARS])
    return found.iso_code_639_1.name.lower() if found else "fr"


def test_the_common_words_answer_as_lingua_does_and_spare_it_most_seeds(tmp_path: Path) -> None:
    """The word lists answer before Lingua only where one language stands out; each answer they give
    is Lingua's, on the labelled sets (whole texts, and their first 125 and 200 characters) and on
    generated seeds; and they answer for most whole articles (else Lingua's time is not spared)."""
    from crossings import seeds
    from crossings.language import by_words, is_long

    languages = ("fr", "en", "es", "ar", "de", "it", "pt", "nl")
    texts = [text for _, text in labelled_texts()]
    for path in generate.generate(400, tmp_path / "seeds"):
        seed, _ = seeds.parse(path.read_text(encoding="utf-8"), path.stem, path.name, languages)
        texts.append(seed.title + "\n" + "\n".join(seed.paragraphs))
    answered = whole = 0
    for text in texts:
        for cut in (SAMPLE_CHARS, 125, 200):
            sample = text[:cut]
            if not is_long(sample):
                continue
            found = by_words(sample, languages)
            if found is not None:
                assert found == lingua_answer(sample, languages), sample
            if cut == SAMPLE_CHARS:
                whole += 1
                answered += found is not None
    assert whole > 600 and answered > 0.8 * whole


def test_the_common_words_leave_unclear_samples_to_lingua() -> None:
    from crossings.language import by_words

    languages = ("fr", "en", "es", "ar")
    french = ("Les autorités ont annoncé dans la soirée que le navire, qui transportait plus de cent personnes, "
              "a été secouru au large des côtes et que les passagers sont désormais pris en charge par une ONG.")
    assert by_words(french, languages) == "fr"
    assert by_words(french, ("fr", "ca")) is None  # Catalan has no list: a Catalan text could look French
    assert by_words("مرحبا " * 10 + french, languages) is None  # two scripts: Lingua weighs them
    assert by_words("Lampedusa, Tunis, Sfax, Zarzis, Tripoli, Misrata, Benghazi, Tobrouk, Alger, Oran, Annaba", languages) is None
    english = ("The authorities said on Monday that the boat, which was carrying more than a hundred people, "
               "had been rescued off the coast and that the passengers were now in the care of an NGO.")
    assert by_words(english + " " + french, languages) is None  # neither stands out three to one
    assert by_words(english, languages) == "en" == identify(english, languages, "fr")
    assert by_words(english, ("fr", "es")) is None  # a language the archive does not expect stands out


def test_the_files_import_writes_are_in_the_content_index_it_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import stores, with each content file it wrote, its entry in the content index (from the text written, on
    the worker's core or on one core): the next run reads none of them again, and the stored index is the one made
    by reading every file. So after a first import of many seeds (a build from the seeds), a re-delivered seed
    and new seeds, and a renamed seed. Before, the next run read again every file the last one wrote. A run that
    wrote a few files only (``WRITTEN_INDEXED_FROM``) leaves them to the next, which reads those and no other."""
    monkeypatch.setattr(importer, "PARALLEL_FROM", 8)  # a small corpus, yet spread over the workers
    for workers in ("1", "3"):
        monkeypatch.setattr(importer, "WRITTEN_INDEXED_FROM", 0)  # (every run's files stored, however few)
        monkeypatch.setenv("CROSSINGS_WORKERS", workers)
        root = lay_out(tmp_path / f"w{workers}")
        seeds_into(root / "seeds")
        config, _ = load_config(root / "pyproject.toml")
        for turn in range(3):
            if turn == 1:  # a seed re-delivered with changes, and new seeds
                seeds = sorted((root / "seeds").glob("0*.txt"))
                seeds[3].write_bytes(seeds[3].read_bytes().replace(b"\n\nSource", b"\n\nUne phrase de plus.\n\nSource", 1))
                generate.generate(3, root / "seeds", start=200)
            elif turn == 2:  # a seed renamed: its article follows it
                seeds = sorted((root / "seeds").glob("0*.txt"))
                seeds[7].rename(root / "seeds" / f"{RENAMED}.txt")
            written = run_import(root)[1][6]
            assert written, turn
            known = importer.index_content(config, Cache(config.cache))
            assert known.read == {}, turn  # no file read again: each file written is indexed with its signature
            scratch = importer.index_content(config, Cache(None))  # every file read
            assert len(scratch.read) == len(known.files) > 60
            assert known.files == scratch.files, turn
        monkeypatch.setattr(importer, "WRITTEN_INDEXED_FROM", 64)
        generate.generate(2, root / "seeds", start=300)
        written = run_import(root)[1][6]
        assert len(written) == 2
        known = importer.index_content(config, Cache(config.cache))
        assert sorted(f"content/{rel}" for rel in known.read) == written  # those two read again, no other
        assert known.files == importer.index_content(config, Cache(None)).files


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the readers are forked")
def test_a_cold_build_takes_what_the_readers_parsed_of_the_files_import_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose cache was lost, after seeds were re-delivered with changes (``second_round``): import's readers
    parse every content file they read for the library (``Library.ahead``), then import rewrites the articles of
    the changed seeds (and writes those of new seeds). The library takes what the readers parsed of the other
    files, reads the rewritten ones again, and the site is the one a build on one core makes, byte for byte, showing the re-delivered text."""
    from crossings.cli import main
    from crossings.library import Library

    from .test_incremental import tree

    read_here: dict[str, list[str]] = {}
    real_read = Library._read

    def read(self, rel, sig, old, data=None):
        if os.getpid() == parent:
            read_here[workers].append(rel)
        return real_read(self, rel, sig, old, data)

    monkeypatch.setattr(Library, "_read", read)
    monkeypatch.setattr(importer, "INDEX_PARALLEL_FROM", 8)
    parent = os.getpid()
    sites = {}
    rewritten: dict[str, list[str]] = {}
    for workers in ("2", "1"):
        monkeypatch.setenv("CROSSINGS_WORKERS", workers)
        root = lay_out(tmp_path / f"w{workers}")
        seeds_into(root / "seeds")
        run_import(root)
        second_round(root)
        shutil.rmtree(root / ".cache", ignore_errors=True)  # (the build's cache lost, if import left one)
        before = {p: p.read_bytes() for p in (root / "content").rglob("*.md")}
        read_here[workers] = []
        monkeypatch.chdir(root)
        main(["build"])
        rewritten[workers] = sorted(p.relative_to(root / "content").as_posix() for p in (root / "content").rglob("*.md")
                                    if before.get(p) != p.read_bytes())  # (or written: a new seed's)
        sites[workers] = tree(root / "_site")
    assert rewritten["2"] == rewritten["1"] and rewritten["2"]
    assert sorted(read_here["2"]) == rewritten["2"]  # the others: as the readers parsed them
    assert len(read_here["1"]) == len(list((root / "content").rglob("*.md"))) > len(rewritten["1"])  # (one core: every file read here)
    assert sites["2"] == sites["1"]
    pages = b"".join(data for rel, data in sites["2"].items() if rel.startswith("articles/"))
    assert b"Une phrase de plus." in pages

"""Import: idempotent, never overwrites an editor's work, never imports an article twice."""

from __future__ import annotations

import hashlib
import os
import re
import stat

from .conftest import FIXTURES, REFERENCE_SEED, Project

REFERENCE_MD = "2023/2023-01-27-maroc-l-oim-tient-un-dialogue-interregional-sur-le-pacte-sur-les-migrations.md"


def test_reference_seed_imports_to_its_golden_file(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    status, out, err = project.run("import")
    assert status == 0, err
    assert project.content_files() == {REFERENCE_MD: (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.expected.md").read_bytes()}
    assert out.startswith("import: 1 imported, 0 skipped (0 unchanged, 0 edited, 0 duplicate), 0 rejected; 0 pages written;")


def test_import_twice_changes_nothing(project: Project) -> None:
    for name in ("000_0a1c3472872379bf", "102_3b7e0f1a9c2d4e5f", "103_5c1d2e3f4a5b6c7d", "104_7e8f9a0b1c2d3e4f"):
        project.add_fixture_seed(f"ok/{name}.txt")
    project.run("import")
    first = project.content_files()
    stats = {p: p.stat().st_mtime_ns for p in project.content.rglob("*.md")}
    status, out, _ = project.run("import")
    assert status == 0
    assert project.content_files() == first
    assert {p: p.stat().st_mtime_ns for p in project.content.rglob("*.md")} == stats  # not even rewritten
    assert out.startswith("import: 0 imported, 4 skipped (4 unchanged, 0 edited, 0 duplicate), 0 rejected;")


def test_seeds_are_never_changed(project: Project) -> None:
    seed = project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    before = hashlib.sha256(seed.read_bytes()).hexdigest()
    project.run("build")
    assert hashlib.sha256(seed.read_bytes()).hexdigest() == before


def test_an_edited_file_is_kept_through_import_and_build(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    path = project.content / REFERENCE_MD
    edited = path.read_text(encoding="utf-8").replace("Maroc : L'OIM tient", "Maroc : l’OIM tient").replace("Un dialogue sur", "Un **dialogue** sur")
    path.write_text(edited, encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 0, err
    assert path.read_text(encoding="utf-8") == edited
    assert f"content/{REFERENCE_MD}: kept: edited by hand, so import did not overwrite it" in err
    assert "1 skipped (0 unchanged, 1 edited, 0 duplicate)" in out
    page = (project.out / "articles" / REFERENCE_MD[5:-3] / "index.html").read_text(encoding="utf-8")
    assert "Maroc : l’OIM tient" in page and "<strong>dialogue</strong>" in page


def test_an_editor_is_told_when_the_seed_of_an_edited_file_is_redelivered(project: Project) -> None:
    seed = project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    path = project.content / REFERENCE_MD
    edited = path.read_text(encoding="utf-8").replace("Un dialogue sur", "Un **dialogue** sur")
    path.write_text(edited, encoding="utf-8")
    assert "re-delivered" not in project.run("build")[2]  # an edit alone: nothing to say
    seed.write_bytes(seed.read_bytes().replace("Yabiladi.".encode(), "Yabiladi (corrigé).".encode()))
    for _ in range(2):  # said again at every run until the editor decides
        status, out, err = project.run("build")
        assert status == 0 and path.read_text(encoding="utf-8") == edited
        assert (f"content/{REFERENCE_MD}: warning: kept as edited by hand, but its seed seeds/{REFERENCE_SEED}.txt "
                "was re-delivered with changes since — copy the correction into this file") in err
    # the editor copies the correction and makes the file wholly theirs: silence
    path.write_text(re.sub(r"^# fingerprint .*\n", "", edited.replace("Yabiladi.", "Yabiladi (corrigé)."), flags=re.M), encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 0 and "re-delivered" not in err and "Yabiladi (corrigé)." in path.read_text(encoding="utf-8")


def test_an_unedited_file_follows_its_corrected_seed(project: Project) -> None:
    seed = project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    seed.write_bytes(seed.read_bytes().replace("Yabiladi.".encode(), "Yabiladi (corrigé).".encode()))
    status, out, _ = project.run("import")
    assert status == 0 and out.startswith("import: 1 imported")
    assert "Yabiladi (corrigé)." in (project.content / REFERENCE_MD).read_text(encoding="utf-8")


def test_a_file_put_back_to_an_older_import_follows_its_seed_again(project: Project) -> None:
    """`git checkout` of content/ brings back the file an older seed gave, unedited: the seed has not changed
    since the last run, yet its file no longer records it, and import writes it again."""
    seed = project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    older = (project.content / REFERENCE_MD).read_bytes()
    seed.write_bytes(seed.read_bytes().replace("Yabiladi.".encode(), "Yabiladi (corrigé).".encode()))
    project.run("import")
    newer = (project.content / REFERENCE_MD).read_bytes()
    (project.content / REFERENCE_MD).write_bytes(older)
    status, out, _ = project.run("import")
    assert status == 0 and out.startswith("import: 1 imported"), out
    assert (project.content / REFERENCE_MD).read_bytes() == newer
    status, out, _ = project.run("import")
    assert out.startswith("import: 0 imported, 1 skipped (1 unchanged,"), out


def test_a_corrected_date_rewrites_the_article_where_it_is(project: Project) -> None:
    """The seed's new date names a file in another year's folder, where the worker wrote its text
    ahead; the article keeps its file, and gets exactly the text a fresh import would write."""
    from crossings.importer import convert

    seed = project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    seed.write_bytes(seed.read_bytes().replace(b"27.01.2023", b"27.01.2022"))
    status, out, err = project.run("import")
    assert status == 0 and out.startswith("import: 1 imported"), err
    _, wanted, _ = convert(seed.read_bytes(), seed.stem, "seed", project.config())
    assert "date: 2022-01-27" in wanted
    assert project.content_files() == {REFERENCE_MD: wanted.encode("utf-8")}  # and no file written ahead is left
    assert sorted(p.name for p in project.content.rglob("*") if p.is_file()) == [REFERENCE_MD.split("/")[1]]


def test_content_files_get_the_permissions_of_any_new_file(project: Project) -> None:
    """Import writes each file whole beside its place and moves it in: the file has the permissions any new file
    of the editor's gets (0666 less the umask), not those of a private temporary file (0600), both when a worker
    wrote it ahead and when it is written in place (its seed's new date names another year's folder)."""
    old = os.umask(0o022)
    try:
        seed = project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
        project.run("import")
        path = project.content / REFERENCE_MD
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.umask(0o027)
        seed.write_bytes(seed.read_bytes().replace(b"27.01.2023", b"27.01.2022"))
        status, out, err = project.run("import")
        assert status == 0 and out.startswith("import: 1 imported"), err
        assert "date: 2022-01-27" in path.read_text(encoding="utf-8")
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_a_deleted_content_file_comes_back_from_its_seed(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    (project.content / REFERENCE_MD).unlink()
    project.run("import")
    assert (project.content / REFERENCE_MD).exists()


def test_same_source_url_is_a_duplicate_naming_both_files(project: Project) -> None:
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    data = (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes().replace(b"https://www.yabiladi.com", b"http://yabiladi.com")
    project.add_seed("001_ffffffffffffffff.txt", data)
    status, out, err = project.run("import")
    assert status == 0
    assert f"seeds/001_ffffffffffffffff.txt: warning: duplicate: its source URL is already in content/{REFERENCE_MD} — not imported again; delete one of the two seeds" in err
    assert len(project.content_files()) == 1
    assert "1 duplicate" in out


def test_duplicates_within_one_run(project: Project) -> None:
    data = (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes()
    project.add_seed("001_1111111111111111.txt", data)
    project.add_seed("002_2222222222222222.txt", data)
    _, _, err = project.run("import")
    assert f"seeds/002_2222222222222222.txt: warning: duplicate: its source URL is already in content/{REFERENCE_MD} (imported from seeds/001_1111111111111111.txt)" in err
    assert len(project.content_files()) == 1


def test_same_title_and_date_give_two_files_and_two_pages(project: Project) -> None:
    data = (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes()
    project.add_seed("001_1111111111111111.txt", data)
    project.add_seed("002_2222222222222222.txt", data.replace(b"136423", b"999999").replace("Marrakech".encode(), "Rabat".encode()))
    status, out, err = project.run("build")
    assert status == 0, err
    names = sorted(project.content_files())
    assert set(names) == {REFERENCE_MD, REFERENCE_MD[:-3] + "-22222222.md"}
    pages = sorted(p.parent.name for p in (project.out / "articles").glob("*/index.html"))
    assert set(pages) == {n[5:-3] for n in names}
    # Deterministic: the same seeds imported into a fresh folder give the same names.
    for path in project.content.rglob("*.md"):
        path.unlink()
    project.run("import")
    assert sorted(project.content_files()) == names


def test_sequence_numbers_of_any_length_sort_numerically(project: Project) -> None:
    data = (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes()
    project.add_seed("1000_1111111111111111.txt", data)
    project.add_seed("999_2222222222222222.txt", data)
    _, _, err = project.run("import")
    assert "seeds/1000_1111111111111111.txt: warning: duplicate" in err  # 999 came first


def test_names_that_are_not_seeds(project: Project) -> None:
    data = (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes()
    project.add_seed("article.txt", data)
    project.add_seed(f"{REFERENCE_SEED}.txt~", data)
    project.add_seed(f".{REFERENCE_SEED}.txt.swp", data)
    project.add_seed("4913", b"")
    (project.seeds / "005_00000000000000aa.txt").mkdir()
    status, out, err = project.run("import")
    assert status == 1
    assert err.splitlines() == [
        "seeds/005_00000000000000aa.txt: error: is a folder, not a seed file — seeds are files directly in the seeds folder",
        "seeds/article.txt: error: the name does not follow NNN_HHHHHHHHHHHHHHHH.txt — name seeds with a sequence number, '_' and 16 lowercase hex digits, e.g. 001_0a1c3472872379bf.txt",
    ]
    assert ", 2 rejected;" in out


def test_all_problems_of_a_run_are_printed_and_good_seeds_still_import(project: Project) -> None:
    for path in sorted((FIXTURES / "seeds/bad").glob("*.txt")):
        if not path.name.endswith(".problems.txt"):
            project.add_seed(f"{200 + len(list(project.seeds.iterdir()))}_{hashlib.md5(path.name.encode()).hexdigest()[:16]}.txt", path.read_bytes())
    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    status, out, err = project.run("build")
    assert status == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len({line.split(":")[0] for line in errors}) == 15  # every rejected seed, not just the first
    assert (project.out / "articles" / REFERENCE_MD[5:-3] / "index.html").exists()
    assert "Traceback" not in err


def _reference(url_id: bytes = b"136423") -> bytes:
    return (FIXTURES / "seeds/ok" / f"{REFERENCE_SEED}.txt").read_bytes().replace(b"136423", url_id)


def test_a_url_freed_by_a_redelivered_seed_is_free_in_the_same_run(project: Project) -> None:
    """Whether a new seed is a duplicate depends on the archive as it will be, not on the order of the seeds."""
    project.add_seed("500_00000000000000a5.txt", _reference())
    project.run("import")
    # the seed is re-delivered with a corrected address, and a new seed (earlier in sequence) has the old one
    project.add_seed("500_00000000000000a5.txt", _reference(b"136424"))
    project.add_seed("400_00000000000000a4.txt", _reference().replace(b"27.01.2023", b"28.01.2023"))
    status, out, err = project.run("import")
    assert status == 0 and "duplicate" not in err, err
    assert out.startswith("import: 2 imported, 0 skipped")
    texts = b"".join(project.content_files().values())
    assert b"/136423/" in texts and b"/136424/" in texts
    assert project.run("import")[1].startswith("import: 0 imported, 2 skipped (2 unchanged")


def test_a_renamed_seed_keeps_its_article(project: Project) -> None:
    project.add_seed("500_00000000000000a5.txt", _reference())
    project.run("import")
    [(rel, before)] = project.content_files().items()
    (project.seeds / "500_00000000000000a5.txt").rename(project.seeds / "501_00000000000000a6.txt")
    status, out, err = project.run("import")
    assert status == 0 and "duplicate" not in err, err
    [(rel_after, after)] = project.content_files().items()
    assert rel_after == rel  # same file, same address
    assert b"seed: 501_00000000000000a6" in after and after.replace(b"501_00000000000000a6", b"500_00000000000000a5") != before  # new fingerprint
    # while both names exist, the second is a duplicate, as any seed with a known address
    project.add_seed("502_00000000000000a7.txt", _reference())
    status, out, err = project.run("import")
    assert "502_00000000000000a7.txt: warning: duplicate" in err


def test_the_import_stores_keep_only_their_changes(project: Project, monkeypatch) -> None:
    from crossings import cache as cache_module
    from crossings.cache import Cache

    names = ("000_0a1c3472872379bf", "102_3b7e0f1a9c2d4e5f", "103_5c1d2e3f4a5b6c7d", "104_7e8f9a0b1c2d3e4f")
    for name in names[:3]:
        project.add_fixture_seed(f"ok/{name}.txt")
    assert project.run("import")[0] == 0
    root = project.root / ".cache"
    first = Cache(root).load("seeds")
    assert first[0] == "journal" and first[2] == {} and Cache(root).load("seeds-base")[0] == first[1]  # stored whole, once
    project.add_fixture_seed(f"ok/{names[3]}.txt")
    status, out, _ = project.run("import")
    assert status == 0 and out.startswith("import: 1 imported, 3 skipped")
    journal = Cache(root).load("seeds")
    assert journal[1] == first[1] and set(journal[2]) == {f"{names[3]}.txt"}  # the base kept, the new seed beside it
    assert set(Cache(root).load_journaled("seeds")) == {"", *(f"{name}.txt" for name in names)}  # ('': the rules)
    assert Cache(root).load("content-index")[1] == Cache(root).load("content-index-base")[0]
    # Past an eighth of the entries, the whole dict again, as a new base.
    monkeypatch.setattr(cache_module, "JOURNAL_FOLD_FROM", 0)
    (project.seeds / f"{names[1]}.txt").unlink()
    status, out, _ = project.run("import")
    assert status == 0 and out.startswith("import: 0 imported, 3 skipped")
    folded = Cache(root).load("seeds")
    assert folded[1] != first[1] and folded[2] == {} and folded[3] == ()
    assert set(Cache(root).load("seeds-base")[1]) == {"", *(f"{name}.txt" for name in names if name != names[1])}
    # A build killed between a new base and its differences: differences from another base are not trusted.
    Cache(root).save("seeds-base", ("another", {}))
    assert Cache(root).load_journaled("seeds") is None
    status, out, _ = project.run("import")  # every seed read and hashed again: nothing imported, nothing lost
    assert status == 0 and out.startswith("import: 0 imported, 3 skipped (3 unchanged")
    assert set(Cache(root).load_journaled("seeds")) == {"", *(f"{name}.txt" for name in names if name != names[1])}


def test_new_import_rules_rewrite_the_articles_and_are_remembered(project: Project, monkeypatch) -> None:
    from crossings import importer

    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    bad = sorted(p for p in (FIXTURES / "seeds/bad").glob("*.txt") if not p.name.endswith(".problems.txt"))[0]
    project.add_seed("300_00000000000000b1.txt", bad.read_bytes())
    first = project.run("import")
    assert first[1].startswith("import: 1 imported, 0 skipped") and ", 1 rejected;" in first[1]
    again = project.run("import")  # the rejected seed's problems said again, from the store
    assert again[1].startswith("import: 0 imported, 1 skipped (1 unchanged") and again[2] == first[2]
    monkeypatch.setattr(importer, "IMPORT_RULES", importer.IMPORT_RULES + "-test")
    status, out, err = project.run("import")  # each article's fingerprint names the rules: written again
    assert status == 1 and out.startswith("import: 1 imported, 0 skipped") and err == first[2]
    assert project.run("import")[1].startswith("import: 0 imported, 1 skipped (1 unchanged")


def test_the_entity_table_kept_in_the_cache_is_the_one_its_sources_make(project: Project) -> None:
    """Import keeps the entity table in the build cache; a run takes it from there only while what it is made
    from is the same, and that table finds what one made afresh finds. Once entities.toml changes, it is made again."""
    from crossings import importer
    from crossings.cache import Cache
    from crossings.entities import load

    texts = [path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))] + [
        "Une manifestation rue du Maroc, puis une réunion en Hollande avec Frontex et l'OIM.",
        "La France, terre d'asile ? Ahmed Maroc a parlé au HCR à Tunis.", "Frontex bis et Frontex au Maroc."]

    def finds(table) -> list:
        return [table[0].find(text) for text in texts] + [table[1]]

    project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    config = project.config()
    rules = importer.rules_digest(config)
    cache = Cache(config.cache)
    assert cache.load(importer.ENTITIES_STORE)[0][0] == rules
    importer._KEPT_ENTITIES.clear()
    importer.keep_entities(cache, config, rules)
    assert finds(importer._KEPT_ENTITIES[(config.entities, rules)]) == finds(load(config.entities))

    config.entities.write_text(config.entities.read_text(encoding="utf-8") + '\n[organizations.frontex2]\nnames = {fr = "Frontex bis"}\n'
                               'aliases = ["Frontex bis"]\n', encoding="utf-8")
    changed = importer.rules_digest(config)
    importer._KEPT_ENTITIES.clear()
    importer.keep_entities(cache, config, changed)
    assert (config.entities, changed) not in importer._KEPT_ENTITIES  # made here, not taken
    assert cache.load(importer.ENTITIES_STORE)[0][0] == changed
    importer.keep_entities(cache, config, changed)
    kept = importer._KEPT_ENTITIES[(config.entities, changed)]
    assert finds(kept) == finds(load(config.entities))
    assert "frontex2" in kept[0].find(texts[-1])[1]


def test_a_cold_build_of_committed_content_makes_the_entity_table_only_when_a_seed_needs_it(project: Project) -> None:
    """With every seed's file committed and the cache lost (CI), the seeds are read and found unchanged: the
    entity table is not made for them. A re-delivered seed that changed is still converted as with the table
    made first (a worker makes it then), and the next build with a new seed makes and keeps it."""
    import shutil

    from crossings import importer
    from crossings.cache import Cache

    seed = project.add_fixture_seed(f"ok/{REFERENCE_SEED}.txt")
    project.run("import")
    config = project.config()
    shutil.rmtree(config.cache)
    importer._KEPT_ENTITIES.clear()
    assert project.run("build")[0] == 0
    assert Cache(config.cache).load(importer.ENTITIES_STORE) is None

    shutil.rmtree(config.cache)
    seed.write_bytes(b"Tunisie".join(seed.read_bytes().rsplit(b"Maroc", 1)))  # re-delivered, changed (in its body)
    importer._KEPT_ENTITIES.clear()
    importer._load_entities.cache_clear()
    assert project.run("build")[0] == 0
    [written] = list(config.content.rglob("*.md"))
    redelivered = written.read_text(encoding="utf-8")
    written.unlink()
    shutil.rmtree(config.cache)
    importer._KEPT_ENTITIES.clear()
    assert project.run("import")[0] == 0  # a new seed: the table made first
    assert written.read_text(encoding="utf-8") == redelivered and "Tunisie" in redelivered

    project.add_fixture_seed("ok/102_3b7e0f1a9c2d4e5f.txt")
    importer._KEPT_ENTITIES.clear()
    assert project.run("build")[0] == 0
    assert Cache(config.cache).load(importer.ENTITIES_STORE)[0][0] == importer.rules_digest(config)

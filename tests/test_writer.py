"""The output tree takes a cold build's search index from the build's spool folder by folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossings.cache import Cache, sha
from crossings.writer import OutputTree


def _spool(root: Path, files: dict[str, bytes]) -> list[tuple[str, Path, str]]:
    found = []
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        found.append((f"search/{rel}", path, sha(data)))
    return found


def test_a_spool_folder_whose_files_are_all_wanted_is_moved_whole(tmp_path: Path) -> None:
    """A folder of the spool whose files are exactly those wanted, at a free place of the new site, is moved in one
    step; one with a file more, or whose files the live site has, is left for ``adopt``, file by file; the site
    committed holds every file with its bytes, and the next build's tree moves nothing the live site has."""
    out, spool = tmp_path / "_site", tmp_path / "spool"
    tree = OutputTree(out, Cache(tmp_path / ".cache"))
    files = {"p1/f0.jsonz": b"zero", "p1/f1.jsonz": b"one", "p2/f2.jsonz": b"two", "p3/f3.jsonz": b"three"}
    found = _spool(spool, files)
    (spool / "p3" / "stray.tmp").write_bytes(b"not wanted")
    wanted = {rel: "key:" + digest for rel, _, digest in found}
    assert sorted(tree.prepare(wanted, remove=False)) == sorted(wanted)
    moved = tree.adopt_folders(found)
    assert moved == {rel: digest for rel, _, digest in found if not rel.startswith("search/p3/")}
    assert not (spool / "p1").exists() and not (spool / "p2").exists() and (spool / "p3" / "f3.jsonz").exists()
    shas = dict(moved)
    for rel, source, digest in found:
        if rel not in moved:
            shas[rel] = tree.adopt(rel, source, digest)
    tree.commit(wanted, shas)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {f"search/{rel}": data for rel, data in files.items()}
    # the next build: the live site has p1 and p2; a new folder p4 is moved, the others are not
    tree = OutputTree(out, Cache(tmp_path / ".cache"))
    spool2 = tmp_path / "spool2"
    found = _spool(spool2, {"p1/f0.jsonz": b"zero again", "p4/f4.jsonz": b"four"})
    tree.prepare({rel: "key:" + digest for rel, _, digest in found}, remove=False)
    moved = tree.adopt_folders(found)
    assert moved == {"search/p4/f4.jsonz": sha(b"four")}
    assert (spool2 / "p1" / "f0.jsonz").exists() and (tree.spare / "search" / "p4" / "f4.jsonz").read_bytes() == b"four"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _write(out: Path, cache: Path, files: dict[str, bytes]) -> list[str]:
    """One build of the site ``files`` through the tree (its key: the bytes' hash); the files it made."""
    tree = OutputTree(out, Cache(cache))
    wanted = {rel: "key:" + sha(data) for rel, data in files.items()}
    todo = tree.prepare(wanted)
    tree.commit(wanted, {rel: tree.put(rel, files[rel]) for rel in todo}, spare_ahead=False)
    return sorted(todo)


def test_builds_in_a_row_leave_the_site_and_its_manifest_exact(tmp_path: Path, monkeypatch) -> None:
    """Builds one after another (files changed, added, removed, put back, a site of two builds ago again), with new
    bases now and then: each leaves the live folder holding exactly its files, the spare the last build's, and
    manifests that say so; only the files that are in neither folder with their key are made."""
    import random

    import crossings.writer as writer

    monkeypatch.setattr(writer, "FOLD_FROM", 25)  # (a new base every few builds: both ways of storing are taken)
    out, cache = tmp_path / "_site", tmp_path / ".cache"
    rng = random.Random(7)
    site = {f"p{i % 5}/f{i}.html": f"page {i}".encode() for i in range(40)}
    assert _write(out, cache, site) == sorted(site)  # (a cold build: every file made)
    history = [dict(site)]
    for step in range(14):
        before = dict(site)
        if step == 9:  # the site of two builds ago again: every file is in the spare, nothing is made
            site = dict(history[-2])
        elif step != 5:  # (step 5: no change at all)
            for rel in rng.sample(sorted(site), 4):
                site[rel] = site[rel] + b" changed"
            for rel in rng.sample(sorted(site), 2):
                del site[rel]
            site[f"p{step % 3}/new{step}.html"] = f"new {step}".encode()
            if step > 2:
                gone = sorted(set(history[-2]) - set(site))
                site.update({rel: history[-2][rel] for rel in gone[:2]})  # back, as two builds ago: in the spare
        made = _write(out, cache, site)
        assert _files(out) == site, step
        expected = [rel for rel, data in site.items() if before.get(rel) != data and (len(history) < 2 or history[-2].get(rel) != data)]
        assert made == sorted(expected), step
        if step in (5, 9):
            assert made == []
        tree = OutputTree(out, Cache(cache))
        assert tree.live == {rel: ("key:" + sha(data), sha(data)) for rel, data in site.items()}, step
        assert tree.spare_manifest == {rel: ("key:" + sha(data), sha(data)) for rel, data in before.items()}, step
        assert _files(tree.spare) == before, step
        history.append(dict(site))


def test_a_tree_refuses_a_second_build(tmp_path: Path) -> None:
    """A tree serves one build: after ``commit``, another ``prepare`` or ``commit`` through it raises (its state is that
    of the site it replaced), and a new tree builds the next site exactly."""
    out, cache = tmp_path / "_site", tmp_path / ".cache"
    first = {"a.html": b"one", "b.html": b"two"}
    tree = OutputTree(out, Cache(cache))
    wanted = {rel: "key:" + sha(data) for rel, data in first.items()}
    tree.commit(wanted, {rel: tree.put(rel, first[rel]) for rel in tree.prepare(wanted)}, spare_ahead=False)
    second = {"a.html": b"one", "c.html": b"three"}
    wanted = {rel: "key:" + sha(data) for rel, data in second.items()}
    with pytest.raises(RuntimeError, match="serves one build"):
        tree.prepare(wanted)
    with pytest.raises(RuntimeError, match="serves one build"):
        tree.remove_unwanted(wanted)
    with pytest.raises(RuntimeError, match="serves one build"):
        tree.commit(wanted, {})
    assert _files(out) == first
    assert _write(out, cache, second) == ["c.html"]
    assert _files(out) == second


def test_a_big_dict_is_stored_in_pieces_and_read_back_whole(tmp_path: Path, monkeypatch) -> None:
    """A dict of ``PIECES_FROM`` entries or more, alone or ending a tuple, is written in pieces (each a few entries'
    marshal bytes) and read back equal, through a memory map too; a store whose last piece is cut short, or missing,
    is damaged: discarded with a warning, as any other."""
    from crossings import cache as cache_

    monkeypatch.setattr(cache_, "PIECES_FROM", 10)
    cache = Cache(tmp_path / ".cache")
    big = {f"page-{i}/index.html": (f"key-{i}", sha(str(i).encode())) for i in range(95)}
    values = {"whole": big, "journal": ("token", 3, big), "small": {"a": 1}, "list": list(big)}
    for name, value in values.items():
        assert cache.save(name, value)
    data = {name: (tmp_path / ".cache" / f"{name}.marshal").read_bytes() for name in values}
    assert [name for name, raw in data.items() if raw.startswith(cache_.PIECES)] == ["whole", "journal"]
    assert all(cache.load(name) == value for name, value in values.items())
    monkeypatch.setattr(cache_, "MAP_FROM", 1)  # read through a memory map
    assert all(cache.load(name) == value for name, value in values.items())
    path = tmp_path / ".cache" / "whole.marshal"
    path.write_bytes(data["whole"][:-5])  # the last piece cut short
    assert cache.load("whole") is None and not path.exists() and "damaged" in cache.warnings[-1]
    at, starts = len(cache_.PIECES), []
    while at < len(data["journal"]):
        starts.append(at)
        at += cache_.PIECE.size + cache_.PIECE.unpack_from(data["journal"], at)[0]
    assert len(starts) == 1 + 10  # the header, then 95 entries by 10
    path = tmp_path / ".cache" / "journal.marshal"
    path.write_bytes(data["journal"][:starts[-1]])  # the last piece missing
    assert cache.load("journal") is None and not path.exists()

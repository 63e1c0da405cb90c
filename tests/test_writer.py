"""The output tree takes a cold build's search index from the build's spool folder by folder."""

from __future__ import annotations

from pathlib import Path

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

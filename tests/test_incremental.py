"""Incremental builds are exact: after any sequence of edits, byte-identical to a clean build."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crossings import __version__
from crossings.cli import main

from .conftest import FIXTURES, REPO, Project, write_pyproject

OK_SEEDS = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))


# Pagefind writes these in a different order on every run (Rust hash maps), so two
# clean builds differ there; its index chunks and fragments are stable. They are
# compared by what they say rather than byte for byte.
UNSTABLE = re.compile(r"^pagefind/[a-z0-9_-]+-\d{4}-\d\d/(?:filter/.*|pagefind\.[a-z-]+_[0-9a-f]+\.pf_meta|pagefind-entry\.json)$")


def tree(root: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file():
            continue
        if UNSTABLE.match(rel):
            if rel.endswith("pagefind-entry.json"):
                entry = json.loads(path.read_bytes())
                files[rel] = json.dumps({k: v["page_count"] for k, v in entry["languages"].items()}, sort_keys=True).encode()
            else:
                files[re.sub(r"_[0-9a-f]+\.", "_*.", rel)] = b"(pagefind, compared by count)"
            continue
        files[rel] = path.read_bytes()
    return files


def clean_build(project: Project, tmp: Path) -> dict[str, bytes]:
    """Build the same inputs from nothing (own output and cache), without importing anything new."""
    out, cache = tmp / "clean-out", tmp / "clean-cache"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    assert main(["build", "--out", str(out), "--cache", str(cache)]) in (0, 1)
    return tree(out)


def assert_exact(project: Project, tmp: Path) -> str:
    status, out, err = project.run("build")
    assert status in (0, 1), err
    assert tree(project.out) == clean_build(project, tmp)
    return out


def test_edit_sequences_give_the_clean_build(project: Project, tmp_path: Path) -> None:
    write_pyproject(project.root, search_shard_size=1)  # several search periods, until the settings change below
    for path in OK_SEEDS[:3]:
        project.add_seed(path.name, path.read_bytes())
    assert_exact(project, tmp_path)
    # add a seed
    project.add_seed(OK_SEEDS[3].name, OK_SEEDS[3].read_bytes())
    out = assert_exact(project, tmp_path)
    assert "1 imported" in out
    # edit an article's title and body
    [article] = project.content.rglob("2023-05-02-*.md")
    article.write_text(article.read_text(encoding="utf-8").replace("refuerzan", "renuevan").replace("Rabat", "**Rabat**"), encoding="utf-8")
    assert_exact(project, tmp_path)
    # nothing changed: nothing written
    out = assert_exact(project, tmp_path)
    assert "; 0 pages written" in out
    # touched without a change
    os.utime(article, None)
    out = assert_exact(project, tmp_path)
    assert "; 0 pages written" in out
    # a hand-written article, then a draft
    hand = project.content / "hand.md"
    hand.write_text("---\ntitle: Written by hand\ndate: 2024-06-01\nlang: en\n---\n\nA *new* article.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    hand.write_text(hand.read_text(encoding="utf-8").replace("lang: en", "lang: en\ndraft: true"), encoding="utf-8")
    assert_exact(project, tmp_path)
    # delete a seed and its article
    seed = project.seeds / OK_SEEDS[1].name
    seed.unlink()
    for path in project.content.rglob("2024-03-14-*.md"):
        path.unlink()
    assert_exact(project, tmp_path)
    # change a template, then the stylesheet
    month = project.root / "templates" / "month.html"
    month.write_text(month.read_text(encoding="utf-8").replace('<p class="lede">', '<p class="lede intro">'), encoding="utf-8")
    out = assert_exact(project, tmp_path)
    css = project.root / "static" / "css" / "crossings.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x { color: red; }\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    # change settings
    write_pyproject(project.root, per_page=1)
    assert_exact(project, tmp_path)
    write_pyproject(project.root, base_url="https://other.example/news/", per_page=2)
    assert_exact(project, tmp_path)
    # a broken article, then fixed
    article.write_text("---\ntitle: [\n---\nx\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    article.write_text("---\ntitle: Fixed\ndate: 2023-05-02\n---\n\nFixed.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    # a lost cache: still exact
    shutil.rmtree(project.root / ".cache")
    assert_exact(project, tmp_path)
    # the output deleted by hand
    shutil.rmtree(project.out)
    assert_exact(project, tmp_path)


def test_a_template_change_renders_only_the_pages_that_use_it(project: Project, tmp_path: Path) -> None:
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    project.run("build")
    month = project.root / "templates" / "month.html"
    month.write_text(month.read_text(encoding="utf-8").replace('<p class="lede">', '<p class="lede intro">'), encoding="utf-8")
    status, out, _ = project.run("build")
    assert status == 0 and "; 3 pages written" in out  # the three month pages, nothing else


def test_an_edit_indexes_only_its_search_period(project: Project, tmp_path: Path) -> None:
    write_pyproject(project.root, search_shard_size=1, search="pagefind")  # ours: test_ownsearch.py
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    project.run("build")
    shards = json.loads((project.out / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    # 5 articles, each language's in periods of at most 1 (but for a month that has more)
    assert {name: sum(languages.values()) for name, languages in shards.items()} == {
        "ar-2023-01/": 1, "en-2023-01/": 1, "en-2024-03/": 1, "es-2023-05/": 1, "fr-2023-01/": 1}
    before = {p: p.stat().st_ino for p in (project.out / "pagefind").rglob("*") if p.is_file()}
    [article] = project.content.rglob("2023-05-02-*.md")
    article.write_text(article.read_text(encoding="utf-8").replace("Rabat", "Tanger"), encoding="utf-8")
    assert_exact(project, tmp_path)
    after = {p: p.stat().st_ino for p in (project.out / "pagefind").rglob("*") if p.is_file()}
    changed = {p.relative_to(project.out / "pagefind").parts[0] for p in after if before.get(p) != after[p]}
    assert changed - {"shards.json", "labels.json"} == {"es-2023-05"}  # the edited article's language and period, nothing else


def test_a_new_article_rewrites_only_its_years_exports(project: Project, tmp_path: Path) -> None:
    for year in (2019, 2020, 2021):
        for n in range(2):
            (project.content / f"a{year}-{n}.md").write_text(f"---\ntitle: Article {year} {n}\ndate: {year}-0{n + 3}-01\n---\n\nText {n}.\n", encoding="utf-8")
    project.run("build")
    data = project.out / "data"
    before = {p.name: p.stat().st_ino for p in data.iterdir()}
    assert {"2019.csv", "2019.jsonl.gz", "2020.csv", "2020.jsonl.gz", "2021.csv", "2021.jsonl.gz", "index.json", "articles.csv"} <= set(before)
    (project.content / "new.md").write_text("---\ntitle: New\ndate: 2021-06-01\n---\n\nNew text.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    after = {p.name: p.stat().st_ino for p in data.iterdir()}
    assert {name for name in after if before.get(name) != after[name]} == {
        "2021.csv", "2021.jsonl.gz", "index.json", "articles.csv", "articles.bib", "index.html"}
    assert b"New text." in gzip.decompress((data / "2021.jsonl.gz").read_bytes())


def test_the_year_files_are_made_once_and_listed_as_written(project: Project, tmp_path: Path, monkeypatch) -> None:
    """data/index.json and the data page give each year file's size and hash: a cold build makes each file
    once (by the workers that write it), then lists what was written; ``check`` (in memory) lists the same."""
    from crossings import exports

    log = tmp_path / "made.log"  # a file: an incremental build may make them in a forked process (``ExportsAhead``)

    def counted(kind, make):
        def wrapper(site, records):
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{kind} {records[0].article.date.year}\n")
            return make(site, records)
        return wrapper

    def made() -> list[tuple[str, int]]:
        found = [(kind, int(year)) for kind, year in (line.split() for line in log.read_text(encoding="utf-8").splitlines())]
        log.unlink()
        return sorted(found)

    monkeypatch.setattr(exports, "YEAR_FILES", tuple((kind, ext, counted(kind, make)) for kind, ext, make in exports.YEAR_FILES))
    for year in (2019, 2020):
        (project.content / f"a{year}.md").write_text(f"---\ntitle: Article {year}\ndate: {year}-03-01\n---\n\nTexte {year}.\n",
                                                     encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    assert made() == [("csv", 2019), ("csv", 2020), ("jsonl", 2019), ("jsonl", 2020)]  # once each, nothing at plan time
    index = json.loads((project.out / "data/index.json").read_bytes())
    for year in index["years"]:
        for kind in ("csv", "jsonl"):
            data = (project.out / year[kind]["path"]).read_bytes()
            assert (year[kind]["bytes"], year[kind]["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    page = (project.out / "data/index.html").read_text(encoding="utf-8")
    size = index["years"][0]["csv"]["bytes"]
    assert f"2019.csv</a> ({max(1, round(size / 1000))} ko)" in page  # French, the site's language
    # an edit: its year's files made again, once; the other year's facts come from the build cache
    (project.content / "a2020.md").write_text("---\ntitle: Article 2020\ndate: 2020-03-01\n---\n\nAutre texte.\n", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    assert made() == [("csv", 2020), ("jsonl", 2020)]
    assert_exact(project, tmp_path)
    # the cache lost, the site kept: a build that writes nothing new still lists every file right
    shutil.rmtree(project.root / ".cache")
    assert_exact(project, tmp_path)
    status, _, err = project.run("check")
    assert status == 0, err


def test_the_manifests_are_stored_as_differences_from_a_base(project: Project, tmp_path: Path, monkeypatch) -> None:
    from crossings import writer
    from crossings.cache import Cache

    root = project.root / ".cache"
    cache = Cache(root)

    def bases() -> set[str]:
        return {p.name[len("output-base-"):-len(".marshal")] for p in root.glob("output-base-*.marshal")}

    def assert_described() -> None:  # the stores describe the folders: each file and its bytes' hash
        for name, folder in (("output", project.out), ("output-spare", root / "site-spare")):
            manifest = writer.manifest_of(cache, cache.load(name), {})
            files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
            assert manifest.keys() == files.keys()
            assert all(hashlib.sha256(files[rel].read_bytes()).hexdigest() == sha for rel, (_, sha) in manifest.items())

    for path in OK_SEEDS[:3]:
        project.add_seed(path.name, path.read_bytes())
    assert_exact(project, tmp_path)
    project.add_seed(OK_SEEDS[3].name, OK_SEEDS[3].read_bytes())
    assert_exact(project, tmp_path)
    live, spare = cache.load("output"), cache.load("output-spare")
    assert live["base"] == spare["base"] and live["set"] and "live" not in live  # only the differences, from one base
    assert_described()
    (project.seeds / OK_SEEDS[1].name).unlink()  # a seed and its pages gone
    [article] = project.content.rglob("2024-03-14-*.md")
    article.unlink()
    assert_exact(project, tmp_path)
    assert_described()
    assert cache.load("output")["gone"] and cache.load("output")["base"] == live["base"]
    project.add_seed(OK_SEEDS[1].name, OK_SEEDS[1].read_bytes())
    assert_exact(project, tmp_path)
    assert_described()
    assert bases() == {live["base"]}
    # Differences past FOLD: a new base; the spare's kept while its store names it, then removed.
    fold = writer.FOLD_FROM, writer.FOLD
    monkeypatch.setattr(writer, "FOLD_FROM", 0)
    monkeypatch.setattr(writer, "FOLD", 10**9)
    hand = project.content / "hand.md"
    hand.write_text("---\ntitle: Old\ndate: 1999-06-01\n---\n\nOld article.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    folded = cache.load("output")
    assert folded["base"] != live["base"] and not folded["set"] and not folded["gone"]
    assert bases() == {folded["base"], live["base"]} and cache.load("output-spare")["base"] == live["base"]
    monkeypatch.setattr(writer, "FOLD_FROM", fold[0])
    monkeypatch.setattr(writer, "FOLD", fold[1])
    hand.unlink()
    assert_exact(project, tmp_path)
    assert bases() == {folded["base"]} and cache.load("output")["gone"]
    assert_described()
    # A base lost or damaged: the folders it described are unknown, and the next build exact all the same.
    (root / f"output-base-{folded['base']}.marshal").write_bytes(b"damaged")
    hand.write_text("---\ntitle: Older\ndate: 1998-06-01\n---\n\nOld article.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    (root / f"output-base-{cache.load('output')['base']}.marshal").unlink()
    hand.unlink()
    assert_exact(project, tmp_path)


def test_unchanged_files_keep_their_identity(project: Project) -> None:
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    project.run("build")
    before = {p: p.stat().st_ino for p in project.out.rglob("*.html")}
    (project.content / "hand.md").write_text("---\ntitle: Old\ndate: 1999-06-01\n---\n\nOld article.\n", encoding="utf-8")
    project.run("build")
    after = {p: p.stat().st_ino for p in project.out.rglob("*.html")}
    kept = [p for p in before if before[p] == after.get(p)]
    assert (project.out / "timeline/2024/03/index.html") in kept
    assert (project.out / "timeline/index.html") not in kept


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.45, 0.6, 0.8])
def test_a_killed_build_leaves_the_previous_site(project: Project, tmp_path: Path, delay: float) -> None:
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    project.run("build")
    before = tree(project.out)
    for i in range(60):
        (project.content / f"extra-{i}.md").write_text(f"---\ntitle: Extra {i}\ndate: 2020-01-{i % 28 + 1:02d}\n---\n\nBody {i}.\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build"], cwd=project.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = tree(project.out)
    assert after == before or len(after) > len(before)  # the old site, or the whole new one
    if after != before:
        assert "articles/extra-0/index.html" in after and "articles/extra-59/index.html" in after
    assert_exact(project, tmp_path)  # and the next build recovers by itself


def _wait_for(found, seconds: float = 60.0):
    """Poll until ``found()`` gives something (the background process of the spare has its own pace)."""
    given_up = time.monotonic() + seconds
    while time.monotonic() < given_up:
        value = found()
        if value:
            return value
        time.sleep(0.02)
    return found()


@pytest.mark.parametrize("early", [False, True], ids=["after-the-last-steps", "at-the-swap"])
def test_the_spare_made_in_the_background_after_a_cold_build_is_taken(project: Project, tmp_path: Path, monkeypatch, early: bool) -> None:
    from crossings import writer

    monkeypatch.setattr(writer, "SPARE_AHEAD_FROM", 0)  # a small site, yet its next spare made ahead
    if early:  # started as soon as the site is swapped in, as for a site of 100,000 files or more
        monkeypatch.setattr(writer, "SPARE_EARLY_FROM", 0)
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    cache = project.root / ".cache"
    # Left by other sites: a spare half made by a process that is gone, and one made whole.
    for name in ("site-spare.making-0123456789abcdef", "site-spare.ready-fedcba9876543210"):
        (cache / name / "articles").mkdir(parents=True)
        (cache / name / "articles" / "stale.html").write_text("stale", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    ready = _wait_for(lambda: list(cache.glob("site-spare.ready-*")) if not list(cache.glob("site-spare.making-*")) else [])
    assert len(ready) == 1 and "fedcba" not in ready[0].name  # the stale folders are gone, this site's spare is whole
    spare = ready[0]
    site = tree(project.out)
    assert {p.relative_to(spare).as_posix() for p in spare.rglob("*") if p.is_file()} == set(site)
    shared = "timeline/2024/03/index.html"
    assert (spare / shared).stat().st_ino == (project.out / shared).stat().st_ino  # hard links, not copies
    folder = (spare / "timeline").stat().st_ino
    (project.content / "hand.md").write_text("---\ntitle: Old\ndate: 1999-06-01\n---\n\nOld article.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    assert not spare.exists()
    assert (project.out / "timeline").stat().st_ino == folder  # the spare made ahead is the new site
    assert "articles/hand/index.html" in tree(project.out)


def test_a_build_right_after_a_cold_one_waits_for_the_spare_being_made(project: Project, tmp_path: Path, monkeypatch) -> None:
    """The spare's process takes a while to start (its Python, then the manifest: a second or more on a busy
    machine). A build that comes meanwhile finds its folder there from the start, waits, and takes it."""
    from crossings import writer

    monkeypatch.setattr(writer, "SPARE_AHEAD_FROM", 0)
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    cache = project.root / ".cache"
    status, _, err = project.run("build")
    assert status == 0, err
    # at once, before its process could have made anything: the folder of the spare being made is there
    assert list(cache.glob("site-spare.making-*")) or list(cache.glob("site-spare.ready-*"))
    taken = []
    take = writer.OutputTree._take_spare_ahead

    def spy(tree) -> None:
        take(tree)
        taken.append(tree.live is not None and tree.spare_manifest is tree.live)
    monkeypatch.setattr(writer.OutputTree, "_take_spare_ahead", spy)
    (project.content / "hand.md").write_text("---\ntitle: Old\ndate: 1999-06-01\n---\n\nOld article.\n", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    assert taken == [True]
    assert not list(cache.glob("site-spare.making-*"))
    assert_exact(project, tmp_path)


def test_a_spare_half_made_in_the_background_is_not_taken(project: Project, tmp_path: Path, monkeypatch) -> None:
    from crossings import writer

    monkeypatch.setattr(writer, "SPARE_AHEAD_FROM", 0)
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    cache = project.root / ".cache"
    project.run("build")
    ready = _wait_for(lambda: list(cache.glob("site-spare.ready-*")))
    assert len(ready) == 1
    # As if its process had been killed half way: renamed back, a page missing.
    making = ready[0].with_name(ready[0].name.replace(".ready-", ".making-"))
    ready[0].rename(making)
    (making / "timeline/2024/03/index.html").unlink()
    (project.content / "hand.md").write_text("---\ntitle: Old\ndate: 1999-06-01\n---\n\nOld article.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    assert _wait_for(lambda: not making.exists())  # removed once its site is replaced


def test_a_build_killed_during_its_swap_is_followed_by_an_exact_one(project: Project, tmp_path: Path) -> None:
    from crossings.cache import Cache

    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    project.run("build")
    (project.content / "hand.md").write_text("---\ntitle: Old\ndate: 1999-06-01\n---\n\nOld article.\n", encoding="utf-8")
    project.run("build")
    cache = Cache(project.root / ".cache")
    # As a build killed between its swap and the renames of its stores leaves them: the folders exchanged, the
    # stores saying the opposite, and the next site's store (here the spare's) not yet renamed.
    assert cache.load("output") and cache.load("output-spare")
    spare = project.root / ".cache" / "site-spare"
    project.out.rename(tmp_path / "swapping")
    spare.rename(project.out)
    (tmp_path / "swapping").rename(spare)
    cache.save("output-next", cache.load("output-spare"))
    (project.content / "hand.md").write_text("---\ntitle: Older\ndate: 1998-06-01\n---\n\nOld article.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    assert cache.load("output-next") is None


def test_a_page_added_to_a_list_leaves_its_older_pages_as_they_are(project: Project, tmp_path: Path, monkeypatch) -> None:
    """A list's numbered pages (``page/N/``) show their articles and links to the pages beside them; the shipped
    templates do not show how many pages the list has: an article that adds a page renders, of the list's numbered
    pages, the new one and the one before it only (at 10,000 and at 100,000 articles, the benchmark's new seed adds
    a page to the home list, which rendered all its 500 or 5,000 pages again). A project's template that shows the
    count (an earlier ``_macros.html`` asks ``p.pages``) has it, and every page showing it is made again, exactly."""
    from crossings import builder

    write_pyproject(project.root, per_page=1)
    for n in range(8):
        (project.content / f"a{n}.md").write_text(f"---\ntitle: Article {n}\ndate: 2020-{n + 1:02d}-01\n---\n\nText {n}.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    assert sorted(p.parent.name for p in (project.out / "page").glob("*/index.html")) == ["1", "2", "3", "4", "5", "6"]
    rendered = []
    render_all = builder.render_all

    def recording(env, config, outputs, *rest):
        rendered.extend(o.path for o in outputs)
        return render_all(env, config, outputs, *rest)
    monkeypatch.setattr(builder, "render_all", recording)
    (project.content / "new.md").write_text("---\ntitle: New\ndate: 2020-12-01\n---\n\nNew text.\n", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    assert sorted(p for p in rendered if p.startswith("page/")) == ["page/6/index.html", "page/7/index.html"]
    monkeypatch.setattr(builder, "render_all", render_all)
    assert_exact(project, tmp_path)
    # a project's own template that shows the count
    macros = project.root / "templates" / "_macros.html"
    macros.write_text(macros.read_text(encoding="utf-8").replace("{% if p.paged %}", "{% if p.pages > 1 %}<p>{{ p.number }} / {{ p.pages }}</p>"),
                      encoding="utf-8")
    assert_exact(project, tmp_path)
    assert "<p>3 / 8</p>" in (project.out / "page/3/index.html").read_text(encoding="utf-8")
    (project.content / "newer.md").write_text("---\ntitle: Newer\ndate: 2021-01-01\n---\n\nNewer text.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    assert "<p>3 / 9</p>" in (project.out / "page/3/index.html").read_text(encoding="utf-8")


def test_a_new_article_leaves_the_older_pages_of_its_lists_exact(project: Project, tmp_path: Path) -> None:
    """Pages past the first of a list (``page/N/``, stable) are not made again for a new article: nothing on them may
    depend on how many articles the list holds."""
    write_pyproject(project.root, per_page=1)
    for path in OK_SEEDS[1:]:
        project.add_seed(path.name, path.read_bytes())
    assert_exact(project, tmp_path)
    assert (project.out / "organizations/iom/page/1/index.html").exists()
    project.add_seed(OK_SEEDS[0].name, OK_SEEDS[0].read_bytes())  # one more article naming the IOM
    assert_exact(project, tmp_path)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="priorities of processes")
def test_the_spare_is_made_in_the_background_at_the_lowest_priority(project: Project, tmp_path: Path, monkeypatch) -> None:
    """Right after a cold build, the user's next builds do not share the cores with the linking at the same priority."""
    from crossings import writer

    monkeypatch.setattr(writer, "SPARE_AHEAD_FROM", 0)
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    writer._JOBS.clear()
    status, _, err = project.run("build")
    assert status == 0, err
    [job] = writer._JOBS.values()
    job.wait(60)
    # the very command the build started, with a cache that names another site (nothing linked): the priority it runs at
    command = [*job.args[:3], str(tmp_path / "no-cache"), "another-site", str(project.out), str(tmp_path / "making"), str(tmp_path / "ready")]
    command[2] += "; import os; print(os.nice(0))"
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert int(done.stdout) == 19
    assert not (tmp_path / "making").exists()


def test_a_years_json_lines_are_a_gzip_member_a_month_made_again_only_where_they_changed(project: Project, tmp_path: Path) -> None:
    from crossings.cache import Cache

    for day, title in (("2020-01-10", "Janvier"), ("2020-01-20", "Janvier encore"), ("2020-03-05", "Mars")):
        (project.content / f"a{day}.md").write_text(f"---\ntitle: {title}\ndate: {day}\n---\n\nTexte de {title}.\n", encoding="utf-8")
    assert_exact(project, tmp_path)
    year = project.out / "data/2020.jsonl.gz"
    members = _members(year.read_bytes())
    assert [[json.loads(line)["title"] for line in gzip.decompress(m).decode().splitlines()] for m in members] == [
        ["Janvier", "Janvier encore"], ["Mars"]]
    assert gzip.decompress(year.read_bytes()) == b"".join(map(gzip.decompress, members))  # one stream to a reader
    # the build cache holds them by what they are made of: January's member replaced there by a marked one
    cache = Cache(project.root / ".cache")
    store = cache.load("exports-jsonl-2020")
    assert list(store.values()) == members
    january = next(iter(store))
    store[january] = gzip.compress(b'{"title": "from the cache"}\n', mtime=0)
    assert cache.save("exports-jsonl-2020", store)
    # March's article edited: March's member made again, January's taken from the build cache (the marked one)
    (project.content / "a2020-03-05.md").write_text("---\ntitle: Mars\ndate: 2020-03-05\n---\n\nAutre texte.\n", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    first, second = _members(year.read_bytes())
    assert gzip.decompress(first) == b'{"title": "from the cache"}\n'
    assert b"Autre texte." in gzip.decompress(second)
    # without the marked member, the year is made whole again, as a clean build makes it
    (project.root / ".cache" / "exports-jsonl-2020.marshal").unlink()
    (project.content / "a2020-03-05.md").write_text("---\ntitle: Mars\ndate: 2020-03-05\n---\n\nEncore un autre texte.\n", encoding="utf-8")
    assert_exact(project, tmp_path)


def _members(data: bytes) -> list[bytes]:
    """The gzip members of a file, each as it is compressed."""
    import zlib

    found = []
    while data:
        one = zlib.decompressobj(wbits=31)
        one.decompress(data)
        found.append(data[:len(data) - len(one.unused_data)])
        data = one.unused_data
    return found


def test_stores_written_in_pieces_give_the_same_builds(project: Project, tmp_path: Path, monkeypatch) -> None:
    """With every dict of a few entries stored in pieces (``PIECES_FROM``, 20,000 entries in use: the site's manifest,
    the sizes, the content index of a big archive), builds in a row stay exact, the stores are in pieces, and the
    manifests they describe are the folders'."""
    from crossings import cache as cache_, writer

    monkeypatch.setattr(cache_, "PIECES_FROM", 3)
    root = project.root / ".cache"
    for path in OK_SEEDS[:3]:
        project.add_seed(path.name, path.read_bytes())
    assert_exact(project, tmp_path)
    pieced = {p.name for p in root.glob("*.marshal") if p.read_bytes().startswith(cache_.PIECES)}
    assert any(name.startswith("output-base-") for name in pieced) and "sizes.marshal" in pieced, pieced
    project.add_seed(OK_SEEDS[3].name, OK_SEEDS[3].read_bytes())
    (project.seeds / OK_SEEDS[0].name).unlink()
    assert_exact(project, tmp_path)
    cache = cache_.Cache(root)
    manifest = writer.manifest_of(cache, cache.load("output"), {})
    files = {p.relative_to(project.out).as_posix(): p for p in project.out.rglob("*") if p.is_file()}
    assert manifest.keys() == files.keys()
    assert all(hashlib.sha256(files[rel].read_bytes()).hexdigest() == sha for rel, (_, sha) in manifest.items())


def test_a_change_of_crossings_own_code_gives_the_clean_build(project: Project, tmp_path: Path) -> None:
    """The build state is the code's that made it: after a change to Crossings itself under the same version (a
    developer's), the next build equals a clean build by the changed code, not the site of the code before. Built by
    ``build.py`` in processes of their own, from a copy of the package changed between the two builds."""
    code = tmp_path / "code"
    shutil.copytree(REPO / "crossings", code / "crossings", ignore=shutil.ignore_patterns("__pycache__"))
    for path in OK_SEEDS[:2]:
        project.add_seed(path.name, path.read_bytes())

    def build(*args: str) -> None:
        done = subprocess.run([sys.executable, "-c", "import sys; from crossings.cli import main; sys.exit(main(sys.argv[1:]))",
                               "build", *args], cwd=project.root, env={**os.environ, "PYTHONPATH": str(code)},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr

    build()
    render = code / "crossings" / "render.py"
    render.write_text(render.read_text(encoding="utf-8").replace('generator=f"Crossings {__version__}"',
                                                                   'generator=f"Crossings {__version__} (changed)"'), encoding="utf-8")
    build()
    site = tree(project.out)
    assert f'content="Crossings {__version__} (changed)"'.encode() in site["index.html"]
    clean_out, clean_cache = tmp_path / "clean-out", tmp_path / "clean-cache"
    build("--out", str(clean_out), "--cache", str(clean_cache))
    assert site == tree(clean_out)

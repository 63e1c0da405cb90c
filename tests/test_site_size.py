"""The build warns when a site for a github.io address is bigger than GitHub Pages publishes (1 GB).

The limit is the documented constant ``builder.PAGES_LIMIT``; the tests lower it to
a few kilobytes and build a small real site.
"""

from __future__ import annotations

import pytest

from crossings import builder

from .conftest import FIXTURES, Project, write_pyproject


def add_seeds(project: Project) -> None:
    for path in sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))[:3]:
        project.add_seed(path.name, path.read_bytes())


def test_a_site_too_big_for_github_pages_is_warned_about(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    add_seeds(project)
    status, _, err = project.run("build")
    assert status == 0 and "GitHub Pages" not in err  # a small site, the real limit
    monkeypatch.setattr(builder, "PAGES_LIMIT", 20_000)
    (project.content / "hand.md").write_text("---\ntitle: Hand\ndate: 2020-01-01\n---\n\nText.\n", encoding="utf-8")
    status, _, err = project.run("build")
    size = sum(p.stat().st_size for p in project.out.rglob("*") if p.is_file())
    assert status == 0, err  # a warning: the site is built
    assert (f"_site: warning: the site is {size / 1e6:.2f} MB, more than GitHub Pages publishes (0.02 MB for a site at user.github.io)"
            " — publish it on another static host and set base_url to its address (README: 'Beyond GitHub Pages')") in err
    status, _, err = project.run("build")  # nothing changed: said again
    assert "more than GitHub Pages publishes" in err
    status, _, err = project.run("build", "--strict")
    assert status == 1


def test_no_warning_for_another_host(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    write_pyproject(project.root, base_url="https://news.example.org/archive/")
    add_seeds(project)
    monkeypatch.setattr(builder, "PAGES_LIMIT", 20_000)
    status, _, err = project.run("build")
    assert status == 0 and "GitHub Pages" not in err


def test_the_size_said_after_each_change_is_the_site_s(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size kept from build to build (only changed files looked at) is the site's, whatever the change:
    files added, changed, removed, the same bytes under another key, nothing."""
    monkeypatch.setattr(builder, "PAGES_LIMIT", 1_000)
    changed = []
    counted = builder._changed_size
    monkeypatch.setattr(builder, "_changed_size", lambda *args: changed.append(counted(*args)) or changed[-1])
    seeds = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))
    changes = [
        lambda: project.add_seed(seeds[0].name, seeds[0].read_bytes()),
        lambda: project.add_seed(seeds[1].name, seeds[1].read_bytes()),
        lambda: (project.content / "hand.md").write_text("---\ntitle: Hand\ndate: 2020-01-01\n---\n\nText.\n", encoding="utf-8"),
        lambda: (project.content / "hand.md").write_text("---\ntitle: Hand\ndate: 2020-01-01\n---\n\nA longer text now.\n", encoding="utf-8"),
        lambda: None,
        lambda: (project.content / "hand.md").unlink(),
        lambda: project.add_seed(seeds[2].name, seeds[2].read_bytes()),
        lambda: write_pyproject(project.root, per_page=1),
    ]
    for change in changes:
        change()
        status, _, err = project.run("build")
        assert status == 0, err
        size = sum(p.stat().st_size for p in project.out.rglob("*") if p.is_file())
        assert f"the site is {size / 1e6:.2f} MB" in err
        kept = builder.Cache(project.root / ".cache").load("site-size")
        assert kept["total"] == size
    assert sum(1 for total in changed if total is not None) >= 4  # most of the changes measured from the last size


def test_a_cold_build_sizes_its_site_from_what_it_wrote(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendered by workers, a cold build's site is sized from what they wrote (each file's size by its hash,
    handed back with its hash), not by looking at every file; the sizes are the files'."""
    from crossings import render

    monkeypatch.setattr(render, "PARALLEL_FROM", 1)  # workers for a small site
    monkeypatch.setenv("CROSSINGS_WORKERS", "2")
    monkeypatch.setattr(builder, "PAGES_LIMIT", 1_000)
    handed = []
    every = builder._every_size
    monkeypatch.setattr(builder, "_every_size", lambda config, cache, manifest, written: handed.append(dict(written)) or every(config, cache, manifest, written))
    add_seeds(project)
    status, _, err = project.run("build")
    assert status == 0, err
    files = {p.relative_to(project.out).as_posix(): p for p in project.out.rglob("*") if p.is_file()}
    size = sum(p.stat().st_size for p in files.values())
    assert f"the site is {size / 1e6:.2f} MB" in err
    assert builder.Cache(project.root / ".cache").load("site-size")["total"] == size
    written = handed[0]
    pages = [rel for rel in files if rel.endswith(".html")]
    assert len(pages) > 5
    digests = {rel: builder.sha(files[rel].read_bytes()) for rel in files}
    for rel in pages:  # every page's size came from its writing, and is its file's
        assert written[digests[rel]] == files[rel].stat().st_size

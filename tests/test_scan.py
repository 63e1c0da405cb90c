"""The folder listings of a build (``cache.Scan``), made here or in a forked process (``walk_aside``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crossings.cache import Scan, signature, walk

from .conftest import REPO


def aside(content: Path, *, write_after: bool = False) -> dict:
    """``Scan.walk_aside`` in a fresh interpreter (one thread, as a build's: this test process may have
    threads left by others, and then nothing is forked); what it listed, and whether it forked."""
    script = f"""
import json, sys
from pathlib import Path
from crossings.cache import Scan
content = Path({str(content)!r})
scan = Scan()
forked = scan.walk_aside(content, ".md")
written = []
if {write_after!r}:
    new = content / "2025" / "03" / "new.md"
    new.parent.mkdir(parents=True)
    new.write_text("---\\ntitle: new\\n---\\n", encoding="utf-8")
    changed = content / "2023" / "01" / "article-1.md"
    changed.write_text("---\\ntitle: longer now\\n---\\n", encoding="utf-8")
    scan.refresh(content, [new, changed])  # the child may have listed before or after the writes: refresh says
listed = list(scan.walk(content, ".md"))
json.dump({{"forked": forked, "signatures": scan.signatures(content, ".md"), "walk": listed}}, sys.stdout)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    found = json.loads(done.stdout)
    found["signatures"] = [(rel, tuple(sig)) for rel, sig in found["signatures"]]
    return found


def _folder(root: Path) -> Path:
    content = root / "content"
    for year in ("2023", "2024"):
        for month in ("01", "11"):
            folder = content / year / month
            folder.mkdir(parents=True)
            for n in range(3):
                (folder / f"article-{n}.md").write_text(f"---\ntitle: {year}-{month}-{n}\n---\n" + "x" * n, encoding="utf-8")
    (content / "2024" / "01" / ".hidden.md").write_text("editor's temp", encoding="utf-8")
    (content / "2024" / "01" / "notes.txt").write_text("not markdown", encoding="utf-8")
    (content / ".git").mkdir()
    (content / ".git" / "x.md").write_text("inside .git", encoding="utf-8")
    (content / "2024" / "11" / "link.md").symlink_to(content / "2023" / "01" / "article-0.md")
    # a folder whose name sorts before "2024/" ('-' < '/'), a name with a line break and one in Arabic
    (content / "2024-x").mkdir()
    (content / "2024-x" / "a\nb.md").write_text("---\ntitle: two lines\n---\n", encoding="utf-8")
    (content / "2024-x" / "مهاجرون.md").write_text("---\ntitle: ar\n---\n", encoding="utf-8")
    return content


@pytest.mark.skipif(not hasattr(os, "fork"), reason="walk_aside forks")
def test_a_listing_made_aside_is_the_listing_made_here(tmp_path):
    content = _folder(tmp_path)
    expected = Scan().signatures(content, ".md")
    found = aside(content)
    assert found["forked"]
    assert found["signatures"] == expected
    assert found["walk"] == list(walk(content, ".md"))
    assert [rel for rel, _ in expected] == ["2023/01/article-0.md", "2023/01/article-1.md", "2023/01/article-2.md",
                                            "2023/11/article-0.md", "2023/11/article-1.md", "2023/11/article-2.md",
                                            "2024-x/a\nb.md", "2024-x/مهاجرون.md",
                                            "2024/01/article-0.md", "2024/01/article-1.md", "2024/01/article-2.md",
                                            "2024/11/article-0.md", "2024/11/article-1.md", "2024/11/article-2.md"]
    assert dict(expected)["2024/11/article-2.md"] == signature(os.stat(content / "2024/11/article-2.md"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="walk_aside forks")
def test_a_listing_made_aside_of_a_folder_without_files(tmp_path):
    content = tmp_path / "content"
    (content / "2024").mkdir(parents=True)
    found = aside(content)
    assert found["forked"] and found["signatures"] == [] and found["walk"] == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="walk_aside forks")
def test_a_listing_made_aside_is_brought_up_to_date_by_refresh(tmp_path):
    content = _folder(tmp_path)
    found = aside(content, write_after=True)
    assert found["forked"]
    assert "2025/03/new.md" in found["walk"]
    assert found["signatures"] == Scan().signatures(content, ".md")


def test_no_listing_is_made_aside_while_threads_run(tmp_path):
    content = _folder(tmp_path)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        scan = Scan()
        assert not scan.walk_aside(content, ".md")  # the dev server's threads: forking is not safe
        assert scan.signatures(content, ".md") == Scan().signatures(content, ".md")
    finally:
        stop.set()
        thread.join()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="walk_aside forks")
def test_a_folder_missing_is_an_empty_listing_aside_too(tmp_path):
    found = aside(tmp_path / "nothing")
    assert found["forked"] and found["signatures"] == [] and found["walk"] == []

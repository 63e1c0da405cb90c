"""End-to-end builds into tmp_path under a GitHub Pages project subpath."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from crossings.linkcheck import check_site

from .conftest import FIXTURES, REPO, SUBPATH_URL, Project, entries, write_pyproject

OK_SEEDS = sorted((FIXTURES / "seeds" / "ok").glob("*.txt"))
SCRIPT_SEED = "105_9a0b1c2d3e4f5a6b"


def build_all(project: Project, *args: str) -> tuple[int, str, str]:
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    return project.run("build", *args)


def page(project: Project, rel: str) -> str:
    return (project.out / rel).read_text(encoding="utf-8")


def article_page(project: Project, word: str) -> str:
    [path] = [p for p in (project.out / "articles").glob(f"*{word}*/index.html")]
    return path.read_text(encoding="utf-8")


def test_build_under_a_subpath_has_no_broken_link(project: Project) -> None:
    status, out, err = build_all(project)
    assert status == 0, err
    # 42: the 5 articles, 36 pages of the archive (with the one story and the stories overview), and 404.html
    assert re.fullmatch(r"build: 5 imported, 0 skipped \(0 unchanged, 0 edited, 0 duplicate\), 0 rejected; 42 pages written \(5 articles in the site\); \d+\.\d\d s\n", out)
    files = project.site_files()
    for needed in ("index.html", "404.html", ".nojekyll", "timeline/index.html", "timeline/2023/index.html",
                   "timeline/2023/01/index.html", "timeline/2024/03/index.html", "css/crossings.css", "favicon.svg",
                   "stories/index.html", "stories/feed.xml"):
        assert needed in files
    assert check_site(project.out, SUBPATH_URL) == []
    home = page(project, "index.html")
    # The stylesheet is linked under its content-hashed name (it is also published under its plain one).
    [stylesheet] = re.findall(r'<link rel="stylesheet" href="/crossings-test/(css/crossings\.[0-9a-f]{10}\.css)">', home)
    assert files[stylesheet] == files["css/crossings.css"]
    assert re.findall(r'(?:href|src)="(/[^"]*)"', home) and all(u.startswith("/crossings-test/") for u in re.findall(r'(?:href|src)="(/[^"]*)"', home))


def test_a_hashed_script_imports_the_hashed_modules_of_its_version(project: Project) -> None:
    """The search page's script is published under a hashed name that browsers keep; the module it imports
    is named by its hash too, so that a cached script never runs with another version's module (a server
    keeps plain names for minutes after a deploy), and the page preloads that module."""
    def script_and_module() -> tuple[str, str, bytes]:
        search = page(project, "search/index.html")
        [script] = re.findall(r'<script type="module" src="/crossings-test/(js/search\.[0-9a-f]{10}\.js)">', search)
        [module] = re.findall(r'<link rel="modulepreload" href="/crossings-test/(js/search-page\.[0-9a-f]{10}\.js)">', search)
        files = project.site_files()
        assert f'from "./{module.removeprefix("js/")}";'.encode() in files[script]
        assert files[module] == files["js/search-page.js"]
        assert files[script] == files["js/search.js"].replace(b'"./search-page.js"', f'"./{module.removeprefix("js/")}"'.encode())
        return script, module, files[script]

    status, _, err = build_all(project)
    assert status == 0, err
    script, module, data = script_and_module()
    assert script.removeprefix("js/search.").removesuffix(".js") == hashlib.sha256(data).hexdigest()[:10]  # its own bytes' hash
    # the module changes, the script does not: both hashed names change
    shared = project.root / "static/js/search-page.js"
    shared.write_text(shared.read_text(encoding="utf-8") + "\n// a later version\n", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 0, err
    script2, module2, _ = script_and_module()
    assert script2 != script and module2 != module


def test_build_at_the_domain_root(project: Project) -> None:
    write_pyproject(project.root, base_url="/")
    status, _, err = build_all(project)
    assert status == 0, err
    assert check_site(project.out, "https://example.org/") == []
    assert re.search(r'href="/css/crossings\.[0-9a-f]{10}\.css"', page(project, "index.html"))


def test_base_url_option_overrides_the_setting(project: Project) -> None:
    status, _, _ = build_all(project, "--base-url", "https://other.example/archive")
    assert status == 0
    assert check_site(project.out, "https://other.example/archive/") == []
    assert 'href="/archive/timeline/"' in page(project, "index.html")


def test_link_checker_finds_broken_and_escaping_links(project: Project) -> None:
    build_all(project)
    index = project.out / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace("</main>", '<a href="/crossings-test/nope/">x</a><a href="/elsewhere/">y</a></main>'), encoding="utf-8")
    problems = [p.message for p in check_site(project.out, SUBPATH_URL)]
    assert problems == ["broken link: /crossings-test/nope/ (no nope/index.html in the site)", "link leaves the site's base path /crossings-test/: /elsewhere/"]


def test_article_page(project: Project) -> None:
    build_all(project)
    html = article_page(project, "maroc-l-oim")
    assert '<html lang="fr" dir="ltr">' in html
    assert '<time datetime="2023-01-27">27 janvier 2023</time>' in html
    assert '<a href="https://www.yabiladi.com/articles/details/136423/maroc-l-oim-tient-dialogue-interregional.html" class="source-link" rel="external noopener">Yabiladi</a>' in html
    assert "leurs gouvernements respectifs, notamment" in html
    assert 'href="/crossings-test/timeline/2023/01/"' in html
    older = re.search(r'<li class="older">.*?href="([^"]+)"', html)
    newer = re.search(r'<li class="newer">.*?href="([^"]+)"', html)
    assert older and "105-" not in older.group(1)
    assert newer and newer.group(1).startswith("/crossings-test/articles/2023-01-27-")


def test_dates_in_each_language(project: Project) -> None:
    build_all(project)
    assert '<time datetime="2024-03-14">14 March 2024</time>' in article_page(project, "canary")
    assert '<time datetime="2023-05-02">2 de mayo de 2023</time>' in article_page(project, "marruecos")
    arabic = article_page(project, "lmgrb")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<time datetime="2023-01-27">27 يناير 2023</time>' in arabic
    # the whole page speaks Arabic, right to left: the interface too (the site's language is French)
    assert '<a class="skip-link" href="#main">انتقل إلى المحتوى</a>' in arabic and ">التسلسل الزمني</a>" in arabic


def test_seed_markup_is_text_everywhere(project: Project) -> None:
    build_all(project)
    for rel, data in project.site_files().items():
        if not rel.endswith((".html", ".xml")):
            continue  # data files (BibTeX, CSV, JSON) carry the text as data, tested in test_browse
        text = re.sub(r'<script type="application/(?:ld\+)?json"[^>]*>[^<]*</script>', "", data.decode("utf-8", errors="replace"))
        text = re.sub(r'<script type="module" src="/crossings-test/js/search(?:-pagefind)?\.[0-9a-f]{10}\.js"></script>', "", text)  # our own
        assert "<script" not in text.lower(), rel
        assert "<img src=x" not in text and "<b>not bold</b>" not in text, rel
        assert 'href="javascript:' not in text, rel
    html = article_page(project, "script")
    assert "<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; *stars*, _under_ [link](javascript:alert(1)) `code`</h1>" in html
    assert "<title>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<p># Not a heading, &lt;b&gt;not bold&lt;/b&gt;, &amp;amp; stays &amp;amp;, AT&amp;T, 5 &lt; 6 &gt; 4.</p>" in html
    assert "<p>&gt; not a quote</p>" in html and "<p>- not a list</p>" in html
    assert "<p>&lt;img src=x onerror=alert(1)&gt; {{ site.title }} {% raw %} ${jndi:x}</p>" in html
    assert 'href="https://www.example.org/news?id=1&amp;lang=fr"' in html


def test_a_failing_build_leaves_the_previous_site(project: Project) -> None:
    build_all(project)
    before = project.site_files()
    (project.root / "templates" / "article.html").write_text("{% extends 'base.html' %}{% block main %}{{ article.nope }}{% endblock %}", encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 1
    assert "templates/article.html:1: error: template error while rendering articles/" in err
    assert "build: the site was not replaced; the previous one stays in place" in err
    assert project.site_files() == before
    (project.root / "templates" / "article.html").write_bytes((REPO / "templates" / "article.html").read_bytes())
    (project.root / "templates" / "index.html").write_text("{% if %}", encoding="utf-8")
    status, _, err = project.run("build")
    assert status == 1 and "templates/index.html:1: error: template syntax:" in err
    assert project.site_files() == before


def test_a_broken_article_is_reported_and_the_rest_builds(project: Project) -> None:
    build_all(project)
    (project.content / "2023" / "broken.md").write_text("---\ntitle: Maroc : oops\ndate: 2023-01-01\n---\nx\n", encoding="utf-8")
    (project.content / "hand.md").write_text("---\ntitle: Written by hand\ndate: 2022-12-01\n---\n\nAn *editor's* article.\n", encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 1
    assert err.startswith("content/2023/broken.md:2: error: the front matter is not valid YAML")
    assert "1 rejected" in out
    assert (project.out / "articles" / "hand" / "index.html").exists()
    assert len(list((project.out / "articles").iterdir())) == 6


def test_strict_turns_warnings_into_failure(project: Project) -> None:
    build_all(project)
    before = project.site_files()
    (project.content / "hand.md").write_text("---\ntitle: By hand\ndate: 2022-12-01\nauthor: me\n---\n\nText.\n", encoding="utf-8")
    status, _, err = project.run("build", "--strict")
    assert status == 1 and "content/hand.md:4: warning: unknown key 'author'" in err
    assert project.site_files() == before
    status, _, _ = project.run("build")
    assert status == 0 and (project.out / "articles" / "hand" / "index.html").exists()


def test_drafts_are_not_published(project: Project) -> None:
    (project.content / "draft.md").write_text("---\ntitle: Draft\ndate: 2022-12-01\ndraft: true\n---\n\nText.\n", encoding="utf-8")
    status, _, _ = project.run("build")
    assert status == 0 and not (project.out / "articles" / "draft").exists()


def test_pagination_is_counted_from_the_oldest_article(project: Project) -> None:
    write_pyproject(project.root, per_page=2)
    build_all(project)
    # 5 articles, 2 a page: the oldest two on page/1/, the newest three on the first page.
    assert sorted(p.relative_to(project.out).as_posix() for p in project.out.glob("page/*/index.html")) == ["page/1/index.html"]
    home, oldest = page(project, "index.html"), page(project, "page/1/index.html")
    assert entries(home) == 3 and entries(oldest) == 2
    assert 'href="/crossings-test/page/1/" rel="next"' in home and 'href="/crossings-test/" rel="prev"' in oldest
    assert "<h1>27 janvier 2023</h1>" in oldest
    assert check_site(project.out, SUBPATH_URL) == []
    # A newer article changes the first page only: page/1/ keeps its articles and its bytes.
    before = (project.out / "page/1/index.html").read_bytes()
    (project.content / "new.md").write_text("---\ntitle: Newest\ndate: 2025-01-01\n---\n\nText.\n", encoding="utf-8")
    project.run("build")
    assert (project.out / "page/1/index.html").read_bytes() == before
    assert "Newest" in page(project, "index.html")


def test_refuses_to_replace_a_project_folder(project: Project) -> None:
    status, _, err = project.run("build", "--out", ".")
    assert status == 1 and "will not write the site there" in err
    assert (project.root / "pyproject.toml").exists() and (project.root / "seeds").is_dir()


def test_build_is_reproducible(project: Project, tmp_path: Path) -> None:
    build_all(project)
    first = project.site_files()
    project.run("build")
    assert project.site_files() == first


def test_timings_say_what_each_step_took_of_the_whole_machine(project: Project, monkeypatch) -> None:
    """``CROSSINGS_TIMINGS=system`` (bench/run.py's pairs of cold builds): each step's wall and CPU seconds, and the
    CPU seconds of the whole machine, which count the build's workers (forked: not this process's own time)."""
    for path in OK_SEEDS:
        project.add_seed(path.name, path.read_bytes())
    monkeypatch.setenv("CROSSINGS_TIMINGS", "system")
    status, _, err = project.run("build")
    assert status == 0, err
    line = next(text for text in err.splitlines() if text.startswith("timings ("))
    assert line.startswith("timings (wall/CPU/machine CPU s): ")
    steps = dict(re.findall(r"(\w[^,:]*?) ([0-9.]+/[0-9.]+/[0-9.]+)(?=, |; )", line))
    assert {"import", "library", "stories", "plan_articles", "commit", "collect"} <= steps.keys()
    numbers = [tuple(map(float, value.split("/"))) for value in steps.values()]
    assert all(n[0] >= 0 and n[1] >= 0 and n[2] >= 0 for n in numbers) and sum(n[0] for n in numbers) > 0
    # the whole machine worked at least as long as this process did (/proc/stat counts in hundredths of a second)
    assert sum(n[2] for n in numbers) >= sum(n[1] for n in numbers) - 0.02 * len(numbers)
    monkeypatch.setenv("CROSSINGS_TIMINGS", "1")
    project.run("build")
    status, _, err = project.run("build")
    line = next(text for text in err.splitlines() if text.startswith("timings ("))
    assert line.startswith("timings (wall/CPU s): ") and re.search(r"unchanged\? [0-9.]+/[0-9.]+, ", line)

"""Check a built site: every internal link resolves under the base path, every page is whole."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .problems import Problem, display_path, error

LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("iframe", "src"), ("form", "action")}


class PageParser(HTMLParser):
    """Collects links, ids, the title, the language and the h1 count of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.lang = ""
        self.h1 = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        if tag == "html":
            self.lang = values.get("lang") or ""
        elif tag == "h1":
            self.h1 += 1
        elif tag == "title":
            self._in_title = True
        for name, value in attrs:
            if (tag, name) in LINK_ATTRIBUTES and value is not None:
                self.links.append((self.getpos()[0], value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def check_site(out: Path, base_url: str) -> list[Problem]:
    """Report broken internal links, links leaving the base path, and incomplete pages."""
    base = urlsplit(base_url)
    base_path = base.path or "/"
    problems: list[Problem] = []
    pages = {p: parse_page(p) for p in sorted(out.rglob("*.html"))}
    for page, parsed in pages.items():
        shown = display_path(page)
        rel = page.relative_to(out).as_posix()
        page_url = base_path + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        if not parsed.title.strip():
            problems.append(error(shown, None, "the page has no <title>", "every page needs a title"))
        if not parsed.lang:
            problems.append(error(shown, None, "the page has no <html lang>", "set the page's language"))
        if parsed.h1 != 1:
            problems.append(error(shown, None, f"the page has {parsed.h1} <h1> elements", "give every page exactly one h1"))
        for line, link in parsed.links:
            why = _link_problem(link, page_url, base, base_path, out, pages)
            if why:
                problems.append(error(shown, line, why, "fix the template or the content that makes this link"))
    return problems


def _link_problem(link: str, page_url: str, base, base_path: str, out: Path, pages: dict[Path, PageParser]) -> str:
    """Say what is wrong with one link of a page, or ''."""
    parts = urlsplit(link)
    if parts.scheme in ("mailto", "tel", "data"):
        return ""
    if parts.scheme and parts.scheme not in ("http", "https"):
        return f"link with the scheme '{parts.scheme}:': {link}"
    if parts.scheme and parts.netloc != base.netloc:
        return ""  # an external link
    if parts.scheme and parts.netloc == base.netloc and not parts.path.startswith(base_path):
        return f"link leaves the site's base path {base_path}: {link}"
    target = urlsplit(urljoin(page_url, link))
    if not target.path.startswith(base_path):
        return f"link leaves the site's base path {base_path}: {link}"
    rel = unquote(target.path[len(base_path):])
    file = out / rel
    if rel == "" or rel.endswith("/"):
        file = file / "index.html"
    elif file.is_dir():
        file = file / "index.html"
    if not file.is_file():
        return f"broken link: {link} (no {file.relative_to(out).as_posix()} in the site)"
    if target.fragment and file.suffix == ".html":
        parsed = pages.get(file)
        if parsed is not None and target.fragment not in parsed.ids:
            return f"broken link: {link} (no id '{target.fragment}' on that page)"
    return ""


def check_feeds(out: Path, base_url: str) -> list[Problem]:
    """Feeds and sitemaps parse; their links are absolute under the base URL."""
    import json
    from xml.etree import ElementTree

    problems: list[Problem] = []
    base = urlsplit(base_url)
    for path in sorted(out.rglob("*.xml")):
        shown = display_path(path)
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError as exc:
            problems.append(error(shown, None, f"not well-formed XML: {exc}", "a template or a value broke the XML"))
            continue
        if base.netloc:
            locations = [e.text or "" for e in root.iter() if e.tag.endswith("}loc")]
            locations += [e.get("href", "") for e in root.iter() if e.tag.endswith("}link")]
            for location in locations:
                parts = urlsplit(location)
                if parts.netloc == base.netloc and not parts.path.startswith(base.path or "/"):
                    problems.append(error(shown, None, f"link leaves the site's base path: {location}", "build with the right --base-url"))
    for path in sorted(out.rglob("feed.json")):
        try:
            feed = json.loads(path.read_bytes())
            assert feed.get("version", "").startswith("https://jsonfeed.org/version/") and isinstance(feed.get("items"), list)
        except (ValueError, AssertionError):
            problems.append(error(display_path(path), None, "not a JSON Feed", "the feed must be JSON with version and items"))
    return problems


def check_built_site(out: Path, base_url: str) -> tuple[list[Problem], int]:
    """Every check of a built site; returns the problems and the number of pages checked."""
    problems = check_site(out, base_url) + check_feeds(out, base_url)
    return problems, sum(1 for _ in out.rglob("*.html"))

"""Plain text to Markdown that means itself, and Markdown to safe HTML.

Seeds are plain text: ``*``, ``_``, ``#``, ``<``, ``&``, ``[`` and backticks mean
themselves. ``escape_plain`` writes such text as Markdown that Python-Markdown
renders back to exactly that text, escaping as little as possible so that the
files stay pleasant for editors to read.

``render_body`` turns an article body into HTML. Bodies that are still exactly
what the importer wrote (escaped plain paragraphs) take a fast path that produces
the very bytes Python-Markdown would (a property the tests check on random text);
everything else goes through Python-Markdown and then an allow-list sanitiser,
so that an editor's careless paste cannot put a script on a page.
"""

from __future__ import annotations

import html
import re

import nh3

# Python-Markdown's own escapable characters that can start markup inside a line.
INLINE_SPECIAL = re.compile(r"([\\`*_\[\]])")
# An ``&`` that Python-Markdown would read as the start of an entity.
ENTITY_START = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[a-zA-Z0-9]+;)")
# What starts a block at the beginning of a line: heading, quote, list item.
BLOCK_START = re.compile(r"^(?:([#>+-])|(\d+)\.(?=\s|$))")
# Any character that escaping could change: a paragraph without one (and without a
# block start) is its own Markdown, the common case.
SPECIAL = re.compile(r"[\\`*_\[\]&<]")
UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!])|&lt;|&amp;")
EXTENSIONS = ("tables", "sane_lists")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}


def escape_plain(text: str) -> str:
    """Write one paragraph of plain text as Markdown that renders to that text."""
    if not SPECIAL.search(text) and not BLOCK_START.match(text):
        return text  # nothing to escape: most paragraphs (one look, not three passes)
    text = INLINE_SPECIAL.sub(r"\\\1", text)
    text = ENTITY_START.sub("&amp;", text).replace("<", "&lt;")
    return BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\.", text, count=1)


def unescape_plain(text: str) -> str:
    """Undo ``escape_plain`` (on its output; other text may not survive)."""
    return UNESCAPE.sub(lambda m: m.group(1) or ("<" if m.group(0) == "&lt;" else "&"), text)


def plain_paragraphs(body: str) -> list[str] | None:
    """Return the plain paragraphs of a body the importer wrote, or None if it has Markdown."""
    paragraphs = []
    for block in body.strip().split("\n\n"):
        if "\n" in block or not block or block != block.strip():
            return None
        if not SPECIAL.search(block) and not BLOCK_START.match(block):
            paragraphs.append(block)  # nothing escaped, nothing to escape
            continue
        text = unescape_plain(block)
        if escape_plain(text) != block:
            return None
        paragraphs.append(text)
    return paragraphs


def paragraphs_html(paragraphs: list[str]) -> str:
    """HTML of plain paragraphs, byte for byte what Python-Markdown makes of their escaped form."""
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


class Renderer:
    """Renders article bodies; keeps one Python-Markdown instance for speed, made (and Python-Markdown
    imported) only when a body is not plain paragraphs: most builds never need it."""

    def __init__(self) -> None:
        self._md = None

    def markdown(self, body: str) -> str:
        """Render Markdown with Python-Markdown, without sanitising."""
        if self._md is None:
            import markdown

            self._md = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
        self._md.reset()
        return self._md.convert(body)

    def render(self, body: str) -> tuple[str, str]:
        """Return (safe HTML, plain text) of an article body."""
        html, text, _ = self.render_plain(body)
        return html, text

    def render_plain(self, body: str) -> tuple[str, str, bool]:
        """Return (safe HTML, plain text, whether the body was plain text as import writes it)."""
        paragraphs = plain_paragraphs(body)
        if paragraphs is not None:
            return paragraphs_html(paragraphs), "\n\n".join(paragraphs), True
        cleaned = sanitize(self.markdown(body))
        return cleaned, html_to_text(cleaned), False


def sanitize(fragment: str) -> str:
    """Keep only harmless HTML: no scripts, styles, frames, handlers or javascript: links."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


LAYOUT = re.compile(r"[ \t\n\r\f\v]+")  # not \s: non-breaking and thin spaces are text
BLOCK_END = re.compile(r"</(?:p|li|h[2-6]|blockquote|pre|tr|table|figure)>|<br\s*/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block."""
    text = BLOCK_END.sub("\n\n", fragment)
    text = html.unescape(TAG.sub("", text))
    blocks = (LAYOUT.sub(" ", b).strip() for b in text.split("\n\n"))
    return "\n\n".join(b for b in blocks if b)


def excerpt(text: str, limit: int = 220) -> str:
    """The start of a text, cut at a word boundary, with an ellipsis if cut."""
    first = LAYOUT.sub(" ", text.split("\n\n", 1)[0]).strip()
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"

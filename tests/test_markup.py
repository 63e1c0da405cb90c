"""Plain text written as Markdown renders back to exactly that text; editors' HTML is sanitised."""

from __future__ import annotations

import html

import pytest

from crossings.markup import Renderer, escape_plain, excerpt, paragraphs_html, plain_paragraphs, sanitize

TRICKY = [
    "a *b* _c_ `d` [e](f) ![g](h) <script>alert(1)</script>",
    "# not a heading", "## neither", "> not a quote", "- not a list", "+ nor this", "* nor this",
    "1986. Not a list", "12.5 % of 3.", "---", "***", "___", "* * *",
    "&amp; &copy; &#169; &#xA9; AT&T & co", "5 < 6 > 4", "<http://example.org>", "<me@example.org>",
    "back\\slash \\* \\_", "{braces} (parens) !bang", "«guillemets» l’apostrophe œ", "تجربة <b>عربية</b> *نجمة*",
    "[^1] footnote-like", "| a | b |", "<!-- comment -->", "trailing backslash \\", "`", "**", "__x__",
    "{{ jinja }} {% raw %}", "a  b", "=== setext", "    indented",
]


@pytest.mark.parametrize("text", TRICKY)
def test_plain_text_renders_back_to_itself(text: str) -> None:
    text = " ".join(text.split())
    renderer = Renderer()
    markdown_html = renderer.markdown(escape_plain(text))
    assert markdown_html == f"<p>{html.escape(text, quote=False)}</p>"
    assert paragraphs_html([text]) == markdown_html
    assert plain_paragraphs(escape_plain(text)) == [text]


def test_escaping_stays_light_for_editors() -> None:
    text = "Le Pacte mondial (GCM) a été adopté en 2018 à Marrakech : 33 pays, 16 présents."
    assert escape_plain(text) == text


def test_edited_markdown_is_rendered_and_sanitised() -> None:
    body = "Some **bold** and a [link](https://example.org).\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    rendered, text = Renderer().render(body)
    assert "<strong>bold</strong>" in rendered
    assert 'href="https://example.org"' in rendered
    assert "<script" not in rendered and "javascript:" not in rendered and "onerror" not in rendered
    assert text.startswith("Some bold and a link.")


def test_sanitize_removes_dangerous_markup() -> None:
    dirty = '<p style="x" onclick="y">a<iframe src="https://e.org"></iframe><style>p{}</style><a href="javascript:z">l</a></p>'
    assert sanitize(dirty) == '<p>a<a rel="noopener noreferrer nofollow">l</a></p>'


def test_excerpt_cuts_at_a_word() -> None:
    assert excerpt("one two three four", 9) == "one two…"
    assert excerpt("short\n\nsecond paragraph") == "short"

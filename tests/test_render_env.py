"""The build's template environment renders what Jinja's own does: its faster lookups, calls and escaping
(crossings.render) change no byte, and escape every value that is not already Markup."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from crossings.config import load_config
from crossings.render import make_env

TEMPLATE = """\
{% macro chip(item, lang=none) %}<li{% if lang %} lang="{{ lang }}"{% endif %}>{{ item.label }}</li>{% endmacro %}
<p title="{{ page.title }}">{{ page.title }} {{ page.count }} {{ page.html }} {{ page.obj }} {{ page.missing_or_none is none }}</p>
{% for group in groups %}<h2>{{ group.title }}</h2><ul>{% for item in group["items"] %}{{ chip(item, lang=group.lang) }}{% endfor %}</ul>
{{ group.items is callable }} {{ group.keys()|list|length }} {{ group.get("title") }}{% endfor %}
{{ plain("<b>") }} {{ plain(page) }} {{ page.title|upper }} {{ [page.title, page.html]|join(", ") }}
{% set kept %}<i>{{ page.title }}</i>{% endset %}{{ kept }} {{ "%s and %s"|format(page.title, page.html) }} {{ "%s"|format(kept) }}
{% macro box(title) %}<div>{{ title }}{{ caller() }}</div>{% endmacro %}{% call box(page.title) %}<p>{{ page.html }}{{ page.title }}</p>{% endcall %}
{% set chips = chip({"label": page.title}) %}{{ chips }} {{ chips|upper }} {{ chip({"label": page.title}) ~ page.title }} {{ page.title ~ page.html }}
{% block main %}<main>{{ page.title }}</main>{% endblock %}
"""

CHILD = """{% extends "page.html" %}{% block main %}<section>{{ super() }}{{ page.title }}</section>{% endblock %}"""


class Shown:
    def __html__(self) -> str:
        return "<em>from __html__</em>"


def contexts() -> list[dict]:
    title = "Ceuta & Melilla <script>alert('x')</script> \"quoted\""
    return [
        {"page": {"title": title, "count": 3, "html": Markup("<b>safe</b>"), "obj": Shown(), "missing_or_none": None},
         "groups": [{"title": "Pays <>", "lang": "ar", "items": [{"label": "Maroc & Espagne"}, {"label": Markup("<i>ok</i>")}]},
                    {"title": "", "lang": None, "items": []}],
         "plain": lambda value: value},
        {"page": {"title": "", "count": 0, "html": Markup(""), "obj": 1.5, "missing_or_none": 0}, "groups": [], "plain": str},
    ]


def jinja_env(templates: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates), autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, extensions=["jinja2.ext.i18n"])


@pytest.mark.parametrize("cached", [False, True], ids=["compiled", "from the bytecode cache"])
def test_the_build_environment_renders_what_jinja_does(tmp_path: Path, cached: bool) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "templates" / "child.html").write_text(CHILD, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.crossings]\n", encoding="utf-8")
    config, _ = load_config(tmp_path / "pyproject.toml")
    ours = make_env(config, tmp_path / "cache")
    if cached:
        ours.get_template("page.html")
        ours = make_env(config, tmp_path / "cache")  # a new environment: the template comes from the bytecode cache
    reference = jinja_env(tmp_path / "templates")
    for context in contexts():
        for name in ("page.html", "child.html"):
            expected = reference.get_template(name).render(context)
            got = ours.get_template(name).render(context)
            assert got == expected
    first = ours.get_template("page.html").render(contexts()[0])
    assert "<script>" not in first and "Ceuta &amp; Melilla &lt;script&gt;" in first
    assert "<b>safe</b>" in first and "<em>from __html__</em>" in first and "<i>ok</i>" in first


def test_a_missing_key_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{{ page.nothing }}", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.crossings]\n", encoding="utf-8")
    config, _ = load_config(tmp_path / "pyproject.toml")
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'nothing'"):
        make_env(config).get_template("page.html").render({"page": {"title": "x"}})
    with pytest.raises(jinja2.UndefinedError) as theirs:
        jinja_env(tmp_path / "templates").get_template("page.html").render({"page": {"title": "x"}})
    with pytest.raises(jinja2.UndefinedError) as ours:
        make_env(config).get_template("page.html").render({"page": {"title": "x"}})
    assert str(ours.value) == str(theirs.value)


def test_an_html_template_is_read_without_its_indentation_before_tags_and_values(tmp_path: Path) -> None:
    """The indentation is taken from the templates' sources (once), not from every page: only before a tag or a
    value, only in HTML templates without a pre or textarea element, and every line stays where it was."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<ul>\n  <li>{{ a }}</li>\n\t  {{ b }}\n  text kept\n    {% if a %}<i>if</i>{% endif %}\n</ul>\n",
                                         encoding="utf-8")
    (templates / "pre.html").write_text("<pre>\n  <b>{{ a }}</b>\n</pre>\n", encoding="utf-8")
    (templates / "feed.xml").write_text("<feed>\n  <entry>{{ a }}</entry>\n</feed>\n", encoding="utf-8")
    (templates / "broken.html").write_text("<p>\n    <b>\n  {% if %}\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.crossings]\n", encoding="utf-8")
    config, _ = load_config(tmp_path / "pyproject.toml")
    env = make_env(config)
    context = {"a": "<x>", "b": Markup("<em>y</em>")}
    assert env.get_template("page.html").render(context) == "<ul>\n<li>&lt;x&gt;</li>\n<em>y</em>\n  text kept\n<i>if</i></ul>\n"
    assert env.get_template("pre.html").render(context) == "<pre>\n  <b>&lt;x&gt;</b>\n</pre>\n"
    assert env.get_template("feed.xml").render(context) == "<feed>\n  <entry>&lt;x&gt;</entry>\n</feed>\n"
    with pytest.raises(jinja2.TemplateSyntaxError) as error:
        env.get_template("broken.html")
    assert error.value.lineno == 3

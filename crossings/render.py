"""Jinja2: one environment per build, autoescaping everything, failing on any undefined name."""

from __future__ import annotations

import hashlib
import traceback
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import __version__
from .articles import RTL
from .config import Config
from .i18n import format_date, language_name, month_name, plural, strings
from .problems import Problem, display_path, error
from .site import Output


def make_env(config: Config, *, assets: dict[str, str] | None = None) -> Environment:
    """The template environment: autoescape on for every template, strict undefined."""
    env = Environment(
        loader=FileSystemLoader(config.templates),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base_path = config.base_path
    assets = assets or {}
    language = config.language

    def url(path: str = "") -> str:
        """A site path (``articles/x/``) as a link that works under the base path."""
        return base_path + path.lstrip("/")

    def asset(path: str) -> str:
        """A static file's link, with its content hash so browsers may cache it for ever."""
        return url(path) + (f"?v={assets[path]}" if path in assets else "")

    env.globals.update(
        site={"title": config.title, "description": config.description, "language": language,
              "base_url": config.base_url, "base_path": base_path},
        t=strings(language),
        url=url,
        asset=asset,
        generator=f"Crossings {__version__}",
        ui_dir="rtl" if language in RTL else "ltr",
    )
    env.filters.update(
        date=lambda value, lang=language, style="long": format_date(value, lang, style),
        month_name=lambda month, year=2000, lang=language, width="wide": month_name(year, month, lang, width),
        language_name=lambda code, lang=language: language_name(code, lang),
        plural=lambda n, key: plural(key, n, language),
    )
    return env


def render(env: Environment, output: Output) -> bytes:
    """The bytes of one output."""
    if output.data is not None:
        return output.data
    return env.get_template(output.template).render(output.context).encode("utf-8")


def template_problem(exc: Exception, config: Config, output: Output | None = None) -> Problem:
    """Describe a template error with the template's file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = exc.filename or str(config.templates / (exc.name or "?"))
        return error(display_path(path), exc.lineno, f"template syntax: {exc.message}", "fix the template; see https://jinja.palletsprojects.com/templates/")
    if isinstance(exc, jinja2.TemplateNotFound):
        return error(display_path(config.templates), None, f"template not found: {exc.name}", f"add {exc.name} to the templates folder")
    templates = str(config.templates)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(templates)]
    where = display_path(frames[-1].filename) if frames else display_path(config.templates)
    line = frames[-1].lineno if frames else None
    page = f" while rendering {output.path}" if output else ""
    return error(where, line, f"template error{page}: {exc}", "every name a template uses must be in its context or the site globals")


def templates_digest(config: Config) -> str:
    """One hash of every template file, so a template change invalidates rendered pages."""
    digest = hashlib.sha256(__version__.encode())
    root = config.templates
    for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()

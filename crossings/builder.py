"""The build, as a flat list of steps: import, load, model, plan, render, write."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import TemplateError
from slugify import slugify

from . import articles
from .config import Config
from .importer import ImportReport, import_seeds
from .problems import Problem, display_path, error, has_errors
from .render import make_env, render, template_problem
from .site import Output, Site, build_site, plan
from .writer import Staging, output_problem

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a run did, for the summary line and the exit status."""

    imports: ImportReport | None = None
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0
    pages: int = 0
    files: int = 0
    written: bool = False
    seconds: float = 0.0

    def all_problems(self) -> list[Problem]:
        return (self.imports.problems if self.imports else []) + self.problems

    @property
    def rejected(self) -> int:
        files = {p.path for p in self.all_problems() if p.is_error}
        return len(files)


def load_content(config: Config) -> tuple[list[articles.Article], list[Problem]]:
    """Read every ``content/**/*.md`` file; bad ones are reported and left out."""
    found: list[articles.Article] = []
    problems: list[Problem] = []
    root = config.content
    for path in sorted(root.rglob("*.md")) if root.is_dir() else []:
        shown = display_path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(error(shown, None, f"not UTF-8 ({exc.reason} at byte {exc.start})", "re-save the file as UTF-8"))
            continue
        except OSError as exc:
            problems.append(error(shown, None, f"cannot be read: {exc.strerror}", "check the file's permissions"))
            continue
        slug = slugify(path.stem) or "article"
        article, more = articles.load(text, shown, slug, config.language)
        problems.extend(more)
        if article is not None:
            found.append(article)
    return found, problems


def build(config: Config, *, do_import: bool = True, write: bool = True, strict: bool = False) -> BuildReport:
    """Build the site into ``config.output``; with ``write=False``, render in memory only (check)."""
    started = time.perf_counter()
    report = BuildReport()
    # Import first: the pages are built from content/, which import fills.
    report.imports = import_seeds(config, write=write) if do_import else None
    loaded, problems = load_content(config)
    report.problems.extend(problems)
    site, problems = build_site(loaded, config)
    report.problems.extend(problems)
    report.articles = len(site.articles)
    outputs = plan(site)
    _check_static(config, outputs, report)
    rendered = _render_all(config, outputs, report)
    failed = rendered is None or (strict and report.all_problems())
    if write and not failed:
        why = output_problem(config.output, [config.root, config.seeds, config.content, config.templates, config.static])
        if why:
            report.problems.append(error(display_path(config.output), None, f"will not write the site there: {why}", "choose another --out folder"))
        else:
            _write(config, rendered, report)
    report.seconds = time.perf_counter() - started
    return report


def _render_all(config: Config, outputs: list[Output], report: BuildReport) -> dict[str, bytes] | None:
    """Render every output; a template error stops the build (None) so the old site stays."""
    env = make_env(config)
    rendered: dict[str, bytes] = {}
    for output in outputs:
        try:
            rendered[output.path] = render(env, output)
        except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
            report.problems.append(template_problem(exc, config, output))
            return None
    report.pages = sum(1 for path in rendered if path.endswith(".html"))
    return rendered


def _check_static(config: Config, outputs: list[Output], report: BuildReport) -> None:
    """Refuse a static file that would overwrite a generated page."""
    generated = {o.path for o in outputs}
    for path, rel in static_files(config):
        if rel in generated:
            report.problems.append(error(display_path(path), None, f"would overwrite the generated {rel}", "rename or move the static file"))


def static_files(config: Config) -> list[tuple[Path, str]]:
    """Every file under ``static/`` with its path in the site."""
    root = config.static
    if not root.is_dir():
        return []
    return [(p, p.relative_to(root).as_posix()) for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def _write(config: Config, rendered: dict[str, bytes], report: BuildReport) -> None:
    """Write the new site beside the old one and swap it in."""
    with Staging(config.output) as staging:
        for path, source_rel in static_files(config):
            if source_rel not in rendered:
                staging.copy(path, source_rel)
                report.files += 1
        for rel, data in rendered.items():
            staging.write(rel, data)
            report.files += 1
        staging.commit()
    report.written = True


def exit_status(report: BuildReport, strict: bool = False) -> int:
    """0 when all is well; 1 when a file was rejected (or, with --strict, anything was reported)."""
    problems = report.all_problems()
    if has_errors(problems) or (strict and problems):
        return 1
    return 0

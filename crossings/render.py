"""Jinja2: one environment per build, autoescaping everything, failing on any undefined name.

Rendering is spread over the machine's cores when there are enough pages to pay
for it: worker processes are forked after the site is planned, so they share the
model and the compiled templates without copying, and write their files directly.
"""

from __future__ import annotations

import hashlib
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, meta

from . import __version__, parallel
from .articles import RTL
from .config import Config
from .i18n import format_date, language_name, month_name, plural, strings
from .problems import Problem, display_path, error
from .site import Output

PARALLEL_FROM = 400  # below this many pages, forking costs more than it saves (measured)
CHUNK = 64


def make_env(config: Config, cache_dir: Path | None = None, assets: dict[str, str] | None = None) -> Environment:
    """The template environment: autoescape on for every template, strict undefined."""
    bytecode = None
    if cache_dir is not None:
        (cache_dir / "jinja").mkdir(parents=True, exist_ok=True)
        bytecode = FileSystemBytecodeCache(str(cache_dir / "jinja"))
    env = Environment(
        loader=FileSystemLoader(config.templates),
        bytecode_cache=bytecode,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    base_path = config.base_path
    language = config.language

    def url(path: str = "") -> str:
        """A site path (``articles/x/``) as a link that works under the base path."""
        return base_path + path.lstrip("/")

    env.globals.update(
        site={"title": config.title, "description": config.description, "language": language,
              "base_url": config.base_url, "base_path": base_path},
        t=strings(language),
        url=url,
        asset=lambda path: url((assets or {}).get(path, path)),
        assets=dict(assets or {}),
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


def template_digests(env: Environment) -> dict[str, str]:
    """For every template, a hash of it and of every template it extends, includes or imports."""
    sources = {}
    for name in env.list_templates():
        source, _, _ = env.loader.get_source(env, name)
        sources[name] = source
    references: dict[str, set[str] | None] = {}
    for name, source in sources.items():
        try:
            found = set(meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateSyntaxError:
            found = set()  # reported when the template is rendered
        references[name] = None if None in found else found
    digests = {}
    for name in sources:
        closure, stack = set(), [name]
        while stack:
            current = stack.pop()
            if current in closure:
                continue
            closure.add(current)
            refs = references.get(current, set())
            stack.extend(sources if refs is None else refs)  # a dynamic include depends on all
        digest = hashlib.sha256(__version__.encode())
        for member in sorted(closure):
            digest.update(member.encode() + b"\0" + sources.get(member, "").encode() + b"\0")
        digests[name] = digest.hexdigest()[:24]
    return digests


def render(env: Environment, output: Output) -> bytes:
    """The bytes of one output."""
    if output.data is not None:
        return output.data()
    return env.get_template(output.template).render(output.context()).encode("utf-8")


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


RENDER_ERRORS = (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError)
_JOB: tuple | None = None  # (env, config, outputs, put) for forked workers


def _render_some(indices: list[int]) -> tuple[dict[str, str], Problem | None]:
    env, config, outputs, put = _JOB
    shas = {}
    for i in indices:
        output = outputs[i]
        try:
            data = render(env, output)
        except RENDER_ERRORS as exc:
            return shas, template_problem(exc, config, output)
        try:
            shas[output.path] = put(output.path, data)
        except OSError as exc:
            return shas, write_problem(exc, config)
    return shas, None


def write_problem(exc: OSError, config: Config) -> Problem:
    """A failure to write the site: the disk is full, the folder read-only…"""
    return error(display_path(config.output), None, f"cannot write the new site: {exc.strerror or exc}",
                 "free some disk space or make the folder writable; the previous site is unchanged")


def render_all(env: Environment, config: Config, outputs: list[Output], put: Callable[[str, bytes], str],
               progress: bool = False) -> tuple[dict[str, str], Problem | None]:
    """Render ``outputs`` and hand each one's bytes to ``put``; stop at the first template error."""
    global _JOB
    _JOB = (env, config, outputs, put)
    chunks = [list(range(i, min(i + CHUNK, len(outputs)))) for i in range(0, len(outputs), CHUNK)]
    workers = parallel.worker_count()
    shas: dict[str, str] = {}
    try:
        if len(outputs) < PARALLEL_FROM or workers < 2 or "fork" not in get_all_start_methods():
            for n, chunk in enumerate(chunks):
                done, problem = _render_some(chunk)
                shas.update(done)
                _progress(progress, (n + 1) * CHUNK, len(outputs))
                if problem:
                    return shas, problem
            return shas, None
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_render_some, chunk) for chunk in chunks]
            for n, future in enumerate(as_completed(futures)):
                done, problem = future.result()
                shas.update(done)
                _progress(progress, (n + 1) * CHUNK, len(outputs))
                if problem:
                    for other in futures:
                        other.cancel()
                    return shas, problem
        return shas, None
    finally:
        _JOB = None
        if progress:
            sys.stderr.write("\r\033[K")


def _progress(show: bool, done: int, total: int) -> None:
    if show:
        done = min(done, total)
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\rrendering [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

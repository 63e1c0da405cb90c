"""Jinja2: one environment per build, autoescaping everything, failing on any undefined name.

Rendering is spread over the machine's cores when there are enough pages to pay
for it: worker processes are forked after the site is planned, so they share the
model and the compiled templates without copying, and write their files directly.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import sys
import threading
import traceback
from contextlib import contextmanager
from functools import lru_cache
from collections.abc import Callable
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from types import FunctionType

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, meta, pass_context
from markupsafe import Markup, escape

from . import __version__, parallel
from .articles import RTL
from .catalogs import Catalogs, load_catalogs
from .config import Config
from .i18n import STRINGS, format_date, language_name, month_name, strings
from .problems import Problem, display_path, error
from .site import Output

PARALLEL_FROM = 400  # below this many pages, forking costs more than it saves (measured)
CHUNK = 64


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling a plain function or a macro (``_()``, ``link()``, ``entry_list()``…) without
    first asking it whether it takes the context: a page makes ~60 such calls. Anything else is called as Jinja does."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        kind = __obj.__class__
        if (kind is FunctionType or kind is jinja2.runtime.Macro) and not hasattr(__obj, "jinja_pass_arg"):
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")
        return jinja2.runtime.Context.call(__self, __obj, *args, **kwargs)


try:
    from markupsafe import _escape_inner  # MarkupSafe 3's C escaping, without its Python wrapper
except ImportError:  # another MarkupSafe: its own escape
    _escape_inner = None


def _escape(value) -> str:
    """``markupsafe.escape`` for what a template outputs (``{{ value }}``): the same text. Jinja's compiled code
    only joins what it outputs (Markup is made of the joined text where it matters: a macro's or a block's
    result), so a plain string's escaped text is left a plain string, not copied into Markup (markupsafe 3 builds
    it twice, in Python); Markup as it is; any other value as markupsafe does."""
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return value
    return escape(value)


class _Template(jinja2.Template):
    """Jinja's template, its compiled code escaping every value it outputs with ``_escape``: a page outputs ~300.
    (``tests/test_render_env.py`` checks that this renders what Jinja's own escaping does.)"""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        if _escape_inner is not None:
            namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


def make_env(config: Config, cache_dir: Path | None = None, assets: dict[str, str] | None = None, catalogs: Catalogs | None = None) -> Environment:
    """The template environment: autoescape on for every template, strict undefined, gettext.

    One environment serves every language: ``_()``, ``ngettext()``, the ``date`` and
    ``month_name`` filters… speak the page's interface language (``env.crossings_page``,
    set by ``render`` from the output; templates also find it as ``ui_lang``). A translation is text: it is
    escaped like any value (no markup comes from a catalog), and so are the values
    put into its placeholders.
    """
    env = Environment(
        loader=_Unindented(config.templates),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.context_class = _Context
    env.template_class = _Template
    # ``page.lang`` on a dict: Jinja tries the attribute first and so raises and catches an AttributeError
    # for each of a page's ~150 lookups. A dict's item is looked up first when the dict has no such
    # attribute (``group.items`` is still the method): the same value, without the exception.
    undefined = env.undefined
    getattr_of = Environment.getattr

    def getattr_(obj, attribute):
        if obj.__class__ is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return undefined(obj=obj, name=attribute)
        return getattr_of(env, obj, attribute)

    env.getattr = getattr_
    # JSON-LD in the page's own characters ("é", not "\u00e9": an Arabic description is a third of the bytes),
    # without spaces after separators (60 bytes an article page); tojson still escapes <, >, & and ' so that
    # nothing closes the script element.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    base_path = config.base_path
    language = config.language
    catalogs = catalogs if catalogs is not None else load_catalogs(config.locales)

    def ui(context) -> str:
        return context.get("ui_lang") or language

    def translator(context):
        return catalogs.translator(ui(context))

    env.install_gettext_callables(
        gettext=pass_context(lambda context, message: escape(translator(context).raw_gettext(message))),
        ngettext=pass_context(lambda context, singular, plural, n: escape(translator(context).raw_ngettext(singular, plural, n))),
        pgettext=pass_context(lambda context, ctx, message: escape(translator(context).raw_pgettext(ctx, message))),
        npgettext=pass_context(lambda context, ctx, singular, plural, n: escape(translator(context).raw_npgettext(ctx, singular, plural, n))),
        newstyle=True,
    )
    # The same, faster: a page asks ~25 messages and ~20 links, and each call that takes the
    # context costs a new context inside a loop or block. ``render`` says which page is being
    # rendered (its interface language, its links' prefix) in ``env.crossings_page``; each
    # translation (escaped, then formatted as the extension does, even without placeholders)
    # is made once per language.
    current = env.crossings_page = {"lang": language, "prefix": ""}
    made: dict[tuple, Markup] = {}

    def gettext(message, **variables):
        key = (current["lang"], message)
        rv = made.get(key)
        if rv is None:
            rv = made[key] = Markup(escape(catalogs.translator(key[0]).raw_gettext(message)))
        if variables:
            return rv % variables
        plain = made.get(key + (None,))
        if plain is None:
            plain = made[key + (None,)] = rv % {}
        return plain

    def ngettext(singular, plural, n, **variables):
        key = (current["lang"], singular, plural, n)
        rv = made.get(key)
        if rv is None:
            rv = made[key] = Markup(escape(catalogs.translator(key[0]).raw_ngettext(singular, plural, n)))
        variables.setdefault("num", n)
        return rv % variables

    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)

    def url(path: str = "") -> str:
        """A site path (``articles/x/``, ``data/articles.csv``) as a link that works under the base path."""
        return base_path + path.lstrip("/")

    def link(path: str = "") -> str:
        """A page of the archive (``timeline/``), in the version this page's links go to (``ar/timeline/``)."""
        return base_path + current["prefix"] + path.lstrip("/")

    env.globals.update(
        site=site_globals(config, language),
        url=url,
        link=link,
        asset=lambda path: url((assets or {}).get(path, path)),
        assets=dict(assets or {}),
        generator=f"Crossings {__version__}",
    )
    env.globals["_site_in"] = lambda lang: site_globals(config, lang)
    # The filters take the page's language as ``_()`` does (set by ``render``), not from the context.
    env.filters.update(
        date=lambda value, lang=None, style="long": format_date(value, lang or current["lang"], style),
        month_name=lambda month, year=2000, lang=None, width="wide": month_name(year, month, lang or current["lang"], width),
        language_name=lambda code, lang=None: language_name(code, lang or current["lang"]),
        plain=lambda value: value.unescape() if isinstance(value, Markup) else value,
    )
    if cache_dir is not None:
        # Compiled templates depend on the environment too (a filter that takes the context is
        # called differently): the cache's file names carry a digest of it, not only the version.
        shape = repr((__version__, sorted(env.extensions), sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in env.filters.items()),
                      sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in env.globals.items() if callable(f))))
        (cache_dir / "jinja").mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(str(cache_dir / "jinja"), f"__jinja2_{hashlib.sha256(shape.encode()).hexdigest()[:12]}_%s.cache")
    return env


@lru_cache(maxsize=64)
def _site_globals(config: Config, lang: str) -> dict:
    described = lang if lang in dict(config.descriptions) else config.language  # the language the description is in
    return {"title": config.title, "description": config.description_in(lang), "language": config.language,
            "description_lang": described, "description_dir": "rtl" if described in RTL else "ltr",
            "base_url": config.base_url, "base_path": config.base_path, "search": config.search}


def site_globals(config: Config, lang: str) -> dict:
    """What templates know of the site, as ``site``; its description in ``lang``."""
    return _site_globals(config, lang)


def warm_templates(config: Config, cache) -> None:
    """In a build whose cache is lost (no ``template-references`` store), fork a process that compiles every
    template into the cache's bytecode folder and stores what each references, while this one imports and
    reads the content: the build then loads the templates compiled (a cold build at 1,000 articles otherwise
    parses and compiles them on its one busy core, ~0.14 s, while the other waits; the render workers loaded
    the templates the pages extend and import once more each). ``template_digests`` waits for it (what it stores is
    what this process would make: the same files, written whole), or the build's end. Not from a process with
    other threads (the dev server): one of them could hold a lock the child needs."""
    global _WARMING
    if (_WARMING is not None or cache.root is None or cache.read_only or config.cache != cache.root
            or threading.active_count() > 1 or "fork" not in get_all_start_methods()):
        return
    if (cache.root / "template-references.marshal").exists():
        return
    try:
        pid = os.fork()
    except OSError:
        return
    if pid:
        _WARMING = pid
        return
    try:  # the child: compile, store, leave (without the parent's exit handlers or buffered output)
        env = make_env(config, config.cache, None, Catalogs(config.locales))  # the same compiled code whatever the catalogs and assets
        template_digests(env, cache)
        for name in env.list_templates():
            try:
                env.get_template(name)
            except Exception:  # noqa: BLE001 - the build reports it, with the page that uses the template
                pass
    except BaseException:  # noqa: BLE001 - the build compiles what this did not
        pass
    finally:
        os._exit(0)


_WARMING: int | None = None
"""The process of ``warm_templates`` not yet waited for."""


def templates_warmed() -> None:
    """Wait for ``warm_templates``' process, if there is one."""
    global _WARMING
    pid, _WARMING = _WARMING, None
    if pid is not None:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def template_digests(env: Environment, cache=None) -> dict[str, str]:
    """For every template, a hash of it and of every template it extends, includes or imports.

    What a template's source references is remembered in ``cache`` (a ``Cache``), by the hash
    of the source, Jinja's version and the environment's extensions (they change what parses):
    parsing every template each build costs more than the rest of this."""
    templates_warmed()
    sources = {}
    for name in env.list_templates():
        source, _, _ = env.loader.get_source(env, name)
        sources[name] = source
    known: dict[str, tuple | None] = (cache.load("template-references") or {}) if cache is not None else {}
    fresh: dict[str, tuple | None] = {}
    references: dict[str, set[str] | None] = {}
    for name, source in sources.items():
        key = hashlib.sha256(f"{jinja2.__version__}\0{sorted(env.extensions)}\0{source}".encode()).hexdigest()
        if key in known:
            found = known[key]
        else:
            try:
                parsed = set(meta.find_referenced_templates(env.parse(source)))
                found = None if None in parsed else tuple(sorted(parsed))
            except jinja2.TemplateSyntaxError:
                found = ()  # reported when the template is rendered
        fresh[key] = found
        references[name] = None if found is None else set(found)
    if cache is not None and fresh != known:
        cache.save("template-references", fresh)
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
    """The bytes of one output, in its interface language."""
    if output.data is not None:
        return output.data()
    context = output.context()
    lang = output.lang or env.globals["site"]["language"]
    extra = {"ui_lang": lang, "site": env.globals["_site_in"](lang)}
    page = context.get("page")
    current = env.crossings_page
    current["lang"] = lang
    current["prefix"] = page.get("prefix", "") if isinstance(page, dict) else ""
    if STRINGS:  # old-style strings not yet moved into the catalogs (python -m crossings.catalogs convert)
        extra["t"] = strings(lang)
    return env.get_template(output.template).render({**context, **extra}).encode("utf-8")


class _Unindented(FileSystemLoader):
    """The templates' files, an HTML template's indentation before a tag taken away (``\\n    <`` becomes ``\\n<``):
    ~3 % of a page, which a browser does not show. Taken from the source, once, rather than from every page
    rendered (a regular expression over 3,000 pages at 1,000 articles: 7 % of the render workers' samples in a
    cold build, py-spy). Also before a value (``\\n    {{ macro() }}``), and so where the newline before was
    taken by ``trim_blocks`` (the pages lose some trailing spaces the old way kept: the same rendering). Lines
    stay where they were (an error's line number holds). A template with a ``pre`` or ``textarea`` element is
    left whole: its indentation may be shown."""

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        if template.endswith(".html") and KEEPS_INDENT.search(source) is None:
            source = INDENT.sub("\n", source)
        return source, filename, uptodate


INDENT = re.compile(r"\n[ \t]+(?=<|\{\{)")
KEEPS_INDENT = re.compile(r"<(?:pre|textarea)")


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


def _collect_in_worker() -> None:
    """A rendering worker collects the cycles that rendering makes (Jinja's contexts and frames): the build
    turned the cyclic collector off, and a worker left so grew with every page it rendered. What the worker
    shares with the build is frozen first, so that collections never walk (or copy) the model."""
    gc.freeze()
    gc.enable()


@contextmanager
def _collecting():
    """Rendering in the build's own process: the same, for the time of rendering (then as the build left it)."""
    if gc.isenabled():
        yield
        return
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        gc.disable()
        gc.unfreeze()


def _render_some(indices: list[int]) -> tuple[dict[str, str], Problem | None, dict[str, int]]:
    """Render some outputs: their paths' hashes, the first problem, and the sizes ``put`` knows of what it wrote
    (its tree's, by hash: handed to the build's tree from a worker)."""
    shas, problem = _render_these(indices)
    sizes = getattr(_tree_of(_JOB[3]), "sizes", None)
    return shas, problem, {d: sizes[d] for d in shas.values() if d in sizes} if sizes else {}


def _tree_of(put: Callable[[str, bytes], str]):
    """The output tree whose ``put`` this is (None for another function: a test's)."""
    return getattr(put, "__self__", None)


def _render_these(indices: list[int]) -> tuple[dict[str, str], Problem | None]:
    env, config, outputs, put = _JOB
    shas = {}
    adopt = getattr(_tree_of(put), "adopt", None)
    for i in indices:
        output = outputs[i]
        if output.source is not None and adopt is not None:
            try:
                shas[output.path] = adopt(output.path, *output.source)
            except OSError as exc:
                return shas, write_problem(exc, config)
            continue
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


def in_process(outputs: list[Output]) -> bool:
    """Whether ``render_all`` renders these outputs in this process (no workers forked). A file already made in
    the build's spool (``Output.source``: the search index's, a thousand at 1,000 articles) is moved into the site,
    not made: it does not count (forking workers for those took 0.05 s, to rename files)."""
    return (sum(o.weight for o in outputs if o.source is None) < PARALLEL_FROM or parallel.worker_count() < 2
            or "fork" not in get_all_start_methods())


def _chunks(outputs: list[Output]) -> list[list[int]]:
    """The outputs' indices in runs of ``CHUNK``, a worker's unit of work; an output that weighs a run or more
    (an export of the whole archive) in a run of its own, the heaviest first: they are spread over the
    workers rather than left to one of them, or for last."""
    heavy = sorted((i for i, o in enumerate(outputs) if o.weight >= CHUNK), key=lambda i: -outputs[i].weight)
    if not heavy:
        return [list(range(i, min(i + CHUNK, len(outputs)))) for i in range(0, len(outputs), CHUNK)]
    taken = set(heavy)
    rest = [i for i in range(len(outputs)) if i not in taken]
    return [[i] for i in heavy] + [rest[i:i + CHUNK] for i in range(0, len(rest), CHUNK)]


def render_all(env: Environment, config: Config, outputs: list[Output], put: Callable[[str, bytes], str],
               progress: bool = False) -> tuple[dict[str, str], Problem | None]:
    """Render ``outputs`` and hand each one's bytes to ``put``; stop at the first template error."""
    global _JOB
    _JOB = (env, config, outputs, put)
    chunks = _chunks(outputs)
    workers = parallel.worker_count()
    shas: dict[str, str] = {}
    try:
        if in_process(outputs):
            with _collecting():
                for n, chunk in enumerate(chunks):
                    done, problem = _render_these(chunk)
                    shas.update(done)
                    _progress(progress, (n + 1) * CHUNK, len(outputs))
                    if problem:
                        return shas, problem
            return shas, None
        for name in sorted({o.template for o in outputs if o.data is None}):
            try:
                env.get_template(name)  # compiled once here rather than in every worker
            except RENDER_ERRORS:
                break  # said by the worker that renders with it, with the page
        from concurrent.futures import ProcessPoolExecutor, as_completed  # (here: 20 ms of imports a build without workers does without)
        sizes = getattr(_tree_of(put), "sizes", None)
        with ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_collect_in_worker) as pool:
            futures = [pool.submit(_render_some, chunk) for chunk in chunks]
            for n, future in enumerate(as_completed(futures)):
                done, problem, written = future.result()
                shas.update(done)
                if sizes is not None:
                    sizes.update(written)
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

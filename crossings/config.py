"""Site settings: ``[tool.crossings]`` in pyproject.toml, with documented defaults."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .i18n import is_language
from .problems import Problem, display_path, error, warning


@dataclass(frozen=True)
class Config:
    """Every setting of a site. Folder settings are relative to ``root``."""

    root: Path = field(default_factory=Path.cwd)
    title: str = "Crossings"
    """The site's name, shown in every page header and in feeds."""
    description: str = "An archive of news about migration."
    """One sentence saying what the archive is; used in meta descriptions and feeds."""
    descriptions: tuple[tuple[str, str], ...] = ()
    """The description in other interface languages: ``{ en = "…", ar = "…" }``."""
    base_url: str = "/"
    """Where the site is published, e.g. ``https://USER.github.io/REPO/``. Every
    internal link starts with its path; absolute URLs (feeds, sitemap) need the host."""
    language: str = "fr"
    """ISO 639-1 code of the interface language, and the fallback article language."""
    interface_languages: tuple[str, ...] = ()
    """The languages the archive's own pages are built in (empty: just ``language``). The
    version in ``language`` is at the root, each other one under ``<lang>/``."""
    languages: tuple[str, ...] = ("fr", "en", "es", "ar", "de", "it", "pt", "nl")
    """Languages the importer may identify an article as (ISO 639-1)."""
    timezone: str = "Europe/Paris"
    """Time zone of article dates (used for feed timestamps)."""
    per_page: int = 20
    """Articles per page on the home page and on list pages."""
    search_shard_size: int = 2000
    """At most this many articles per part of the search index, the newest year apart, so that a new
    article re-indexes only the newest year and an edit only its part. Our own index (``search =
    "crossings"``): runs of consecutive years, the size doubled past 12 runs (every part adds a chunk or two
    to what a query fetches). Pagefind: each language's articles by period, runs of consecutive months
    (Pagefind takes ~1.5 ms per article, ~200 MB of memory per 1,000; every period adds ~30 kB per
    language to what one query downloads)."""
    search: str = "crossings"
    """The search engine: ``"crossings"`` (our own index, ``crossings/ownsearch.py``: no WebAssembly,
    a query downloads the chunks of its words and its results' texts) or ``"pagefind"`` (Pagefind's
    indexes by language and period, ``crossings/search.py``)."""
    seeds_dir: str = "seeds"
    content_dir: str = "content"
    templates_dir: str = "templates"
    static_dir: str = "static"
    output_dir: str = "_site"
    cache_dir: str = ".cache"
    cname: str = ""
    """A custom domain (news.example.org): written to CNAME, and the base URL becomes https://<cname>/."""
    entities_file: str = "entities.toml"
    """Countries and organisations to recognise at import (see the file's own comments)."""
    publishers_file: str = "publishers.toml"
    """The outlets' names by host (see the file's own comments)."""
    places_file: str = "places.toml"
    """Places, kinds of incident and measures that group articles into stories (see the file's own comments)."""
    locales_dir: str = "locales"
    """The interface's gettext catalogs: ``<lang>/LC_MESSAGES/messages.po``."""

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        return urlsplit(self.base_url).path or "/"

    @property
    def absolute_base(self) -> str | None:
        """``base_url`` when it names a host (needed for feeds and canonical links)."""
        return self.base_url if urlsplit(self.base_url).netloc else None

    def path(self, setting: str) -> Path:
        """Resolve a folder setting (``seeds_dir``…) against the project root."""
        return (self.root / getattr(self, setting)).resolve()

    # Resolved once: resolving touches the file system, and builds ask often.
    @cached_property
    def seeds(self) -> Path:
        return self.path("seeds_dir")

    @cached_property
    def content(self) -> Path:
        return self.path("content_dir")

    @cached_property
    def templates(self) -> Path:
        return self.path("templates_dir")

    @cached_property
    def static(self) -> Path:
        return self.path("static_dir")

    @cached_property
    def output(self) -> Path:
        return self.path("output_dir")

    @cached_property
    def cache(self) -> Path:
        return self.path("cache_dir")

    @cached_property
    def entities(self) -> Path:
        return self.path("entities_file")

    @cached_property
    def publishers(self) -> Path:
        return self.path("publishers_file")

    @cached_property
    def places(self) -> Path:
        return self.path("places_file")

    @cached_property
    def locales(self) -> Path:
        return self.path("locales_dir")

    @property
    def interface(self) -> tuple[str, ...]:
        """The interface languages, ``language`` first (it is the one at the root)."""
        return (self.language,) + tuple(lang for lang in self.interface_languages if lang != self.language)

    def description_in(self, lang: str) -> str:
        """The site's description in ``lang`` (``descriptions``), else ``description``."""
        return dict(self.descriptions).get(lang, self.description)

    def prefix(self, lang: str) -> str:
        """Where the archive's pages in ``lang`` live below the base path: '' or ``ar/``."""
        return "" if lang == self.language else f"{lang}/"

    @cached_property
    def tables(self) -> tuple[Path, ...]:
        """The data files import reads besides the seeds (every ``*_file`` setting)."""
        return tuple(self.path(f.name) for f in dataclasses.fields(self) if f.name.endswith("_file"))


FIELDS = {f.name: f for f in dataclasses.fields(Config) if f.name != "root"}


def load_config(pyproject: Path | None = None, **overrides: object) -> tuple[Config, list[Problem]]:
    """Read ``[tool.crossings]`` from ``pyproject`` and apply ``overrides`` (None means unset).

    Returns the settings and every problem found; on an error the default stands
    for that setting, and the caller decides whether to go on.
    """
    root = (pyproject.parent if pyproject else Path.cwd()).resolve()
    problems: list[Problem] = []
    raw: dict[str, object] = {}
    text = ""
    where = display_path(pyproject) if pyproject else "pyproject.toml"
    if pyproject is not None and pyproject.exists():
        text = pyproject.read_text(encoding="utf-8", errors="replace")
        try:
            raw = dict(tomllib.loads(text).get("tool", {}).get("crossings", {}))
        except tomllib.TOMLDecodeError as exc:
            line = _toml_error_line(str(exc))
            problems.append(error(where, line, f"not valid TOML: {exc}", "fix the syntax; the defaults are used meanwhile"))
    raw.update({k: v for k, v in overrides.items() if v is not None})
    if raw.get("cname") and "base_url" not in {k for k, v in overrides.items() if v is not None}:
        raw["base_url"] = f"https://{raw['cname']}/"  # a custom domain serves the site at its root
    values: dict[str, object] = {}
    for key, value in raw.items():
        line = _key_line(text, key)
        if key not in FIELDS:
            close = [name for name in FIELDS if name.replace("_", "") == key.replace("_", "").replace("-", "")]
            hint = f"did you mean '{close[0]}'?" if close else "known settings: " + ", ".join(FIELDS)
            problems.append(warning(where, line, f"unknown setting '{key}' in [tool.crossings]", hint))
            continue
        checked, problem = _check(key, value)
        if problem:
            problems.append(error(where, line, problem[0], problem[1]))
        else:
            values[key] = checked
    interface = values.get("interface_languages")
    language = values.get("language", FIELDS["language"].default)
    if interface and language not in interface:
        problems.append(error(where, _key_line(text, "interface_languages"), f"'interface_languages' must include 'language' ({language!r}): its version is the one at the root",
                              f'for example interface_languages = ["{language}", "en"]'))
        values.pop("interface_languages")
    return Config(root=root, **values), problems


def _check(key: str, value: object) -> tuple[object, tuple[str, str] | None]:
    """Validate one setting; return the normalised value or (what, hint)."""
    default = FIELDS[key].default
    if isinstance(default, str) and not isinstance(value, str):
        return None, (f"'{key}' must be a string, not {type(value).__name__}", f'write {key} = "…"')
    if isinstance(default, int) and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        return None, (f"'{key}' must be a whole number of at least 1", f"for example {key} = {default}")
    if key == "base_url":
        return _check_base_url(str(value))
    if key == "search" and value not in ("crossings", "pagefind"):
        return None, (f"'search' must be \"crossings\" or \"pagefind\", not {value!r}", 'for example search = "crossings"')
    if key == "cname" and value and not re.fullmatch(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}", str(value)):
        return None, (f"'cname' must be a domain name such as news.example.org: {value!r}", "without https:// or a path")
    if key == "language":
        return (value, None) if is_language(str(value)) else (None, (f"'language' is not a known ISO 639-1 code: {value!r}", 'for example language = "fr"'))
    if key == "languages":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and is_language(v) for v in value):
            return None, ("'languages' must be a list of ISO 639-1 codes", 'for example languages = ["fr", "en", "es", "ar"]')
        return tuple(value), None
    if key == "descriptions":
        if not isinstance(value, dict) or not all(isinstance(k, str) and is_language(k) and isinstance(v, str) for k, v in value.items()):
            return None, ("'descriptions' must be a table of language codes and sentences", 'for example descriptions = { en = "An archive of news about migration." }')
        return tuple(sorted(value.items())), None
    if key == "interface_languages":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and is_language(v) for v in value):
            return None, ("'interface_languages' must be a list of ISO 639-1 codes", 'for example interface_languages = ["fr", "en", "es", "ar"]')
        if len(set(value)) != len(value):
            return None, ("'interface_languages' lists a language twice", 'for example interface_languages = ["fr", "en", "es", "ar"]')
        return tuple(value), None
    if key == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            return None, (f"'timezone' is not a known time zone: {value!r}", 'for example timezone = "Europe/Paris"')
    return value, None


def _check_base_url(value: str) -> tuple[object, tuple[str, str] | None]:
    """Accept ``https://host/path/`` or ``/path/``; add the final slash."""
    parts = urlsplit(value)
    hint = 'for example base_url = "https://USER.github.io/REPO/" or "/"'
    if parts.scheme not in ("", "http", "https") or (parts.scheme and not parts.netloc):
        return None, (f"'base_url' must be an http(s) URL or a path: {value!r}", hint)
    if not parts.scheme and not value.startswith("/"):
        return None, (f"'base_url' must start with http(s):// or /: {value!r}", hint)
    if parts.query or parts.fragment:
        return None, (f"'base_url' may not have a query or fragment: {value!r}", hint)
    return (value if value.endswith("/") else value + "/"), None


def _key_line(text: str, key: str) -> int | None:
    """Find the line of ``key = …`` in the TOML text, for messages."""
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None

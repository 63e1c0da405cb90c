"""Import: seed files in ``seeds/`` become front-matter Markdown files in ``content/``.

The rules that protect editors' work:
- seeds are only read, never changed;
- a content file is rewritten only while it is exactly what import wrote (its
  fingerprint matches); an edited or hand-written file is kept as it is;
- a seed whose source URL is already in the archive is a duplicate, not a second
  article; two different articles with the same title and date get two files.
Running import twice changes nothing: the output is a pure function of the seed.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import articles, seeds
from .config import Config
from .language import identify
from .problems import Problem, display_path, error, warning

log = logging.getLogger(__name__)

# Files a person or an editor program leaves around, not meant as seeds.
IGNORED = re.compile(r"^(?:\..*|.*~|.*\.(?:swp|swo|swx|tmp|bak|orig|part|crdownload)|#.*#|4913|README.*|\.gitkeep)$", re.IGNORECASE)
INDEX_KEY = re.compile(r"^(seed|source)[ \t]*:[ \t]*(?:\"([^\"]*)\"|'([^']*)'|(\S[^#\n]*?))[ \t]*$", re.MULTILINE)


@dataclass
class ImportReport:
    """What one import run did, file by file."""

    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.unchanged) + len(self.kept) + len(self.duplicates)


@dataclass
class ContentIndex:
    """Which content file holds which seed and which source URL."""

    by_seed: dict[str, Path] = field(default_factory=dict)
    by_source: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)


def index_content(content_dir: Path) -> ContentIndex:
    """Find the seed id and source URL of every content file, without parsing YAML.

    A regular expression is enough for these two keys and keeps working on a file
    whose front matter an editor has broken, so that its seed is not imported again.
    """
    index = ContentIndex()
    for path in sorted(content_dir.rglob("*.md")):
        rel = path.relative_to(content_dir).as_posix()
        index.names.add(rel.lower())
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:8192]
        except OSError:
            continue
        front = head.split("\n---", 1)[0]
        for found in INDEX_KEY.finditer(front):
            value = next(g for g in found.groups()[1:] if g is not None).strip()
            if found.group(1) == "seed":
                index.by_seed.setdefault(value, path)
            else:
                index.by_source.setdefault(seeds.normalize_url(value), display_path(path))
    return index


def seed_files(seeds_dir: Path) -> tuple[list[Path], list[Problem]]:
    """List the seed files in order of sequence number, and the names that are not seeds."""
    found: list[Path] = []
    problems: list[Problem] = []
    if not seeds_dir.is_dir():
        return [], []
    for path in sorted(seeds_dir.iterdir()):
        name = path.name
        if IGNORED.match(name):
            continue
        shown = display_path(path)
        if path.is_symlink():
            problems.append(error(shown, None, "is a symbolic link, not a seed file", "copy the file itself into the seeds folder"))
        elif path.is_dir():
            problems.append(error(shown, None, "is a folder, not a seed file", "seeds are files directly in the seeds folder"))
        elif not seeds.is_seed_name(name):
            problems.append(error(shown, None, "the name does not follow NNN_HHHHHHHHHHHHHHHH.txt", "name seeds with a sequence number, '_' and 16 lowercase hex digits, e.g. 001_0a1c3472872379bf.txt"))
        else:
            found.append(path)
    found.sort(key=lambda p: (int(p.name.split("_", 1)[0]), p.name))
    return found, problems


def import_seeds(config: Config, *, write: bool = True) -> ImportReport:
    """Turn every seed into its content file; with ``write=False`` only report what would happen."""
    report = ImportReport()
    paths, problems = seed_files(config.seeds)
    report.problems.extend(problems)
    report.rejected.extend(p.path for p in problems)
    index = index_content(config.content)
    seen_sources: dict[str, str] = {}
    for path in paths:
        _import_one(path, config, index, seen_sources, report, write)
    return report


def _import_one(path: Path, config: Config, index: ContentIndex, seen: dict[str, str], report: ImportReport, write: bool) -> None:
    """Import one seed file, recording the outcome in ``report``."""
    shown = display_path(path)
    seed_id = path.stem
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.problems.append(error(shown, None, f"cannot be read: {exc.strerror}", "check the file's permissions"))
        report.rejected.append(shown)
        return
    seed, wanted, problems = convert(raw, seed_id, shown, config)
    report.problems.extend(problems)
    if seed is None:
        report.rejected.append(shown)
        return
    target = index.by_seed.get(seed_id)
    if target is not None:
        _refresh(target, wanted, shown, report, write)
        return
    key = seeds.normalize_url(seed.source)
    other = index.by_source.get(key) or seen.get(key)
    if other:
        report.problems.append(warning(shown, None, f"duplicate: its source URL is already in {other}", "not imported again; delete one of the two seeds"))
        report.duplicates.append(shown)
        return
    name = _free_name(articles.file_name(seed.date, seed.title, seed_id), seed_id, index)
    target = config.content / name
    if write:
        write_atomic(target, wanted)
    index.names.add(name.lower())
    index.by_seed[seed_id] = target
    seen[key] = f"{display_path(target)} (imported from {shown})"
    report.imported.append(display_path(target))


def convert(raw: bytes, seed_id: str, shown: str, config: Config) -> tuple[seeds.Seed | None, str, list[Problem]]:
    """Turn a seed's bytes into its content file's text (pure); None and problems if rejected."""
    text, problems = seeds.decode(raw, shown)
    if text is None:
        return None, "", problems
    seed, more = seeds.parse(text, seed_id, shown, config.languages)
    problems += more
    if seed is None:
        return None, "", problems
    lang = identify(seed.title + "\n" + "\n".join(seed.paragraphs), config.languages, config.language)
    return seed, articles.seed_text(seed, lang), problems


def _refresh(target: Path, wanted: str, shown: str, report: ImportReport, write: bool) -> None:
    """Bring an existing content file up to date with its seed, unless an editor changed it."""
    try:
        current = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    if current == wanted:
        report.unchanged.append(display_path(target))
    elif current is None or articles.is_edited(current):
        log.info("kept %s: edited by hand, so %s was not imported over it", display_path(target), shown)
        report.kept.append(display_path(target))
    else:
        if write:
            write_atomic(target, wanted)
        report.imported.append(display_path(target))


def _free_name(name: str, seed_id: str, index: ContentIndex) -> str:
    """Use ``name`` unless another article has it; then tell them apart by the seed id."""
    if name.lower() not in index.names:
        return name
    stem = name[:-3]
    suffix = seed_id.split("_", 1)[-1]
    for length in (8, 16):
        candidate = f"{stem}-{suffix[:length]}.md"
        if candidate.lower() not in index.names:
            return candidate
    return f"{stem}-{seed_id}.md"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader sees the old or the new text, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

"""Read seed files: bytes in, a ``Seed`` or the complete list of what is wrong out.

Everything here is pure: no file access, no logging. ``importer`` does the I/O.
The format is described in SEED_FORMAT.md; the rules for what the wild brings are
in README.md ("What happens to unusual seeds").
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .dates import DEFAULT_LANGUAGES, DateMatch, match_date
from .problems import Problem, error, has_errors, warning

SEED_NAME = re.compile(r"^(?P<seq>\d{3,})_(?P<hex>[0-9a-f]{16})\.txt$")
MAX_SEED_BYTES = 10 * 1024 * 1024
LONG_TITLE = 300

# Characters removed from scraped text: C0/C1 controls (but tab and newline),
# zero-width space and stray byte-order marks, and the bidi embeddings, overrides
# and isolates, which can reorder what a reader sees (CVE-2021-42574 "Trojan
# Source"). Left alone: ZWJ/ZWNJ and LRM/RLM, which Arabic and Persian text need.
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff\u202a-\u202e\u2066-\u2069]")
SOURCE_LABEL = re.compile(r"^(?:source|sources|fuente|fonte|quelle|المصدر)\s*:?$", re.IGNORECASE)
INLINE_SOURCE = re.compile(r"^(?:source|sources|fuente|fonte|quelle|المصدر)\s*:?\s*(?P<url><?\S+>?)$", re.IGNORECASE)
URL_LINE = re.compile(r"^<?(?P<url>[a-zA-Z][a-zA-Z0-9+.-]*://\S*?)>?$")
SENTENCE_END = ".!?…"
# Runs of plain spaces and tabs are layout; non-breaking, narrow and thin spaces
# (U+00A0, U+202F, U+2009: "2 457 migrants", "Maroc :", "« … »") are text.
WHITESPACE = re.compile(r"[ \t]+")
URL_BREAKER = re.compile(r'[\s<>"]')  # \s: exactly the characters str.isspace() accepts
DATE_HINT = "the line after the title should be 'DD.MM.YYYY Title', e.g. '27.01.2023 Maroc : …'"


@dataclass(frozen=True)
class Seed:
    """One article as a collector delivered it, parsed."""

    seed_id: str
    title: str
    date: dt.date
    paragraphs: tuple[str, ...]
    source: str

    @property
    def source_name(self) -> str:
        return source_name(self.source)


def is_seed_name(name: str) -> bool:
    """Tell whether a file name follows ``NNN_HHHHHHHHHHHHHHHH.txt``."""
    return SEED_NAME.match(name) is not None


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Turn a seed's bytes into text with LF line endings, or say why not."""
    if not raw.strip():
        return None, [error(path, 1, "the file is empty", "a seed needs a title, a date line, a body and a Source block")]
    if len(raw) > MAX_SEED_BYTES:
        return None, [error(path, None, f"the file is {len(raw) // 1024 // 1024} MB, over the {MAX_SEED_BYTES // 1024 // 1024} MB limit for one article", "check that it is really one article")]
    problems: list[Problem] = []
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                return None, [error(path, None, f"not valid {codec.upper()} despite its byte-order mark ({exc.reason} at byte {exc.start + len(bom)})", "re-save the file as UTF-8")]
            if codec != "utf-8":
                problems.append(warning(path, 1, f"the file is {codec.upper()}, read as such", "seeds should be UTF-8"))
            return clean(text, path, problems)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        if b"\x00" in raw:
            return None, [error(path, line, "this is not a text file (it contains NUL bytes and is not UTF-8)", "seeds are UTF-8 text; a UTF-16 file needs a byte-order mark")]
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return None, [error(path, line, f"not UTF-8: byte 0x{raw[exc.start]:02X} cannot be read", "re-save the file as UTF-8")]
        problems.append(warning(path, line, f"not UTF-8 (byte 0x{raw[exc.start]:02X}); read as Windows-1252", "check the accents in the article, then re-save the seed as UTF-8"))
    return clean(text, path, problems)


def clean(text: str, path: str, problems: list[Problem]) -> tuple[str, list[Problem]]:
    """Normalise line endings and Unicode, and remove invisible control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = INVISIBLE.search(text)
    if found:
        count = len(INVISIBLE.findall(text))
        line = text.count("\n", 0, found.start()) + 1
        problems.append(warning(path, line, f"removed {count} invisible control character(s), the first U+{ord(found.group()):04X}", "they are scraping debris and could disguise the text"))
        text = INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text), problems


def parse(text: str, seed_id: str, path: str, languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> tuple[Seed | None, list[Problem]]:
    """Parse a decoded seed; return the seed (None on any error) and every problem found."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return None, [error(path, 1, "the file has no text", "a seed needs a title, a date line, a body and a Source block")]
    if len(filled) == 1:
        return None, [error(path, filled[0] + 1, "the file has only one line of text", "a seed needs a title, a date line, a body and a Source block")]
    problems: list[Problem] = []
    title, date, body_start = _head(lines, filled, path, languages, problems)
    source, body_end = _source(lines, filled, path, problems)
    paragraphs = _paragraphs(lines[body_start:body_end]) if body_end > body_start else []
    if not paragraphs and body_start <= len(lines):
        problems.append(error(path, body_start + 1 if body_start < len(lines) else len(lines), "the article has no body text", "body paragraphs go between the date line and the Source block"))
    if title and len(title) > LONG_TITLE:
        problems.append(warning(path, filled[0] + 1, f"the title is {len(title)} characters long", "a body paragraph may have been taken for the title"))
    if date and date > dt.date.today() + dt.timedelta(days=1):
        problems.append(warning(path, body_start, f"the date {date.isoformat()} is in the future", "check the date line (day.month.year)"))
    if has_errors(problems):
        return None, problems
    return Seed(seed_id, title, date, tuple(paragraphs), source), problems


def _head(lines: list[str], filled: list[int], path: str, languages: tuple[str, ...], problems: list[Problem]) -> tuple[str, dt.date | None, int]:
    """Find the title and the date line; return (title, date, index where the body starts)."""
    first = filled[0]
    title = squash(lines[first])
    after = filled[1]
    found = match_date(squash(lines[after]), languages)  # first: a date in digits needs no month names (Babel's, slow to load)
    if found is None:
        first_date = match_date(title, languages)
        if first_date and first_date.rest:
            # No title line: the file starts with the date line.
            problems.append(warning(path, first + 1, "there is no title line before the date line", "the title was taken from the date line"))
            return squash(first_date.rest), _checked_date(first_date, first, path, problems), first + 1
        problems.append(error(path, after + 1, f"expected the date line, found '{_clip(lines[after])}'", DATE_HINT))
        return title, None, after
    date = _checked_date(found, after, path, problems)
    if found.rest and fold_title(found.rest) != fold_title(title):
        problems.append(warning(path, after + 1, f"the date line's title '{_clip(found.rest)}' differs from the title line", f"using the title line (line {first + 1})"))
    return title, date, after + 1


def _checked_date(found: DateMatch, index: int, path: str, problems: list[Problem]) -> dt.date | None:
    """Return the date of a date line, or report why it is unusable."""
    if found.date is None:
        problems.append(error(path, index + 1, found.problem, "dates are day.month.year with a four-digit year, e.g. 27.01.2023"))
        return None
    if found.date.year < 1800:
        problems.append(error(path, index + 1, f"the year {found.date.year} is implausible for a news article", "check the date line"))
        return None
    reading = found.reading()
    if reading:
        hint = ("day first was assumed, as in DD.MM.YYYY; check the date in the original article" if found.ambiguous
                else "the collectors write DD.MM.YYYY; another notation may mean their scraper changed")
        problems.append(warning(path, index + 1, reading, hint))
    return found.date


def _source(lines: list[str], filled: list[int], path: str, problems: list[Problem]) -> tuple[str, int]:
    """Find the Source block at the end; return (URL, index where the body ends)."""
    last = filled[-1]
    text = lines[last].strip()
    inline = INLINE_SOURCE.match(text)
    found = URL_LINE.match(text) or (inline and URL_LINE.match(inline.group("url")))
    start = last
    for index in reversed(filled[:-1] if not inline else []):
        stripped = lines[index].strip()
        if stripped != ":" and not SOURCE_LABEL.match(stripped):
            break
        start = index
        if stripped != ":":
            break
    if not found:
        labels = [i for i in filled if SOURCE_LABEL.match(lines[i].strip())]
        if labels:
            problems.append(error(path, labels[-1] + 1, f"the Source block has no URL (its last line is '{_clip(text)}')", "end the file with 'Source', a blank line, ':' and the URL in angle brackets"))
            return "", labels[-1]
        problems.append(error(path, last + 1, "no Source block at the end of the file", "end the file with 'Source', a blank line, ':' and '<https://…>'"))
        return "", last + 1
    url = found.group("url")
    why = url_problem(url)
    if why:
        problems.append(error(path, last + 1, f"the source URL '{_clip(url)}' {why}", "give the article's full http(s) address"))
        return url, start
    differences = _source_layout([lines[i].strip() for i in filled if start <= i <= last], bool(inline))
    if differences:
        problems.append(warning(path, start + 1, f"the Source block is not 'Source', ':', '<URL>' ({'; '.join(differences)}); its URL was read",
                                "the collectors' format has 'Source', a blank line, ':' and the URL in angle brackets; another may mean their scraper changed"))
    return url, start


def _source_layout(block: list[str], inline: bool) -> list[str]:
    """How a Source block (its non-blank lines) differs from the reference layout."""
    if inline:
        return [f"all on one line: '{_clip(block[-1])}'"]
    differences = []
    label = block[0] if len(block) > 1 and block[0] != ":" else None
    if label is None:
        differences.append("no 'Source' line")
    elif label != "Source":
        differences.append(f"labelled '{label}'")
    if ":" not in block[:-1]:
        differences.append("no ':' line")
    if not (block[-1].startswith("<") and block[-1].endswith(">")):
        differences.append("the URL is not in angle brackets")
    return differences


def url_problem(url: str) -> str:
    """Say what is wrong with a source URL, or '' if it is a usable http(s) link."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "is not an http(s) address"
    host = parts.hostname or ""
    if not host or ("." not in host and host != "localhost"):
        return "has no host name"
    if URL_BREAKER.search(url):
        return "contains spaces or quotes"
    return ""


def _paragraphs(lines: list[str]) -> list[str]:
    """Split body lines into paragraphs, mending the ones a scraper broke in two."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(squash(" ".join(current)))
            current = []
    mended: list[str] = []
    for paragraph in paragraphs:
        if mended and is_continuation(mended[-1], paragraph):
            mended[-1] = mended[-1] + " " + paragraph
        else:
            mended.append(paragraph)
    return mended


def is_continuation(previous: str, paragraph: str) -> bool:
    """Tell whether ``paragraph`` goes on the sentence ``previous`` left unfinished."""
    return previous[-1] not in SENTENCE_END and paragraph[0].islower()


def squash(text: str) -> str:
    """Collapse runs of plain spaces and tabs to one space, and trim spaces of any kind at the ends.

    A line's ends are layout; inside it, every other character is the outlet's text.
    """
    if "  " in text or "\t" in text:  # else every run is one space already
        text = WHITESPACE.sub(" ", text)
    return text.strip()


def fold_title(text: str) -> str:
    """Compare titles ignoring case, accents, spacing and typographic quotes."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("«", '"').replace("»", '"'))
    marks = [c for c in set(text) if unicodedata.combining(c)]  # each distinct character looked at once
    if marks:
        text = text.translate(dict.fromkeys(map(ord, marks)))
    return squash(text).casefold()


def source_name(url: str) -> str:
    """The publisher's domain: the URL's host without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def normalize_url(url: str) -> str:
    """Reduce a URL to what identifies the article (for duplicate detection)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith(("utm_", "fbclid=", "gclid=")))
    return urlunsplit(("https", host, parts.path.rstrip("/") or "/", query, ""))


def _clip(text: str, width: int = 60) -> str:
    text = squash(text)
    return text if len(text) <= width else text[: width - 1] + "…"

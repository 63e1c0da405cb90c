"""Publishers: the outlet an article comes from, named as readers know it.

``publishers.toml`` (setting ``publishers_file``) maps host names to an outlet's
display name: ``yabiladi.com`` covers ``www.yabiladi.com`` and ``en.yabiladi.com``,
both "Yabiladi". A URL's host is matched this way:

1. lower-cased, without a final dot; an internationalised name in its ASCII form;
2. an AMP cache host is read back as the page's own host
   (``www-lemonde-fr.cdn.ampproject.org`` → ``www.lemonde.fr``), and so is a
   Google AMP viewer address (``www.google.com/amp/s/www.lemonde.fr/…``);
3. the longest listed host that is the host itself or one of its parent domains
   wins (``news.un.org`` before ``un.org``);
4. a host no publisher lists is named by its registrable domain, by the Public
   Suffix List: ``fr.lapresse.it`` → ``lapresse.it``, ``www.bbc.co.uk`` → ``bbc.co.uk``.

The Public Suffix List is the snapshot bundled with ``tldextract``, read with
fetching and caching turned off: naming a host never touches the network or
writes a file. The table's bytes are part of import's rules (unedited articles
are written again when it changes); with the snapshot's bytes they key the build
cache too (names given at build time to hand-written articles follow both).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from slugify import slugify

from .problems import Problem, display_path, error, warning

KEYS = ("name", "hosts", "country", "languages")
HOST = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
HEADER = re.compile(r"^[ \t]*\[\[[ \t]*publisher[ \t]*\]\]", re.MULTILINE)
# AMP caches serve a page under its host with '-' doubled and '.' turned into '-'.
AMP_CACHES = (".cdn.ampproject.org", ".bing-amp.com")
GOOGLE_AMP = re.compile(r"^(?:www\.)?google\.[a-z.]+$")


@dataclass(frozen=True)
class Publisher:
    """One outlet: the name readers see, the hosts it publishes under, where and in what languages."""

    name: str
    hosts: tuple[str, ...]
    country: str = ""
    languages: tuple[str, ...] = ()
    line: int | None = None

    @property
    def slug(self) -> str:
        return slug(self.name)


@dataclass
class Table:
    """The publishers of one ``publishers.toml``, by host."""

    publishers: list[Publisher] = field(default_factory=list)
    by_host: dict[str, Publisher] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    def find(self, host: str) -> Publisher | None:
        """The publisher of a (canonical) host: the longest listed host it is or lies under."""
        labels = host.split(".")
        for start in range(len(labels) - 1):
            found = self.by_host.get(".".join(labels[start:]))
            if found is not None:
                return found
        return None

    def name_of(self, url: str) -> str:
        """The display name of the publisher of ``url`` ('' for a URL without a host)."""
        host = effective_host(url)
        if not host:
            return ""
        name = self._names.get(host)
        if name is None:
            publisher = self.find(host)
            name = self._names[host] = publisher.name if publisher else registrable(host)
        return name

    def names(self) -> dict[str, str]:
        """Every host named so far, with its name (for ``learn`` in a later run)."""
        return dict(self._names)

    def learn(self, names: dict[str, str]) -> None:
        """Take names found before, by this table or one equal to it with the same Public Suffix List
        (see ``names_key``): a known host then needs no look-up (nor tldextract, slow to import)."""
        for host, name in names.items():
            self._names.setdefault(host, name)


def slug(name: str) -> str:
    """The stable slug of a display name, for the source's page: 'El País' → 'el-pais', 'lapresse.it' stays."""
    return slugify(name, regex_pattern=r"[^-a-z0-9.]+") or "source"


def host_of(url: str) -> str:
    """The host of a URL as written (lower-cased): what the data export calls ``source_host``."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def canonical(host: str) -> str:
    """A host in the form the table is matched in: lower case, ASCII (IDNA), AMP cache read back."""
    host = host.strip().lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return host
    for cache in AMP_CACHES:
        if host.endswith(cache):
            label = host[: -len(cache)]
            if "." not in label and not label.startswith("xn--"):
                decoded = label.replace("--", "\0").replace("-", ".").replace("\0", "-")
                if HOST.fullmatch(decoded):
                    return decoded
    return host


def effective_host(url: str) -> str:
    """The host whose publisher wrote the page at ``url`` (see the module's doc)."""
    host = canonical(host_of(url))
    if GOOGLE_AMP.match(host):
        parts = urlsplit(url.strip()).path.split("/")
        if len(parts) > 3 and parts[1] == "amp":
            inner = parts[3] if parts[2] == "s" else parts[2]
            if HOST.fullmatch(canonical(inner)):
                return canonical(inner)
    return host


@lru_cache(maxsize=1)
def _extractor():
    # tldextract is imported only when its snapshot cannot be read apart (it costs ~70 ms: it imports requests).
    import tldextract

    # No URL to fetch, no cache folder: the Public Suffix List snapshot in the wheel, nothing else.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True, include_psl_private_domains=True)


def preload() -> None:
    """Read the Public Suffix List now (before import forks its workers, which share it)."""
    split_host("example.org")


# tldextract's reading of its snapshot (tldextract.suffix_list), which ``split_host`` follows.
PUBLIC_SUFFIX = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)
PRIVATE_FROM = "// ===BEGIN PRIVATE DOMAINS==="
IPV4 = re.compile(r"^(?:(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])$", re.ASCII)
SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")


@lru_cache(maxsize=1)
def _suffix_tree() -> dict | None:
    """The rules of tldextract's Public Suffix List snapshot, public and private (``_extractor``'s settings), as
    tldextract's trie has them: label → (whether a rule ends there, the labels before it), from the right. Read
    from the file itself: importing tldextract (and requests, which it imports) took 50 ms of every import from
    seeds, on the build's one busy core. None if the file cannot be read (then tldextract reads it)."""
    try:
        text = (Path(find_spec_origin("tldextract")).parent / ".tld_set_snapshot").read_bytes().decode("utf-8")
    except (AttributeError, TypeError, OSError, UnicodeDecodeError):
        return None
    root: dict = {}
    for match in PUBLIC_SUFFIX.finditer(text.replace(PRIVATE_FROM, "\n", 1)):  # a private rule is a suffix too
        node = (False, root)
        for label in reversed(match.group("suffix").split(".")):
            parent = node[1]
            node = parent.get(label)
            if node is None:
                node = parent[label] = [False, {}]
        node[0] = True
    return root


def find_spec_origin(package: str) -> str | None:
    """Where a package's ``__init__`` is, found without importing it."""
    from importlib.util import find_spec

    spec = find_spec(package)
    return spec.origin if spec is not None else None


def split_host(host: str) -> tuple[str, str]:
    """The public suffix of a host and the label before it ('' for none), as ``_extractor`` gives them
    (``tests/test_publishers.py`` compares the two on every rule of the list and more)."""
    root = _suffix_tree()
    if root is None:
        found = _extractor()(host)
        return found.suffix, found.domain
    netloc = _lenient_netloc(host).replace("\u3002", ".").replace("\uff0e", ".").replace("\uff61", ".")
    if len(netloc) >= 4 and netloc[0] == "[" and netloc[-1] == "]" and _looks_like_ipv6(netloc[1:-1]):
        return "", netloc
    labels = netloc.split(".")
    node, end, at = (False, root), len(labels), len(labels)
    for label in reversed(labels):
        decoded = _decode_punycode(label)
        child = node[1].get(decoded)
        if child is not None:
            at -= 1
            node = child
            if child[0]:
                end = at
            continue
        if "*" in node[1]:
            end = at if "!" + decoded in node[1] else at - 1
            return ".".join(labels[end:]), labels[end - 1] if end > 0 else ""
        break
    if end == len(labels):
        return "", netloc if len(labels) == 4 and netloc[:1].isdecimal() and IPV4.fullmatch(netloc) else labels[-1]
    return ".".join(labels[end:]), labels[end - 1] if end > 0 else ""


def _lenient_netloc(url: str) -> str:
    """tldextract's ``lenient_netloc``: the host part of a URL-like string, its case kept."""
    start = url.find("//")
    if start == 0:
        url = url[2:]
    elif start >= 2 and url[start - 1] == ":" and not set(url[:start - 1]) - SCHEME_CHARS:
        url = url[start + 2:]
    authority = url.partition("/")[0].partition("?")[0].partition("#")[0].rpartition("@")[-1]
    if authority and authority[0] == "[":
        inside = authority.partition("]")
        if inside[1] == "]":
            return f"{inside[0]}]"
    return authority.partition(":")[0].strip().rstrip(".\u3002\uff0e\uff61")


def _looks_like_ipv6(text: str) -> bool:
    from ipaddress import AddressValueError, IPv6Address

    try:
        IPv6Address(text)
    except AddressValueError:
        return False
    return True


def _decode_punycode(label: str) -> str:
    lowered = label.lower()
    if lowered.startswith("xn--"):
        import idna  # tldextract's own dependency (IDNA 2008, as it decodes)

        try:
            return idna.decode(lowered)
        except (UnicodeError, IndexError):
            pass
    return lowered


@lru_cache(maxsize=4096)
def registrable(host: str) -> str:
    """The registrable domain of a host by the Public Suffix List, shown in Unicode:
    ``fr.lapresse.it`` → ``lapresse.it``, ``www.sante.gov.ma`` → ``sante.gov.ma``.
    A host with none (an IP address, ``localhost``, a bare suffix) is given as it is, less ``www.``."""
    domain = ""
    if "." in host:
        suffix, name = split_host(host)
        domain = f"{name}.{suffix}" if suffix and name else ""
    if not domain:
        domain = host[4:] if host.startswith("www.") else host
    if "xn--" in domain:
        try:
            domain = domain.encode("ascii").decode("idna")
        except UnicodeError:
            pass
    return domain


def is_public_suffix(host: str) -> bool:
    """Tell whether a host is itself a public suffix (``co.uk``, ``gov.ma``): it would cover whole countries."""
    found = SUFFIX_ANSWERS.get(host)
    if found is None:
        suffix, name = split_host(host)
        found = SUFFIX_ANSWERS[host] = bool(suffix) and not name
    return found


SUFFIX_ANSWERS: dict[str, bool] = {}
"""``is_public_suffix``'s answers: this process's, and those the build cache kept under the same suffix list
(``problems`` gives them before anything reads the table, whose hosts are all checked): a build that reads
the table then needs no tldextract."""


@lru_cache(maxsize=1)
def psl_version() -> str:
    """A hash of the Public Suffix List snapshot that names unknown hosts (found without importing
    tldextract, which is slow to import; the file's bytes, not its date, so a fresh install of the
    same version changes nothing)."""
    from importlib.util import find_spec

    spec = find_spec("tldextract")
    try:
        return hashlib.sha256((Path(spec.origin).parent / ".tld_set_snapshot").read_bytes()).hexdigest()[:16]
    except (AttributeError, TypeError, OSError):
        return ""


# --- the table ------------------------------------------------------------------------------

def read(config) -> tuple[bytes | None, str]:
    """The publishers file's bytes (None if it does not exist) and its name as shown in messages."""
    path = Path(config.publishers)
    try:
        return path.read_bytes(), display_path(path)
    except OSError:
        return None, display_path(path)


NAMES_STORE = "publisher-names"
"""The build cache's store of hosts' names (by ``names_key``): what import and the library named before."""


def names_key(config) -> tuple:
    """What the names of hosts depend on: the table, and the Public Suffix List (tldextract's snapshot; its
    hash rather than tldextract's version, which importlib.metadata reads in 20 ms)."""
    return (table_digest(config), psl_version())


def table_digest(config) -> str:
    """A hash of the table's bytes: part of import's rules (a change re-writes unedited articles).

    Not the suffix list's: the names import wrote are content, committed with the
    articles; a new tldextract release must not re-write them all (nor the golden files).
    """
    raw, _ = read(config)
    return hashlib.sha256(b"-" if raw is None else b"+" + raw).hexdigest()[:16]


def fingerprint(config) -> str:
    """A hash of everything a name given at build time depends on: the table and the suffix list."""
    return f"{table_digest(config)}-{psl_version()}"


def for_config(config) -> Table:
    """The publishers table of a site (an empty one if the file does not exist)."""
    raw, shown = read(config)
    return parse(raw, shown)


def problems(config, cache=None) -> list[Problem]:
    """What is wrong in the publishers file, remembered in the build cache by the file's fingerprint
    (checking hosts against the Public Suffix List costs more than the rest of a no-change build)."""
    raw, shown = read(config)
    key = [fingerprint(config), shown]
    stored = cache.load("publishers") if cache is not None else None
    if stored is not None and list(stored[0]) == key and len(stored) == 3:
        for host, answer in stored[2]:
            SUFFIX_ANSWERS.setdefault(host, answer)
        return [Problem(*p) for p in stored[1]]
    found = parse(raw, shown).problems
    if cache is not None:
        cache.save("publishers", (tuple(key), tuple(p.as_tuple() for p in found), tuple(sorted(SUFFIX_ANSWERS.items()))))
    return list(found)


@lru_cache(maxsize=8)
def parse(raw: bytes | None, shown: str) -> Table:
    """Read and check a publishers file. Problems are reported, never raised: a bad entry is left
    out (an error), a doubtful value is dropped or kept with a warning; the rest is used."""
    table = Table()
    if raw is None:
        return table
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        table.problems.append(error(shown, None, f"not UTF-8 ({exc.reason} at byte {exc.start})", "save the file as UTF-8; meanwhile every host is named by its domain"))
        return table
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else (text.rstrip("\n").count("\n") + 1 if "end of document" in str(exc) else None)
        table.problems.append(error(shown, line, f"not valid TOML: {exc}",
                                    "fix the syntax; meanwhile every host is named by its domain"))
        return table
    lines = text.split("\n")
    starts = [text.count("\n", 0, m.start()) + 1 for m in HEADER.finditer(text)]
    for key in data:
        if key != "publisher":
            table.problems.append(warning(shown, _line(lines, 1, len(lines) + 1, rf"\[*\s*{re.escape(key)}\b"), f"unknown section or key '{key}' (ignored)",
                                          "each outlet is a [[publisher]] block with name, hosts, country and languages"))
    entries = data.get("publisher", [])
    if not isinstance(entries, list):
        table.problems.append(error(shown, None, "'publisher' must be a list of [[publisher]] blocks", "see the comments at the top of the file"))
        return table
    owners: dict[str, Publisher] = {}
    slugs: dict[str, Publisher] = {}
    for index, entry in enumerate(entries):
        start = starts[index] if len(starts) == len(entries) else None
        end = (starts[index + 1] if index + 1 < len(starts) else len(lines) + 1) if start else None
        publisher = _entry(entry, shown, lines, start, end, table.problems)
        if publisher is None:
            continue
        hosts = []
        for host in publisher.hosts:
            other = owners.get(host)
            if other is not None:
                where = _line(lines, start, end, rf'["\']{re.escape(host)}["\']')
                at = f" (line {other.line})" if other.line else ""
                table.problems.append(error(shown, where, f"host '{host}' is listed for '{other.name}'{at} and again for '{publisher.name}'",
                                            f"keep it under one publisher; meanwhile it stays with '{other.name}'"))
            else:
                hosts.append(host)
        publisher = Publisher(publisher.name, tuple(hosts), publisher.country, publisher.languages, publisher.line)
        for host in hosts:
            owners[host] = table.by_host[host] = publisher
        twin = slugs.get(publisher.slug)
        if twin is not None:
            at = f" (line {twin.line})" if twin.line else ""
            table.problems.append(warning(shown, publisher.line, f"'{publisher.name}' and '{twin.name}'{at} share one source page (sources/{publisher.slug}/)",
                                          "give one publisher all its hosts, or tell the names apart"))
        slugs.setdefault(publisher.slug, publisher)
        table.publishers.append(publisher)
    return table


def _entry(entry: object, shown: str, lines: list[str], start: int | None, end: int | None, problems: list[Problem]) -> Publisher | None:
    """Check one [[publisher]] block; None (and an error) if it cannot be used."""
    def line(key: str) -> int | None:
        return _line(lines, start, end, rf"{key}\s*=") if start else None

    if not isinstance(entry, dict):
        problems.append(error(shown, start, "a publisher must be a [[publisher]] block of keys", "see the comments at the top of the file"))
        return None
    for key in entry:
        if key not in KEYS:
            problems.append(warning(shown, line(re.escape(key)) or start, f"unknown key '{key}' in a publisher (ignored)", "known keys: " + ", ".join(KEYS)))
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(error(shown, line("name") or start, "a publisher has no name (left out)", 'give it one: name = "Yabiladi"'))
        return None
    name = " ".join(name.split())
    hosts = entry.get("hosts")
    if isinstance(hosts, str):
        hosts = [hosts]
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        problems.append(error(shown, line("hosts") or start, f"'{name}' has no list of hosts (left out)", 'write hosts = ["yabiladi.com"]'))
        return None
    good = []
    for written in hosts:
        where = _line(lines, start, end, rf'["\']{re.escape(written)}["\']') if start else None
        host = canonical(written)
        if "/" in host or ":" in host:
            bare = canonical(host_of(written if "//" in written else "//" + written))
            problems.append(error(shown, where, f"'{written}' is not a host name (in '{name}')", f"write the host alone, e.g. \"{bare or 'example.org'}\""))
            continue
        if not HOST.fullmatch(host):
            problems.append(error(shown, where, f"'{written}' is not a host name (in '{name}')", "a host is like lemonde.fr: letters, digits, '-' and dots"))
            continue
        if is_public_suffix(host):
            problems.append(error(shown, where, f"'{written}' is a public suffix: it would cover every site under it (in '{name}')",
                                  "list the outlet's own domain, e.g. sante.gov.ma"))
            continue
        if host.startswith("www."):
            problems.append(warning(shown, where, f"'{written}' covers only that host and its subdomains, not {host[4:]} (in '{name}')",
                                    f"write \"{host[4:]}\" to cover every host of the site"))
        if host in good:
            again = _line(lines, start, end, rf'["\']{re.escape(written)}["\']', skip=1) or where
            problems.append(warning(shown, again, f"'{written}' is listed twice for '{name}'", "list it once"))
            continue
        good.append(host)
    if not good:
        problems.append(error(shown, line("hosts") or start, f"'{name}' has no usable host (left out)", 'write hosts = ["yabiladi.com"]'))
        return None
    country = entry.get("country", "")
    if country != "":
        import pycountry

        if not isinstance(country, str) or pycountry.countries.get(alpha_2=country.upper()) is None:
            problems.append(warning(shown, line("country"), f"'{country}' is not an ISO 3166-1 country code (in '{name}'; ignored)", 'write country = "MA"'))
            country = ""
        country = country.upper()
    languages = entry.get("languages", [])
    if isinstance(languages, str):
        languages = [languages]
    from .i18n import is_language

    if not isinstance(languages, list) or not all(isinstance(code, str) and is_language(code) for code in languages):
        problems.append(warning(shown, line("languages"), f"'languages' of '{name}' must be ISO 639-1 codes (ignored)", 'write languages = ["fr", "ar"]'))
        languages = []
    return Publisher(name, tuple(good), country, tuple(languages), start)


def _line(lines: list[str], start: int | None, end: int | None, pattern: str, skip: int = 0) -> int | None:
    """The line (1-based) from ``start`` and before ``end`` where ``pattern`` matches outside
    comments, after ``skip`` such lines; None if there is none."""
    if start is None:
        return None
    compiled = re.compile(pattern, re.IGNORECASE)
    for number in range(start, min(end or len(lines) + 1, len(lines) + 1)):
        if compiled.search(lines[number - 1].split("#", 1)[0]):
            if not skip:
                return number
            skip -= 1
    return None


EMPTY = Table()
"""No publishers: every host is named by its registrable domain."""


def is_unnamed(source_name: str, source: str) -> bool:
    """Tell whether an article's ``source_name`` leaves the publisher to be named from the table:
    none given, or only the host import used to write before publishers had names."""
    if not source_name:
        return True
    host = host_of(source).lower()
    written = source_name.strip().lower()
    return written in (host, host[4:] if host.startswith("www.") else host)

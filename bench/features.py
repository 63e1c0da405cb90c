"""The stories' features of every article of a corpus: their CPU time, and a digest to compare two versions.

    python bench/features.py CORPUS [CORPUS…]            # CPU seconds, a digest of every feature tuple
    python bench/features.py CORPUS --dump out.pickle     # also keep the tuples (to compare two versions)
    python bench/features.py --compare a.pickle b.pickle  # the articles whose features differ

CORPUS is a site folder (its content/*.md are read as the build reads them) or a
labelled set of tests/fixtures/stories (each text is also read in every language, to
cover every language's lexicons). Run it with two versions of the code (PYTHONPATH)
and compare the dumps: a change meant to be faster only must give identical tuples.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from crossings import articles, stories  # noqa: E402
from crossings.markup import plain_paragraphs  # noqa: E402


def inputs(corpus: Path) -> list[tuple[str, str, str, str]]:
    """(name, title, text, lang) of each article of a site folder or a labelled set."""
    found = []
    if corpus.suffix == ".toml":
        for item in tomllib.loads(corpus.read_text(encoding="utf-8"))["article"]:
            for lang in dict.fromkeys((item["lang"], "fr", "en", "es", "ar", "de")):
                found.append((f"{corpus.name}:{item['id']}:{lang}", item["title"], item["text"].strip(), lang))
        return found
    for path in sorted((corpus / "content").rglob("*.md")):
        front, body, _, _ = articles.split(path.read_text(encoding="utf-8"), str(path))
        meta = yaml.safe_load(front) or {}
        paragraphs = plain_paragraphs(body)
        text = "\n\n".join(paragraphs) if paragraphs is not None else body
        found.append((str(path.relative_to(corpus)), str(meta.get("title", "")), text, str(meta.get("lang", "fr"))))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="*", type=Path)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path)
    parser.add_argument("--runs", type=int, default=1, help="time the features this many times (the fastest is printed)")
    args = parser.parse_args()
    if args.compare:
        a, b = (pickle.loads(p.read_bytes()) for p in args.compare)
        differ = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        for key in differ[:20]:
            print(f"{key}\n  {a.get(key)}\n  {b.get(key)}")
        print(f"{len(a)} and {len(b)} articles, {len(differ)} differ")
        sys.exit(1 if differ else 0)
    table = stories.load_table(REPO / "places.toml")
    items = [item for corpus in args.corpus for item in inputs(corpus)]
    best = None
    for _ in range(args.runs):
        cpu = time.process_time()
        result = {name: stories.features(title, text, lang, table) for name, title, text, lang in items}
        spent = time.process_time() - cpu
        best = spent if best is None else min(best, spent)
    digest = hashlib.sha256(pickle.dumps(sorted(result.items()))).hexdigest()[:16]
    print(f"{len(items)} articles: features {best:.3f} s CPU ({best / len(items) * 1e6:.0f} µs each), digest {digest}")
    if args.dump:
        args.dump.write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    main()

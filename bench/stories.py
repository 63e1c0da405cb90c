"""Stories: quality on the labelled set, and the time grouping takes.

    python bench/stories.py                  # tune.toml, then the time at 1,000 and 10,000 articles
    python bench/stories.py --holdout        # also holdout.toml (kept aside: never tune on it)
    python bench/stories.py --sizes 1000     # other sizes; --no-time for quality only

Quality: every labelled article goes through what import and the build do to an
article (countries and organisations found by entities.toml, features, grouping);
B-cubed precision, recall and F1 and pairwise precision are printed for stories
(the labelled incidents; singletons belong to no story) and for same-text groups
(the labelled syndicated copies), with the pairs missed and the pairs wrongly joined.

Time: a synthetic archive (bench/generate.py) is grouped from nothing, with the
features read in the same run (what a cold build does); from features already in the
cache; with nothing changed; then with one new article, the newest or one of any
date (what an incremental build does). Medians of several runs, wall-clock and CPU
time of this process (the machine may be shared). Generated articles are unlike real
ones: each names some nine countries, six organisations and six places from a short
list, so nearly every two articles ten days apart are candidates and link; the
grouping is timed at its densest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from crossings import entities, stories  # noqa: E402
from crossings.cache import Cache  # noqa: E402

LABELLED = REPO / "tests" / "fixtures" / "stories"


# --- metrics ----------------------------------------------------------------------------------

def clusters_of(assign: dict[str, str]) -> dict[str, set[str]]:
    """Item → cluster label ('' or missing: a cluster of its own)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for item, label in assign.items():
        groups[label or "\0" + item].add(item)
    return groups


def bcubed(truth: dict[str, str], found: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin) over the items of ``truth``."""
    t, f = clusters_of(truth), clusters_of({i: found.get(i, "") for i in truth})
    t_of = {i: c for c in t.values() for i in c}
    f_of = {i: c for c in f.values() for i in c}
    precision = statistics.mean(len(f_of[i] & t_of[i]) / len(f_of[i]) for i in truth)
    recall = statistics.mean(len(f_of[i] & t_of[i]) / len(t_of[i]) for i in truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


def pairs(assign: dict[str, str]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for c in clusters_of(assign).values() for p in combinations(c, 2)}


def pairwise(truth: dict[str, str], found: dict[str, str]) -> tuple[float, float, set, set]:
    """Pairwise precision and recall, the pairs wrongly joined and the pairs missed."""
    t, f = pairs(truth), pairs({i: found.get(i, "") for i in truth})
    precision = len(t & f) / len(f) if f else 1.0
    recall = len(t & f) / len(t) if t else 1.0
    return precision, recall, f - t, t - f


# --- the labelled set through the real pipeline ------------------------------------------------

def labelled(name: str) -> list[dict]:
    return tomllib.loads((LABELLED / name).read_text(encoding="utf-8"))["article"]


def group_labelled(items: list[dict], table: stories.Table, found_entities) -> stories.Grouping:
    """Group labelled articles as a build does (countries and organisations found as import finds them)."""
    nodes, texts = {}, {}
    for item in items:
        text = item["text"].strip()
        body = "\n".join(p.strip() for p in text.split("\n\n"))
        countries, organizations = found_entities.find(item["title"] + "\n" + body)
        date = item["date"] if isinstance(item["date"], dt.date) else dt.date.fromisoformat(str(item["date"]))
        nodes[item["id"]] = stories.Node(item["id"], item["id"], date.toordinal(), item["lang"], tuple(countries), tuple(organizations), "")
        texts[item["id"]] = (item["title"], text)
    grouper = stories.Grouper(table, None, lambda key: texts[key])
    return grouper.group(nodes)


def evaluate(name: str, table: stories.Table, found_entities, verbose: bool = True) -> dict:
    items = labelled(name)
    grouping = group_labelled(items, table, found_entities)
    titles = {i["id"]: f"{i['id']} {i['lang']} {i['date']} {i['title'][:70]}" for i in items}
    truth = {i["id"]: i["incident"] for i in items}
    found = dict(grouping.of)
    copy_truth = {i["id"]: i["same_text"] for i in items}
    copy_found = {}
    for key, others in grouping.copies.items():
        copy_found[key] = min((key, *others))
    result = {}
    for label, t, f in (("stories", truth, found), ("same text", copy_truth, copy_found)):
        p, r, f1 = bcubed(t, f)
        pp, pr, wrong, missed = pairwise(t, f)
        result[label] = (p, r, f1, pp, pr)
        print(f"{name:13} {label:9}  B-cubed P {p:.3f}  R {r:.3f}  F1 {f1:.3f}   pairwise P {pp:.3f}  R {pr:.3f}  "
              f"({len(pairs(t))} true pairs, {len(wrong)} wrong, {len(missed)} missed)")
        if verbose:
            for a, b in sorted(wrong):
                print(f"    wrongly joined: {titles[a]}\n                    {titles[b]}")
            for a, b in sorted(missed):
                print(f"    missed:         {titles[a]}\n                    {titles[b]}")
    return result


# --- time ---------------------------------------------------------------------------------------

def timing(sizes: list[int], runs: int) -> None:
    """Wall-clock and CPU seconds (the machine is shared: CPU time is what this process itself spent)."""
    from generate import generate

    from crossings import seeds as seeds_

    table = stories.load_table(REPO / "places.toml")
    found_entities, _ = entities.load(REPO / "entities.toml")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="crossings-stories-") as tmp:
            paths = generate(n + 1, Path(tmp) / "seeds")
            nodes, texts = {}, {}
            for path in paths:
                seed, _ = seeds_.parse(path.read_text(encoding="utf-8"), path.stem, path.name, ("fr", "en", "ar"))
                body = "\n".join(seed.paragraphs)
                lang = "ar" if any("\u0600" <= c <= "\u06ff" for c in seed.title) else ("en" if " the " in f" {body[:400]} " else "fr")
                countries, organizations = found_entities.find(seed.title + "\n" + body)
                key = path.stem
                nodes[key] = stories.Node(key, key, seed.date.toordinal(), lang, tuple(countries), tuple(organizations), "")
                texts[key] = (seed.title, "\n\n".join(seed.paragraphs))
            newest = max(nodes, key=lambda k: (nodes[k].ordinal, k))
            other = sorted(nodes)[-1] if sorted(nodes)[-1] != newest else sorted(nodes)[-2]  # the last generated: any date
            times: dict[str, list[tuple[float, float]]] = defaultdict(list)

            def timed(name: str, call) -> object:
                wall, cpu = time.perf_counter(), time.process_time()
                result = call()
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
                return result

            for _ in range(runs):
                cache_dir = Path(tmp) / "cache"
                shutil.rmtree(cache_dir, ignore_errors=True)

                def grouped(some: dict) -> stories.Grouping:
                    # as a build does: it waits at its end for the process storing the months, if one was started
                    grouper = stories.Grouper(table, Cache(cache_dir), texts.__getitem__)
                    result = grouper.group(some)
                    grouper.settle()
                    return result

                without = {k: v for k, v in nodes.items() if k not in (newest, other)}
                timed("features of every article", lambda: [stories.features(*texts[k], without[k].lang, table) for k in without])
                grouping = timed("grouping from nothing (features included)", lambda: grouped(without))
                features_only(cache_dir, table)
                timed("grouping from the cached features", lambda: grouped(without))
                timed("no change", lambda: grouped(without))
                timed("one new article, the newest", lambda: grouped({**without, newest: nodes[newest]}))
                timed("one new article, of any date", lambda: grouped(nodes))
            print(f"{n:>6} articles ({len(grouping.stories)} stories), medians of {runs} runs, wall / CPU:")
            for name, values in times.items():
                wall = statistics.median(v[0] for v in values)
                cpu = statistics.median(v[1] for v in values)
                print(f"    {name:42} {_seconds(wall):>8} / {_seconds(cpu)}")


def features_only(cache_dir: Path, table: stories.Table) -> None:
    """Keep the features in the cache, forget links, stories and checkpoints (a build whose grouping
    changed, e.g. a new places.toml, still has every article's features)."""
    cache = Cache(cache_dir)
    cache.discard("stories")
    for path in cache_dir.glob("stories-*.marshal"):
        name = path.stem
        digest, store = cache.load(name)
        cache.save(name, (digest, {"features": store["features"], "links": {}}))


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", action="store_true", help="also measure on holdout.toml (never tune on it)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-time", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="figures only, not the pairs")
    args = parser.parse_args()
    table = stories.load_table(REPO / "places.toml")
    found_entities, _ = entities.load(REPO / "entities.toml")
    evaluate("tune.toml", table, found_entities, not args.quiet)
    if args.holdout:
        evaluate("holdout.toml", table, found_entities, not args.quiet)
    if not args.no_time:
        timing(args.sizes, args.runs)


if __name__ == "__main__":
    main()

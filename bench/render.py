"""The CPU of rendering each template, in this process: every page of a built site rendered again in memory.

    python bench/render.py bench/out/1000/crossings               # a site built before (it reads its .cache, writes nothing)
    python bench/render.py PROJECT --repeat 3 --template article.html

For each template: how many outputs, the CPU to render them (``render`` as a build calls it: the
page's context made, the template rendered, the indentation removed, UTF-8), per output, and the
part of it that made the contexts. The last line is a digest of every output's path and bytes:
two versions of the code that give the same digest render the same site. Compare versions on
the same folder, one run after the other (the machine's other work moves these figures).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossings import builder  # noqa: E402
from crossings.cache import Cache, Scan  # noqa: E402
from crossings.catalogs import load_catalogs  # noqa: E402
from crossings.config import load_config  # noqa: E402
from crossings.importer import Importer  # noqa: E402
from crossings.library import Library  # noqa: E402
from crossings.render import make_env, render  # noqa: E402
from crossings.site import build_site, plan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="render every output this many times (the figures are per run)")
    parser.add_argument("--template", help="only the outputs of this template")
    args = parser.parse_args()
    root = args.project.resolve()
    config, _ = load_config(root / "pyproject.toml")
    if not config.cache.is_dir():
        sys.exit(f"{root}: build it first (this reads its .cache)")
    cache = Cache(config.cache, read_only=True)
    scan = Scan()
    importer = Importer(config, cache, False, scan)
    importer.run()
    library = Library(config, cache, scan=scan)
    library.read_already(importer.index.read)
    records, _ = library.load()
    catalogs = load_catalogs(config.locales)
    site, _ = build_site(records, config, library, catalogs)
    outputs = plan(site)
    _, assets = builder.static_outputs(config, cache, scan, {o.path for o in outputs}, builder.BuildReport())
    env = make_env(config, None, assets, catalogs)
    chosen = [o for o in outputs if o.data is None and o.template and (args.template is None or o.template == args.template)]
    for name in {o.template for o in chosen}:
        env.get_template(name)  # compiled before timing
    gc.freeze()
    gc.enable()  # as a render worker does
    digest = hashlib.sha256()
    spent, contexts, counts = Counter(), Counter(), Counter()
    for run in range(args.repeat):
        for output in chosen:
            started = time.process_time()
            output.context()
            made = time.process_time()
            data = render(env, output)
            spent[output.template] += time.process_time() - made
            contexts[output.template] += made - started
            counts[output.template] += 1
            if run == 0:
                digest.update(output.path.encode() + b"\0" + data + b"\0")
    runs = args.repeat
    for name in sorted(spent, key=spent.get, reverse=True):
        n = counts[name]
        print(f"{name:16s} {n // runs:7d} outputs  {spent[name] / runs:7.3f} s  {1e3 * spent[name] / n:.3f} ms each  (context {1e3 * contexts[name] / n:.3f} ms)")
    print(f"total {sum(spent.values()) / runs:.3f} s CPU for {len(chosen)} outputs; digest of the bytes {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()

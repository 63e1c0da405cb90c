"""Would a Parquet export be worth its dependency? Size and time of one Parquet file of the archive.

    python -m venv /tmp/pq && /tmp/pq/bin/pip install pyarrow polars duckdb arro3-core arro3-io
    /tmp/pq/bin/python bench/parquet.py bench/out/10000/crossings/_site

Reads a built site's year files (``data/YYYY.jsonl.gz``: every field, with the text),
writes them as one Parquet file (zstd) with each writer installed in the interpreter
that runs it, and prints the write time, the file's size and the writer's size on
disk, beside the year files' size. Not part of the build: the figures are in README
(Data), where the choice is explained.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def installed_size(*modules: str) -> int:
    """Bytes on disk of these top-level packages (and of their native libraries beside them)."""
    total = 0
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        roots = [Path(p) for p in spec.submodule_search_locations or ()] or ([Path(spec.origin)] if spec.origin else [])
        for root in roots:  # (a namespace package, as arro3, has no origin: its folders)
            paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
            total += sum(p.stat().st_size for p in paths)
    return total


def columns(rows: list[dict]) -> dict[str, list]:
    """The rows as columns; lists (countries, organisations, tags, copies) kept as lists of text."""
    out = {key: [row.get(key) for row in rows] for key in rows[0]}
    for key, values in out.items():
        if any(isinstance(v, (list, dict)) for v in values):
            out[key] = [[v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in (x or [])] for x in values]
    return out


def with_pyarrow(cols: dict, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(cols), path, compression="zstd")


def with_polars(cols: dict, path: Path) -> None:
    import polars as pl

    pl.DataFrame(cols).write_parquet(path, compression="zstd")


def with_duckdb(site: Path, path: Path) -> None:
    import duckdb

    pattern = str(site / "data" / "*.jsonl.gz").replace("'", "''")
    target = str(path).replace("'", "''")
    duckdb.connect().execute(f"COPY (SELECT * FROM read_json_auto('{pattern}')) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")


WRITERS = [
    ("pyarrow", ("pyarrow",), lambda cols, site, path: with_pyarrow(cols, path)),
    ("polars", ("polars", "_polars_runtime_32", "_polars_runtime"), lambda cols, site, path: with_polars(cols, path)),
    ("duckdb", ("duckdb", "_duckdb"), lambda cols, site, path: with_duckdb(site, path)),
]
SIZE_ONLY = [("arro3-core + arro3-io", ("arro3",))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site (its data/ folder)")
    args = parser.parse_args()
    years = sorted((args.site / "data").glob("[0-9]*.jsonl.gz"))
    if not years:
        print(f"{args.site}/data holds no YYYY.jsonl.gz: build the site first", file=sys.stderr)
        return 2
    rows = [json.loads(line) for path in years for line in gzip.open(path, "rt", encoding="utf-8")]
    cols = columns(rows)
    print(f"{len(rows):,} articles; year files (JSON Lines, gzip, with the text): {sum(p.stat().st_size for p in years) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        for name, modules, write in WRITERS:
            if importlib.util.find_spec(modules[0]) is None:
                print(f"  {name:24} not installed")
                continue
            path = Path(tmp) / f"{name}.parquet"
            started = time.perf_counter()
            write(cols, args.site, path)
            took = time.perf_counter() - started
            print(f"  {name:24} {os.path.getsize(path) / 1e6:6.1f} MB in {took:5.2f} s; the writer: {installed_size(*modules) / 1e6:4.0f} MB installed")
    for name, modules in SIZE_ONLY:
        if importlib.util.find_spec(modules[0]) is not None:
            print(f"  {name:24} (not timed) the writer: {installed_size(*modules) / 1e6:4.0f} MB installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

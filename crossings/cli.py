"""The command line: ``import``, ``build``, ``serve``, ``check``. Arguments only; the work is elsewhere."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import Cache
from .config import load_config
from .importer import import_seeds
from .problems import Problem, display_path, workflow_command

if TYPE_CHECKING:
    from .builder import BuildReport

# The builder (Jinja2, Markdown, Babel...) is imported by the verbs that build, not by `import`.
DESCRIPTION = "Crossings turns seed files of migration news into a static, browsable archive."


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    if args.github_annotations is None:  # on by default in a GitHub Actions workflow
        args.github_annotations = os.environ.get("GITHUB_ACTIONS") == "true"
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    overrides = {"seeds_dir": args.seeds, "content_dir": args.content, "output_dir": getattr(args, "out", None),
                 "base_url": getattr(args, "base_url", None), "cache_dir": getattr(args, "cache", None)}
    pyproject = Path(args.config) if args.config else Path("pyproject.toml")
    if args.config and not pyproject.exists():
        print(f"{args.config}: error: no such settings file", file=sys.stderr)
        return 2
    args.overrides, args.pyproject = overrides, (pyproject if pyproject.exists() else None)
    config, problems = load_config(args.pyproject, **overrides)
    if any(p.is_error for p in problems):
        print_problems(problems, annotate=args.github_annotations)
        return 2
    try:
        return args.run(config, args, problems)
    except KeyboardInterrupt:  # Ctrl-C: what was written is whole (files and stores are replaced in one step)
        print(f"{args.command}: stopped (Ctrl-C)", file=sys.stderr)
        return 130


def parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per verb."""
    top = argparse.ArgumentParser(prog="crossings", description=DESCRIPTION)
    verbs = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seeds", metavar="DIR", help="folder of seed files (setting seeds_dir; default seeds)")
    common.add_argument("--content", metavar="DIR", help="folder of front-matter Markdown articles (setting content_dir; default content)")
    common.add_argument("--config", metavar="FILE", help="the pyproject.toml holding [tool.crossings] (default ./pyproject.toml)")
    common.add_argument("--github-annotations", action=argparse.BooleanOptionalAction, default=None,
                        help="also print each problem as a GitHub Actions workflow command (::error file=…,line=…::…) on standard "
                             "output, which GitHub shows on the file and line; on by default when GITHUB_ACTIONS=true")
    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("--out", metavar="DIR", help="output folder (setting output_dir; default _site)")
    site.add_argument("--base-url", metavar="URL", help="where the site is published, e.g. https://USER.github.io/REPO/ (overrides base_url)")
    site.add_argument("--cache", metavar="DIR", help="folder for build state (setting cache_dir; default .cache); an empty one means a cold build")
    site.add_argument("--clean", action="store_true", help="forget the build state first and rebuild everything")

    verb = verbs.add_parser("import", parents=[common], help="turn seed files into content files",
                            description="Turn every seed file into a front-matter Markdown file in the content folder. Files an editor has changed are kept.")
    verb.set_defaults(run=run_import)
    verb = verbs.add_parser("build", parents=[common, site], help="import, then render the site",
                            description="Import the seeds, then render the whole site into the output folder, replacing it in one step.")
    verb.add_argument("--strict", action="store_true", help="treat warnings as failures: report them, exit 1 and leave the previous site in place")
    verb.set_defaults(run=run_build)
    verb = verbs.add_parser("serve", parents=[common, site], help="build, then serve the site for preview",
                            description="Build the site, then serve it on http://HOST:PORT under the base path of base_url.")
    verb.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; use 0.0.0.0 to expose it deliberately)")
    verb.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    verb.add_argument("--poll", action="store_true", help="watch by polling: for Docker volumes, WSL and network drives, where change events get lost")
    verb.set_defaults(run=run_serve)
    verb = verbs.add_parser("check", parents=[common], help="validate seeds, content and the built site, writing nothing",
                            description="Parse every seed and content file and render every page in memory; then check the built site, if there "
                                        "is one: internal links, stylesheets and scripts resolve under the base path, no link leaves it, every "
                                        "page has a title, a language and one h1, feeds and sitemap parse. Report all problems, write nothing.")
    verb.add_argument("--out", metavar="DIR", help="the built site to check (setting output_dir; default _site)")
    verb.add_argument("--base-url", metavar="URL", help="the base URL the site was built for (overrides base_url)")
    verb.add_argument("--no-site", action="store_true", help="check seeds and content only")
    verb.set_defaults(run=run_check)
    return top


def run_import(config, args, problems: list[Problem]) -> int:
    started = time.perf_counter()
    report = import_seeds(config, Cache(config.cache))
    print_problems(problems + report.problems, annotate=args.github_annotations)
    print_kept(report.kept)
    print(f"import: {len(report.imported)} imported, {_skipped(report)}, {len(report.rejected)} rejected; "
          f"0 pages written; {time.perf_counter() - started:.2f} s")
    return 1 if report.rejected else 0


def run_build(config, args, problems: list[Problem]) -> int:
    from .builder import build

    if args.clean:
        shutil.rmtree(config.cache, ignore_errors=True)
    report = build(config, strict=args.strict, progress=True, collect=False)
    return _finish("build", report, problems, args.strict, args.github_annotations)


def run_check(config, args, problems: list[Problem]) -> int:
    from .builder import build
    from .linkcheck import check_built_site

    report = build(config, write=False)
    status = _finish("check", report, problems, False, args.github_annotations)
    if config.output.is_dir() and not args.no_site:
        site_problems, pages = check_built_site(config.output, config.base_url)
        print_problems(site_problems, annotate=args.github_annotations)
        print(f"check: the built site {display_path(config.output)}: {pages} pages checked, {len(site_problems)} problems", flush=True)
        status = max(status, 1 if site_problems else 0)
    return status


def run_serve(config, args, problems: list[Problem]) -> int:
    from .builder import build
    from .devserver import DevServer

    if args.clean:
        shutil.rmtree(config.cache, ignore_errors=True)
    report = build(config, progress=True)
    status = _finish("build", report, problems, False, args.github_annotations)
    if not config.output.is_dir():
        print("serve: nothing to serve: the build wrote no site", file=sys.stderr)
        return status or 1
    overrides = {k: v for k, v in args.overrides.items() if v is not None}
    server = DevServer(config, args.pyproject, overrides, host=args.host, port=args.port, poll=args.poll)
    try:
        server.start(report)
    except OSError as exc:
        print(f"serve: cannot listen on {args.host}:{args.port}: {exc.strerror} — try another --port", file=sys.stderr)
        return 2
    try:
        return server.run()
    except KeyboardInterrupt:  # Ctrl-C before ``run`` handles it itself: its connections' threads must still end
        server.stop()
        print("Stopped.", file=server.out, flush=True)
        return 0


def _finish(verb: str, report: BuildReport, problems: list[Problem], strict: bool, annotate: bool = False) -> int:
    """Print every problem, what import kept, and the summary line; return the exit status."""
    from .builder import exit_status

    print_summary(verb, report, problems, strict, annotate=annotate)
    if verb == "build" and not report.written:
        print("build: the site was not replaced; the previous one stays in place", file=sys.stderr)
    return max(exit_status(report, strict), 0 if report.written or verb == "check" else 1)


def print_summary(verb: str, report: BuildReport, problems: list[Problem], strict: bool, out=None, err=None, kept: bool = True,
                  annotate: bool = False) -> None:
    """Print every problem, what import kept, and the one summary line."""
    out, err = out or sys.stdout, err or sys.stderr
    print_problems(problems + report.all_problems(), err, annotate=annotate, out=out)
    imports = report.imports
    if imports and kept:
        print_kept(imports.kept, err)
    imported = len(imports.imported) if imports else 0
    skipped = _skipped(imports) if imports else "0 skipped"
    if verb == "check":
        pages = f"{report.pages} pages checked"
    else:
        pages = f"{report.rendered if report.written else 0} pages written ({report.articles} article{'' if report.articles == 1 else 's'} in the site)"
    print(f"{verb}: {imported} imported, {skipped}, {report.rejected} rejected; {pages}; {report.seconds:.2f} s", file=out, flush=True)


def _skipped(report) -> str:
    parts = [f"{len(report.unchanged)} unchanged", f"{len(report.kept)} edited", f"{len(report.duplicates)} duplicate"]
    return f"{report.skipped} skipped ({', '.join(parts)})"


def print_problems(problems: list[Problem], err=None, *, annotate: bool = False, out=None) -> None:
    """Print problems, errors and warnings alike, in file and line order, on standard error.

    With ``annotate``, each is also printed on standard output as a GitHub Actions
    workflow command, which GitHub turns into an annotation on the file and line.
    """
    ordered = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))
    for problem in ordered:
        print(problem, file=err or sys.stderr)
    if annotate and ordered:
        (err or sys.stderr).flush()
        for problem in ordered:
            print(workflow_command(problem), file=out or sys.stdout)
        (out or sys.stdout).flush()


def print_kept(kept: list[str], err=None) -> None:
    for path in kept:
        print(f"{path}: kept: edited by hand, so import did not overwrite it", file=err or sys.stderr)

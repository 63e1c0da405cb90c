"""Crossings entry point: ``python build.py import|build|serve|check``."""

from crossings.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

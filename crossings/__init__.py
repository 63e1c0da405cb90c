"""Crossings: a static site generator for an archive of migration news."""

__version__ = "0.1.0"

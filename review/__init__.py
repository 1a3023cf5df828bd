"""Systematic-review screening toolkit: import, deduplicate, rank, screen, PRISMA 2020, code, export."""

__version__ = "0.1.0"

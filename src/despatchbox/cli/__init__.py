"""The one command: ``despatchbox``, with a subcommand for each thing it does (``--help`` lists them).

Each area's commands live in their own module in this package and register themselves on
``app`` when imported below (a missing one is an import error). A command module imports at its
top only what its options and help need; the work (the store, the pipeline, the search engine, the
web layer) is imported inside the command, when it runs, so that ``--help`` and every other command
do not load it (tests/test_newcomer_cli.py checks what ``--help`` loads).
"""
from __future__ import annotations

import sys

import typer

# each module registers its commands on ``app`` when imported; all are listed here
from . import alerts, check, db, export, ingest, mcp, quote_check, search, serve, stats, update, who_said  # noqa: F401
from .app import app


def leading_minus_queries(argv: list[str]) -> list[str]:
    """``search '-scotland crime'`` without ``--``: a search argument that starts with one minus and
    is not an option of the command (-h) is a query, so it is moved after a ``--``."""
    if not argv or argv[0] != "search" or "--" in argv:
        return argv
    queries = [a for a in argv[1:] if a.startswith("-") and not a.startswith("--") and a not in ("-", "-h")]
    if not queries:
        return argv
    return [a for a in argv if a not in queries] + ["--", *queries]


def main() -> None:
    app(args=leading_minus_queries(sys.argv[1:]), prog_name="despatchbox")


__all__ = ["app", "main", "typer"]

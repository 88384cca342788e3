"""The one command: ``despatchbox``, with a subcommand for each thing it does (``--help`` lists them).

Each area adds its commands from its own module in this package.
"""
from __future__ import annotations

import typer

# each module registers its commands on ``app`` when imported; all are listed here
from . import alerts, check, db, export, ingest, mcp, quote_check, search, serve, stats, update, who_said  # noqa: F401
from .app import app


def main() -> None:
    app()


__all__ = ["app", "main", "typer"]

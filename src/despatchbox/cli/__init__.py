"""The one command: ``despatchbox``. With no subcommand it serves the site.

Each area adds its commands from its own module in this package.
"""
from __future__ import annotations

import importlib

import typer

from .app import app

#: modules that register commands on ``app`` (imported for their side effect)
COMMAND_MODULES = ["ingest", "stats", "check", "export", "search", "serve", "alerts", "db", "who_said"]

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # an area not built yet in this checkout
        if exc.name != f"{__name__}.{_name}":
            raise


def main() -> None:
    app()


__all__ = ["app", "main", "typer"]

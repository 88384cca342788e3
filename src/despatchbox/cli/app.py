"""The Typer application and helpers shared by the commands."""
from __future__ import annotations

import json
import sys

import typer
from rich.console import Console

from ..config import settings
from ..store.database import engine_for

app = typer.Typer(
    name="despatchbox",
    help="Follow the UK Parliament's record: ingest ParlParse XML, attribute every contribution, and serve it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


def engine():
    """The configured database (DESPATCHBOX_DATABASE_URL), schema brought up to date."""
    return engine_for(settings().database_url)


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)

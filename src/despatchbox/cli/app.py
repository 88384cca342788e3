"""The Typer application and helpers shared by the commands."""
from __future__ import annotations

import json
import sys
from typing import NoReturn
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from ..config import settings

app = typer.Typer(
    name="despatchbox",
    help="Follow the UK Parliament's record: ingest ParlParse XML, attribute every contribution, and serve it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain Click help: no <bool> metavars, paragraphs re-wrapped to the terminal
    context_settings={"max_content_width": 120, "help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _console(stderr: bool) -> Console:
    """A terminal gets Rich's layout at its width; a pipe or a file gets whole lines, never cut at 80 columns."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=100_000, soft_wrap=True)


#: messages, progress and errors (standard error)
console = _console(stderr=True)
#: results: tables and lines a user may pipe into a file (standard output)
out = _console(stderr=False)


def package_version() -> str:
    try:
        return version("despatchbox")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"despatchbox {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="Print the version and exit."),
) -> None:
    """Follow the UK Parliament's record: ingest ParlParse XML, attribute every contribution, and serve it."""


def missing_database(url: str) -> str | None:
    """Why ``url`` names no database yet (a SQLite file that does not exist), else None.

    PostgreSQL databases are never created by despatchbox: the server refuses a missing one.
    """
    from sqlalchemy import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    if path.exists():
        return None
    return (f"no database at {path.resolve()}; run `despatchbox ingest` first "
            f"or set DESPATCHBOX_DATABASE_URL")


def engine(create: bool = False):
    """The configured database (DESPATCHBOX_DATABASE_URL), schema brought up to date.

    Only ``ingest`` and ``update`` (``create=True``) may bring a new SQLite file into being; every other
    command refuses, so that running one outside the project leaves no empty database behind.
    """
    from ..store.database import engine_for

    url = settings().database_url
    if not create:
        problem = missing_database(url)
        if problem:
            fail(problem)
    return engine_for(url)


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(code)

"""``despatchbox db``: the database itself — upgrade the schema, copy between backends."""
from __future__ import annotations

import sys
import time
from typing import Any

import typer
from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from ..config import settings
from .app import app, console, engine, fail, print_json

db_app = typer.Typer(help="The database: upgrade its schema, compact it, copy it between SQLite and PostgreSQL.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")

URL_HELP = "SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user:pass@host/db"


def _shown(url: str) -> str:
    from sqlalchemy import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def _engine(url: str, what: str):
    from ..store import database

    try:
        return database.engine_for(url)
    except Exception as exc:  # bad URL, server down, no such database, …
        fail(f"cannot open the {what} database {_shown(url)}: {exc}")


@db_app.command("upgrade")
def upgrade_command(
    url: str = typer.Option(None, "--url", help=f"Database to upgrade (default: DESPATCHBOX_DATABASE_URL). {URL_HELP}"),
) -> None:
    """Create the schema, or bring it up to the latest migrations (safe to run at any time;
    processes starting together upgrade once)."""
    from ..store import database

    url = url or settings().database_url
    try:
        engine = database.make_engine(url)
        before = database.current_heads(engine)
        ran = database.upgrade(engine)
        after = database.current_heads(engine)
    except Exception as exc:
        fail(f"cannot upgrade {_shown(url)}: {exc}")
    engine.dispose()
    heads = ", ".join(sorted(after)) or "none"
    if ran:
        console.print(f"upgraded {_shown(url)}: {', '.join(sorted(before)) or 'empty'} → {heads}")
    else:
        console.print(f"{_shown(url)} is up to date ({heads})")


@db_app.command("compact")
def compact_command(
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait for a running ingest to finish (--no-wait: "
                                                             "exit 3 at once instead)."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    rebuild_indexes: bool = typer.Option(
        False, "--rebuild-indexes",
        help="PostgreSQL: then vacuum the tables and rebuild every index (VACUUM (ANALYZE), REINDEX … "
             "CONCURRENTLY: reads and writes go on meanwhile), as an ingest that at least doubles the "
             "database does as it ends. Worth it after loading the record in smaller runs, which leave "
             "the indexes part-empty: 2.71 → 2.35 KB a contribution at 1M, in 10–16 s. SQLite: nothing to do."),
) -> None:
    """Merge the who-said index's levels that are due, and count the fellow speakers of the members
    whose debates changed, in the configured database.

    `despatchbox update` leaves this work for later so that a new day loads quickly;
    `despatchbox serve` does it in the background, and this command does it now (for
    instance from cron, after the update, where no server runs). Safe at any time: each merge is
    one transaction, and holds the ingest lock."""
    from ..pipeline.compaction import compact
    from ..store import database

    db = engine()
    shown = db.url.render_as_string(hide_password=True)
    done = compact(db, wait=wait)
    if done is None:
        fail("an ingest is running on this database: try again when it has finished (or leave out --no-wait)", 3)
    started = time.perf_counter()
    freed = database.rebuild_indexes(db, vacuum=True) if rebuild_indexes else None
    rebuilt_in = time.perf_counter() - started
    if json_output:
        summary: dict[str, Any] = {"database": shown, "merges": done.merges, "fellows_counted": done.fellows,
                                   "seconds": round(done.seconds, 2)}
        if rebuild_indexes:
            summary.update(indexes_rebuilt=freed is not None, bytes_freed=freed, rebuild_seconds=round(rebuilt_in, 2))
        print_json(summary)
        return
    if done.merges or done.fellows:
        console.print(f"compacted {shown}: {done.merges} merge(s) of the who-said index, the fellow speakers of "
                      f"{done.fellows} member(s), in {done.seconds:.1f}s")
    else:
        console.print(f"{shown}: nothing to compact")
    if rebuild_indexes and freed is None:
        console.print("SQLite: no indexes to rebuild (--rebuild-indexes is for PostgreSQL)")
    elif freed is not None:
        console.print(f"vacuumed and rebuilt every index in {rebuilt_in:.1f}s: the database is {freed / 1e6:,.1f} MB smaller")


class RichCopyProgress:
    """store/copy's ``CopyProgress`` as a Rich bar on standard error."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: RichProgress | None = None
        self.task: Any = None

    def start(self, total_rows: int, tables: dict[str, int]) -> None:
        if not self.enabled:
            return
        self.bar = RichProgress(TextColumn("[bold]copy[/bold] {task.fields[table]:<20}"), BarColumn(),
                                MofNCompleteColumn(), TextColumn("rows"), TimeElapsedColumn(), TimeRemainingColumn(),
                                console=console, transient=False)
        self.bar.start()
        self.task = self.bar.add_task("copy", total=total_rows, table="")

    def table(self, name: str, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, table=name)

    def advance(self, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=rows)

    def step(self, message: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, table=message)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@db_app.command("copy")
def copy_command(
    from_url: str = typer.Option(..., "--from", help=f"Database to read. {URL_HELP}"),
    to_url: str = typer.Option(..., "--to", help="Database to write: created tables, no rows (else --replace)."),
    replace: bool = typer.Option(False, "--replace", help="Empty the target's tables first."),
    batch: int = typer.Option(5000, min=1, help="Rows per batch."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Copy a whole database to another, e.g. SQLite to PostgreSQL (or back), without re-ingesting.

    Both are brought to the latest migrations; the rows are copied table by table in
    dependency order, in batches, in one transaction on the target; the search index is
    rebuilt for the target's backend; every table's row count is checked.
    """
    from sqlalchemy import make_url

    from ..store.copy import CopyError, copy_database

    for what, url in (("--from", from_url), ("--to", to_url)):
        try:
            make_url(url)
        except Exception:
            fail(f"{what}: not a database URL: {url!r} ({URL_HELP})")
    if make_url(from_url) == make_url(to_url):
        fail("--from and --to are the same database")
    source = _engine(from_url, "source")
    target = _engine(to_url, "target")
    progress = RichCopyProgress(enabled=sys.stderr.isatty() and not quiet and not json_output)
    started = time.perf_counter()
    try:
        report = copy_database(source, target, progress, replace=replace, batch_rows=batch)
    except CopyError as exc:
        progress.finish()
        fail(str(exc), 1)
    elapsed = time.perf_counter() - started
    summary = {"from": _shown(from_url), "to": _shown(to_url), "rows": report.rows, "tables": report.tables,
               "rebuilt": report.rebuilt, "not_copied": report.skipped, "seconds": round(elapsed, 2)}
    if json_output:
        print_json(summary)
        return
    console.print(f"copied {report.rows:,} rows in {len(report.tables)} tables from {summary['from']} "
                  f"to {summary['to']} in {elapsed:.1f}s; row counts match"
                  + (f"; rebuilt: {', '.join(report.rebuilt)}" if report.rebuilt else ""))
    if report.skipped:
        console.print(f"[yellow]tables only one side has, not copied: {', '.join(report.skipped)}[/yellow]")

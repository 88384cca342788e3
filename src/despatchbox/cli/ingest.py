"""``despatchbox ingest``: load ParlParse files into the store."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

from ..pipeline.report import IngestReport, Progress
from .app import app, console, engine, print_json


class RichIngestProgress(Progress):
    """Files and records per second on a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: RichProgress | None = None
        self.records = 0
        self.started = time.perf_counter()

    def start(self, total_files: int, total_bytes: int) -> None:
        if not self.enabled:
            return
        self.bar = RichProgress(TextColumn("[bold]ingest[/bold]"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("files · {task.fields[rate]}"), TimeElapsedColumn(),
                                TextColumn("{task.fields[current]}"), console=console, transient=False)
        self.bar.start()
        self.task = self.bar.add_task("ingest", total=total_files, rate="", current="")

    def advance(self, path: Path, size: int, records: int) -> None:
        self.records += records
        if self.bar is None:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        done = self.bar.tasks[0].completed + 1
        self.bar.update(self.task, advance=1, current=path.name,
                        rate=f"{done / elapsed:.1f} files/s, {self.records / elapsed:,.0f} records/s")

    def stage(self, text: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, current=text)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_rebuild(report: IngestReport) -> None:
    """The line saying a load that doubled a PostgreSQL database vacuumed it and rebuilt its indexes (or
    why that did not finish)."""
    if report.rebuild_error is not None:
        console.print(f"[yellow]{escape(report.rebuild_error)}[/yellow]")
    if report.rebuilt_indexes_freed is not None:
        console.print(f"the load at least doubled the database: vacuumed it and rebuilt its indexes in "
                      f"{report.rebuild_seconds or 0:.1f}s, {report.rebuilt_indexes_freed / 1e6:,.1f} MB given back")


@app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="ParlParse trees (holding members/ and/or scrapedxml/<kind>/), "
                                                  "kind folders, or single files.", exists=True),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    accept_shrink: bool = typer.Option(False, "--accept-shrink",
                                       help="Load a newer version of a day even when it holds far fewer records "
                                            "than the version held (otherwise the held one is kept)."),
) -> None:
    """Load members data and transcripts. Latest file version wins; re-running changes nothing.

    A broken file is reported with its path and line and skipped whole; the exit
    status is 1 when any file failed.
    """
    from ..pipeline.run import ingest

    progress = RichIngestProgress(enabled=sys.stderr.isatty() and not quiet and not json_output)
    started = time.perf_counter()
    report = ingest(engine(create=True), list(paths), progress, accept_shrink=accept_shrink)
    elapsed = time.perf_counter() - started
    summary = report.as_dict() | {"seconds": round(elapsed, 2)}
    found = (len(report.loaded) + len(report.superseded) + len(report.unchanged) + len(report.repeated)
             + len(report.errors))
    if json_output:
        print_json(summary)
    else:
        console.print(f"loaded {summary['loaded']} files ({summary['records']:,} records) in {elapsed:.1f}s; "
                      f"{summary['superseded']} superseded versions, {summary['unchanged']} unchanged, "
                      f"{summary['skipped_repeats']} division extracts skipped (they repeat the day files)")
        print_rebuild(report)
        if report.unresolved_speakers:
            console.print(f"[yellow]{len(report.unresolved_speakers)} speaker ids no members file knows "
                          f"({sum(report.unresolved_speakers.values())} references): kept with their printed names; "
                          f"see `despatchbox check`[/yellow]")
        for err in report.errors:
            where = f"{err.path}:{err.line}" if err.line else err.path
            console.print(f"[red]failed[/red] {where}: {err.message}")
        if report.errors:
            console.print(f"[red]{len(report.errors)} file(s) failed and were skipped whole[/red]")
    if not found:
        console.print(f"[red]error:[/red] no ParlParse files in {', '.join(str(p) for p in paths)} (expected a tree "
                      f"holding members/ or scrapedxml/<kind>/, kind folders, or .xml files)", highlight=False)
        raise typer.Exit(1)
    if not report.ok:
        raise typer.Exit(1)

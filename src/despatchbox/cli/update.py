"""``despatchbox update``: follow the public ParlParse archive into a local mirror, then ingest what changed."""
from __future__ import annotations

import sys
from typing import Any
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..update.mirror import DEFAULT_KINDS, DEFAULT_SOURCE, Listener, Mirror, SourceUnreachable, open_client
from ..update.rsync import RsyncMirror, RsyncMissing, is_rsync_source
from .app import app, console, engine, fail, print_json
from .ingest import RichIngestProgress, print_rebuild


class RichUpdateListener(Listener):
    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            self.bar = Progress(TextColumn("[bold]update[/bold]"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("files"), TimeElapsedColumn(),
                                TextColumn("{task.fields[current]}"), console=console)
            self.bar.start()
            self.files = self.bar.add_task("files", total=None, current="")

    def planned(self, files: int) -> None:
        if self.bar is not None:
            self.bar.update(self.files, total=files)

    def done(self, name: str) -> None:
        if self.bar is not None:
            self.bar.update(self.files, advance=1, current=name)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command("update")
def update_command(
    source: str = typer.Option(DEFAULT_SOURCE, "--source", help="Base URL of the ParlParse archive "
                               "(BASE/scrapedxml/<kind>/…xml with changedates.txt, BASE/members/…json): "
                               "http(s)://…, or an rsync daemon (rsync://data.theyworkforyou.com/parldata/, "
                               "host::module/path), fetched with the rsync program."),
    mirror: Path = typer.Option(Path("parlparse-mirror"), "--mirror", help="Local mirror folder."),
    kinds: str = typer.Option(",".join(DEFAULT_KINDS), "--kinds", help="Comma-separated scrapedxml kinds."),
    since: str = typer.Option(None, "--since", help="Only sitting days on or after this date (YYYY-MM-DD)."),
    no_ingest: bool = typer.Option(False, "--no-ingest", help="Only bring the mirror up to date."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Fetch only new or changed files (changedates.txt, conditional GET, or rsync), atomically and
    resumably, then ingest them. Exits 1 when the source cannot be reached or any file failed.

    The who-said index's merges are left for later (`despatchbox serve` does them in the background;
    without a server, run `despatchbox db compact` after the update)."""
    from ..pipeline.run import ingest

    try:
        since_day = date.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since {since!r} is not a date (YYYY-MM-DD)")
    wanted = tuple(k.strip() for k in kinds.split(",") if k.strip())
    unknown = [k for k in wanted if k not in DEFAULT_KINDS]
    if unknown:
        fail(f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(DEFAULT_KINDS)}")
    show = sys.stderr.isatty() and not quiet and not json_output
    rsync_mirror = None
    if is_rsync_source(source):
        try:
            rsync_mirror = RsyncMirror(source, mirror)
        except ValueError as exc:
            fail(str(exc))
    listener = RichUpdateListener(show)
    try:
        if rsync_mirror is not None:
            report = rsync_mirror.update(wanted, since_day, listener)
        else:
            with open_client() as client:
                report = Mirror(source, mirror, client).update(wanted, since_day, listener)
    except RsyncMissing as exc:
        listener.stop()
        fail(str(exc), 1)
    except SourceUnreachable as exc:
        listener.stop()
        console.print(f"[red]error:[/red] the source cannot be reached: {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from exc
    listener.stop()
    summary: dict[str, Any] = {"source": source, "mirror": str(mirror), "fetched": [str(p.relative_to(mirror)) for p in report.fetched],
               "unchanged": report.unchanged, "failed": [{"url": u, "error": e} for u, e in report.failed],
               "not_tried": report.not_tried, "missing_at_source": report.missing}
    ingested = None
    if report.fetched and not no_ingest:
        # the who-said index's merges are left to compaction (`db compact`, `serve`) unless long overdue
        ingested = ingest(engine(create=True), report.fetched, RichIngestProgress(enabled=show), defer_merges=True)
        summary["ingest"] = ingested.as_dict()
    if json_output:
        print_json(summary)
    else:
        console.print(f"fetched {len(report.fetched)} new or changed files, {report.unchanged} unchanged"
                      + (f"; {len(report.missing)} not at the source" if report.missing else ""))
        for rel in summary["fetched"][:20]:
            console.print(f"  [green]+[/green] {rel}")
        if len(summary["fetched"]) > 20:
            console.print(f"  … and {len(summary['fetched']) - 20} more")
        if ingested is not None:
            console.print(f"ingested {len(ingested.loaded)} files ({ingested.records:,} records), "
                          f"{len(ingested.unchanged)} unchanged, {ingested.reresolved} speakers re-resolved")
            print_rebuild(ingested)
        for _url, why in report.failed:
            console.print(f"[red]failed[/red] {escape(why)} (kept what the mirror had; the next run fetches it again)")
        if report.not_tried:
            console.print(f"[red]stopped:[/red] the source stopped answering; {report.not_tried} more files "
                          "were not tried (the next run fetches them)")
    if not report.ok or (ingested is not None and not ingested.ok):
        raise typer.Exit(1)

"""``despatchbox check``: what could not be attributed, so that nothing is dropped silently."""
from __future__ import annotations

import typer
from rich.table import Table

from .app import app, console, engine, out, print_json


@app.command("check")
def check_command(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
    strict: bool = typer.Option(False, help="Exit 1 if any speaker id does not resolve to a person."),
) -> None:
    """Speeches with and without a resolved person, unknown speaker ids, debates with and without a department."""
    from ..store.queries.check import attribution_report

    with engine().connect() as conn:
        report = attribution_report(conn)
    if json_output:
        print_json(report)
    else:
        table = Table("kind", "contributions", "with person", "as printed", "procedural", "unresolved id",
                      "debates", "with department", "share")
        for kind, c in report["by_kind"].items():
            share = c.get("department_share")
            table.add_row(kind, *(str(c.get(k, 0)) for k in ("contributions", "with_person", "unattributed_as_printed",
                                                              "procedural", "unresolved_speaker_id", "debates",
                                                              "debates_with_department")),
                          f"{share:.0%}" if share is not None else "–")
        out.print(table)
        for entry in report["unknown_speaker_ids"]:
            console.print(f"[yellow]unknown speaker id[/yellow] {entry['speaker_id']} ×{entry['references']} "
                          f"(printed as {entry['printed_name']!r})")
        for entry in report["unknown_voter_ids"]:
            console.print(f"[yellow]unknown voter id[/yellow] {entry['membership_id']} ×{entry['votes']}")
        for d in report["debates_without_department"]:
            console.print(f"[dim]no department[/dim] {d['date']} {d['kind']} {d['title']} ({d['speeches']} speeches)")
    if strict and (report["unknown_speaker_ids"] or report["unknown_voter_ids"]):
        raise typer.Exit(1)

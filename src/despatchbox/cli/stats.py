"""``despatchbox stats``: what is stored."""
from __future__ import annotations

import typer
from rich.table import Table

from .app import app, engine, out, print_json


@app.command("stats")
def stats_command(json_output: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Counts by record kind over the current version of each file, and members data."""
    from ..store.queries.stats import stats

    with engine().connect() as conn:
        data = stats(conn)
    if json_output:
        print_json(data)
        return
    table = Table("kind", "files", "speeches", "no speaker", "headings", "questions", "answers", "words")
    for kind, c in data["by_kind"].items():
        table.add_row(kind, *(f"{c.get(k, 0):,}" for k in ("files", "speeches", "speeches_without_speaker",
                                                            "headings", "questions", "answers", "words")))
    out.print(table)
    out.print(", ".join(f"{k}: {data.get(k, 0):,}" for k in ("divisions", "people", "memberships", "offices")))

"""``despatchbox search``: full-text search of the record from the command line."""
from __future__ import annotations

import html
import re
from datetime import date
from typing import Literal, cast

import typer
from rich.table import Table
from rich.text import Text

from ..record import naming
from ..store.search import KINDS, MAX_LIMIT, QueryError, SearchQuery
from .app import app, console, engine, out, fail, print_json

QUERY_HELP = ('Words are stemmed (prosecute finds prosecuted); "exact phrases" in quotes; AND, OR, NOT '
              'or a leading minus; prefix* ; brackets group.')


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} wants a date as YYYY-MM-DD, not {value!r}.")


def _terminal_snippet(snippet: str) -> Text:
    """The HTML snippet as Rich text: marked words bold, nothing read as Rich markup."""
    text = Text()
    for n, piece in enumerate(re.split(r"</?mark>", snippet)):
        text.append(html.unescape(piece), style="bold" if n % 2 else "")
    return text


@app.command("search")
def search_command(
    query: str = typer.Argument(..., help=QUERY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object: total and results."),
    person: str | None = typer.Option(None, "--person", help="Only this member's words (their slug: david-hanson)."),
    party: str | None = typer.Option(None, "--party", help="Only members of this party (Lab, Labour, LDem …)."),
    department: str | None = typer.Option(None, "--department", help="Only debates of this department (slug)."),
    kind: list[str] = typer.Option([], "--kind", help=f"Only these kinds (repeatable): {', '.join(KINDS)}."),
    date_from: str | None = typer.Option(None, "--from", help="From this date (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Up to this date (YYYY-MM-DD)."),
    sort: str = typer.Option("relevance", "--sort", help="relevance or date (newest first)."),
    limit: int = typer.Option(20, "--limit", help=f"Results to print (1–{MAX_LIMIT})."),
    offset: int = typer.Option(0, "--offset", help="Results to skip."),
    group: bool = typer.Option(False, "--group-by-debate", help="One result per debate."),
) -> None:
    """Search every speech, written question, answer and statement. A query that cannot run exits 2.

    A query may start with a minus: despatchbox search '-scotland crime' finds crime without Scotland.
    """
    from ..store.search import person_by_slug, search, search_people
    from ..web.search_hits import named_hits, party_filter

    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    with engine().connect() as conn:
        person_id = None
        if person:
            found = person_by_slug(conn, person)
            if found is None:
                fail(f"No member with the slug {person!r}.")
            person_id = found["id"]
        try:
            results = search(conn, SearchQuery(
                text=query, person_id=person_id, party_codes=party_filter(conn, party), department_slug=department,
                kind=tuple(kind) or None, date_from=start, date_to=end, sort=cast(Literal["relevance", "date"], sort), limit=limit, offset=offset,
                group_by_debate=group))
        except QueryError as exc:
            fail(str(exc))
        people = [] if json_output or offset else search_people(conn, query)
    hits = named_hits(results.hits)
    if json_output:
        print_json({"total": results.total, "results": [h.summary() for h in hits]})
        return
    for notice in results.notices:
        console.print(Text("note: ", style="yellow") + Text(notice))
    for p in people[:3]:
        console.print(Text("Member: ", style="bold") + Text(f"{naming.member_label(p.latest, None, p.name)}  ({p.slug})"))
    table = Table("date", "kind", "speaker", "debate", "snippet", show_lines=False)
    for h in hits:
        table.add_row(h.date.isoformat(), h.kind, Text(h.display_name or ""), Text(h.title),
                      _terminal_snippet(str(h.snippet)))
    out.print(table)
    out.print(Text(f"{results.total:,} items match") + Text(f" (understood as: {results.understood_as})", style="dim"))

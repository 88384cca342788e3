"""``despatchbox export``: the record as JSON Lines or CSV on standard output, streamed.

Every field is documented in ``docs/export.md``; the records and the writer are
:mod:`despatchbox.export`'s, shared with the ``/export/{kind}`` downloads.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from enum import Enum

import typer

from .app import app, engine, fail


class Record(str, Enum):
    debates = "debates"
    speeches = "speeches"
    questions = "questions"
    divisions = "divisions"
    votes = "votes"
    members = "members"
    memberships = "memberships"
    offices = "offices"


class Format(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


@app.command("export")
def export_command(
    record: Record = typer.Argument(..., help="What to export: debates, speeches, questions, divisions, votes, "
                                                "members (also memberships, offices)."),
    fmt: Format = typer.Option(Format.jsonl, "--format", "-f", help="jsonl: one JSON object a line; csv: a header "
                                                                   "row then one row a record."),
    with_text: bool = typer.Option(False, "--with-text", help="Add the plain text (speeches: text; questions: "
                                                              "text and answer_text)."),
) -> None:
    """Write every record of one kind to standard output, streamed (fields: docs/export.md)."""
    from ..export.records import EXPORTERS, TEXT_FIELDS
    from ..export.writers import write_records

    kind = record.value
    if with_text and kind not in TEXT_FIELDS:
        fail(f"--with-text applies to {', '.join(TEXT_FIELDS)} only")
    exporter: Callable[..., Iterable[dict]] = EXPORTERS[kind]
    out = sys.stdout
    with engine().connect() as conn:
        records = exporter(conn, with_text=True) if with_text else exporter(conn)
        try:
            write_records(records, out, fmt.value, kind, with_text)
            out.flush()
        except BrokenPipeError:  # `despatchbox export speeches | head`
            sys.stderr.close()
            raise typer.Exit(0) from None

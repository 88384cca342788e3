"""``despatchbox export``: the record as JSON Lines or CSV on standard output, streamed.

Every field is documented in ``docs/export.md``.
"""
from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable
from enum import Enum

import typer

from ..store.queries.export import EXPORTERS, FIELDS, TEXT_FIELDS
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


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def csv_columns(kind: str, with_text: bool = False) -> list[str]:
    """The CSV header: the JSON keys with ``department`` split into ``department_name``, ``department_slug``."""
    columns: list[str] = []
    for key in FIELDS[kind] + (TEXT_FIELDS.get(kind, []) if with_text else []):
        columns += ["department_name", "department_slug"] if key == "department" else [key]
    return columns


def _csv_row(record: dict) -> dict:
    row = {}
    for key, value in record.items():
        if key == "department":
            row["department_name"] = value["name"] if value else None
            row["department_slug"] = value["slug"] if value else None
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        else:
            row[key] = _iso(value)
    return row


def write_records(records, out, fmt: str, kind: str, with_text: bool = False) -> int:
    """Write records to a text stream as JSON Lines or CSV; returns how many were written."""
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=csv_columns(kind, with_text), lineterminator="\r\n",
                                extrasaction="raise")
        writer.writeheader()
        for record in records:
            writer.writerow(_csv_row(record))
            n += 1
        return n
    dumps = json.JSONEncoder(ensure_ascii=False, default=_iso, separators=(",", ":")).encode
    for record in records:
        out.write(dumps(record) + "\n")
        n += 1
    return n


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

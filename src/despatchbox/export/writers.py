"""Export records written to a text stream: JSON Lines or CSV (RFC 4180, CRLF line ends), as
``docs/export.md`` describes them — the one writer of ``despatchbox export`` and ``/export/{kind}``."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable

from .records import FIELDS, TEXT_FIELDS


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


def write_records(records: Iterable[dict], out, fmt: str, kind: str, with_text: bool = False) -> int:
    """Write records to a text stream as JSON Lines (``fmt="jsonl"``) or CSV; returns how many were written."""
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

"""Bulk data over HTTP: ``/export/{kind}.jsonl`` and ``/export/{kind}.csv``, streamed, with the same
records and fields as ``despatchbox export`` (one writer, :func:`despatchbox.export.writers.write_records`),
and the ``/data`` page that lists and documents them.

Each export carries a strong ``ETag`` made from the kind, the format and when the record last
changed (the latest finished ingest), so a client that already has this version gets ``304``
without the store being read; ``?text=1`` adds the plain text where ``--with-text`` would.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from ..export.records import EXPORTERS, FIELDS, TEXT_FIELDS
from ..export.writers import csv_columns, write_records
from ..store.queries.api import last_change
from ..store.queries.export import count_records
from .app import engine_of
from .http_caching import etag_matches
from .pages.common import render
from ..store.database import reading

router = APIRouter()

MEDIA_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}
#: what each export holds, for the /data page
DESCRIPTIONS = {
    "debates": "Every debate, statement and written answer section: kind, chamber, date, title, department.",
    "speeches": "Every contribution with its speaker as printed and as resolved (person, party, seat on the day).",
    "questions": "Written questions with their askers, answerers and answers.",
    "divisions": "Divisions with their counts.",
    "votes": "Every member's vote in every division.",
    "members": "Every person in the members data.",
    "memberships": "Every seat held: house, party, constituency, dates.",
    "offices": "Government and other posts from ministers.xml.",
}
CHUNK_RECORDS = 500


def _etag(conn, kind: str, fmt: str, with_text: bool) -> str:
    changed = last_change(conn)
    key = f"{kind}.{fmt}.{int(with_text)}.{changed.isoformat() if changed else 'empty'}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _stream(engine, kind: str, fmt: str, with_text: bool) -> Iterator[bytes]:
    """The export in chunks of CHUNK_RECORDS records, read from one connection (a thread runs it)."""
    exporter: Callable[..., Iterable[dict]] = EXPORTERS[kind]
    buffer = io.StringIO()
    with reading(engine) as conn:
        records = exporter(conn, with_text=True) if with_text else exporter(conn)

        def chunks(it):
            batch = []
            for record in it:
                batch.append(record)
                if len(batch) >= CHUNK_RECORDS:
                    yield batch
                    batch = []
            yield batch

        first = True
        for batch in chunks(records):
            if fmt == "csv" and not first:
                write_records(batch, buffer, fmt, kind, with_text)
                text = buffer.getvalue().split("\r\n", 1)[1]  # the header row only once
            else:
                write_records(batch, buffer, fmt, kind, with_text)
                text = buffer.getvalue()
            first = False
            buffer.seek(0)
            buffer.truncate()
            if text:
                yield text.encode("utf-8")


@router.get("/export/{name}")
def export(request: Request, name: str, text: bool = False):
    kind, dot, fmt = name.rpartition(".")
    if not dot or kind not in EXPORTERS or fmt not in MEDIA_TYPES:
        raise HTTPException(404, f"No export called {name!r}: see /data for the list.")
    if text and kind not in TEXT_FIELDS:
        raise HTTPException(400, f"text=1 applies to {', '.join(TEXT_FIELDS)} only.")
    engine = engine_of(request)
    with reading(engine) as conn:
        etag = _etag(conn, kind, fmt, text)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300",
               "Content-Disposition": f'inline; filename="{kind}{"-with-text" if text else ""}.{fmt}"'}
    if etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return StreamingResponse(_stream(engine, kind, fmt, text), media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/data")
def data_page(request: Request):
    with reading(engine_of(request)) as conn:
        exports = [{"kind": kind, "description": DESCRIPTIONS.get(kind, ""), "fields": FIELDS[kind],
                    "csv_columns": csv_columns(kind), "text_fields": TEXT_FIELDS.get(kind, []),
                    "records": count_records(conn, kind)} for kind in EXPORTERS]
    return render(request, "data.html", {"exports": exports})

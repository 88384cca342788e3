"""Source files and ingest batches: which file versions are held and current."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from sqlalchemy import Connection, delete, insert, select, update

from ..schema import (committee_members, committees, debates, divisions, headings, ingest_batches, source_files,
                      speeches, votes)
from .quotes import delete_file_fingerprints

#: every table whose rows belong to one source file and are deleted by ``file_id`` when a newer
#: version of the file replaces it; the "who said this?" index (``quote_speeches`` and
#: ``quote_fingerprints``, which holds no file id) goes first, by :func:`delete_file_fingerprints`
FILE_OWNED_TABLES = (speeches, headings, debates, committee_members, committees)


def now() -> datetime:
    return datetime.now(timezone.utc)


def start_batch(conn: Connection) -> int:
    key = conn.execute(insert(ingest_batches).values(started_at=now())).inserted_primary_key
    assert key is not None          # a one-row INSERT has its key
    return key[0]


def finish_batch(conn: Connection, batch_id: int) -> None:
    conn.execute(update(ingest_batches).where(ingest_batches.c.id == batch_id).values(finished_at=now()))


def file_by_name(conn: Connection, name: str):
    return conn.execute(select(source_files).where(source_files.c.name == name)).mappings().first()


def current_file_of_series(conn: Connection, series: str):
    return conn.execute(select(source_files).where(source_files.c.series == series,
                                                   source_files.c.is_current.is_(True))).mappings().first()


def delete_file_records(conn: Connection, file_id: int, fingerprints_of: Callable[[str], Iterable[int]]) -> None:
    """Remove everything a file version contributed (not its redirects, which stay valid: queries/redirects.py);
    ``fingerprints_of`` is the function its speeches were fingerprinted with (the "who said this?"
    index's rows are found by recomputing them)."""
    delete_file_fingerprints(conn, file_id, fingerprints_of)
    division_ids = select(divisions.c.id).where(divisions.c.file_id == file_id).scalar_subquery()
    conn.execute(delete(votes).where(votes.c.division_id.in_(division_ids)))
    conn.execute(delete(divisions).where(divisions.c.file_id == file_id))
    for table in FILE_OWNED_TABLES:
        conn.execute(delete(table).where(table.c.file_id == file_id))


def record_file(conn: Connection, *, name: str, kind: str, series: str, version: str, day, sha256: str,
                size: int, is_current: bool, records: int, batch: int) -> int:
    """Insert or update the row describing one source file; returns its id."""
    existing = file_by_name(conn, name)
    values = dict(kind=kind, series=series, version=version, date=day, sha256=sha256, bytes=size,
                  is_current=is_current, records=records, ingested_at=now(), batch=batch)
    if existing:
        conn.execute(update(source_files).where(source_files.c.id == existing["id"]).values(**values))
        return existing["id"]
    key = conn.execute(insert(source_files).values(name=name, **values)).inserted_primary_key
    assert key is not None          # a one-row INSERT has its key
    return key[0]


def mark_not_current(conn: Connection, file_id: int) -> None:
    conn.execute(update(source_files).where(source_files.c.id == file_id).values(is_current=False))


def first_held_id(conn: Connection, ids_by_table: dict[str, list[str]]) -> str | None:
    """The first of these record ids (``{"speeches": [...], ...}``; tables with an ``id`` key) that the
    store already holds: after a file broke a key, which of its ids another file holds."""
    tables = {"debates": debates, "headings": headings, "speeches": speeches, "divisions": divisions}
    for name, ids in ids_by_table.items():
        table = tables[name]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            held = set(conn.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
            if held:
                return next(i for i in chunk if i in held)
    return None


def latest_batch(conn: Connection):
    return conn.execute(select(ingest_batches).order_by(ingest_batches.c.id.desc()).limit(1)).mappings().first()


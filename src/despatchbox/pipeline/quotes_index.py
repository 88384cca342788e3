"""The "who said this?" index, built at ingest: each speech's fingerprints, written in its file's
transaction.

Registered on import (``pipeline/__init__.py`` imports this module):

* :func:`write_fingerprints` in ``pipeline.run.EXTRA_FILE_WRITERS`` — called after a file's
  records are inserted, inside the same transaction, so the index always matches the speeches
  held (a file is in whole, index included, or not at all);
* the index's tables in ``store.queries.files.FILE_OWNED_TABLES`` — deleted by ``file_id`` with
  the rest of a file's records when a newer version of the day replaces it, so superseded
  versions leave no fingerprints behind.

Every speech with text is indexed (speeches, questions, answers, statements), with the
fingerprints of :func:`despatchbox.quotes.fingerprints` (the scheme the matcher queries with).
"""
from __future__ import annotations

from sqlalchemy import Connection

from ..quotes.fingerprint import fingerprints
from ..store.queries import files as file_queries
from ..store.queries.quotes import add_fingerprints, quote_fingerprints, quote_speeches
from .run import EXTRA_FILE_WRITERS
from .transcripts import FileRows

__all__ = ["write_fingerprints"]


def write_fingerprints(conn: Connection, file_id: int, rows: FileRows) -> None:
    """Fingerprint the speeches of one file version and add them to the index."""
    add_fingerprints(conn, file_id, [(r["id"], fingerprints(r["text"]))
                                     for r in rows.speech_rows if r.get("text")])


def _register() -> None:
    if write_fingerprints not in EXTRA_FILE_WRITERS:
        EXTRA_FILE_WRITERS.append(write_fingerprints)
    for table in (quote_fingerprints, quote_speeches):
        if table not in file_queries.FILE_OWNED_TABLES:
            file_queries.FILE_OWNED_TABLES.append(table)


_register()

"""Queries the JSON API, feeds and HTTP caching need that no other area has.

Everything else the API shows comes from the pages' query modules (``people``, ``debates``,
``departments``, ``questions``, ``divisions``); these add filtering and counting for lists.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from ..schema import ingest_batches


def last_change(conn: Connection) -> datetime | None:
    """When the record last changed: the end of the latest finished ingest run (None before any)."""
    return conn.execute(select(func.max(ingest_batches.c.finished_at))).scalar()

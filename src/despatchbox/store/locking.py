"""Locks across processes: one ingest at a time, one schema upgrade at a time.

A second ingest started while one runs waits for it (``wait=False`` refuses instead,
raising ``Busy``). Each source file is still its own transaction, so readers see
whole files only, whatever the lock does.

PostgreSQL: session advisory locks, held on a connection of their own for as long as
the work runs (they are per database, so every machine writing to one database shares
them, and the server frees them if the process dies). SQLite: an exclusive ``flock``
on a file beside the database (``despatchbox.db.ingest-lock``), freed by the kernel if
the process dies.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

#: arbitrary constants naming despatchbox's locks among PostgreSQL advisory locks
INGEST_LOCK_KEY = 0x64657370  # "desp"
SCHEMA_LOCK_KEY = 0x64657371


class Busy(RuntimeError):
    """The lock is held by another process and the caller asked not to wait."""


@contextmanager
def _advisory_lock(engine: Engine, key: int, wait: bool, what: str):
    # AUTOCOMMIT: the lock belongs to the session, and no transaction stays open beside it
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if wait:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        elif not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            raise Busy(f"another {what} is running on this database")
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            except Exception:  # the connection is gone: so is the lock (it was the session's)
                conn.invalidate()


def _lock_path(engine: Engine, suffix: str) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    # keyed on the real path: a symlink (or a relative path) to the same database shares its lock
    real = Path(database).resolve()
    return real.with_suffix(real.suffix + suffix)


@contextmanager
def _file_lock(path: Path | None, wait: bool, what: str):
    if path is None:
        yield
        return
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"another {what} is running on this database ({path} is locked)") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def ingest_lock(engine: Engine, wait: bool = True):
    """Held for a whole ingest run; a second run waits (or raises ``Busy`` if ``wait`` is False)."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, INGEST_LOCK_KEY, wait, "ingest"):
            yield
        return
    with _file_lock(_lock_path(engine, ".ingest-lock"), wait, "ingest"):
        yield


def ingest_running(engine: Engine) -> bool:
    """Whether some process holds the ingest lock right now."""
    try:
        with ingest_lock(engine, wait=False):
            return False
    except Busy:
        return True


@contextmanager
def schema_lock(engine: Engine):
    """Held while migrations run, so that processes starting together upgrade once."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, SCHEMA_LOCK_KEY, True, "schema upgrade"):
            yield
        return
    # SQLite serialises the DDL itself; the lock file stops a second process from
    # starting the same migrations once the first has committed them
    with _file_lock(_lock_path(engine, ".schema-lock"), True, "schema upgrade"):
        yield

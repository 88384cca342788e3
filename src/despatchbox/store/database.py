"""Opening the database: engines for SQLite (embedded default) and PostgreSQL, and
bringing the schema up to date with Alembic (imported only when a database is not at
:data:`SCHEMA_HEAD`, the migrations' head).

Both backends run the same migrations and the same queries. The differences kept here:

- SQLite: WAL journal (readers never wait for the writer and see whole transactions
  only), a busy timeout, foreign keys on, and SQLAlchemy — not pysqlite — issuing
  ``BEGIN`` so that a transaction really starts where the code says it does.
  ``write_transaction`` opens ``BEGIN IMMEDIATE`` for a writer that reads first, and lets one
  thread of a process at a time wait for SQLite's write lock: the others wait without holding a
  pooled connection, so that readers never queue behind parked writers for a connection.
  Writers hold the lock only to write (the ingest prepares a file's rows before it opens its
  transaction), so a writer waits at most about one file's writes.
- PostgreSQL (psycopg 3): a connection pool sized for a web worker, pre-ping so that a
  restarted server or a failover costs one retry, not an error page.
- Upgrading the schema takes a lock across processes (an advisory lock on PostgreSQL,
  a lock file beside a SQLite database), so that N web workers, an ingest and an alert
  job starting together on a new database run the migrations exactly once.
"""
from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

if TYPE_CHECKING:
    from alembic.config import Config


def integrity_errors() -> tuple[type[BaseException], ...]:
    """What a write that breaks a unique or foreign key raises, on either backend: SQLAlchemy's
    ``IntegrityError``, and psycopg's own where psycopg is loaded (a bulk COPY on PostgreSQL raises
    the driver's error, not SQLAlchemy's). Called in ``except integrity_errors():`` — evaluated when an
    exception is being matched — so that a SQLite process never imports psycopg (~80 ms of every
    command's start): psycopg's error cannot be raised before psycopg is imported."""
    driver = sys.modules.get("psycopg.errors")
    if driver is None:
        return _SQLALCHEMY_INTEGRITY
    return (IntegrityError, driver.IntegrityError)


_SQLALCHEMY_INTEGRITY: tuple[type[BaseException], ...] = (IntegrityError,)


#: PostgreSQL's SQLSTATEs for a lock not granted in time (lock_timeout) and a deadlock
_PG_BUSY = {"55P03", "40P01"}


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "another writer holds the lock, try again shortly" (SQLite's
    "database is locked" after the busy timeout, PostgreSQL's lock timeout or deadlock) rather than a fault."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in _PG_BUSY:
        return True
    message = str(orig).lower()
    return type(orig).__name__ == "OperationalError" and ("database is locked" in message or "database is busy" in message)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: the revision the migrations end at (their one head; tests/test_migrations.py checks it against
#: the scripts). A database already there is seen to be current without Alembic, which a process then
#: never imports (with Mako and Pygments, ~0.1–0.2 s of every command's and worker's start).
SCHEMA_HEAD = "0033"
_schema_lock = threading.Lock()
_engines_lock = threading.Lock()
_engines: dict[tuple[str, bool], Engine] = {}
#: SQLite: one writer at a time per database file in this process (SQLite allows one anyway)
_write_locks: dict[str, threading.Lock] = {}
_write_locks_lock = threading.Lock()
#: seconds a writer waits for the database's write lock (SQLite's busy timeout is the same)
WRITE_LOCK_TIMEOUT = 30

#: connections each PostgreSQL engine keeps open, and how many more it may open under load
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 10


#: each SQLite connection's page cache (KiB) and memory-mapped window (bytes). A process holds several
#: connections (readers beside the writer): 64 MiB caches and a 256 MiB window took an ingest of
#: 100k speeches to 541 MB peak RSS; 16 MiB and 64 MiB hold it at 304 MB, ingest no slower and pages
#: as fast (docs/benchmarks.md)
SQLITE_CACHE_KB = 16_384
SQLITE_MMAP_BYTES = 64 * 1024 * 1024
#: pages the WAL may hold before SQLite copies them back into the database (its default is 1,000): a
#: page changed again before the checkpoint is written back once; the WAL file is cut back to this size
SQLITE_WAL_CHECKPOINT_PAGES = 16_384


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={WRITE_LOCK_TIMEOUT * 1000}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_CHECKPOINT_PAGES}")
    page_size = cursor.execute("PRAGMA page_size").fetchone()[0]
    cursor.execute(f"PRAGMA journal_size_limit={SQLITE_WAL_CHECKPOINT_PAGES * page_size}")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": WRITE_LOCK_TIMEOUT})
        event.listen(engine, "connect", _sqlite_pragmas)
        _listen_for_unmapped(engine)

        # let SQLAlchemy, not pysqlite, manage transactions (so BEGIN is explicit and atomic)
        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin")
            if mode in ("IMMEDIATE", "EXCLUSIVE"):    # may wait for the write lock: SQLAlchemy's errors if it fails
                conn.exec_driver_sql(f"BEGIN {mode}")
            else:       # a reader's BEGIN takes no lock and cannot fail busy: straight to the driver, ~12 µs less
                conn.connection.dbapi_connection.execute("BEGIN")
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # psycopg 3 is what despatchbox installs: accept plain postgresql:// URLs
        parsed = parsed.set(drivername="postgresql+psycopg")
    connect_args: dict[str, str] = {}
    if parsed.get_driver_name() == "psycopg":
        # UTC sessions: timestamps read back as they are on SQLite (which stores UTC), and a
        # naive datetime written means UTC whatever the server's TimeZone setting
        connect_args.update(application_name="despatchbox", options="-c TimeZone=UTC")
    return create_engine(parsed, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW,
                         pool_recycle=3600, connect_args=connect_args)


def _write_lock(engine: Engine) -> threading.Lock:
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):      # a file on disk
        key = str(Path(database).resolve())
    else:
        key = f"{id(engine.pool)}"
    with _write_locks_lock:
        return _write_locks.setdefault(key, threading.Lock())


@contextmanager
def write_transaction(engine: Engine):
    """A transaction for a writer: like ``engine.begin()``, but on SQLite it takes the write
    lock at BEGIN (``BEGIN IMMEDIATE``), so that a transaction that reads before it writes
    cannot fail with "database is locked" when another writer commits in between.

    On SQLite the threads of one process also queue for the write lock before they take a pooled
    connection: a thread waiting to write holds no connection a reader needs."""
    if not is_sqlite(engine):
        with engine.begin() as conn:
            yield conn
        return
    lock = _write_lock(engine)
    if not lock.acquire(timeout=WRITE_LOCK_TIMEOUT):
        import sqlite3

        from sqlalchemy.exc import OperationalError
        raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
            f"database is locked (another writer in this process held it for {WRITE_LOCK_TIMEOUT} s)"))
    try:
        with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            yield conn
    finally:
        lock.release()


#: SQLite engines inside :func:`unmapped`, and how many times over (its hooks are the engine's own,
#: from :func:`make_engine`: adding and removing listeners on an engine while other threads check its
#: connections in and out raced SQLAlchemy's iteration over them, "deque mutated during iteration")
_unmapped: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_unmapped_lock = threading.Lock()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading (``engine.connect()``), whose transaction ends with COMMIT when the
    block finishes without an error.

    For a read, COMMIT and ROLLBACK end the transaction alike. But psycopg forgets every statement it
    has prepared on the server at a ROLLBACK (a rolled-back transaction might have changed the
    tables they were planned for), and a pooled connection's read ended with one: a page's statements
    were parsed and planned again on every request (a member page at 1M: 0.6 ms of parsing and
    ~1.3 ms of planning in its 4.9 ms of PostgreSQL's time). Read through this, they are prepared
    once a connection has run them five times (psycopg's ``prepare_threshold``), then only bound.
    On an error the block's transaction is rolled back as before."""
    with engine.connect() as conn:
        yield conn
        if conn.in_transaction():
            conn.commit()


def _listen_for_unmapped(engine: Engine) -> None:
    """The checkout and checkin hooks of :func:`unmapped`, registered once when the engine is made."""

    def checkout(dbapi_connection, record, _proxy) -> None:
        if _unmapped.get(engine):
            dbapi_connection.execute("PRAGMA mmap_size=0")
            record.info["unmapped"] = True

    def checkin(dbapi_connection, record) -> None:
        # None: a connection invalidated meanwhile
        if record.info.pop("unmapped", False) and dbapi_connection is not None:
            dbapi_connection.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


@contextmanager
def unmapped(engine: Engine):
    """SQLite: the connections checked out meanwhile map none of the database file
    (``PRAGMA mmap_size=0``; each gets its window back when returned to the pool). For a bulk
    writer such as the ingest, which reads each page about once: the pages it touches through the
    window count as its resident memory (up to the 64 MiB window: a third of the ingest's peak
    RSS), while without it they are read into its bounded page cache, no slower (docs/benchmarks.md)."""
    if not is_sqlite(engine):
        yield
        return
    with _unmapped_lock:
        _unmapped[engine] = _unmapped.get(engine, 0) + 1
    try:
        yield
    finally:
        with _unmapped_lock:
            _unmapped[engine] -= 1


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is ConfigParser's interpolation character; a password may hold one
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


#: the table in which Alembic records the revision a database is at
VERSION_TABLE = "alembic_version"


def current_heads(engine: Engine) -> set[str]:
    """The revisions the database is at (read as Alembic reads them; none for a new database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return set()
        return {row[0] for row in conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}")}


def code_heads(engine: Engine) -> set[str]:
    """The heads of the migration scripts, as Alembic reads them (imports Alembic)."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the migrations' head: :data:`SCHEMA_HEAD` read from it, else
    (older, newer or elsewhere) what Alembic says the scripts end at."""
    held = current_heads(engine)
    return held == {SCHEMA_HEAD} or held == code_heads(engine)


def upgrade(engine: Engine) -> bool:
    """Create or upgrade the schema to the latest migrations; True when anything ran."""
    from . import locking

    with _schema_lock:
        if schema_is_current(engine):
            return False
        with locking.schema_lock(engine):
            if schema_is_current(engine):     # another process did it while we waited
                return False
            from alembic import command

            command.upgrade(alembic_config(engine), "heads")
            return True


def engine_for(url: str, ensure_schema: bool = True) -> Engine:
    """One engine per URL per process, with the schema brought up to date."""
    key = (url, ensure_schema)
    with _engines_lock:
        engine = _engines.get(key)
    if engine is not None:
        return engine
    engine = make_engine(url)
    if ensure_schema:
        upgrade(engine)
    with _engines_lock:
        existing = _engines.setdefault(key, engine)
    if existing is not engine:
        engine.dispose()
    return existing


def dispose_engine(url: str) -> None:
    """Close the pooled connections of the engine(s) made for ``url`` and forget them."""
    with _engines_lock:
        engines = [_engines.pop(k) for k in list(_engines) if k[0] == url]
    for engine in engines:
        engine.dispose()


def _clear_engines() -> None:
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


# the cache used to be functools.lru_cache; keep its method for callers that clear it
engine_for.cache_clear = _clear_engines  # type: ignore[attr-defined]


def database_bytes(engine: Engine) -> int | None:
    """PostgreSQL: the database's size on disk, in bytes; None on SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return _size_of(conn)


def _size_of(conn: Connection) -> int:
    """PostgreSQL: the size on disk of the database ``conn`` is connected to, in bytes."""
    return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())


#: what a ``REINDEX … CONCURRENTLY`` that failed midway leaves (invalid, and no use to any query)
_UNFINISHED_REBUILDS = ("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                        "AND NOT i.indisvalid AND c.relname ~ '_cc(new|old)[0-9]*$'")


def rebuild_indexes(engine: Engine, vacuum: bool = False, lock_timeout: float | None = None) -> int | None:
    """PostgreSQL: rebuild every index of the database's schema without locking readers or writers
    out (``REINDEX SCHEMA … CONCURRENTLY``, outside a transaction), and return the bytes the database
    gave back. A first load of the record inserts into its B-trees out of order and leaves their
    pages part-empty; the who-said index's newest levels keep the pages they needed at their fullest
    (at 1M: 2.71 → 2.35 KB a contribution, in 10–16 s). ``vacuum``: ``VACUUM (ANALYZE)`` first, which
    gives back the tables' pages that merges and superseded versions emptied, and gives the planner
    its statistics (2.89 → 2.71 at 1M, right after a first load). The invalid copies a rebuild that
    failed midway left (``…_ccnew``, ``…_ccold``) are dropped first. ``lock_timeout`` (seconds): how
    long any step may wait for a lock or for older transactions to end before it fails (SQLAlchemy's
    ``OperationalError``); None waits as long as it takes. None on SQLite, which has nothing to do here."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if lock_timeout is not None:         # this session's only: reset before the connection goes back
            conn.exec_driver_sql(f"SET lock_timeout = '{max(1, round(lock_timeout * 1000))}ms'")
        try:
            before = _size_of(conn)
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            _drop_unfinished_rebuilds(conn, schema)
            if vacuum:                  # the schema's tables (a database may hold others' schemas too)
                tables = conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                              "ORDER BY tablename").scalars().all()
                if tables:
                    conn.exec_driver_sql("VACUUM (ANALYZE) " + ", ".join(f'"{schema}"."{t}"' for t in tables))
            try:
                conn.exec_driver_sql(f'REINDEX SCHEMA CONCURRENTLY "{schema}"')
            except DBAPIError:                # what it left half-built is dropped now if it can be (else next time)
                try:
                    _drop_unfinished_rebuilds(conn, schema)
                except DBAPIError:
                    pass
                raise
            after = _size_of(conn)
        finally:
            if lock_timeout is not None and not conn.invalidated:
                conn.exec_driver_sql("RESET lock_timeout")
    return before - after


def _drop_unfinished_rebuilds(conn: Connection, schema: str) -> None:
    """Drop the invalid index copies a ``REINDEX … CONCURRENTLY`` that failed midway left."""
    for (name,) in conn.exec_driver_sql(_UNFINISHED_REBUILDS).all():
        conn.exec_driver_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{schema}"."{name}"')

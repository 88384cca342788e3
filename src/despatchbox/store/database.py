"""Opening the database: engines for SQLite (embedded default) and PostgreSQL, and
bringing the schema up to date with Alembic."""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_schema_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)

        # let SQLAlchemy, not pysqlite, manage transactions (so BEGIN is explicit and atomic)
        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def schema_is_current(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the latest migrations."""
    with _schema_lock:
        if not schema_is_current(engine):
            command.upgrade(alembic_config(engine), "heads")


@lru_cache(maxsize=8)
def engine_for(url: str, ensure_schema: bool = True) -> Engine:
    """One engine per URL per process, with the schema brought up to date."""
    engine = make_engine(url)
    if ensure_schema:
        upgrade(engine)
    return engine

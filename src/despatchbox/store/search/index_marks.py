"""Where a database's search index lives, and how far the database's list of items has gone.

The same on both databases (``tantivy_index`` keeps the index; this module is what it reads of
the database):

- **Where.** SQLite: beside the database, named after it (``despatchbox.db`` →
  ``despatchbox.db.search/``). PostgreSQL: one folder per database under ``DESPATCHBOX_SEARCH_DIR``
  (default ``$XDG_DATA_HOME/despatchbox/search``, i.e. ``~/.local/share/despatchbox/search``),
  named after the server's host and port and the database's name
  (``db.internal-5432-despatchbox.search``), so that distinct databases never share an index.
- **How far.** :class:`Marks`: the database's installation id (``search_state``, migration 0021:
  a database created again under the same name, or whose item list was rebuilt, has another), the
  last item id and the last removal. SQLite reads its AUTOINCREMENT counters (never lowered; the
  items' is ``search_keys``'s since migration 0022, where ``search_items`` became a view of it);
  PostgreSQL reads ``max(id)`` and ``max(seq)`` of what is committed: its triggers hand ids out in
  commit order under a transaction-level advisory lock, so everything up to them is visible,
  while a sequence's own value would count transactions still running. Deleting the newest items
  lowers PostgreSQL's ``max(id)``; the removals say which.
- **How many.** :func:`held_items`: what the index should hold once it has read up to a mark,
  counted from the index's own marks on (the items removed and listed since), so that a one-day
  update does not count every item of the record.
"""
from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from ...config import settings
from ..short_text import PARLPARSE_ID, stored_sql

#: SQLite's table of item ids (migration 0022): ``search_items`` is a view of it joined to the speeches
SQLITE_ITEM_KEYS = "search_keys"
#: the advisory lock PostgreSQL's search triggers take (migration 0021): whoever hands out item ids
#: or removal numbers outside them takes it too
SEARCH_LOCK_KEY = 0x64657372
#: PostgreSQL's item ids (migration 0031): ``speeches.search_item``, handed out from this sequence by
#: the trigger named here as a speech is written; ``search_items`` is a view of the speeches that have one
POSTGRES_ITEM_IDS = "search_item_ids"
POSTGRES_LISTING_TRIGGER = "search_items_follow"


@dataclass(frozen=True)
class Marks:
    installation: str = ""  # search_state.installation
    items: int = 0          # the last search_items.id
    removed: int = 0        # the last search_removed.seq


def search_root() -> Path:
    """The folder holding PostgreSQL databases' indexes (``DESPATCHBOX_SEARCH_DIR``)."""
    configured = settings().search_dir
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "despatchbox" / "search"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._]+", "_", part).strip("._") or "_"


def index_dir(engine: Engine) -> Path | None:
    """Where the index of this engine's database lives (None: in memory, for an in-memory SQLite)."""
    url = engine.url
    if engine.dialect.name == "sqlite":
        database = url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return Path(database + ".search")
    host = url.host or str(url.query.get("host") or "local")
    port = url.port or int(str(url.query.get("port") or 5432))
    name = url.database or url.username or "postgres"
    readable = "-".join(_safe(p) for p in (host, str(port), name))
    if readable != "-".join((host, str(port), name)):     # two names made alike by _safe stay apart
        readable += "-" + hashlib.blake2b(f"{host}\0{port}\0{name}".encode(), digest_size=4).hexdigest()
    return search_root() / f"{readable}.search"


def database_marks(conn: Connection) -> Marks:
    """How far the database's item ids and removals have gone, and its installation id: one statement."""
    installation = "(SELECT installation FROM search_state LIMIT 1)"
    if conn.dialect.name == "sqlite":
        sql = (f"SELECT {installation}, (SELECT seq FROM sqlite_sequence WHERE name = '{SQLITE_ITEM_KEYS}'), "
               "(SELECT seq FROM sqlite_sequence WHERE name = 'search_removed')")
    else:
        sql = (f"SELECT {installation}, (SELECT max(id) FROM search_items), "
               "(SELECT max(seq) FROM search_removed)")
    row = conn.exec_driver_sql(sql).one()
    return Marks(installation=row[0] or "", items=int(row[1] or 0), removed=int(row[2] or 0))


def items_only_grow(engine: Engine) -> bool:
    """Whether the database's item mark can only grow (SQLite's AUTOINCREMENT counter): a lower one
    means another database (a backup restored). PostgreSQL's ``max(id)`` falls when the newest items go."""
    return engine.dialect.name == "sqlite"


def held_items(conn: Connection, upto: int, since: Marks | None = None, held_then: int = 0) -> int:
    """Items listed up to id ``upto``: what the index should hold once it has read that far.

    Without ``since``, every listed item is counted (a cost that grows with the record: 0.13 s of
    CPU at 3M contributions, over a second from a cold disk). With ``since`` — the marks of an index
    of this database that then held ``held_then`` items, as many as the database listed up to
    ``since.items`` (the sync that wrote those marks checked it, or read them all) — only what changed since is read:
    ``held_then``, less the items up to ``since.items`` removed since (each item is logged once in
    ``search_removed``, when it goes, and its id is never handed out again), plus the items listed
    after ``since.items``. The same number, read in the same snapshot as ``upto``. Where
    PostgreSQL's mark fell below ``since.items`` (the newest items deleted, or a database restored
    from an older backup), every item is counted again."""
    table = SQLITE_ITEM_KEYS if conn.dialect.name == "sqlite" else "search_items"
    upto = int(upto)
    if since is None or since.items > upto:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE id <= {upto}").scalar_one())
    gone = conn.exec_driver_sql(
        "SELECT count(DISTINCT item_id) FROM search_removed "
        f"WHERE seq > {int(since.removed)} AND item_id <= {int(since.items)}").scalar_one()
    added = conn.exec_driver_sql(
        f"SELECT count(*) FROM {table} WHERE id > {int(since.items)} AND id <= {upto}").scalar_one()
    return int(held_then) - int(gone or 0) + int(added or 0)


def reading(engine: Engine):
    """A connection whose statements share one snapshot (the marks and the rows read after them agree)."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def list_items_again(conn: Connection) -> None:
    """List every speech with text again under a new installation id (any index of the old list
    rebuilds itself); run in a transaction. SQLite lists them under new ids. PostgreSQL keeps the ids
    its speeches hold (0031: in their rows; a new id would rewrite every row) and gives one to each
    speech with text that has none (written with the triggers off: a bulk load, ``db copy``)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SEARCH_LOCK_KEY})")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DELETE FROM {SQLITE_ITEM_KEYS}")
        conn.exec_driver_sql(
            f"INSERT INTO {SQLITE_ITEM_KEYS} (speech) SELECT {stored_sql('id', PARLPARSE_ID)} FROM speeches "
            "WHERE text <> '' ORDER BY date, debate_id, position")
    else:
        conn.exec_driver_sql("UPDATE speeches SET search_item = NULL WHERE text = '' AND search_item IS NOT NULL")
        conn.exec_driver_sql(
            f"UPDATE speeches s SET search_item = o.item FROM (SELECT id, nextval('{POSTGRES_ITEM_IDS}') AS item "
            "FROM (SELECT id FROM speeches WHERE text <> '' AND search_item IS NULL "
            "ORDER BY date, debate_id, position) unlisted) o WHERE s.id = o.id")
    conn.exec_driver_sql("DELETE FROM search_state")
    conn.exec_driver_sql(f"INSERT INTO search_state (installation) VALUES ('{uuid.uuid4()}')")

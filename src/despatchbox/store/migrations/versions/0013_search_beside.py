"""search on SQLite: a tantivy index beside the database instead of FTS5 tables fed row by row

SQLite only (PostgreSQL keeps its tsvector columns and GIN indexes from 0002). The two FTS5
tables, their content view and the triggers that fed them every row are dropped; the index
now lives in ``<database>.search/`` (``store/search/tantivy_index.py``). The database keeps:

- ``search_items``: what should be indexed, one row per speech with text, its ids never reused
  (AUTOINCREMENT), so that "items after id N" is exactly what the index has not seen;
- ``search_removed``: every item taken away (re-ingest, superseded version, edit, deletion), in
  order (AUTOINCREMENT ``seq``), so that "removals after seq N" is exactly what it must drop.

The triggers that keep both are cheap (plain rows, no full-text work). An edit of a speech's
text or of what the filters read re-indexes it; other updates leave it alone.

Revision ID: 0013
Revises: 0008
"""
import runpy
from pathlib import Path

from alembic import op

revision = "0013"
down_revision = "0008"
branch_labels = None
depends_on = None

_COLUMNS = "speech_id, debate_id, kind, date, person_id, membership_id"
_FROM_ROW = "{r}.id, {r}.debate_id, {r}.kind, {r}.date, {r}.person_id, {r}.membership_id"
_REMOVE = ("INSERT INTO search_removed (item_id) SELECT id FROM search_items WHERE speech_id = old.id; "
           "DELETE FROM search_items WHERE speech_id = old.id;")

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS search_speeches_update",
    "DROP TRIGGER IF EXISTS search_speeches_delete",
    "DROP TRIGGER IF EXISTS search_speeches_insert",
    "DROP TABLE IF EXISTS search_exact",
    "DROP TABLE IF EXISTS search_stem",
    "DROP VIEW IF EXISTS search_content",
    """CREATE TABLE search_items_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        speech_id VARCHAR(120) NOT NULL UNIQUE,
        debate_id VARCHAR(120) NOT NULL,
        kind VARCHAR(40) NOT NULL,
        date DATE NOT NULL,
        person_id INTEGER,
        membership_id VARCHAR(60))""",
    f"INSERT INTO search_items_new (id, {_COLUMNS}) SELECT id, {_COLUMNS} FROM search_items ORDER BY id",
    "DROP TABLE search_items",
    "ALTER TABLE search_items_new RENAME TO search_items",
    """CREATE TABLE search_removed (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id INTEGER NOT NULL)""",
    f"""CREATE TRIGGER search_speeches_insert AFTER INSERT ON speeches WHEN new.text <> '' BEGIN
        INSERT INTO search_items ({_COLUMNS}) VALUES ({_FROM_ROW.format(r='new')});
    END""",
    f"""CREATE TRIGGER search_speeches_delete AFTER DELETE ON speeches BEGIN {_REMOVE} END""",
    f"""CREATE TRIGGER search_speeches_update
        AFTER UPDATE OF text, debate_id, kind, date, person_id, membership_id ON speeches BEGIN
        {_REMOVE}
        INSERT INTO search_items ({_COLUMNS}) SELECT {_FROM_ROW.format(r='new')} WHERE new.text <> '';
    END""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_speeches_update",
    "DROP TRIGGER IF EXISTS search_speeches_delete",
    "DROP TRIGGER IF EXISTS search_speeches_insert",
    "DROP TABLE IF EXISTS search_removed",
    "DROP TABLE IF EXISTS search_items",
]


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for statement in SQLITE_UP:
        conn.exec_driver_sql(statement)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for statement in SQLITE_DOWN:
        conn.exec_driver_sql(statement)
    # 0002's FTS5 tables, view and triggers again (its module name starts with a digit: run its file)
    first = runpy.run_path(str(Path(__file__).with_name("0002_search_index.py")))
    for statement in first["SQLITE_UP"]:
        conn.exec_driver_sql(statement)

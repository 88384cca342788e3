"""search on PostgreSQL: the same tantivy index as SQLite, beside the database, instead of tsvector + GIN

PostgreSQL now lists what should be indexed exactly as SQLite does since 0013, and the index lives
outside the database (``store/search/index_location.py``: ``DESPATCHBOX_SEARCH_DIR``, one folder per
database). The tsvector columns ``stem`` and ``exact``, their GIN indexes and ``result_id`` (0002,
0014) are dropped: the index computes a result from the speech's element and heading itself.

- ``search_items``: one row per speech with text (its ids never reused: an identity column);
- ``search_removed``: every item taken away (re-ingest, superseded version, edit, deletion), in
  order (identity ``seq``);
- ``search_state`` (both databases): one row, the *installation id*, a random id the index records
  in its marker. A database dropped and created again under the same name (so the same index
  folder), or whose item list was rebuilt (``rebuild_index``, ``db copy``), has another id, and the
  index rebuilds itself instead of trusting marks that describe another database.

PostgreSQL's triggers take a transaction-level advisory lock before they touch either table, so
that item ids and removal numbers are handed out in commit order: "everything up to id N" is then
exactly what a snapshot that sees N holds (the index reads its marks as ``max(id)`` and
``max(seq)``; a sequence's own value would count ids of transactions not yet committed). One ingest
runs at a time anyway (``store/locking.py``): the lock is never waited for in practice.

The downgrade puts back 0014's columns, indexes and trigger, and fills them from ``speeches``.

Revision ID: 0021
Revises: 0020c
"""
import runpy
import uuid
from pathlib import Path

from alembic import op

revision = "0021"
down_revision = "0020c"
branch_labels = None
depends_on = None

#: the transaction-level advisory lock the search triggers take (store/search/index_marks.py takes it too)
SEARCH_LOCK_KEY = 0x64657372

_COLUMNS = "speech_id, debate_id, kind, date, person_id, membership_id"
_VALUES = "NEW.id, NEW.debate_id, NEW.kind, NEW.date, NEW.person_id, NEW.membership_id"
#: what an edit must change to re-index an item (as SQLite's trigger of 0013)
_WATCHED = ("text", "debate_id", "kind", "date", "person_id", "membership_id")

STATE = [
    "CREATE TABLE search_state (installation VARCHAR(36) NOT NULL)",
]

POSTGRES_UP = [
    "DROP TRIGGER IF EXISTS search_items_sync ON speeches",
    "DROP FUNCTION IF EXISTS search_items_sync()",
    "DROP INDEX IF EXISTS ix_search_items_stem",
    "DROP INDEX IF EXISTS ix_search_items_exact",
    "ALTER TABLE search_items DROP COLUMN stem, DROP COLUMN exact, DROP COLUMN result_id",
    "CREATE TABLE search_removed (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id BIGINT NOT NULL)",
    f"""CREATE FUNCTION search_items_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY});
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            WITH gone AS (DELETE FROM search_items WHERE speech_id = OLD.id RETURNING id)
            INSERT INTO search_removed (item_id) SELECT id FROM gone ORDER BY id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.text <> '' THEN
            INSERT INTO search_items ({_COLUMNS}) VALUES ({_VALUES});
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_items_follow AFTER INSERT OR DELETE ON speeches
        FOR EACH ROW EXECUTE FUNCTION search_items_follow()""",
    f"""CREATE TRIGGER search_items_follow_edit AFTER UPDATE OF {', '.join(_WATCHED)} ON speeches
        FOR EACH ROW WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in _WATCHED)})
        EXECUTE FUNCTION search_items_follow()""",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS search_items_follow_edit ON speeches",
    "DROP TRIGGER IF EXISTS search_items_follow ON speeches",
    "DROP FUNCTION IF EXISTS search_items_follow()",
    "DROP TABLE IF EXISTS search_removed",
    "ALTER TABLE search_items ADD COLUMN stem TSVECTOR, ADD COLUMN exact TSVECTOR, ADD COLUMN result_id VARCHAR(120)",
]


def _earlier(name: str) -> dict:
    """An earlier migration's module (their names start with a digit: run the file)."""
    return runpy.run_path(str(Path(__file__).with_name(name)))


def upgrade() -> None:
    conn = op.get_bind()
    for statement in STATE:
        conn.exec_driver_sql(statement)
    op.execute(f"INSERT INTO search_state (installation) VALUES ('{uuid.uuid4()}')")
    if conn.dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            conn.exec_driver_sql(statement)


def downgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("DROP TABLE IF EXISTS search_state")
    if conn.dialect.name != "postgresql":
        return
    for statement in POSTGRES_DOWN:
        conn.exec_driver_sql(statement)
    # 0002's tsvectors and 0014's results, filled from the speeches as 0014's trigger would
    results = _earlier("0014_search_results.py")
    text_of = results["_PG_TEXT"].format(r="s")
    conn.exec_driver_sql(
        f"UPDATE search_items i SET stem = to_tsvector('english', {text_of}), exact = to_tsvector('simple', {text_of}), "
        f"result_id = {results['_RESULT_ID'].format(r='s')} FROM speeches s WHERE s.id = i.speech_id")
    for column in ("stem", "exact", "result_id"):
        conn.exec_driver_sql(f"ALTER TABLE search_items ALTER COLUMN {column} SET NOT NULL")
    conn.exec_driver_sql("CREATE INDEX ix_search_items_stem ON search_items USING GIN (stem)")
    conn.exec_driver_sql("CREATE INDEX ix_search_items_exact ON search_items USING GIN (exact)")
    conn.exec_driver_sql(results["_sync_function"](with_result=True))
    conn.exec_driver_sql("""CREATE TRIGGER search_items_sync AFTER INSERT OR UPDATE OR DELETE ON speeches
        FOR EACH ROW EXECUTE FUNCTION search_items_sync()""")

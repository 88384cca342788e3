"""PostgreSQL: a speech's search item id held in its own row; ``search_items`` a view of the speeches

Issue 18, storage. PostgreSQL kept ``search_items`` as a table (0021): one row per speech with text
copying six of its columns (its gid whole, its debate's id, kind, date, person, membership), with
five indexes. At 1M contributions that was ~350 bytes a contribution (heap 151, the unique index on
the gid 111, the primary key 22, by person 18, by date and by debate the rest), for one number per
speech: its item id. SQLite made the same list a view in 0022.

From this revision:

- ``speeches.search_item`` (``BIGINT``, NULL for a speech without text) holds the item id, handed out
  by the sequence ``search_item_ids`` and indexed by ``ix_speeches_search_item`` (unique);
- ``search_items`` is a view of the speeches that have one, with the same columns and values as the
  table had (``id`` is the item id), so every reader is unchanged. The view refuses writes (an
  ``INSTEAD OF`` trigger raises): PostgreSQL would otherwise pass a ``DELETE FROM search_items`` on
  to the speeches;
- the trigger ``search_items_follow`` is now ``BEFORE INSERT`` and ``BEFORE UPDATE`` (of 0028's
  watched columns, when one changes): it sets ``NEW.search_item`` instead of inserting a row
  elsewhere, so a speech's item costs no statement of its own at ingest. An edit logs the old id in
  ``search_removed`` and hands out a new one, and a deletion (``AFTER DELETE``) logs its id, as 0021's
  trigger did; ids are still handed out under 0021's advisory lock, in commit order, and never reused
  (the sequence starts after the identity column's last value).

Upgrading writes each listed speech's item id into its row in one ``UPDATE`` (with the table's
triggers off: the items are the same, so the index beside must not see a change). Like 0028 it leaves
the old row versions until ``VACUUM`` (``VACUUM FULL speeches`` returns their space at once). Item ids,
removals and the installation id are unchanged: an index beside the database carries on as it was.
Downgrading puts back 0021's table, indexes and trigger, the same ids in it. SQLite is not changed.

Revision ID: 0031
Revises: 0030
"""
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

#: as migration 0021 and store/search/index_marks.py
SEARCH_LOCK_KEY = 0x64657372
#: what an edit must change to re-list a speech (0028)
_WATCHED = ("html", "text", "debate_id", "kind", "date", "person_id", "membership_id")
_COLUMNS = "speech_id, debate_id, kind, date, person_id, membership_id"
_FOLLOW_EDITS = (f"UPDATE OF {', '.join(_WATCHED)} ON speeches FOR EACH ROW "
                 f"WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in _WATCHED)})")

UP = [
    "ALTER TABLE speeches ADD COLUMN search_item BIGINT",
    "ALTER TABLE speeches DISABLE TRIGGER USER",
    "UPDATE speeches s SET search_item = i.id FROM search_items i WHERE i.speech_id = s.id",
    "ALTER TABLE speeches ENABLE TRIGGER USER",
    "CREATE SEQUENCE search_item_ids AS BIGINT",
    # after every id the identity handed out (its last value), or the highest held, whichever is more
    """SELECT setval('search_item_ids', greatest(
            (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM search_items_id_seq),
            (SELECT max(id) FROM search_items), 0) + 1, false)""",
    "DROP TRIGGER search_items_follow_edit ON speeches",
    "DROP TRIGGER search_items_follow ON speeches",
    "DROP FUNCTION search_items_follow()",
    "DROP TABLE search_items",
    "CREATE UNIQUE INDEX ix_speeches_search_item ON speeches (search_item)",
    f"""CREATE FUNCTION search_items_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.search_item IS NOT NULL THEN
            PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY});
            INSERT INTO search_removed (item_id) VALUES (OLD.search_item);
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF NEW.text <> '' THEN
            PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY});
            NEW.search_item := nextval('search_item_ids');
        ELSE
            NEW.search_item := NULL;
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_items_follow BEFORE INSERT ON speeches
        FOR EACH ROW EXECUTE FUNCTION search_items_follow()""",
    """CREATE TRIGGER search_items_follow_delete AFTER DELETE ON speeches
        FOR EACH ROW WHEN (OLD.search_item IS NOT NULL) EXECUTE FUNCTION search_items_follow()""",
    f"CREATE TRIGGER search_items_follow_edit BEFORE {_FOLLOW_EDITS} EXECUTE FUNCTION search_items_follow()",
    f"""CREATE VIEW search_items (id, {_COLUMNS}) AS
        SELECT search_item, id, debate_id, kind, date, person_id, membership_id
        FROM speeches WHERE search_item IS NOT NULL""",
    """CREATE FUNCTION search_items_read_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'search_items is a view of the speeches (migration 0031): write the speeches';
    END $$""",
    """CREATE TRIGGER search_items_read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON search_items
        FOR EACH ROW EXECUTE FUNCTION search_items_read_only()""",
]

DOWN = [
    "DROP VIEW search_items",
    "DROP FUNCTION search_items_read_only()",
    "DROP TRIGGER search_items_follow_edit ON speeches",
    "DROP TRIGGER search_items_follow_delete ON speeches",
    "DROP TRIGGER search_items_follow ON speeches",
    "DROP FUNCTION search_items_follow()",
    """CREATE TABLE search_items (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        speech_id VARCHAR(120) NOT NULL UNIQUE,
        debate_id VARCHAR(120) NOT NULL,
        kind VARCHAR(40) NOT NULL,
        date DATE NOT NULL,
        person_id INTEGER,
        membership_id VARCHAR(60))""",
    f"""INSERT INTO search_items (id, {_COLUMNS}) OVERRIDING SYSTEM VALUE
        SELECT search_item, id, debate_id, kind, date, person_id, membership_id
        FROM speeches WHERE search_item IS NOT NULL ORDER BY search_item""",
    """SELECT setval(pg_get_serial_sequence('search_items', 'id'), last_value, is_called)
        FROM search_item_ids""",
    "CREATE INDEX ix_search_items_date ON search_items (date)",
    "CREATE INDEX ix_search_items_person ON search_items (person_id, date)",
    "CREATE INDEX ix_search_items_debate ON search_items (debate_id)",
    "DROP INDEX ix_speeches_search_item",
    "ALTER TABLE speeches DROP COLUMN search_item",
    "DROP SEQUENCE search_item_ids",
    # 0021's trigger, watching 0028's columns
    f"""CREATE FUNCTION search_items_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({SEARCH_LOCK_KEY});
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            WITH gone AS (DELETE FROM search_items WHERE speech_id = OLD.id RETURNING id)
            INSERT INTO search_removed (item_id) SELECT id FROM gone ORDER BY id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.text <> '' THEN
            INSERT INTO search_items ({_COLUMNS})
            VALUES (NEW.id, NEW.debate_id, NEW.kind, NEW.date, NEW.person_id, NEW.membership_id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_items_follow AFTER INSERT OR DELETE ON speeches
        FOR EACH ROW EXECUTE FUNCTION search_items_follow()""",
    f"CREATE TRIGGER search_items_follow_edit AFTER {_FOLLOW_EDITS} EXECUTE FUNCTION search_items_follow()",
]


def _run(statements: list[str]) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":           # SQLite's list has been a view since 0022
        return
    for statement in statements:
        conn.exec_driver_sql(statement)


def upgrade() -> None:
    _run(UP)


def downgrade() -> None:
    _run(DOWN)

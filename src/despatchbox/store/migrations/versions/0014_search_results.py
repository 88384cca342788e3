"""search results: a written question and its answer are one result (PostgreSQL's ``search_items.result_id``)

PostgreSQL only. ``search_items.result_id`` names the result an item belongs to: for a written
question or answer (element ``ques`` or ``reply``) its question group, the heading id above it
(``….h``); for anything else its own speech id. Search groups its matches by it, so a question
and its answer count and show once. The trigger of 0002 fills it from now on; rows already
indexed get it here.

SQLite keeps no column: its tantivy index (``store/search/tantivy_index.py``) reads the element
and heading of each speech when it indexes it, and rebuilds itself when its schema changes.

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_RESULT_ID = ("CASE WHEN {r}.element IN ('ques', 'reply') AND {r}.heading_id IS NOT NULL "
              "THEN {r}.heading_id ELSE {r}.id END")
_PG_TEXT = "regexp_replace({r}.text, '[[:punct:]]+', ' ', 'g')"
_COLUMNS = "speech_id, debate_id, kind, date, person_id, membership_id"


def _sync_function(with_result: bool) -> str:
    columns = _COLUMNS + (", result_id" if with_result else "")
    values = ("NEW.id, NEW.debate_id, NEW.kind, NEW.date, NEW.person_id, NEW.membership_id"
              + (", " + _RESULT_ID.format(r="NEW") if with_result else ""))
    tsv = f"to_tsvector('english', {_PG_TEXT.format(r='NEW')}), to_tsvector('simple', {_PG_TEXT.format(r='NEW')})"
    return f"""CREATE OR REPLACE FUNCTION search_items_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            DELETE FROM search_items WHERE speech_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.text <> '' THEN
            INSERT INTO search_items ({columns}, stem, exact) VALUES ({values}, {tsv});
        END IF;
        RETURN NULL;
    END $$"""


POSTGRES_UP = [
    "ALTER TABLE search_items ADD COLUMN result_id VARCHAR(120)",
    f"UPDATE search_items i SET result_id = {_RESULT_ID.format(r='s')} FROM speeches s WHERE s.id = i.speech_id",
    "UPDATE search_items SET result_id = speech_id WHERE result_id IS NULL",
    "ALTER TABLE search_items ALTER COLUMN result_id SET NOT NULL",
    _sync_function(with_result=True),
]

POSTGRES_DOWN = [
    _sync_function(with_result=False),
    "ALTER TABLE search_items DROP COLUMN result_id",
]


def _run(statements: list[str]) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for statement in statements:          # as written: "[[:punct:]]" is no bind parameter
        conn.exec_driver_sql(statement)


def upgrade() -> None:
    _run(POSTGRES_UP)


def downgrade() -> None:
    _run(POSTGRES_DOWN)

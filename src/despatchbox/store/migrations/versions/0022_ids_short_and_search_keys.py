"""Debate, heading and membership ids stored short; SQLite's search items held as keys only; one index by debate

Issue 18, storage (bytes per contribution at 20k, before → after: docs/benchmarks.md).

Both databases: the gids of debates, headings and divisions, and membership ids, lose
``uk.org.publicwhip/`` wherever the store holds them (``SHORT_IDS``: store/short_text.py's
``ParlParseId`` and ``MembershipId``, the scheme of 0020c; queries are written and read with whole
ids as before). Each kind is only ever compared with itself. Speech ids stay whole: they are
compared in SQL with ids held elsewhere as they are (alert deliveries, the search items' list, the
"who said this?" index). Redirect targets are resolved in Python, through the typed columns. The index
beside the database hashes debate and heading ids into its keys, so the migration gives the
database a new installation id and the index rebuilds itself once.

SQLite: ``search_items`` was a table copying six columns of each speech with text (its gid, its
debate's gid, kind, date, person, membership: ~280 bytes a contribution with its unique index on
the gid). It is now the view of the same name over ``search_keys`` (``id`` AUTOINCREMENT, as
before: never reused; ``speech``: the speech's gid stored short, store/short_text.py's form with
``uk.org.publicwhip/`` dropped, unique) joined to ``speeches`` for the other columns. Readers of
``search_items`` see the same columns and values (the speech's id whole, the debate's as stored); a key whose speech has gone (which
the triggers never leave) is not in the view, and ``index_status``/``check_index`` read
``search_keys`` itself. The triggers keep ``search_keys`` as 0013's kept ``search_items``; the item
ids and the AUTOINCREMENT counter carry over.
The view's join is written both ways (``s.id = whole(k.speech)`` and ``k.speech = stored(s.id)``),
so either side can drive it: a person's items are found from ``ix_speeches_person_cover`` (the
table before had no index for them: a whole scan).

Both databases: ``ix_speeches_debate`` (debate_id, position) and ``ix_speeches_debate_person``
(debate_id, person_id, position, membership_id) become one index, ``ix_speeches_debate_speaker``
(debate_id, person_id, position). "Did this person speak in this debate" (a department's debates
walked for a member, their counts and first positions) stays one seek without reading speech rows;
a debate's speeches in order are one range of it, sorted by position after (a debate holds a few
hundred at most, and the pages read those rows anyway). ``membership_id`` is no longer covered: since
0019 who spoke in which debates, by seat, is read from ``debate_speakers``, and every query that
reads ``speeches.membership_id`` reads the speech row. ``ix_headings_debate_id`` (debate_id) is
dropped: ``ix_headings_debate_level`` (debate_id, level, position) begins with the same column.
(EXPLAIN QUERY PLAN of the store's queries by debate: docs/benchmarks.md, 6 December evening.)

PostgreSQL keeps its ``search_items`` table (migration 0021).

Revision ID: 0022
Revises: 0021
"""
import runpy
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

PREFIX = "uk.org.publicwhip/"
_N = len(PREFIX)


def stored_sql(c: str) -> str:
    """short_text.stored(c, PREFIX) in SQL"""
    return (f"(CASE WHEN substr({c}, 1, {_N}) = '{PREFIX}' AND substr({c}, {_N + 1}, 1) <> '=' "
            f"THEN substr({c}, {_N + 1}) ELSE '=' || {c} END)")


def whole_sql(c: str) -> str:
    """short_text.whole(c, PREFIX) in SQL"""
    return f"(CASE WHEN substr({c}, 1, 1) = '=' THEN substr({c}, 2) ELSE '{PREFIX}' || {c} END)"


_COLUMNS = "speech_id, debate_id, kind, date, person_id, membership_id"
_REMOVE_KEY = (f"INSERT INTO search_removed (item_id) SELECT id FROM search_keys WHERE speech = {stored_sql('old.id')}; "
               f"DELETE FROM search_keys WHERE speech = {stored_sql('old.id')};")

DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS search_speeches_update",
    "DROP TRIGGER IF EXISTS search_speeches_delete",
    "DROP TRIGGER IF EXISTS search_speeches_insert",
]

SQLITE_UP = [
    *DROP_TRIGGERS,
    """CREATE TABLE search_keys (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        speech VARCHAR(120) NOT NULL UNIQUE)""",
    f"INSERT INTO search_keys (id, speech) SELECT id, {stored_sql('speech_id')} FROM search_items ORDER BY id",
    # the counter carries over (it may be past the last id held): an index beside keeps its marks
    "DELETE FROM sqlite_sequence WHERE name = 'search_keys'",
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'search_keys', max(seq) FROM sqlite_sequence "
    "WHERE name = 'search_items' HAVING count(*) > 0",
    "DROP TABLE search_items",
    f"""CREATE VIEW search_items (id, {_COLUMNS}) AS
        SELECT k.id, {whole_sql('k.speech')}, s.debate_id, s.kind, s.date, s.person_id, s.membership_id
        FROM search_keys k JOIN speeches s
            ON s.id = {whole_sql('k.speech')} AND k.speech = {stored_sql('s.id')}""",
    f"""CREATE TRIGGER search_speeches_insert AFTER INSERT ON speeches WHEN new.text <> '' BEGIN
        INSERT INTO search_keys (speech) VALUES ({stored_sql('new.id')});
    END""",
    f"CREATE TRIGGER search_speeches_delete AFTER DELETE ON speeches BEGIN {_REMOVE_KEY} END",
    f"""CREATE TRIGGER search_speeches_update
        AFTER UPDATE OF text, debate_id, kind, date, person_id, membership_id ON speeches BEGIN
        {_REMOVE_KEY}
        INSERT INTO search_keys (speech) SELECT {stored_sql('new.id')} WHERE new.text <> '';
    END""",
]

#: 0013's table and triggers again, its rows from the view (a key whose speech has gone has no
#: columns to give: it is dropped, as rebuilding the list would)
SQLITE_DOWN = [
    *DROP_TRIGGERS,
    """CREATE TABLE search_items_old (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        speech_id VARCHAR(120) NOT NULL UNIQUE,
        debate_id VARCHAR(120) NOT NULL,
        kind VARCHAR(40) NOT NULL,
        date DATE NOT NULL,
        person_id INTEGER,
        membership_id VARCHAR(60))""",
    f"INSERT INTO search_items_old (id, {_COLUMNS}) SELECT id, {_COLUMNS} FROM search_items ORDER BY id",
    "DELETE FROM sqlite_sequence WHERE name = 'search_items_old'",
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'search_items_old', max(seq) FROM sqlite_sequence "
    "WHERE name = 'search_keys' HAVING count(*) > 0",
    "DROP VIEW search_items",
    "DROP TABLE search_keys",
    "ALTER TABLE search_items_old RENAME TO search_items",
]

#: (index, table, columns) dropped on both databases
SPARE_INDEXES = [("ix_speeches_debate", "speeches", ["debate_id", "position"]),
                 ("ix_speeches_debate_person", "speeches", ["debate_id", "person_id", "position", "membership_id"]),
                 ("ix_headings_debate_id", "headings", ["debate_id"])]
#: the index that serves for the first two
DEBATE_INDEX = ("ix_speeches_debate_speaker", "speeches", ["debate_id", "person_id", "position"])


#: (table, column) holding a debate's or heading's gid or a membership id, stored short from here on
#: (short_text.ParlParseId, short_text.MembershipId)
SHORT_IDS = [("debates", "id"), ("headings", "id"), ("headings", "debate_id"), ("headings", "parent_id"),
             ("speeches", "debate_id"), ("speeches", "heading_id"), ("divisions", "id"), ("divisions", "debate_id"),
             ("votes", "division_id"),
             ("debate_speakers", "debate_id"),
             ("memberships", "id"), ("membership_people", "membership_id"), ("offices", "membership_id"),
             ("speeches", "membership_id"), ("votes", "membership_id"), ("committee_members", "membership_id"),
             ("debate_speakers", "membership_id")]


def _rewrite_ids(conn, form) -> None:
    """Every SHORT_IDS column (and the search items' debate ids where they are a table) through
    ``form`` (stored_sql or whole_sql), with the speeches' search triggers out of the way: the
    items keep their ids (the index beside rebuilds anyway: its debate keys are hashes of these)."""
    postgres = conn.dialect.name == "postgresql"
    items = [("search_items", "debate_id"), ("search_items", "membership_id")]
    columns = SHORT_IDS + (items if postgres or form is whole_sql else [])
    # votes.division_id → divisions.id: both change, one statement after the other
    vote_key = None
    if postgres:
        conn.exec_driver_sql("ALTER TABLE speeches DISABLE TRIGGER USER")
        vote_key = next(fk["name"] for fk in sa.inspect(conn).get_foreign_keys("votes")
                        if fk["referred_table"] == "divisions")
        conn.exec_driver_sql(f'ALTER TABLE votes DROP CONSTRAINT "{vote_key}"')
    else:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")     # until the migration's commit
        for statement in DROP_TRIGGERS:
            conn.exec_driver_sql(statement)
    for table, column in columns:
        conn.exec_driver_sql(f"UPDATE {table} SET {column} = {form(column)} WHERE {column} IS NOT NULL")
    if postgres:
        conn.exec_driver_sql("ALTER TABLE speeches ENABLE TRIGGER USER")
        conn.exec_driver_sql(f'ALTER TABLE votes ADD CONSTRAINT "{vote_key}" FOREIGN KEY (division_id) '
                             "REFERENCES divisions (id) ON DELETE CASCADE")


def _new_installation(conn) -> None:
    """The index beside the database rebuilds itself (its debate and result keys were hashes of the
    ids as they were read)."""
    conn.exec_driver_sql("DELETE FROM search_state")
    conn.exec_driver_sql(f"INSERT INTO search_state (installation) VALUES ('{uuid.uuid4()}')")


def upgrade() -> None:
    conn = op.get_bind()
    for name, table, _columns in SPARE_INDEXES:
        op.drop_index(name, table_name=table)
    _rewrite_ids(conn, stored_sql)
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            conn.exec_driver_sql(statement)
    op.create_index(DEBATE_INDEX[0], DEBATE_INDEX[1], DEBATE_INDEX[2], unique=False)
    _new_installation(conn)


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_index(DEBATE_INDEX[0], table_name=DEBATE_INDEX[1])
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            conn.exec_driver_sql(statement)
    _rewrite_ids(conn, whole_sql)
    if conn.dialect.name == "sqlite":
        # 0013's triggers (its module name starts with a digit: run its file)
        earlier = runpy.run_path(str(Path(__file__).with_name("0013_search_beside.py")))
        for statement in earlier["SQLITE_UP"]:
            if statement.lstrip().startswith("CREATE TRIGGER"):
                conn.exec_driver_sql(statement)
    for name, table, columns in SPARE_INDEXES:
        op.create_index(name, table, columns, unique=False)
    _new_installation(conn)

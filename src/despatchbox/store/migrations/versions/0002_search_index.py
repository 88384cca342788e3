"""search index: search_items plus FTS5 tables (SQLite) or tsvector columns with GIN indexes (PostgreSQL)

Every speech, written question, answer and statement with text gets one ``search_items`` row
(a stable integer id, the speech's gid and the columns search filters on). Triggers on
``speeches`` keep it current: a row inserted, deleted (a superseded file version) or updated is
indexed, unindexed or re-indexed in the same transaction, so ingest needs to know nothing.

SQLite: two FTS5 tables over the same text, ``search_stem`` (porter stemming) for words and
``search_exact`` (unstemmed, with prefix indexes) for "exact phrases" and prefixes. They are
external-content tables reading the text from the view ``search_content`` (search_items joined
to speeches), so the text is stored once.

PostgreSQL: ``search_items.stem`` (``to_tsvector('english', text)``) and ``search_items.exact``
(``to_tsvector('simple', text)``), each with a GIN index; ASCII punctuation is read as a space
first, so that words split as they do in SQLite.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("search",)
depends_on = None

_ITEM_COLUMNS = "speech_id, debate_id, kind, date, person_id, membership_id"
_FROM_ROW = "{r}.id, {r}.debate_id, {r}.kind, {r}.date, {r}.person_id, {r}.membership_id"

SQLITE_UP = [
    """CREATE TABLE search_items (
        id INTEGER PRIMARY KEY,
        speech_id VARCHAR(120) NOT NULL UNIQUE,
        debate_id VARCHAR(120) NOT NULL,
        kind VARCHAR(40) NOT NULL,
        date DATE NOT NULL,
        person_id INTEGER,
        membership_id VARCHAR(60))""",
    "CREATE INDEX ix_search_items_date ON search_items (date)",
    "CREATE INDEX ix_search_items_person ON search_items (person_id, date)",
    "CREATE INDEX ix_search_items_debate ON search_items (debate_id)",
    """CREATE VIEW search_content AS
        SELECT i.id AS id, s.text AS body FROM search_items i JOIN speeches s ON s.id = i.speech_id""",
    """CREATE VIRTUAL TABLE search_stem USING fts5(
        body, content='search_content', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE search_exact USING fts5(
        body, content='search_content', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    f"""CREATE TRIGGER search_speeches_insert AFTER INSERT ON speeches WHEN new.text <> '' BEGIN
        INSERT INTO search_items ({_ITEM_COLUMNS}) VALUES ({_FROM_ROW.format(r='new')});
        INSERT INTO search_stem (rowid, body) SELECT id, new.text FROM search_items WHERE speech_id = new.id;
        INSERT INTO search_exact (rowid, body) SELECT id, new.text FROM search_items WHERE speech_id = new.id;
    END""",
    """CREATE TRIGGER search_speeches_delete AFTER DELETE ON speeches BEGIN
        INSERT INTO search_stem (search_stem, rowid, body)
            SELECT 'delete', id, old.text FROM search_items WHERE speech_id = old.id;
        INSERT INTO search_exact (search_exact, rowid, body)
            SELECT 'delete', id, old.text FROM search_items WHERE speech_id = old.id;
        DELETE FROM search_items WHERE speech_id = old.id;
    END""",
    f"""CREATE TRIGGER search_speeches_update AFTER UPDATE ON speeches BEGIN
        INSERT INTO search_stem (search_stem, rowid, body)
            SELECT 'delete', id, old.text FROM search_items WHERE speech_id = old.id;
        INSERT INTO search_exact (search_exact, rowid, body)
            SELECT 'delete', id, old.text FROM search_items WHERE speech_id = old.id;
        DELETE FROM search_items WHERE speech_id = old.id;
        INSERT INTO search_items ({_ITEM_COLUMNS}) SELECT {_FROM_ROW.format(r='new')} WHERE new.text <> '';
        INSERT INTO search_stem (rowid, body) SELECT id, new.text FROM search_items WHERE speech_id = new.id;
        INSERT INTO search_exact (rowid, body) SELECT id, new.text FROM search_items WHERE speech_id = new.id;
    END""",
    # what was ingested before this migration
    f"INSERT INTO search_items ({_ITEM_COLUMNS}) SELECT {_FROM_ROW.format(r='s')} FROM speeches s "
    "WHERE s.text <> '' ORDER BY s.date, s.debate_id, s.position",
    "INSERT INTO search_stem (search_stem) VALUES ('rebuild')",
    "INSERT INTO search_exact (search_exact) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_speeches_update",
    "DROP TRIGGER IF EXISTS search_speeches_delete",
    "DROP TRIGGER IF EXISTS search_speeches_insert",
    "DROP TABLE IF EXISTS search_exact",
    "DROP TABLE IF EXISTS search_stem",
    "DROP VIEW IF EXISTS search_content",
    "DROP TABLE IF EXISTS search_items",
]

# ASCII punctuation separates words, as in SQLite's unicode61 tokenizer ("3.5", "x@y.org", "anti-social")
_PG_TEXT = "regexp_replace({r}.text, '[[:punct:]]+', ' ', 'g')"
_PG_VALUES = ("{r}.id, {r}.debate_id, {r}.kind, {r}.date, {r}.person_id, {r}.membership_id, "
              f"to_tsvector('english', {_PG_TEXT}), to_tsvector('simple', {_PG_TEXT})")

POSTGRES_UP = [
    """CREATE TABLE search_items (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        speech_id VARCHAR(120) NOT NULL UNIQUE,
        debate_id VARCHAR(120) NOT NULL,
        kind VARCHAR(40) NOT NULL,
        date DATE NOT NULL,
        person_id INTEGER,
        membership_id VARCHAR(60),
        stem TSVECTOR NOT NULL,
        exact TSVECTOR NOT NULL)""",
    "CREATE INDEX ix_search_items_date ON search_items (date)",
    "CREATE INDEX ix_search_items_person ON search_items (person_id, date)",
    "CREATE INDEX ix_search_items_debate ON search_items (debate_id)",
    "CREATE INDEX ix_search_items_stem ON search_items USING GIN (stem)",
    "CREATE INDEX ix_search_items_exact ON search_items USING GIN (exact)",
    f"""CREATE FUNCTION search_items_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            DELETE FROM search_items WHERE speech_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.text <> '' THEN
            INSERT INTO search_items ({_ITEM_COLUMNS}, stem, exact) VALUES ({_PG_VALUES.format(r='NEW')});
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_items_sync AFTER INSERT OR UPDATE OR DELETE ON speeches
        FOR EACH ROW EXECUTE FUNCTION search_items_sync()""",
    f"INSERT INTO search_items ({_ITEM_COLUMNS}, stem, exact) SELECT {_PG_VALUES.format(r='s')} "
    "FROM speeches s WHERE s.text <> '' ORDER BY s.date, s.debate_id, s.position",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS search_items_sync ON speeches",
    "DROP FUNCTION IF EXISTS search_items_sync()",
    "DROP TABLE IF EXISTS search_items",
]


def _run(statements: list[str]) -> None:
    conn = op.get_bind()
    for statement in statements:          # as written: "[[:punct:]]" is no bind parameter
        conn.exec_driver_sql(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_UP)
    else:
        _run(SQLITE_UP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_DOWN)
    else:
        _run(SQLITE_DOWN)

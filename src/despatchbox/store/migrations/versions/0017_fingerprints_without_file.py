"""The "who said this?" index without its by-file index: rows found again by recomputing them

Issue 18, storage. ``quote_fingerprints(hash, speech_key, file_id)`` kept an index on
``file_id`` so that a replaced file version's rows could be deleted: at 20k contributions it
took 563 bytes per contribution, more than the table itself (546). Both go: the table becomes
``(hash, speech_key)``, its primary key and nothing else, and ``quote_speeches`` gains
``postings``, each speech's number of fingerprint rows. A replaced file's rows are deleted by
primary key from its speeches' fingerprints, recomputed from their text, and counted against
``postings`` (store/queries/quotes.py, ``delete_file_fingerprints``).

``postings`` is counted from the rows held. SQLite rebuilds the table (``WITHOUT ROWID``, filled
in key order; a copy left by a stopped run is dropped first), PostgreSQL drops the index and the
column. Downgrading puts ``file_id`` back from ``quote_speeches`` and indexes it again.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("quote_speeches", sa.Column("postings", sa.Integer(), nullable=True))
    conn.exec_driver_sql("UPDATE quote_speeches SET postings = counted.n FROM "
                         "(SELECT speech_key, count(*) AS n FROM quote_fingerprints GROUP BY speech_key) AS counted "
                         "WHERE quote_speeches.id = counted.speech_key")
    conn.exec_driver_sql("UPDATE quote_speeches SET postings = 0 WHERE postings IS NULL")
    op.drop_index("ix_quote_fingerprints_file", table_name="quote_fingerprints")
    if conn.dialect.name == "sqlite":
        _rebuild(conn, with_file=False)
    else:
        op.drop_column("quote_fingerprints", "file_id")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _rebuild(conn, with_file=True)
    else:
        op.add_column("quote_fingerprints", sa.Column("file_id", sa.Integer(), nullable=True))
        conn.exec_driver_sql("UPDATE quote_fingerprints SET file_id = s.file_id FROM quote_speeches s "
                             "WHERE s.id = quote_fingerprints.speech_key")
        op.alter_column("quote_fingerprints", "file_id", nullable=False)
    op.create_index("ix_quote_fingerprints_file", "quote_fingerprints", ["file_id"])
    op.drop_column("quote_speeches", "postings")


def _rebuild(conn, with_file: bool) -> None:
    conn.exec_driver_sql("DROP TABLE IF EXISTS quote_fingerprints_new")
    file_column = ", file_id INTEGER NOT NULL" if with_file else ""
    conn.exec_driver_sql(f"CREATE TABLE quote_fingerprints_new (hash BIGINT NOT NULL, speech_key INTEGER NOT NULL"
                         f"{file_column}, CONSTRAINT pk_quote_fingerprints PRIMARY KEY (hash, speech_key)) "
                         "WITHOUT ROWID")
    if with_file:
        conn.exec_driver_sql("INSERT INTO quote_fingerprints_new (hash, speech_key, file_id) "
                             "SELECT f.hash, f.speech_key, s.file_id FROM quote_fingerprints f "
                             "JOIN quote_speeches s ON s.id = f.speech_key ORDER BY f.hash, f.speech_key")
    else:
        conn.exec_driver_sql("INSERT INTO quote_fingerprints_new (hash, speech_key) "
                             "SELECT hash, speech_key FROM quote_fingerprints ORDER BY hash, speech_key")
    conn.exec_driver_sql("DROP TABLE quote_fingerprints")
    conn.exec_driver_sql("ALTER TABLE quote_fingerprints_new RENAME TO quote_fingerprints")

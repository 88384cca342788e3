"""quote fingerprints: the "who said this?" index (quote_speeches, quote_fingerprints)

``quote_speeches(id, speech_id, file_id)``: a small integer key per indexed speech.
``quote_fingerprints(hash, speech_key, file_id)``: one row per winnowed shingle hash of a
speech (``despatchbox.quotes.fingerprint``, scheme blake2b64-k4-w9, ~0.19 rows per word);
primary key ``(hash, speech_key)`` — on SQLite a ``WITHOUT ROWID`` table, so the key is the
table. Both carry ``file_id`` (indexed) so a replaced file version's rows go with its records
(listed in ``store.queries.files.FILE_OWNED_TABLES``).

Speeches already held are fingerprinted here, so a database ingested before this migration
answers "who said this?" at once (about 0.5 ms a speech).

Revision ID: 0003
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "quote_speeches",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("speech_id", sa.String(length=120), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quote_speeches_file", "quote_speeches", ["file_id"])
    op.create_table(
        "quote_fingerprints",
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("speech_key", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hash", "speech_key", name="pk_quote_fingerprints"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_quote_fingerprints_file", "quote_fingerprints", ["file_id"])
    _backfill(op.get_bind())


def _backfill(conn) -> None:
    """Fingerprint the speeches ingested before this migration, file by file, in record order
    (one file's texts in memory at a time). Written against this revision's tables, not the
    store's current code: later revisions reshape them (0017)."""
    from despatchbox.quotes.fingerprint import shingle_hashes, winnow
    from despatchbox.quotes.normalise import tokens
    from despatchbox.store.packing import unpack      # text is plain here; packed only from 0016

    def fingerprints(text: str) -> set[int]:          # this revision's scheme: whole 64-bit hashes (0020b narrows)
        return winnow(shingle_hashes(tokens(text)))

    file_ids = [r[0] for r in conn.exec_driver_sql("SELECT DISTINCT file_id FROM speeches ORDER BY file_id")]
    key = 0
    for file_id in file_ids:
        rows = conn.execute(sa.text("SELECT id, text FROM speeches WHERE file_id = :f AND text <> '' "
                                    "ORDER BY position"), {"f": file_id}).fetchall()
        speeches: list[dict] = []
        postings: list[dict] = []
        for speech_id, body in rows:
            key += 1
            speeches.append({"id": key, "speech_id": speech_id, "file_id": file_id})
            postings.extend({"hash": h, "speech_key": key, "file_id": file_id} for h in fingerprints(unpack(body)))
        if speeches:
            conn.execute(sa.text("INSERT INTO quote_speeches (id, speech_id, file_id) VALUES (:id, :speech_id, :file_id)"),
                         speeches)
        if postings:
            conn.execute(sa.text("INSERT INTO quote_fingerprints (hash, speech_key, file_id) "
                                 "VALUES (:hash, :speech_key, :file_id)"), sorted(postings, key=lambda p: p["hash"]))


def downgrade() -> None:
    op.drop_index("ix_quote_fingerprints_file", table_name="quote_fingerprints")
    op.drop_table("quote_fingerprints")
    op.drop_index("ix_quote_speeches_file", table_name="quote_speeches")
    op.drop_table("quote_speeches")

"""PostgreSQL: the who-said index's biggest level in blocks of postings

Issue 18, storage. On PostgreSQL a ``(hash, speech_key)`` row of ``quote_fingerprints`` cost ~72 bytes
(a heap tuple and a B-tree entry for 8 bytes of data): 1,560 bytes a contribution at 1M, a third of
the database. ``quote_fingerprint_blocks(bucket, postings)`` holds the same postings a row per range
of hashes, each a sorted ``BIGINT[]`` of ``hash << 32 | speech_key`` (``store/queries/fingerprint_blocks.py``).

Upgrading on PostgreSQL creates the table, moves every row of ``quote_fingerprints`` into it in one
statement and empties ``quote_fingerprints`` (``TRUNCATE``: its space goes back to the system). The
levels above it are left as they are. Downgrading moves the postings back. SQLite is not changed.

Revision ID: 0030
Revises: 0029
"""
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

#: as store/queries/fingerprint_blocks.py (a migration does not import the code it upgrades for)
BUCKET_SHIFT = 14


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql("CREATE TABLE quote_fingerprint_blocks (bucket INTEGER NOT NULL, postings BIGINT[] NOT NULL, "
                         "CONSTRAINT pk_quote_fingerprint_blocks PRIMARY KEY (bucket))")
    # postings are random bits: not worth a compression attempt when a block outgrows a page's share
    conn.exec_driver_sql("ALTER TABLE quote_fingerprint_blocks ALTER COLUMN postings SET STORAGE EXTERNAL")
    conn.exec_driver_sql(
        f"INSERT INTO quote_fingerprint_blocks (bucket, postings) "
        f"SELECT hash >> {BUCKET_SHIFT}, array_agg((CAST(hash AS BIGINT) << 32) | speech_key ORDER BY hash, speech_key) "
        f"FROM quote_fingerprints GROUP BY 1 ORDER BY 1")
    conn.exec_driver_sql("TRUNCATE quote_fingerprints")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql("INSERT INTO quote_fingerprints (hash, speech_key) "
                         "SELECT CAST(p >> 32 AS INTEGER), CAST(p & 4294967295 AS INTEGER) "
                         "FROM quote_fingerprint_blocks AS blk CROSS JOIN LATERAL unnest(blk.postings) AS p "
                         "ON CONFLICT DO NOTHING")
    conn.exec_driver_sql("DROP TABLE quote_fingerprint_blocks")

"""PostgreSQL: the who-said index's two biggest levels in blocks of postings

Issue 18, storage. On PostgreSQL a ``(hash, speech_key)`` row of ``quote_fingerprints`` cost ~72 bytes
(a heap tuple and a B-tree entry for 8 bytes of data): 1,560 bytes a contribution at 1M, a third of
the database, and the recent level's rows another 466. ``quote_fingerprint_blocks(bucket, postings)``
and ``quote_fingerprint_recent_blocks`` hold the same postings a row per range of hashes, each a
sorted ``BIGINT[]`` of ``hash << 32 | speech_key`` (``store/queries/fingerprint_blocks.py``).

Readers find a hash's run of postings in its block with ``fingerprint_postings(postings, hash)``, a
binary search this migration creates, and unnest only those.

Upgrading on PostgreSQL creates the tables and the function, moves every row of ``quote_fingerprints``
and ``quote_fingerprints_recent`` into their blocks, a statement each, and empties them (``TRUNCATE``:
their space goes back to the system). The two newest levels are left as they are. Downgrading moves
the postings back. SQLite is not changed.

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

#: a hash's postings in a block (sorted ``hash << 32 | speech_key``): the slice between the first posting
#: at or above ``hash << 32`` and the last at or below ``hash << 32 | 0xFFFFFFFF``, by two binary searches
POSTINGS_OF_A_HASH = """
CREATE FUNCTION fingerprint_postings(postings BIGINT[], h BIGINT) RETURNS BIGINT[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  lo INTEGER := 1;
  hi INTEGER := cardinality(postings) + 1;
  mid INTEGER;
  first INTEGER;
  low_p BIGINT := h << 32;
  high_p BIGINT := (h << 32) | 4294967295;
BEGIN
  WHILE lo < hi LOOP
    mid := (lo + hi) / 2;
    IF postings[mid] < low_p THEN lo := mid + 1; ELSE hi := mid; END IF;
  END LOOP;
  first := lo;
  hi := cardinality(postings) + 1;
  WHILE lo < hi LOOP
    mid := (lo + hi) / 2;
    IF postings[mid] <= high_p THEN lo := mid + 1; ELSE hi := mid; END IF;
  END LOOP;
  RETURN postings[first:lo - 1];
END $$"""


#: each level kept in blocks, and its table of blocks
LEVELS = (("quote_fingerprints_recent", "quote_fingerprint_recent_blocks"), ("quote_fingerprints", "quote_fingerprint_blocks"))


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql(POSTINGS_OF_A_HASH)
    for rows, blocks in LEVELS:
        conn.exec_driver_sql(f"CREATE TABLE {blocks} (bucket INTEGER NOT NULL, postings BIGINT[] NOT NULL, "
                             f"CONSTRAINT pk_{blocks} PRIMARY KEY (bucket))")
        # postings are random bits: not worth a compression attempt when a block outgrows a page's share
        conn.exec_driver_sql(f"ALTER TABLE {blocks} ALTER COLUMN postings SET STORAGE EXTERNAL")
        conn.exec_driver_sql(
            f"INSERT INTO {blocks} (bucket, postings) SELECT hash >> {BUCKET_SHIFT}, "
            f"array_agg((CAST(hash AS BIGINT) << 32) | speech_key ORDER BY hash, speech_key) "
            f"FROM {rows} GROUP BY 1 ORDER BY 1")
        conn.exec_driver_sql(f"TRUNCATE {rows}")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for rows, blocks in LEVELS:
        conn.exec_driver_sql(f"INSERT INTO {rows} (hash, speech_key) "
                             f"SELECT CAST(p >> 32 AS INTEGER), CAST(p & 4294967295 AS INTEGER) "
                             f"FROM {blocks} AS blk CROSS JOIN LATERAL unnest(blk.postings) AS p "
                             f"ON CONFLICT DO NOTHING")
        conn.exec_driver_sql(f"DROP TABLE {blocks}")
    conn.exec_driver_sql("DROP FUNCTION fingerprint_postings(BIGINT[], BIGINT)")

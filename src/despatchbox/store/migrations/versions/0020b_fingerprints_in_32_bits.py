"""Who-said fingerprints in 32 bits: the top half of each winnowed 64-bit hash

Issue 18, storage (quotes/fingerprint.py, scheme ``blake2b64-k4-w9-top32``). The same shingles are
selected as before; each is stored as the top 32 bits of its hash (``hash >> 32``, signed), an
INTEGER of 4 bytes instead of 8 on both databases. The table is rebuilt in key order from the rows
held (a copy left by a stopped SQLite run is dropped first). Two fingerprints of one speech that
share their top half (one time in 2³²) become one row: if any did, every speech's ``postings`` is
counted again, so that deleting a replaced file by primary key still checks out.

Downgrading cannot restore the lost bits: the 64-bit fingerprints are computed again from the text
of each indexed speech (as 0003 did), in chunks of speeches, and ``postings`` counted again.

Revision ID: 0020b
Revises: 0020
"""
from alembic import op

revision = "0020b"
down_revision = "0020"
branch_labels = None
depends_on = None

#: speeches fingerprinted again per round when downgrading
CHUNK = 2000


def _new_table(conn, hash_type: str) -> None:
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql("DROP TABLE IF EXISTS quote_fingerprints_new")
    conn.exec_driver_sql(f"CREATE TABLE quote_fingerprints_new (hash {hash_type} NOT NULL, speech_key INTEGER NOT NULL, "
                         f"CONSTRAINT {'pk_quote_fingerprints' if sqlite else 'pk_quote_fingerprints_new'} "
                         f"PRIMARY KEY (hash, speech_key))" + (" WITHOUT ROWID" if sqlite else ""))


def _replace_table(conn) -> None:
    conn.exec_driver_sql("DROP TABLE quote_fingerprints")
    conn.exec_driver_sql("ALTER TABLE quote_fingerprints_new RENAME TO quote_fingerprints")
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("ALTER TABLE quote_fingerprints RENAME CONSTRAINT pk_quote_fingerprints_new "
                             "TO pk_quote_fingerprints")


def _count_postings(conn) -> None:
    conn.exec_driver_sql("UPDATE quote_speeches SET postings = counted.n FROM "
                         "(SELECT speech_key, count(*) AS n FROM quote_fingerprints GROUP BY speech_key) AS counted "
                         "WHERE quote_speeches.id = counted.speech_key")
    conn.exec_driver_sql("UPDATE quote_speeches SET postings = 0 WHERE id NOT IN "
                         "(SELECT DISTINCT speech_key FROM quote_fingerprints)")


def _rows(conn, table: str) -> int:
    return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    _new_table(conn, "INTEGER")
    if sqlite:
        conn.exec_driver_sql("INSERT OR IGNORE INTO quote_fingerprints_new (hash, speech_key) "
                             "SELECT hash >> 32, speech_key FROM quote_fingerprints ORDER BY 1, 2")
    else:
        conn.exec_driver_sql("INSERT INTO quote_fingerprints_new (hash, speech_key) "
                             "SELECT CAST(hash >> 32 AS INTEGER), speech_key FROM quote_fingerprints ORDER BY 1, 2 "
                             "ON CONFLICT DO NOTHING")
    merged = _rows(conn, "quote_fingerprints") != _rows(conn, "quote_fingerprints_new")
    _replace_table(conn)
    if merged:
        _count_postings(conn)


def downgrade() -> None:
    from despatchbox.quotes.fingerprint import shingle_hashes, winnow
    from despatchbox.quotes.normalise import tokens
    from despatchbox.store.packing import unpack_body

    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    _new_table(conn, "BIGINT")
    # the speech's text: on SQLite the second part of the html column's body (0020), else the column
    body = "s.html" if sqlite else "s.text"
    after = 0
    while True:
        rows = conn.exec_driver_sql(f"SELECT q.id, {body} FROM quote_speeches q JOIN speeches s ON s.id = q.speech_id "
                                    f"WHERE q.id > {mark} ORDER BY q.id LIMIT {CHUNK}", (after,)).all()
        if not rows:
            break
        postings = sorted({(h, key) for key, stored in rows
                           for h in winnow(shingle_hashes(tokens(unpack_body(stored)[1] if sqlite else stored)))})
        if postings:
            conn.exec_driver_sql(f"INSERT INTO quote_fingerprints_new (hash, speech_key) VALUES ({mark}, {mark})",
                                 postings)
        after = rows[-1][0]
    _replace_table(conn)
    _count_postings(conn)

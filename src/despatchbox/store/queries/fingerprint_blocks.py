"""The who-said index's biggest level on PostgreSQL: postings in blocks, one row per range of hashes.

On SQLite a level's ``(hash, speech_key)`` rows live in a ``WITHOUT ROWID`` table, ~11 bytes a row.
PostgreSQL has no such table: every row is a heap tuple (a 24-byte header, a line pointer, the 8
bytes) and an entry in the primary key's B-tree (another ~20), 72 bytes a posting in all — 1,560
bytes a contribution at 1M, a third of the whole database (issue 18, storage). So on PostgreSQL
the level that holds most of the record, the last one, is ``quote_fingerprint_blocks(bucket,
postings)`` (migration 0030): a row per :data:`BUCKET_SHIFT` range of hashes, its postings one
sorted ``BIGINT[]`` of ``hash << 32 | speech_key`` (~8 bytes a posting, the row's own costs shared
by ~80 postings at 1M and ~1,000 at 12M).

It is written only by merges, which rewrite the blocks they touch (:func:`merge_into_blocks`, one
statement on the server); readers unnest the one block of each hash they look up
(:func:`posting_sql`); a replaced file's postings are taken out of their blocks by value
(:func:`delete_postings`) or, as a fallback, by its range of speech keys (:func:`delete_key_range`).
``quote_fingerprints`` stays on PostgreSQL as a level of rows above the blocks (empty but after a
``db copy`` from SQLite, and merged into the blocks by the next merge that reaches it).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Connection, Table

from ..schema import quote_fingerprint_blocks

__all__ = ["BLOCKS", "BUCKET_SHIFT", "KEY_MASK", "posting", "posting_sql", "merge_into_blocks", "delete_postings",
           "delete_key_range", "count_postings", "block_rows"]

BLOCKS: Table = quote_fingerprint_blocks
#: a hash's block: ``hash >> BUCKET_SHIFT`` (2**18 blocks of 32-bit hashes, ~80 postings a block at 1M
#: contributions: a lookup unnests one of them)
BUCKET_SHIFT = 14
#: a posting's speech key: its low 32 bits (keys are positive 32-bit integers)
KEY_MASK = 0xFFFFFFFF


def posting(hash_: int, speech_key: int) -> int:
    """A posting as a block holds it: the hash in the high 32 bits, the speech key in the low 32
    (sorting postings sorts by hash, then key; ``>> 32`` gives the hash back, sign included)."""
    return (hash_ << 32) | speech_key


def posting_sql(hash_sql: str, blocks: Table = BLOCKS) -> str:
    """A subquery of the speech keys (column ``speech_key``) the blocks hold for the hash
    ``hash_sql`` (a BIGINT expression): the one block unnested, its postings of that hash kept."""
    return (f"SELECT CAST(p & {KEY_MASK} AS INTEGER) AS speech_key FROM {blocks.name} AS blk "
            f"CROSS JOIN LATERAL unnest(blk.postings) AS p "
            f"WHERE blk.bucket = CAST(({hash_sql}) >> {BUCKET_SHIFT} AS INTEGER) AND p >> 32 = ({hash_sql})")


def merge_into_blocks(conn: Connection, sources: Sequence[Table], blocks: Table = BLOCKS) -> None:
    """Merge the rows of ``sources`` (levels of ``(hash, speech_key)`` rows) into the blocks in one
    statement: the rows grouped by block and sorted, each block's new postings written as a row, or
    merged into the row held (sorted, a posting already held kept once)."""
    union = " UNION ALL ".join(f"SELECT hash, speech_key FROM {t.name}" for t in sources)
    conn.exec_driver_sql(
        f"INSERT INTO {blocks.name} AS held (bucket, postings) "
        f"SELECT hash >> {BUCKET_SHIFT}, array_agg((CAST(hash AS BIGINT) << 32) | speech_key ORDER BY hash, speech_key) "
        f"FROM ({union}) AS merged GROUP BY 1 ORDER BY 1 "
        f"ON CONFLICT (bucket) DO UPDATE SET postings = "
        f"ARRAY(SELECT DISTINCT p FROM unnest(held.postings || EXCLUDED.postings) AS p ORDER BY p)")


def delete_postings(conn: Connection, pairs: Iterable[tuple[int, int]], blocks: Table = BLOCKS) -> int:
    """Take ``(hash, speech_key)`` postings out of their blocks; returns how many were held."""
    wanted = sorted({posting(h, k) for h, k in pairs})
    if not wanted:
        return 0
    return conn.exec_driver_sql(
        f"WITH gone AS (SELECT p FROM unnest(CAST(%s AS BIGINT[])) AS p), "
        f"hit AS (SELECT blk.bucket, array_agg(x) AS xs FROM {blocks.name} AS blk "
        f"CROSS JOIN LATERAL unnest(blk.postings) AS x "
        f"WHERE blk.bucket IN (SELECT DISTINCT CAST(p >> {32 + BUCKET_SHIFT} AS INTEGER) FROM gone) "
        f"AND x IN (SELECT p FROM gone) GROUP BY blk.bucket), "
        f"changed AS (UPDATE {blocks.name} AS blk SET postings = "
        f"ARRAY(SELECT y FROM unnest(blk.postings) AS y WHERE y <> ALL(hit.xs) ORDER BY y) "
        f"FROM hit WHERE blk.bucket = hit.bucket RETURNING cardinality(hit.xs) AS n) "
        f"SELECT COALESCE(SUM(n), 0) FROM changed", (wanted,)).scalar_one()


def delete_key_range(conn: Connection, low: int, high: int, blocks: Table = BLOCKS) -> int:
    """Take every posting of a speech key in ``low``…``high`` out of the blocks (a scan of all of
    them: the fallback when a file's fingerprints cannot be recomputed); returns how many were held."""
    inside = f"(y & {KEY_MASK}) BETWEEN %s AND %s"
    found = conn.exec_driver_sql(f"SELECT count(*) FROM {blocks.name} AS blk CROSS JOIN LATERAL unnest(blk.postings) "
                                 f"AS y WHERE {inside}", (low, high)).scalar_one()
    if found:
        conn.exec_driver_sql(
            f"UPDATE {blocks.name} AS blk SET postings = "
            f"ARRAY(SELECT y FROM unnest(blk.postings) AS y WHERE NOT {inside} ORDER BY y) "
            f"WHERE EXISTS (SELECT 1 FROM unnest(blk.postings) AS y WHERE {inside})", (low, high, low, high))
    return found


def count_postings(conn: Connection, blocks: Table = BLOCKS) -> int:
    """The postings the blocks hold."""
    return conn.exec_driver_sql(f"SELECT COALESCE(SUM(cardinality(postings)), 0) FROM {blocks.name}").scalar_one()


#: blocks read at a time by :func:`block_rows` (a 64th of them: ~340k postings at 1M contributions)
BLOCKS_READ = 1 << (32 - BUCKET_SHIFT - 6)


def block_rows(conn: Connection, blocks: Table = BLOCKS) -> Iterator[list[tuple[int, int]]]:
    """Every posting the blocks hold as ``(hash, speech_key)`` rows in key order, a list per
    :data:`BLOCKS_READ` blocks (``db copy`` to SQLite, tests)."""
    first, stop = -(1 << (31 - BUCKET_SHIFT)), 1 << (31 - BUCKET_SHIFT)
    for low in range(first, stop, BLOCKS_READ):
        rows = conn.exec_driver_sql(
            f"SELECT CAST(p >> 32 AS INTEGER), CAST(p & {KEY_MASK} AS INTEGER) FROM {blocks.name} AS blk "
            f"CROSS JOIN LATERAL unnest(blk.postings) AS p WHERE blk.bucket BETWEEN %s AND %s ORDER BY p",
            (low, low + BLOCKS_READ - 1)).all()
        if rows:
            yield [tuple(r) for r in rows]

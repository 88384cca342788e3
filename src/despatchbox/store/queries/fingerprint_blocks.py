"""The who-said index's biggest levels on PostgreSQL: postings in blocks, one row per range of hashes.

On SQLite a level's ``(hash, speech_key)`` rows live in a ``WITHOUT ROWID`` table, ~11 bytes a row.
PostgreSQL has no such table: every row is a heap tuple (a 24-byte header, a line pointer, the 8
bytes) and an entry in the primary key's B-tree (another ~20), 72 bytes a posting in all — 1,560
bytes a contribution at 1M, and the recent level another 466: 40 % of the whole database (issue 18,
storage). So on PostgreSQL the two levels that hold most of the record, the recent one and the last
one, keep their postings in ``quote_fingerprint_recent_blocks`` and ``quote_fingerprint_blocks``
(migration 0030): a row per :data:`BUCKET_SHIFT` range of hashes, its postings one sorted
``BIGINT[]`` of ``hash << 32 | speech_key`` (~8 bytes a posting, the row's own costs shared by the
block's postings: 212 at the median in the big level of the 1M bench database, ~1,000 at 12M).

Blocks are written only by merges, which rewrite the blocks they touch (:func:`merge_into_blocks`,
one statement on the server); readers cut each hash's run of postings out of its block with
``fingerprint_postings`` (a binary search, migration 0030: :func:`block_postings_sql`); a replaced
file's postings are taken out of their blocks by value (:func:`delete_postings`) or, as a fallback,
by its range of speech keys (:func:`delete_key_range`). The two levels' row tables stay on
PostgreSQL (empty but after a ``db copy`` from SQLite: readers read them too, and the next merge
into a level's blocks takes its rows with it).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Connection, Row, Table

from ..schema import quote_fingerprint_blocks, quote_fingerprint_recent_blocks

__all__ = ["BLOCKS", "RECENT_BLOCKS", "BUCKET_SHIFT", "KEY_MASK", "posting", "block_postings_sql", "rows_sql",
           "lowest_key", "merge_into_blocks", "delete_postings", "delete_key_range", "count_postings", "block_rows"]

#: the big level's blocks, and the recent level's
BLOCKS: Table = quote_fingerprint_blocks
RECENT_BLOCKS: Table = quote_fingerprint_recent_blocks
#: a hash's block: ``hash >> BUCKET_SHIFT`` (2**18 blocks of 32-bit hashes: ~100 postings a block at 1M
#: contributions if hashes were uniform; winnowing keeps each window's least, so low hashes are commoner
#: and their blocks bigger: on the 1M bench corpus, with its few distinct paragraphs, 212 at the median)
BUCKET_SHIFT = 14
#: a posting's speech key: its low 32 bits (keys are positive 32-bit integers)
KEY_MASK = 0xFFFFFFFF


def posting(hash_: int, speech_key: int) -> int:
    """A posting as a block holds it: the hash in the high 32 bits, the speech key in the low 32
    (sorting postings sorts by hash, then key; ``>> 32`` gives the hash back, sign included)."""
    return (hash_ << 32) | speech_key


def block_postings_sql(hash_sql: str, blocks: Table = BLOCKS) -> str:
    """A subquery of one row (column ``ps``, a ``BIGINT[]``), or none, for the hash ``hash_sql`` (a
    BIGINT expression): its run of postings in its block, the block found by its primary key and the
    run cut out by ``fingerprint_postings`` (migration 0030: a binary search, ~1 µs). Readers unnest
    only that run, and count it without unnesting (a stock phrase held by thousands of speeches is
    skipped: ``queries.quotes.MAX_POSTINGS``); unnesting a whole block and filtering it cost ~4 µs a
    block at 1M."""
    return (f"SELECT fingerprint_postings(blk.postings, {hash_sql}) AS ps FROM {blocks.name} AS blk "
            f"WHERE blk.bucket = CAST(({hash_sql}) >> {BUCKET_SHIFT} AS INTEGER)")


def rows_sql(blocks: Table = BLOCKS) -> str:
    """The blocks' postings as ``(hash, speech_key)`` rows (a SELECT, for unions with row tables)."""
    return (f"SELECT CAST(p >> 32 AS INTEGER) AS hash, CAST(p & {KEY_MASK} AS INTEGER) AS speech_key "
            f"FROM {blocks.name} AS blk CROSS JOIN LATERAL unnest(blk.postings) AS p")


#: blocks read at a time, in order, by :func:`lowest_key` and :func:`block_rows`
BLOCKS_READ = 64


def _in_order(conn: Connection, blocks: Table, first: int | None = None) -> Iterator[Sequence[Row]]:
    """The blocks as ``(bucket, postings)`` rows in bucket order, a list per :data:`BLOCKS_READ` of them
    (a page by the bucket last read): what a reader holds is bounded by that many blocks, however the
    postings crowd into low hashes. ``first``: read no more than that many postings of each block (a
    reader that needs only a prefix of them)."""
    after = -(1 << (31 - BUCKET_SHIFT)) - 1
    while True:
        postings = "postings" if first is None else f"postings[1:{int(first)}]"
        rows = conn.exec_driver_sql(f"SELECT bucket, {postings} FROM {blocks.name} WHERE bucket > %s "
                                    f"ORDER BY bucket LIMIT {BLOCKS_READ}", (after,)).all()
        if rows:
            yield rows
        if len(rows) < BLOCKS_READ:
            return
        after = rows[-1][0]


def lowest_key(conn: Connection, blocks: Table, sample_rows: int) -> int | None:
    """The lowest speech key among the blocks' first ``sample_rows`` postings in key order (the rows'
    :func:`.fingerprint_levels.lowest_key`); None when they hold none. The blocks are read in order,
    :data:`BLOCKS_READ` at a time, only until that many postings are in hand: one statement
    unnesting the first ``sample_rows`` blocks took 0.64 s at 1M, on every check for a due merge."""
    low: int | None = None
    taken = 0
    for rows in _in_order(conn, blocks, first=sample_rows):
        for _bucket, postings in rows:
            part = postings[:sample_rows - taken]
            if part:
                least = min(p & KEY_MASK for p in part)
                low = least if low is None else min(low, least)
                taken += len(part)
            if taken >= sample_rows:
                return low
    return low


def merge_into_blocks(conn: Connection, union: str, blocks: Table = BLOCKS) -> None:
    """Merge the ``(hash, speech_key)`` rows of ``union`` (a SELECT) into the blocks in one statement:
    the rows grouped by block and sorted, each block's new postings written as a row, or merged into
    the row held (sorted, a posting already held kept once)."""
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


def block_rows(conn: Connection, blocks: Table = BLOCKS) -> Iterator[list[tuple[int, int]]]:
    """Every posting the blocks hold as ``(hash, speech_key)`` rows in key order, a list per
    :data:`BLOCKS_READ` blocks (``db copy`` to SQLite, tests)."""
    for rows in _in_order(conn, blocks):
        part = [(p >> 32, p & KEY_MASK) for _bucket, postings in rows for p in postings]
        if part:
            yield part

"""PostgreSQL's who-said index: its two biggest levels in blocks of postings (migration 0030,
``store/queries/fingerprint_blocks.py``). The index's behaviour on both databases is tested in
test_who_said_index.py (exact through re-ingest, replaced files, merges and copies); here, what only
the blocks do: a posting's hash and key kept whole at the edges of 32 bits, blocks sorted and each
posting in its hash's block, merges into held blocks, deletions by value and by range of keys."""
from __future__ import annotations

import pytest

from despatchbox.store.queries import fingerprint_blocks as fb
from despatchbox.store.queries.fingerprint_levels import in_blocks, lowest_key, pack_levels
from despatchbox.store.schema import quote_fingerprints_level0, quote_fingerprints_recent

#: (hash, speech key) postings at the edges: the lowest and highest hashes, either side of zero and of a
#: block's bounds (2**14 hashes a block), the highest key
EDGES = [(-2**31, 1), (-2**31, 2**31 - 1), (-16385, 3), (-16384, 3), (-1, 7), (0, 1), (1, 2), (16383, 4),
         (16384, 4), (2**31 - 1, 2**31 - 1)]


@pytest.fixture
def pg(fresh_engine):
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("blocks are PostgreSQL's (SQLite's last level is a WITHOUT ROWID table)")
    return fresh_engine


def held(conn) -> list[tuple[int, int]]:
    return [row for part in fb.block_rows(conn) for row in part]


def keys_of(conn, hash_: int) -> list[int]:
    found = fb.block_postings_sql("CAST(%s AS BIGINT)")
    return sorted(conn.exec_driver_sql(f"SELECT CAST(p & {fb.KEY_MASK} AS INTEGER) FROM ({found}) AS run "
                                       f"CROSS JOIN LATERAL unnest(run.ps) AS p", (hash_, hash_)).scalars())


def assert_blocks_in_order(conn) -> None:
    for bucket, postings in conn.exec_driver_sql("SELECT bucket, postings FROM quote_fingerprint_blocks"):
        assert postings == sorted(set(postings))
        assert all(p >> 32 >> fb.BUCKET_SHIFT == bucket for p in postings), bucket


def test_postings_keep_their_hash_and_key_and_are_found_by_hash(pg):
    with pg.begin() as conn:
        assert in_blocks(conn)
        conn.exec_driver_sql("INSERT INTO quote_fingerprints (hash, speech_key) VALUES (%s, %s)", EDGES)
        assert pack_levels(conn)
        assert not pack_levels(conn)                          # the big table's rows are now in blocks
        assert conn.exec_driver_sql("SELECT count(*) FROM quote_fingerprints").scalar_one() == 0
        assert held(conn) == sorted(EDGES) and fb.count_postings(conn) == len(EDGES)
        assert_blocks_in_order(conn)
        for h, _k in EDGES:
            assert keys_of(conn, h) == sorted(k for hh, k in EDGES if hh == h)
        assert keys_of(conn, 5) == [] and keys_of(conn, -16383) == []


def test_a_merge_into_held_blocks_keeps_them_sorted_and_a_posting_once(pg):
    more = [(-16384, 2), (-16384, 9), (0, 1), (16383, 1), (12345, 6)]      # (0, 1) is held already
    with pg.begin() as conn:
        conn.exec_driver_sql("INSERT INTO quote_fingerprints (hash, speech_key) VALUES (%s, %s)", EDGES)
        pack_levels(conn)
        conn.exec_driver_sql(f"INSERT INTO {quote_fingerprints_level0.name} (hash, speech_key) VALUES (%s, %s)", more)
        fb.merge_into_blocks(conn, f"SELECT hash, speech_key FROM {quote_fingerprints_level0.name}")
        assert held(conn) == sorted(set(EDGES) | set(more))
        assert_blocks_in_order(conn)
        assert keys_of(conn, -16384) == [2, 3, 9]


def test_postings_are_deleted_by_value_and_by_range_of_keys(pg):
    with pg.begin() as conn:
        conn.exec_driver_sql("INSERT INTO quote_fingerprints (hash, speech_key) VALUES (%s, %s)", EDGES)
        pack_levels(conn)
        # by value: only those held are counted (not (5, 5), nor a held hash under another key)
        assert fb.delete_postings(conn, [*EDGES[:3], (5, 5), (0, 2)]) == 3
        assert held(conn) == sorted(EDGES[3:])
        assert fb.delete_postings(conn, []) == 0
        # by range of keys: every block scanned
        assert fb.delete_key_range(conn, 3, 4) == 3             # (-16384, 3), (16383, 4), (16384, 4)
        assert held(conn) == sorted(p for p in EDGES[3:] if not 3 <= p[1] <= 4)
        assert fb.delete_key_range(conn, 100, 200) == 0
        assert_blocks_in_order(conn)
        assert fb.count_postings(conn) == len(held(conn))


def test_an_ingest_leaves_the_postings_in_blocks(sample_engine):
    with sample_engine.connect() as conn:
        if not in_blocks(conn):
            pytest.skip("blocks are PostgreSQL's")
        assert conn.exec_driver_sql("SELECT count(*) FROM quote_fingerprints").scalar_one() == 0
        assert fb.count_postings(conn) > 10_000
        assert_blocks_in_order(conn)


def test_the_recent_levels_rows_are_packed_in_its_own_blocks_and_its_lowest_key_read_from_them(pg):
    with pg.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {quote_fingerprints_recent.name} (hash, speech_key) VALUES (%s, %s)",
                             EDGES)
        assert pack_levels(conn)
        assert conn.exec_driver_sql(f"SELECT count(*) FROM {quote_fingerprints_recent.name}").scalar_one() == 0
        assert [r for part in fb.block_rows(conn, fb.RECENT_BLOCKS) for r in part] == sorted(EDGES)
        assert fb.count_postings(conn) == 0                     # the big level's blocks: none
        assert lowest_key(conn, quote_fingerprints_recent, sample_rows=len(EDGES)) == 1
        # the first posting in key order: (-2**31, 1); of the first three, the lowest key is 1 too
        assert fb.lowest_key(conn, fb.RECENT_BLOCKS, 1) == 1
        assert fb.lowest_key(conn, fb.RECENT_BLOCKS, 3) == 1
        assert fb.lowest_key(conn, fb.BLOCKS, 3) is None
        # a row of the level beside its blocks (as a db copy leaves it) counts too
        conn.exec_driver_sql(f"INSERT INTO {quote_fingerprints_recent.name} (hash, speech_key) VALUES (-2147483648, 0)")
        assert lowest_key(conn, quote_fingerprints_recent) == 0


def test_a_blocked_levels_lowest_key_reads_blocks_in_order_until_it_has_the_sample(pg, monkeypatch):
    """Blocks are read a few at a time (here two), and only as far as the sample reaches: the lowest key
    of the first n postings in key order, whatever n, as the rows' lowest_key reads it; block_rows
    pages through them the same way."""
    monkeypatch.setattr(fb, "BLOCKS_READ", 2)
    with pg.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {quote_fingerprints_recent.name} (hash, speech_key) VALUES (%s, %s)",
                             EDGES)
        pack_levels(conn)
        ordered = sorted(EDGES)
        for n in range(1, len(EDGES) + 3):
            assert fb.lowest_key(conn, fb.RECENT_BLOCKS, n) == min(k for _h, k in ordered[:n]), n
        # the postings as rows, read the same way: in key order, a part per two blocks
        parts = list(fb.block_rows(conn, fb.RECENT_BLOCKS))
        assert [r for part in parts for r in part] == ordered and len(parts) > 1

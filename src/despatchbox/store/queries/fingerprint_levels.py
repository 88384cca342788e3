"""The who-said fingerprint index's rows: written to its newest level, merged down, deleted by file.

The index's ``(hash, speech_key)`` rows live in :data:`LEVELS`, tables of the same columns and key
(on SQLite ``WITHOUT ROWID``: the key is the table), newest first:

* ``quote_fingerprints_level0`` (migration 0026): every file's rows are written here;
* ``quote_fingerprints_level1`` (0026): what level 0 held, merged in;
* ``quote_fingerprints_recent`` (0024): what level 1 held;
* ``quote_fingerprints`` (0003/0017): the rest of the record, by far the biggest.

Why levels: a table is ordered by hash, so the ~40k rows of one sitting day land on as many random
pages of whichever table they go to, and every page they touch is written (to the WAL, then
checkpointed back). Into the big table at 1M contributions a day dirtied a third of it; into one
recent table that had grown to 4.5M rows at 3M contributions, most of that one's ~15k leaf pages
(+0.5–0.8 s of a 1–1.5 s update, issue 18: "one new day into the 3M database takes as long as into
an empty one"). Level 0 is kept to about a week of the record, so a day's rows touch few pages.
A level is merged into the next in one ordered pass when it outgrows its share (:data:`SHARES`), and
such a merge touches the next level's pages: each level is a few times bigger than the one above it,
so that the merges a day causes, averaged over the days between them, stay small at every size of
the record (a log-structured merge tree). With three levels (no level 1) level 0's merges went
into a recent table that may hold a quarter of the big one's rows.

Speech keys are handed out in increasing order and a file's rows are all in one level, so each
level holds a range of keys above those of the levels older than it: the lowest key of each level
(:func:`lowest_key`) splits the speeches between them, and gives each level's size in speeches.
Readers look in every level (one index probe each).

On PostgreSQL the two biggest levels, the recent one and the last, keep their postings in blocks
(:data:`BLOCKS_OF`, :mod:`.fingerprint_blocks`): a merge into one of them writes into its blocks,
its own rows (after a ``db copy`` from SQLite) with it, and readers read both.
"""
from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import itemgetter

from sqlalchemy import Connection, Table, bindparam, delete, func, select

from ..bulk import insert_rows
from . import fingerprint_blocks as blocks
from ..schema import (quote_fingerprints, quote_fingerprints_level0, quote_fingerprints_level1, quote_fingerprints_recent,
                      quote_speeches, speeches)

__all__ = [
    "LEVELS", "SHARES", "LOWEST_SAMPLE_ROWS", "FingerprintRows", "next_speech_key", "write_fingerprint_rows",
    "add_fingerprints", "lowest_key", "level_sizes", "overflowing", "settle_fingerprints", "delete_file_fingerprints",
    "fingerprint_stats", "DEFERRED_SLACK", "BLOCKS_OF", "in_blocks", "blocks_of", "block_tables", "level_rows_sql",
    "pack_levels",
]

#: the index's tables, newest first; the last is the big one, which is never merged anywhere
LEVELS: tuple[Table, ...] = (quote_fingerprints_level0, quote_fingerprints_level1, quote_fingerprints_recent,
                             quote_fingerprints)
#: level i is merged into level i + 1 once its speeches are more than ``SHARES[i]`` of the speeches of
#: the levels older than it. Level 0's 1/256 is ~12k speeches at 3M contributions (about a week of
#: sittings, ~2k pages): a new day touches at most those. Level 1's 1/32 bounds what level 0's merges
#: touch (~4M rows at 3M); the recent level's 1/4 keeps the big table's rewrites rare.
SHARES: tuple[float, ...] = (1 / 256, 1 / 32, 1 / 4)
#: how far past its share a level may grow when merges are deferred (an ingest run with
#: ``defer_merges``, as ``despatchbox update`` runs it): a level merges within such a run only once its
#: speeches pass twice its share; until then its merge is left to ``despatchbox db compact`` and to
#: ``despatchbox serve``, which run it when due (:mod:`despatchbox.pipeline.compaction`)
DEFERRED_SLACK = 2.0
#: rows of a level read to find its lowest speech key (:func:`lowest_key`)
LOWEST_SAMPLE_ROWS = 20_000


# --- writing ----------------------------------------------------------------------------------------


def next_speech_key(conn: Connection) -> int:
    """The first unused speech key (ingest runs one at a time: it holds the ingest lock)."""
    return (conn.execute(select(func.max(quote_speeches.c.id))).scalar() or 0) + 1


class FingerprintRows:
    """One file's index rows, worked out before its transaction opens (sorting them is most of
    the work): the speeches in order, and (hash, position of the speech) pairs sorted by hash,
    held as two arrays (``hashes``, ``positions``): they cross from the preparing process to the
    writing one as two blocks of bytes instead of a pickled tuple per row."""

    __slots__ = ("speech_ids", "counts", "hashes", "positions")

    def __init__(self, items: Iterable[tuple[str, Iterable[int]]]):
        self.speech_ids: list[str] = []
        self.counts: list[int] = []
        postings: list[tuple[int, int]] = []
        for at, (speech_id, fps) in enumerate(items):
            distinct = set(fps)
            self.speech_ids.append(speech_id)
            self.counts.append(len(distinct))
            postings.extend(zip(distinct, repeat(at)))
        postings.sort()
        self.hashes = array("q", map(itemgetter(0), postings))
        self.positions = array("q", map(itemgetter(1), postings))

    @classmethod
    def of(cls, speech_ids: list[str], counts: list[int], hashes: array, positions: array) -> "FingerprintRows":
        """Rows already worked out: each speech's count of distinct fingerprints, and the (hash,
        position of the speech) pairs, distinct and sorted, as two ``array("q")``."""
        rows = cls.__new__(cls)
        rows.speech_ids, rows.counts, rows.hashes, rows.positions = speech_ids, counts, hashes, positions
        return rows


def write_fingerprint_rows(conn: Connection, file_id: int, prepared: FingerprintRows) -> int:
    """Add one file's prepared rows to the index's newest level (the caller owns the transaction);
    returns the rows written. Speech keys continue from the highest held, so the rows stay sorted by
    ``(hash, speech_key)`` and the inserts walk that b-tree in order instead of jumping around it."""
    if not prepared.speech_ids:
        return 0
    first = next_speech_key(conn)
    insert_rows(conn, quote_speeches, [{"id": first + at, "speech_id": sid, "file_id": file_id, "postings": n}
                                       for at, (sid, n) in enumerate(zip(prepared.speech_ids, prepared.counts))])
    keys = map(first.__add__, prepared.positions)
    newest = LEVELS[0]
    if conn.dialect.name == "sqlite":
        # the driver's executemany over tuples zipped here: insert_rows would build a dict per
        # row and pass it through the (no-op) bind processors, for the ~25 rows a speech adds
        conn.exec_driver_sql(f"INSERT INTO {newest.name} (hash, speech_key) VALUES (?, ?)",
                             list(zip(prepared.hashes, keys)))
    else:
        insert_rows(conn, newest, [{"hash": h, "speech_key": k} for h, k in zip(prepared.hashes, keys)])
    return len(prepared.hashes)


def add_fingerprints(conn: Connection, file_id: int, items: Iterable[tuple[str, Iterable[int]]]) -> int:
    """Index speeches of one file: ``(speech_id, fingerprints)`` pairs. Returns the rows written."""
    return write_fingerprint_rows(conn, file_id, FingerprintRows(items))


# --- merging levels ---------------------------------------------------------------------------------


#: on PostgreSQL, the levels that keep their postings in blocks, and their tables of blocks
BLOCKS_OF: dict[str, Table] = {quote_fingerprints_recent.name: blocks.RECENT_BLOCKS, quote_fingerprints.name: blocks.BLOCKS}


def in_blocks(conn: Connection) -> bool:
    """Whether the biggest levels keep their postings in blocks (PostgreSQL: :mod:`.fingerprint_blocks`)."""
    return conn.dialect.name == "postgresql"


def blocks_of(conn: Connection, level: Table) -> Table | None:
    """The table of blocks of a level (PostgreSQL's recent and last levels), else None."""
    return BLOCKS_OF.get(level.name) if in_blocks(conn) else None


def block_tables(conn: Connection) -> list[Table]:
    """Every table of blocks this database has, newest level first (none on SQLite)."""
    return [b for b in (blocks_of(conn, level) for level in LEVELS) if b is not None]


def level_rows_sql(conn: Connection, level: Table) -> str:
    """A level's ``(hash, speech_key)`` rows as a SELECT: its table's, and its blocks' postings."""
    held = blocks_of(conn, level)
    own = f"SELECT hash, speech_key FROM {level.name}"
    return own if held is None else f"{own} UNION ALL {blocks.rows_sql(held)}"


def lowest_key(conn: Connection, table: Table, sample_rows: int = LOWEST_SAMPLE_ROWS) -> int | None:
    """The lowest speech key in one level (None when it is empty), read from its first
    ``sample_rows`` rows in key order, ``(hash, speech_key)``: exact when it holds no more, else the
    lowest of a sample spread over its speeches (hashes are uniform, so the smallest ones belong to
    speeches of every file alike; each speech holds tens of rows). A whole scan cost 0.12 s a batch
    with 4.5M rows waiting at 3M contributions, and grew with the record; the sample's answer can
    only be a little above the exact one, which delays a merge by as many speeches."""
    first = select(table.c.speech_key).order_by(table.c.hash, table.c.speech_key).limit(sample_rows).subquery()
    low = conn.execute(select(func.min(first.c.speech_key))).scalar()
    held = blocks_of(conn, table)
    if held is None:
        return low
    in_blocks_low = blocks.lowest_key(conn, held, sample_rows)
    return min((k for k in (low, in_blocks_low) if k is not None), default=None)


def level_sizes(conn: Connection, sample_rows: int = LOWEST_SAMPLE_ROWS) -> list[tuple[int, int]]:
    """For each level but the last, newest first: (its speeches, the speeches of the levels older
    than it), from the levels' lowest keys (:func:`lowest_key`)."""
    top = next_speech_key(conn) - 1            # the highest key of the level being looked at
    sizes = []
    for table in LEVELS[:-1]:
        low = lowest_key(conn, table, sample_rows)
        if low is None:
            sizes.append((0, max(top, 0)))
        else:
            sizes.append((top - low + 1, low - 1))
            top = low - 1
    return sizes


def overflowing(conn: Connection, shares: Sequence[float] | None = None, slack: float = 1.0) -> int:
    """The newest levels that outgrew their share, as the index of the last of them (-1: none).

    From the newest level down: level i overflows when its speeches, with those of the newer levels
    that overflowed into it, are more than ``shares[i] × slack`` of the speeches older than it; the
    first level that does not stops the count. ``shares``: :data:`SHARES` unless given; ``slack``: 1,
    or :data:`DEFERRED_SLACK` where merges are deferred."""
    shares = SHARES if shares is None else shares
    if len(shares) != len(LEVELS) - 1:
        raise ValueError(f"a share for each level but the last: {len(LEVELS) - 1}, not {len(shares)}")
    through = -1
    pending = 0
    for level, ((size, older), share) in enumerate(zip(level_sizes(conn), shares)):
        pending += size
        if pending and pending > share * slack * older:
            through = level
        elif pending:
            break
    return through


def settle_fingerprints(conn: Connection, shares: Sequence[float] | None = None, slack: float = 1.0) -> bool:
    """Merge the levels that outgrew their share (:func:`overflowing`; the caller's transaction);
    True if any was. The levels that overflow are merged together, in one ordered pass, into the
    first level below them that does not (or the big table): a row is written once however many
    levels it drops. The level merged into may outgrow its own share in turn: it is merged by the
    next call."""
    through = overflowing(conn, shares, slack)
    if through < 0:
        return False
    sources, target = LEVELS[:through + 1], LEVELS[through + 1]
    target_blocks = blocks_of(conn, target)
    if target_blocks is not None:         # PostgreSQL: into the target's blocks, its own rows with them
        _merge_into_blocks(conn, (*sources, target), target_blocks)
        return True
    union = " UNION ALL ".join(level_rows_sql(conn, t) for t in sources)
    # a row already in the target is the same row (a speech's rows are in one level): skipping it loses
    # nothing, and on SQLite it spares the statement journal a plain INSERT … SELECT keeps (in memory:
    # temp_store) of every page it changes, i.e. of the whole big table (260 MB at 1M). The levels are
    # read each in key order and merged (SQLite: "MERGE (UNION ALL)", no sorter)
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql(f"INSERT {'OR IGNORE ' if sqlite else ''}INTO {target.name} (hash, speech_key) "
                         f"SELECT hash, speech_key FROM ({union}) AS merged ORDER BY hash, speech_key"
                         + ("" if sqlite else " ON CONFLICT DO NOTHING"))
    _empty(conn, sources)
    return True


def _empty(conn: Connection, levels: Iterable[Table]) -> None:
    for table in levels:
        conn.exec_driver_sql(f"DELETE FROM {table.name}")
        held = blocks_of(conn, table)
        if held is not None:
            conn.exec_driver_sql(f"DELETE FROM {held.name}")


def _merge_into_blocks(conn: Connection, sources: tuple[Table, ...], target_blocks: Table) -> None:
    """The rows and postings of ``sources`` (the last of them the target, whose blocks are
    ``target_blocks``) into those blocks; the sources emptied, the target's own rows included."""
    target = sources[-1]
    union = " UNION ALL ".join([level_rows_sql(conn, t) for t in sources[:-1]]
                               + [f"SELECT hash, speech_key FROM {target.name}"])
    blocks.merge_into_blocks(conn, union, target_blocks)
    _empty(conn, sources[:-1])
    conn.exec_driver_sql(f"DELETE FROM {target.name}")


def pack_levels(conn: Connection) -> bool:
    """On PostgreSQL, the rows in the tables of the levels kept in blocks (a ``db copy`` from SQLite
    puts them there) merged into their blocks; True if there were any."""
    packed = False
    for level in LEVELS:
        held = blocks_of(conn, level)
        if held is not None and conn.execute(select(level.c.hash).limit(1)).first() is not None:
            _merge_into_blocks(conn, (level,), held)
            packed = True
    return packed


# --- deleting a file's rows --------------------------------------------------------------------------


def delete_file_fingerprints(conn: Connection, file_id: int, fingerprints_of: Callable[[str], Iterable[int]]) -> int:
    """Delete one file version's rows from the index (before its speeches: their text is read here),
    given the function its fingerprints were made with; returns the fingerprint rows deleted."""
    held = conn.execute(select(quote_speeches.c.id, quote_speeches.c.speech_id, quote_speeches.c.postings)
                        .where(quote_speeches.c.file_id == file_id)).all()
    if not held:
        return 0
    texts: dict[str, str] = {sid: body for sid, body in conn.execute(
        select(speeches.c.id, speeches.c.text).where(speeches.c.file_id == file_id))}
    pairs = [(h, key) for key, speech_id, _n in held for h in set(fingerprints_of(texts.get(speech_id) or ""))]
    expected = None if any(n is None for _k, _s, n in held) else sum(n for _k, _s, n in held)
    deleted = 0
    # a file's rows are all in one level: the newest levels, the likeliest for a replaced file, first
    for table in LEVELS:
        if pairs and expected and deleted != expected:
            deleted += conn.execute(delete(table).where(
                table.c.hash == bindparam("h"), table.c.speech_key == bindparam("k")),
                [{"h": h, "k": k} for h, k in pairs]).rowcount
        level_blocks = blocks_of(conn, table)
        if level_blocks is not None and pairs and expected and deleted != expected:
            deleted += blocks.delete_postings(conn, pairs, level_blocks)
    if deleted != expected:             # not what the file was indexed with: its range of keys, by a scan
        lo, hi = min(k for k, _s, _n in held), max(k for k, _s, _n in held)
        for table in LEVELS:
            deleted += conn.execute(delete(table).where(table.c.speech_key.between(lo, hi))).rowcount
        for level_blocks in block_tables(conn):
            deleted += blocks.delete_key_range(conn, lo, hi, level_blocks)
    conn.execute(delete(quote_speeches).where(quote_speeches.c.file_id == file_id))
    return deleted


def fingerprint_stats(conn: Connection) -> dict:
    """Rows in the index (for tests and ``stats``)."""
    return {"speeches": conn.execute(select(func.count()).select_from(quote_speeches)).scalar_one(),
            "fingerprints": sum(conn.execute(select(func.count()).select_from(table)).scalar_one()
                                for table in LEVELS) + sum(blocks.count_postings(conn, b) for b in block_tables(conn))}

"""gid redirects that only change the version letter held as one set a superseded version

Issue 18, storage; the design is store/redirect_sets.py's. A superseded version of a sitting day
redirects almost every id to the same id under the next letter, ``perfectmatch`` (93 % of the bench
corpus's redirects), a row each: ~386 bytes a contribution on PostgreSQL at 1M (heap 179, primary
key 207), 130 on SQLite at 20k. ``gid_redirect_sets`` holds them a row per prefix
(``debate/2009-10-27a``): the letter they go to and their suffixes, packed (format 1: sorted,
newline-joined, one zstd frame). ``gid_redirects`` keeps the rest (``changes``, ``altques``,
``removed``, targets elsewhere).

The 20k bench corpus (20,639 contributions): 62,462 rows become 76 sets and 4,334 rows (2,519
``changes``, 1,758 ``altques``, 57 ``removed``). SQLite: 2,691,072 bytes (130.4 a contribution) →
gid_redirects 352,256 + gid_redirect_sets 98,304 + its key's index 4,096 = 22.0 a contribution when
ingested so; upgraded in place (0.4 s), the same sets and rows in 397,312 bytes (19.3). PostgreSQL,
the same rows upgraded in place (0.5 s): heap, key and their maps 7,012,352 bytes (339.8 a
contribution) → 778,240 (37.7); 35.3 after ``VACUUM FULL``.

Upgrading creates the table, copies the rows no set can hold into a new table in one statement
(``changes``, ``altques``, ``removed``, targets elsewhere), and reads the others (``match_type`` ``''``,
a one-letter ``new_id``) in key order, a page at a time (keyset paging: memory holds a page and one
prefix's suffixes, ~1,400 at most in the bench corpus). Each prefix's suffixes become its set (the letter
most of them go to; the rows to another letter are copied as rows), the sets written a few hundred a
statement and the copied rows a page a statement (``INSERT … SELECT FROM unnest`` on PostgreSQL,
``executemany`` on SQLite). The new table then replaces the held one (as 0018's did; ``WITHOUT ROWID``
on SQLite, 0015): the moved rows leave with it. Deleting them instead left PostgreSQL's heap and key
at full size (346.9 bytes a contribution after the upgrade above) until a ``VACUUM FULL``. A prefix
met again later (a database collation that does not keep a prefix's ids together) joins the set
written for it. On PostgreSQL the packed column is ``STORAGE EXTERNAL``: zstd leaves nothing for TOAST
to compress.

Downgrading writes every set's entries back as rows (a page of sets at a time, a statement a few
thousand rows) and drops the table.

Revision ID: 0032
Revises: 0031
"""
from collections import Counter

from alembic import op

from despatchbox.store.redirect_ids import PERFECT_MATCH, key_of, key_stored, target_of
from despatchbox.store.redirect_sets import pack, set_entry, unpack

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

#: rows read (and kept, and written back) per round
CHUNK = 5000
#: sets written per statement
SETS_PER_WRITE = 200
#: the rows a set may hold, as stored: a perfect match (0020c) to a version letter (0018)
CANDIDATES = "match_type = '' AND length(new_id) = 1"
#: every other row
OTHERS = "match_type IS NULL OR match_type <> '' OR length(new_id) <> 1"


def _insert_rows(conn, table: str, rows: list[tuple]) -> None:
    """Rows (old_id, new_id, match_type) as stored, a statement a chunk."""
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"INSERT INTO {table} (old_id, new_id, match_type) SELECT * "
                                 f"FROM unnest(%s::text[], %s::text[], %s::text[])", tuple(map(list, zip(*part))))
        else:
            conn.exec_driver_sql(f"INSERT INTO {table} (old_id, new_id, match_type) VALUES (?, ?, ?)", part)


class _Sets:
    """The sets being made, and the candidate rows they do not take (kept as rows): written in rounds."""

    def __init__(self, conn, kept_table: str) -> None:
        self.conn = conn
        self.kept_table = kept_table
        self.mark = "%s" if conn.dialect.name == "postgresql" else "?"
        self.written: dict[str, str] = {}          # stored prefix → letter, of the sets written
        self.pending: list[tuple[str, str, bytes]] = []
        self.kept: list[tuple] = []                # rows as stored, to write to the kept table

    def keep(self, old: str, new: str) -> None:
        self.kept.append((old, new, ""))
        if len(self.kept) >= CHUNK:
            self.flush()

    def add(self, prefix: str, group: list[tuple[str, str, str]]) -> None:
        """One prefix's rows (stored old id, letter, suffix) as its set (or into the one written); the
        rows to another letter than the set's are kept."""
        letter = self.written.get(prefix) or Counter(lt for _o, lt, _s in group).most_common(1)[0][0]
        suffixes = [suffix for _o, lt, suffix in group if lt == letter]
        self.kept += [(old, lt, "") for old, lt, _s in group if lt != letter]
        if prefix in self.written:                 # met again: the collation split its ids
            self.flush()
            held = self.conn.exec_driver_sql(f"SELECT suffixes FROM gid_redirect_sets WHERE prefix = {self.mark}",
                                             (prefix,)).scalar_one()
            self.conn.exec_driver_sql(f"UPDATE gid_redirect_sets SET suffixes = {self.mark} WHERE prefix = {self.mark}",
                                      (pack(unpack(held) + suffixes), prefix))
        else:
            self.written[prefix] = letter
            self.pending.append((prefix, letter, pack(suffixes)))
        if len(self.pending) >= SETS_PER_WRITE or len(self.kept) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        m = self.mark
        if self.pending:
            self.conn.exec_driver_sql(f"INSERT INTO gid_redirect_sets (prefix, letter, suffixes) VALUES ({m}, {m}, {m})",
                                      self.pending)
            self.pending = []
        _insert_rows(self.conn, self.kept_table, self.kept)
        self.kept = []


def _entry(stored_old: str, letter: str) -> tuple[str, str, str] | None:
    """(stored prefix, letter, suffix) of a held row that only changes the letter, if a set can hold it."""
    old = key_of(stored_old)
    entry = set_entry(old, target_of(old, letter), PERFECT_MATCH)
    return None if entry is None else (key_stored(entry[0]), entry[1], entry[2])


def _candidates(conn):
    """Pages of the rows a set may hold, (stored old id, letter), in key order (keyset paging). Every
    row is read by key and the candidates picked here: with their test in the statement PostgreSQL
    guessed it rare and sorted the whole table for each page (0.3 s a page at 1M: 4 minutes)."""
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    last = None
    while True:
        if last is None:
            rows = conn.exec_driver_sql(f"SELECT old_id, new_id, match_type FROM gid_redirects "
                                        f"ORDER BY old_id LIMIT {CHUNK}").all()
        else:
            rows = conn.exec_driver_sql(f"SELECT old_id, new_id, match_type FROM gid_redirects WHERE old_id > {mark} "
                                        f"ORDER BY old_id LIMIT {CHUNK}", (last,)).all()
        if not rows:
            return
        yield [(old, new) for old, new, match in rows if match == "" and len(new) == 1]     # CANDIDATES
        last = rows[-1][0]


def upgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    conn.exec_driver_sql(f"CREATE TABLE gid_redirect_sets (prefix VARCHAR(120) NOT NULL, letter VARCHAR(1) NOT NULL, "
                         f"suffixes {'BYTEA' if postgresql else 'BLOB'} NOT NULL, "
                         f"CONSTRAINT pk_gid_redirect_sets PRIMARY KEY (prefix))")
    if postgresql:
        conn.exec_driver_sql("ALTER TABLE gid_redirect_sets ALTER COLUMN suffixes SET STORAGE EXTERNAL")
    # the rows kept go to a new table that replaces the held one (as 0018's): the moved rows leave
    # with the old table, their space given back at once (PostgreSQL deleting them would leave the heap
    # and its key at full size until a VACUUM FULL)
    conn.exec_driver_sql("DROP TABLE IF EXISTS gid_redirects_kept")
    conn.exec_driver_sql("CREATE TABLE gid_redirects_kept (old_id VARCHAR(120) NOT NULL, new_id VARCHAR(120) NOT NULL, "
                         "match_type VARCHAR(40), CONSTRAINT gid_redirects_kept_pkey PRIMARY KEY (old_id))"
                         + ("" if postgresql else " WITHOUT ROWID"))
    conn.exec_driver_sql(f"INSERT INTO gid_redirects_kept (old_id, new_id, match_type) SELECT old_id, new_id, match_type "
                         f"FROM gid_redirects WHERE {OTHERS} ORDER BY old_id")
    sets = _Sets(conn, "gid_redirects_kept")
    prefix = ""                       # the prefix being read, and its rows
    group: list[tuple[str, str, str]] = []
    for rows in _candidates(conn):
        for old, letter in rows:
            entry = _entry(old, letter)
            if entry is None:
                sets.keep(old, letter)
                continue
            if entry[0] != prefix:
                if group:
                    sets.add(prefix, group)
                prefix, group = entry[0], []
            group.append((old, entry[1], entry[2]))
    if group:
        sets.add(prefix, group)
    sets.flush()
    conn.exec_driver_sql("DROP TABLE gid_redirects")
    conn.exec_driver_sql("ALTER TABLE gid_redirects_kept RENAME TO gid_redirects")
    if postgresql:
        conn.exec_driver_sql("ALTER INDEX gid_redirects_kept_pkey RENAME TO gid_redirects_pkey")


def downgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    mark = "%s" if postgresql else "?"
    last = None
    while True:
        if last is None:
            page = conn.exec_driver_sql("SELECT prefix, letter, suffixes FROM gid_redirect_sets ORDER BY prefix "
                                        "LIMIT 100").all()
        else:
            page = conn.exec_driver_sql(f"SELECT prefix, letter, suffixes FROM gid_redirect_sets WHERE prefix > {mark} "
                                        f"ORDER BY prefix LIMIT 100", (last,)).all()
        if not page:
            break
        rows = []
        for prefix, letter, packed in page:
            whole = key_of(prefix)
            rows += [(key_stored(whole + suffix), letter, "") for suffix in unpack(packed)]
        _insert_rows(conn, "gid_redirects", rows)
        last = page[-1][0]
    conn.exec_driver_sql("DROP TABLE gid_redirect_sets")

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
gid_redirects 352,256 + gid_redirect_sets 98,304 + its key's index 4,096 = 22.0 a contribution, the
same whether ingested so or upgraded (0.7 s). PostgreSQL, the same rows upgraded (0.9 s), after
``VACUUM FULL``: heap and key 6,987,776 bytes (338.6 a contribution) → 729,088 (35.3).

Upgrading creates the table and reads the rows a set can hold (``match_type`` ``''``, a one-letter
``new_id``) in key order, a page at a time (keyset paging: memory holds a page and one prefix's
suffixes, ~1,400 at most in the bench corpus); each prefix's suffixes become its set (the letter most
of them go to; the others stay rows), the sets are written a few hundred a statement and the moved rows
deleted a page at a time (``= ANY`` of an array on PostgreSQL, ``IN`` on SQLite). A prefix met again
later (a database collation that does not keep a prefix's ids together) joins the set written for it.
On PostgreSQL the packed column is ``STORAGE EXTERNAL``: zstd leaves nothing for TOAST to compress.

Downgrading writes every set's entries back as rows (a set at a time; one ``INSERT … SELECT FROM
unnest`` a few thousand rows on PostgreSQL, ``executemany`` on SQLite) and drops the table.

Revision ID: 0031
Revises: 0030
"""
from collections import Counter

from alembic import op

from despatchbox.store.redirect_ids import PERFECT_MATCH, key_of, key_stored, target_of
from despatchbox.store.redirect_sets import pack, set_entry, unpack

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

#: rows read (and deleted, and written back) per round
CHUNK = 5000
#: sets written per statement
SETS_PER_WRITE = 200


class _Sets:
    """The sets being made, and the rows they take: written and deleted in rounds."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.postgresql = conn.dialect.name == "postgresql"
        self.mark = "%s" if self.postgresql else "?"
        self.written: dict[str, str] = {}          # stored prefix → letter, of the sets written
        self.pending: list[tuple[str, str, bytes]] = []
        self.moved: list[str] = []                 # stored old ids now in a set, to delete

    def add(self, prefix: str, group: list[tuple[str, str, str]]) -> None:
        """One prefix's rows (stored old id, letter, suffix) as its set (or into the one written)."""
        letter = self.written.get(prefix) or Counter(lt for _o, lt, _s in group).most_common(1)[0][0]
        taken = [(old, suffix) for old, lt, suffix in group if lt == letter]
        suffixes = [suffix for _o, suffix in taken]
        if prefix in self.written:                 # met again: the collation split its ids
            self.flush()
            held = self.conn.exec_driver_sql(f"SELECT suffixes FROM gid_redirect_sets WHERE prefix = {self.mark}",
                                             (prefix,)).scalar_one()
            self.conn.exec_driver_sql(f"UPDATE gid_redirect_sets SET suffixes = {self.mark} WHERE prefix = {self.mark}",
                                      (pack(unpack(held) + suffixes), prefix))
        else:
            self.written[prefix] = letter
            self.pending.append((prefix, letter, pack(suffixes)))
        self.moved += [old for old, _s in taken]
        if len(self.pending) >= SETS_PER_WRITE or len(self.moved) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        m = self.mark
        if self.pending:
            self.conn.exec_driver_sql(f"INSERT INTO gid_redirect_sets (prefix, letter, suffixes) VALUES ({m}, {m}, {m})",
                                      self.pending)
            self.pending = []
        for start in range(0, len(self.moved), CHUNK):
            ids = self.moved[start:start + CHUNK]
            if self.postgresql:
                self.conn.exec_driver_sql("DELETE FROM gid_redirects WHERE old_id = ANY(%s)", (ids,))
            else:
                for part in range(0, len(ids), 500):
                    some = ids[part:part + 500]
                    self.conn.exec_driver_sql(f"DELETE FROM gid_redirects WHERE old_id IN ({', '.join('?' * len(some))})",
                                              tuple(some))
        self.moved = []


def _entry(stored_old: str, letter: str) -> tuple[str, str, str] | None:
    """(stored prefix, letter, suffix) of a held row that only changes the letter, if a set can hold it."""
    old = key_of(stored_old)
    entry = set_entry(old, target_of(old, letter), PERFECT_MATCH)
    return None if entry is None else (key_stored(entry[0]), entry[1], entry[2])


def upgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    conn.exec_driver_sql(f"CREATE TABLE gid_redirect_sets (prefix VARCHAR(120) NOT NULL, letter VARCHAR(1) NOT NULL, "
                         f"suffixes {'BYTEA' if postgresql else 'BLOB'} NOT NULL, "
                         f"CONSTRAINT pk_gid_redirect_sets PRIMARY KEY (prefix))")
    if postgresql:
        conn.exec_driver_sql("ALTER TABLE gid_redirect_sets ALTER COLUMN suffixes SET STORAGE EXTERNAL")
    sets = _Sets(conn)
    group: list[tuple[str, str, str]]
    wanted = "match_type = '' AND length(new_id) = 1"
    prefix, group = "", []            # the prefix being read, and its rows
    last = None
    while True:
        if last is None:
            rows = conn.exec_driver_sql(f"SELECT old_id, new_id FROM gid_redirects WHERE {wanted} "
                                        f"ORDER BY old_id LIMIT {CHUNK}").all()
        else:
            rows = conn.exec_driver_sql(f"SELECT old_id, new_id FROM gid_redirects WHERE old_id > {sets.mark} "
                                        f"AND {wanted} ORDER BY old_id LIMIT {CHUNK}", (last,)).all()
        if not rows:
            break
        for old, letter in rows:
            entry = _entry(old, letter)
            if entry is None:
                continue
            if entry[0] != prefix:
                if group:
                    sets.add(prefix, group)
                prefix, group = entry[0], []
            group.append((old, entry[1], entry[2]))
        last = rows[-1][0]
    if group:
        sets.add(prefix, group)
    sets.flush()


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
            rows += [(key_stored(whole + suffix), letter) for suffix in unpack(packed)]
        for start in range(0, len(rows), CHUNK):
            part = rows[start:start + CHUNK]
            if postgresql:
                conn.exec_driver_sql("INSERT INTO gid_redirects (old_id, new_id, match_type) SELECT o, n, '' "
                                     "FROM unnest(%s::text[], %s::text[]) AS t(o, n)",
                                     ([o for o, _n in part], [n for _o, n in part]))
            else:
                conn.exec_driver_sql("INSERT INTO gid_redirects (old_id, new_id, match_type) VALUES (?, ?, '')", part)
        last = page[-1][0]
    conn.exec_driver_sql("DROP TABLE gid_redirect_sets")

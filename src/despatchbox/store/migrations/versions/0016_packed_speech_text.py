"""Speech HTML and text packed on SQLite (store/packing: zstd with the trained dictionary)

SQLite only (issue 18, storage). ``speeches.html`` and ``speeches.text`` were the largest part of
a database: ~1,875 bytes per contribution, uncompressed, the text held twice. From this revision
the store writes them packed (:class:`despatchbox.store.packing.PackedText`); this migration
packs the rows already held, in rowid order, a chunk at a time, all in the migration's one
transaction (a stopped run leaves every row as it was). Empty text stays ``''``.

SQLite keeps the declared ``TEXT`` type (a BLOB in a TEXT column stays a BLOB), so no table is
rebuilt. The search trigger that fires on ``UPDATE OF text`` is dropped while the rows are
rewritten and created again from its own SQL: repacking is not a change the search index must
see (the words are the same). The freed pages are reused by later ingests; SQLite's ``VACUUM``
gives them back to the file system.

PostgreSQL keeps plain ``text`` (its full-text triggers read the column): nothing changes there.

Revision ID: 0016
Revises: 0015
"""
from alembic import op

from despatchbox.store.packing import pack, unpack

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: rows rewritten per round
CHUNK = 2000


def _rewrite(convert) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    triggers = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                    "AND tbl_name = 'speeches' AND sql LIKE '%UPDATE%'").all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    after = 0
    while True:
        rows = conn.exec_driver_sql("SELECT rowid, html, text FROM speeches WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                    (after, CHUNK)).all()
        if not rows:
            break
        conn.exec_driver_sql("UPDATE speeches SET html = ?, text = ? WHERE rowid = ?",
                             [(convert(html), convert(text), rowid) for rowid, html, text in rows])
        after = rows[-1][0]
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


def upgrade() -> None:
    _rewrite(lambda value: pack(unpack(value)))


def downgrade() -> None:
    _rewrite(unpack)

"""A speech's html and text packed in one frame on SQLite; ``speeches.text`` keeps only "has text"

SQLite only (issue 18, storage; store/packing/columns.py). From 0016 each of ``speeches.html``
and ``speeches.text`` was its own zstd frame (format 1), the text mostly a second copy of the
html's words. From this revision ``speeches.html`` holds both in one frame (format 2: the html's
length, then html and text) and ``speeches.text`` holds ``''`` (no text) or ``'1'`` (text, in the
html column's frame): the search triggers' ``text <> ''`` reads as before.

The rows held are rewritten in rowid order, a chunk at a time, all in the migration's one
transaction (a stopped run leaves every row as it was). The triggers that fire on ``UPDATE OF
text`` are dropped while the rows are rewritten and created again from their own SQL: the words
are the same, so the search index must not see a change. Downgrading writes each column as its
own frame again (0016's form). Freed pages are reused by later ingests; ``VACUUM`` returns them.

PostgreSQL keeps plain ``text`` columns: nothing changes there.

Revision ID: 0020
Revises: 0019
"""
from alembic import op

from despatchbox.store.packing import pack, unpack, unpack_body
from despatchbox.store.packing.columns import stored_body

revision = "0020"
down_revision = "0019"
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
                             [(*convert(html, text), rowid) for rowid, html, text in rows])
        after = rows[-1][0]
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


def _one_frame(html, text) -> tuple:
    return stored_body(unpack(html), unpack(text))


def _two_frames(body, _has_text) -> tuple:
    html, text = unpack_body(body)
    return pack(html), pack(text)


def upgrade() -> None:
    _rewrite(_one_frame)


def downgrade() -> None:
    _rewrite(_two_frames)

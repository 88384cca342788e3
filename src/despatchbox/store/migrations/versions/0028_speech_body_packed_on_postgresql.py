"""A speech's html and text packed in one frame on PostgreSQL too, as SQLite has kept them since 0020

Issue 18, storage. PostgreSQL kept ``speeches.html`` and ``speeches.text`` as plain text: 2.0 KB a
contribution of the 5.2 KB its 20k bench database held (vacuumed), because TOAST compresses only
rows over ~2 KB, and most speeches are shorter. Its full-text triggers read the text in SQL until
0021; nothing does now. From this revision ``speeches.html`` is a ``bytea`` holding the body packed
as on SQLite (``store/packing``: zstd with the trained dictionary, html and text in one frame) and
``speeches.text`` holds ``''`` (no text) or ``'1'`` (text, in the html column's frame): the search
trigger's ``text <> ''`` reads as before. The column types (``store/packing/columns.py``) read and
write both databases alike from here. The trigger that re-lists an edited speech for the search
index (``search_items_follow_edit``, 0021) watches ``html`` too: an edit of the words changes the
packed body, while ``text`` stays ``'1'`` (SQLite's trigger fires on the columns an UPDATE sets,
PostgreSQL's compares their values).

The rows held are rewritten in id order, a chunk at a time, into a new column that then replaces
``html``, all in the migration's one transaction (a stopped run leaves every row as it was). The
table's own triggers are switched off meanwhile: the words are the same, so the search index must
not see a change. PostgreSQL keeps the old row versions until ``VACUUM`` (``VACUUM FULL speeches``
returns their space to the system at once). SQLite: nothing changes. Downgrading writes plain html
and text again.

Revision ID: 0028
Revises: 0027
"""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from alembic import op

from despatchbox.store.packing import unpack_body
from despatchbox.store.packing.columns import stored_body

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

#: rows rewritten per round
CHUNK = 2000

#: what an edit must change to re-list a speech for the search index: 0021's columns, and from here
#: the html, which holds the words
_WATCHED_BEFORE = ("text", "debate_id", "kind", "date", "person_id", "membership_id")
_WATCHED = ("html", *_WATCHED_BEFORE)


def _follow_edits(watched: tuple[str, ...]) -> None:
    """(Re)create PostgreSQL's trigger that re-lists a speech whose ``watched`` columns change (0021)."""
    conn = op.get_bind()
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS search_items_follow_edit ON speeches")
    conn.exec_driver_sql(
        f"""CREATE TRIGGER search_items_follow_edit AFTER UPDATE OF {', '.join(watched)} ON speeches
        FOR EACH ROW WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in watched)})
        EXECUTE FUNCTION search_items_follow()""")


def _rewrite(column_type: str, convert: Callable[[Any, str], tuple[Any, str]]) -> None:
    """Every speech's (html, text) through ``convert`` into a new html column of ``column_type``."""
    conn = op.get_bind()
    conn.exec_driver_sql("ALTER TABLE speeches DISABLE TRIGGER USER")
    conn.exec_driver_sql(f"ALTER TABLE speeches ADD COLUMN html_rewritten {column_type}")
    read = sa.text("SELECT id, html, text FROM speeches WHERE id > :after ORDER BY id LIMIT :chunk")
    write = sa.text("UPDATE speeches SET html_rewritten = :html, text = :text WHERE id = :id")
    after = ""
    while True:
        rows = conn.execute(read, {"after": after, "chunk": CHUNK}).all()
        if not rows:
            break
        conn.execute(write, [dict(zip(("html", "text"), convert(html, text)), id=sid) for sid, html, text in rows])
        after = rows[-1][0]
    conn.exec_driver_sql("ALTER TABLE speeches DROP COLUMN html")
    conn.exec_driver_sql("ALTER TABLE speeches RENAME COLUMN html_rewritten TO html")
    conn.exec_driver_sql("ALTER TABLE speeches ALTER COLUMN html SET NOT NULL")
    conn.exec_driver_sql("ALTER TABLE speeches ENABLE TRIGGER USER")


def _plain(body, _has_text) -> tuple[str, str]:
    return unpack_body(bytes(body))


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():                               # SQLite has stored its rows so since 0020
        _rewrite("bytea", stored_body)
        _follow_edits(_WATCHED)


def downgrade() -> None:
    if _postgresql():
        _follow_edits(_WATCHED_BEFORE)             # before the html column it watched is replaced
        _rewrite("text", _plain)

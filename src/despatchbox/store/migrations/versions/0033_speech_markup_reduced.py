"""A speech's markup stored reduced to the whitelist (body format 3), as ingest writes it from this revision

Issue 18, pages. A page put each speech's stored markup (the source's, ``<p pid=…>``, ``<phrase>``
and all) through the sanitiser on every render: 0.5–0.8 ms of the bench's 142-speech debate page.
Ingest now reduces it once, where the record is built (``record/markup.reduced``), and stores the
body in format 3 (``store/packing``), read back as ``SafeHtml``, which a page puts in as it is.

Upgrading rewrites every body held in format 2 (the source's markup) in format 3: its html reduced,
its text the same, a chunk at a time in id order, in the migration's one transaction (a stopped run
leaves every row as it was). Only ``speeches.html`` is written. SQLite's search triggers watch
``text`` and the columns they copy, not ``html``; PostgreSQL's re-listing trigger watches ``html``
(its words are in it since 0028), so the table's own triggers are off meanwhile, as 0028 and 0031
did: the words are the same, and the search index must not see a change. PostgreSQL keeps the old
row versions until ``VACUUM`` (and SQLite keeps the pages freed for reuse). Measured (docs/benchmarks.md,
7 December 2026, eighth round): 1.4 s for the 20k bench's 20,639 bodies on SQLite, 101 s for 1M on
PostgreSQL; reduced bodies pack smaller (2.79 → 2.75 KB a contribution at 20k, ingested afresh).

Downgrading writes the bodies held in format 3 back in format 2, which the versions before this one
read (and reduce again on each page). Their html stays reduced: the source's markup is not kept.

Revision ID: 0033
Revises: 0032
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from alembic import op

from despatchbox.record.markup import reduced
from despatchbox.store.packing import BODY_FORMAT, SAFE_BODY_FORMAT, pack_body, unpack_body

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

#: rows read per round
CHUNK = 2000


def _rewrite(found_in: int, convert: Callable[[bytes], bytes]) -> None:
    """Every speech body held in format ``found_in`` through ``convert``, the other rows as they are."""
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        conn.exec_driver_sql("ALTER TABLE speeches DISABLE TRIGGER USER")
    read = sa.text("SELECT id, html FROM speeches WHERE id > :after ORDER BY id LIMIT :chunk")
    write = sa.text("UPDATE speeches SET html = :html WHERE id = :id")
    after = ""
    while True:
        rows = conn.execute(read, {"after": after, "chunk": CHUNK}).all()
        if not rows:
            break
        bodies = [(sid, bytes(body)) for sid, body in rows if body is not None]
        changed = [{"id": sid, "html": convert(body)} for sid, body in bodies if body and body[0] == found_in]
        if changed:
            conn.execute(write, changed)
        after = rows[-1][0]
    if postgresql:
        conn.exec_driver_sql("ALTER TABLE speeches ENABLE TRIGGER USER")


def _reduce(body: bytes) -> bytes:
    html, text = unpack_body(body)
    return pack_body(reduced(html), text)


def _as_format_2(body: bytes) -> bytes:
    html, text = unpack_body(body)
    return pack_body(str(html), text)


def upgrade() -> None:
    _rewrite(BODY_FORMAT, _reduce)


def downgrade() -> None:
    _rewrite(SAFE_BODY_FORMAT, _as_format_2)

"""Links to the printed Hansard and printed speaker ids stored without their common prefix

Issue 18, storage; the stored form is store/short_text.py's (``HansardLink``, ``PrintedSpeakerId``).
On both databases, in place: ``speeches.url``, ``headings.url`` and ``divisions.url`` lose
``http://www.publications.parliament.uk/pa/``, ``speeches.speaker_id`` loses ``uk.org.publicwhip/``;
any other value is kept whole behind ``=``. One UPDATE per column, in the migration's transaction.
These columns are not searched: SQLite's search triggers fire on other columns, and PostgreSQL's
trigger (which fires on any update) is switched off while the rows are rewritten. Downgrading puts
the prefixes back the same way.

Revision ID: 0020c
Revises: 0020b
"""
import sqlalchemy as sa
from alembic import op

from despatchbox.store.short_text import HANSARD_LINK, PARLPARSE_ID

revision = "0020c"
down_revision = "0020b"
branch_labels = None
depends_on = None

#: (table, column, the prefix its values are stored without)
COLUMNS = [("speeches", "url", HANSARD_LINK), ("headings", "url", HANSARD_LINK), ("divisions", "url", HANSARD_LINK),
           ("speeches", "speaker_id", PARLPARSE_ID)]


def _rewrite(assignment: str) -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql("ALTER TABLE speeches DISABLE TRIGGER USER")
    for table, column, prefix in COLUMNS:
        conn.execute(sa.text(f"UPDATE {table} SET {column} = {assignment.format(c=column)} "
                             f"WHERE {column} IS NOT NULL"), {"p": prefix, "n": len(prefix)})
    if postgres:
        conn.exec_driver_sql("ALTER TABLE speeches ENABLE TRIGGER USER")


def upgrade() -> None:
    # short_text.stored: the rest after the prefix, unless it begins with '='; else '=' and the whole value
    _rewrite("CASE WHEN substr({c}, 1, :n) = :p AND substr({c}, :n + 1, 1) <> '=' THEN substr({c}, :n + 1) "
             "ELSE '=' || {c} END")


def downgrade() -> None:
    # short_text.whole
    _rewrite("CASE WHEN substr({c}, 1, 1) = '=' THEN substr({c}, 2) ELSE :p || {c} END")

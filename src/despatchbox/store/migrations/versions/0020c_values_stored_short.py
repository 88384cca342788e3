"""Links, printed speaker ids and redirect match types stored short

Issue 18, storage; the stored forms are store/short_text.py's (``HansardLink``, ``PrintedSpeakerId``)
and store/redirect_ids.py's (``RedirectMatch``). On both databases, in place: ``speeches.url``,
``headings.url`` and ``divisions.url`` lose ``http://www.publications.parliament.uk/pa/``,
``speeches.speaker_id`` loses ``uk.org.publicwhip/`` (any other value is kept whole behind ``=``),
and ``gid_redirects.match_type`` ``perfectmatch`` becomes ``''`` (a value that is ``''`` or begins
with ``=`` goes behind ``=``). One UPDATE per column, in the migration's transaction. These columns
are not searched: SQLite's search triggers fire on other columns, and PostgreSQL's trigger (which
fires on any update of a speech) is switched off while the rows are rewritten. Downgrading writes
the whole values back the same way.

Revision ID: 0020c
Revises: 0020b
"""
import sqlalchemy as sa
from alembic import op

from despatchbox.store.redirect_ids import PERFECT_MATCH
from despatchbox.store.short_text import HANSARD_LINK, PARLPARSE_ID

revision = "0020c"
down_revision = "0020b"
branch_labels = None
depends_on = None

#: (table, column, the prefix its values are stored without)
PREFIXED = [("speeches", "url", HANSARD_LINK), ("headings", "url", HANSARD_LINK), ("divisions", "url", HANSARD_LINK),
            ("speeches", "speaker_id", PARLPARSE_ID)]

#: short_text.stored and short_text.whole
_DROP = ("CASE WHEN substr({c}, 1, :n) = :p AND substr({c}, :n + 1, 1) <> '=' THEN substr({c}, :n + 1) "
         "ELSE '=' || {c} END")
_RESTORE = "CASE WHEN substr({c}, 1, 1) = '=' THEN substr({c}, 2) ELSE :p || {c} END"
#: redirect_ids.match_stored and redirect_ids.match_of
_MATCH_SHORT = ("CASE WHEN match_type = :m THEN '' WHEN match_type = '' OR substr(match_type, 1, 1) = '=' "
                "THEN '=' || match_type ELSE match_type END")
_MATCH_WHOLE = ("CASE WHEN match_type = '' THEN :m WHEN substr(match_type, 1, 1) = '=' THEN substr(match_type, 2) "
                "ELSE match_type END")


def _rewrite(prefixed: str, match: str) -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql("ALTER TABLE speeches DISABLE TRIGGER USER")
    for table, column, prefix in PREFIXED:
        conn.execute(sa.text(f"UPDATE {table} SET {column} = {prefixed.format(c=column)} "
                             f"WHERE {column} IS NOT NULL"), {"p": prefix, "n": len(prefix)})
    conn.execute(sa.text(f"UPDATE gid_redirects SET match_type = {match} WHERE match_type IS NOT NULL"),
                 {"m": PERFECT_MATCH})
    if postgres:
        conn.exec_driver_sql("ALTER TABLE speeches ENABLE TRIGGER USER")


def upgrade() -> None:
    _rewrite(_DROP, _MATCH_SHORT)


def downgrade() -> None:
    _rewrite(_RESTORE, _MATCH_WHOLE)

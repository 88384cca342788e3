"""speeches with a printed office found from an index of their own; memberships by party

Issue 18, pages. A department page names the people who answered its items of the last two weeks
under a printed office (``speeches.speaker_office``, the record's own word for ministers the ministers
data misses: ``store/queries/departments.offices_printed_in``). The statement found the department's
sections from ``ix_debates_department`` and then read every speech of them from the table to see
whether it had a printed office: 732 speeches for the busiest department of the 20k bench database,
of which 18 had one (0.33 ms, the department page's largest statement). About 2.5 % of speeches have
a printed office (504 of 20,639 at 20k). ``ix_speeches_printed_office`` holds only those, by
debate (a partial index: SQLite and PostgreSQL both keep one): the statement reads those rows alone
(0.09 ms). It costs ~1 byte a contribution (5 pages of 4 KiB at 20k).

A member page's fellow speakers leave out the chair's seats (Speaker, Chairman and Deputy Chairmen
of Ways and Means: ``store/queries/people.fellow_speakers``). The statement looked up the membership
of every (debate, seat) row of the member's latest debates for its party (941 rows for the busiest
member at 20k); it now asks whether the seat is one of the chair's, the few memberships of those
parties, found from ``ix_memberships_party`` (1.04 -> 0.69 ms). Memberships are seats, not
contributions: the index is a few thousand rows at any size of the record.

Downgrading drops both indexes.

Revision ID: 0027
Revises: 0026
"""
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

#: the indexes, as store/schema.py declares them
INDEXES = ("CREATE INDEX ix_speeches_printed_office ON speeches (debate_id) WHERE speaker_office IS NOT NULL",
           "CREATE INDEX ix_memberships_party ON memberships (party)")


def upgrade() -> None:
    for sql in INDEXES:
        op.get_bind().exec_driver_sql(sql)


def downgrade() -> None:
    op.get_bind().exec_driver_sql("DROP INDEX ix_memberships_party")
    op.get_bind().exec_driver_sql("DROP INDEX ix_speeches_printed_office")

"""page speed: covering indexes for member and department pages

- ``ix_speeches_person_cover`` (person_id, date, element, words, debate_id, position) replaces
  ``ix_speeches_person_date`` (its first two columns): a member page's counts, activity by day,
  departments debated with, latest debates and their debates with a department are read from the
  index alone, never from the (large) speech rows.
- ``ix_speeches_debate_person`` (debate_id, person_id, position, membership_id): "did this person speak
  in this debate", and who else spoke in a set of debates, without reading speech rows.
- ``ix_headings_debate_level`` (debate_id, level, position): a section's question groups (minor
  headings) in order; counting a department's written answers reads this index only.
- ``ix_debates_department_kind`` (department_slug, kind, date): counting a department's sections of
  some kinds reads this index only.

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-28 02:00:00
"""
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_speeches_person_cover", "speeches",
                    ["person_id", "date", "element", "words", "debate_id", "position"], unique=False)
    op.drop_index("ix_speeches_person_date", table_name="speeches")
    op.create_index("ix_speeches_debate_person", "speeches", ["debate_id", "person_id", "position", "membership_id"],
                    unique=False)
    op.create_index("ix_headings_debate_level", "headings", ["debate_id", "level", "position"], unique=False)
    op.create_index("ix_debates_department_kind", "debates", ["department_slug", "kind", "date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_debates_department_kind", table_name="debates")
    op.drop_index("ix_headings_debate_level", table_name="headings")
    op.drop_index("ix_speeches_debate_person", table_name="speeches")
    op.create_index("ix_speeches_person_date", "speeches", ["person_id", "date"], unique=False)
    op.drop_index("ix_speeches_person_cover", table_name="speeches")

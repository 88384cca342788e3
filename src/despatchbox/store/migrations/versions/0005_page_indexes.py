"""page indexes: a department's ministers on a day; the latest sitting days of a chamber

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-28 01:00:00
"""
from alembic import op

revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # /dept/{slug}: offices of one department in post on a day (store/queries/departments.ministers_on)
    op.create_index('ix_offices_department', 'offices', ['department_slug', 'from_date'], unique=False)
    # /: the latest sitting days of one chamber (store/queries/debates.latest_sitting_days)
    op.create_index('ix_debates_kind_date', 'debates', ['kind', 'date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_debates_kind_date', table_name='debates')
    op.drop_index('ix_offices_department', table_name='offices')

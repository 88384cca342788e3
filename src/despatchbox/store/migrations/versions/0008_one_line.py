"""merge: the five heads of 0002, 0003, 0004, 0005 and 0007 become one line

Each of those revisions was written against 0001 and touches its own tables and indexes,
so their order does not matter; from here every new revision revises the last one and
``alembic heads`` shows one head.

Revision ID: 0008
Revises: 0002, 0003, 0004, 0005, 0007
Create Date: 2026-12-02 11:45:00
"""
revision = "0008"
down_revision = ("0002", "0003", "0004", "0005", "0007")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

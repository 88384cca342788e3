"""gid redirects without a rowid: on SQLite the table *is* its primary key's b-tree

SQLite only (issue 18, storage). ``gid_redirects(old_id PRIMARY KEY, new_id, match_type)`` was an
ordinary rowid table, so SQLite kept every row twice: once in the table's rowid b-tree and once
in the automatic unique index on ``old_id`` (measured at 100k: 327 + 182 bytes per contribution).
As ``WITHOUT ROWID`` the table is stored in ``old_id`` order and a lookup by old id — the only
lookup there is (store/queries/files.py, store/queries/alerts.py) — reads that one b-tree.

The table is rebuilt: created anew, filled in key order, the old one dropped and the new renamed
(the copy, drop and rename in one transaction; a copy left by a stopped run is dropped first). PostgreSQL has no rowid tables; nothing changes there.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_COLUMNS = "old_id, new_id, match_type"


def _rebuild(without_rowid: bool) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    suffix = " WITHOUT ROWID" if without_rowid else ""
    # a run stopped before its commit may have left the copy behind (SQLite commits DDL that runs
    # outside a transaction): start from the held table again
    conn.exec_driver_sql("DROP TABLE IF EXISTS gid_redirects_new")
    conn.exec_driver_sql(
        "CREATE TABLE gid_redirects_new (old_id VARCHAR(120) NOT NULL, new_id VARCHAR(120) NOT NULL, "
        f"match_type VARCHAR(40), PRIMARY KEY (old_id)){suffix}")
    conn.exec_driver_sql(f"INSERT INTO gid_redirects_new ({_COLUMNS}) "
                         f"SELECT {_COLUMNS} FROM gid_redirects ORDER BY old_id")
    conn.exec_driver_sql("DROP TABLE gid_redirects")
    conn.exec_driver_sql("ALTER TABLE gid_redirects_new RENAME TO gid_redirects")


def upgrade() -> None:
    _rebuild(without_rowid=True)


def downgrade() -> None:
    _rebuild(without_rowid=False)

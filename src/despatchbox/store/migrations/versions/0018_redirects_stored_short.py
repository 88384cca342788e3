"""gid redirects stored short: ids without ``uk.org.publicwhip/``, version-letter targets as the letter

Issue 18, storage; the encoding is store/redirect_ids.py's. The table is rebuilt on both databases:
a new table is filled from the held one in key order, a chunk at a time (keyset paging on the held
table's key, so memory stays flat at any size), then the held table is dropped and the new one
renamed; all in the migration's transaction (a copy left by a stopped SQLite run is dropped first).
On SQLite the table stays ``WITHOUT ROWID`` (0015). Downgrading writes the whole ids back the same way.

Revision ID: 0018
Revises: 0017
"""
from alembic import op

from despatchbox.store.redirect_ids import key_of, key_stored, target_of, target_stored

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: rows copied per round
CHUNK = 5000


def _rebuild(convert) -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql("DROP TABLE IF EXISTS gid_redirects_new")
    conn.exec_driver_sql("CREATE TABLE gid_redirects_new (old_id VARCHAR(120) NOT NULL, new_id VARCHAR(120) NOT NULL, "
                         "match_type VARCHAR(40), CONSTRAINT gid_redirects_new_pkey PRIMARY KEY (old_id))"
                         + (" WITHOUT ROWID" if sqlite else ""))
    mark = "?" if sqlite else "%s"
    last = None
    while True:
        if last is None:
            rows = conn.exec_driver_sql(f"SELECT old_id, new_id, match_type FROM gid_redirects ORDER BY old_id "
                                        f"LIMIT {CHUNK}").all()
        else:
            rows = conn.exec_driver_sql(f"SELECT old_id, new_id, match_type FROM gid_redirects WHERE old_id > {mark} "
                                        f"ORDER BY old_id LIMIT {CHUNK}", (last,)).all()
        if not rows:
            break
        conn.exec_driver_sql(f"INSERT INTO gid_redirects_new (old_id, new_id, match_type) VALUES ({mark}, {mark}, {mark})",
                             [convert(old, new, match) for old, new, match in rows])
        last = rows[-1][0]
    conn.exec_driver_sql("DROP TABLE gid_redirects")
    conn.exec_driver_sql("ALTER TABLE gid_redirects_new RENAME TO gid_redirects")
    if not sqlite:
        conn.exec_driver_sql("ALTER INDEX gid_redirects_new_pkey RENAME TO gid_redirects_pkey")


def _short(old: str, new: str, match: str | None) -> tuple:
    return key_stored(old), target_stored(old, new), match


def _whole(old: str, new: str, match: str | None) -> tuple:
    gid = key_of(old)
    return gid, target_of(gid, new), match


def upgrade() -> None:
    _rebuild(_short)


def downgrade() -> None:
    _rebuild(_whole)

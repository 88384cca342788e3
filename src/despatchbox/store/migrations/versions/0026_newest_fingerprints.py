"""Who-said fingerprints: a third level, small, for the newest rows

Issue 18, "an update of one new day into the 3M database takes as long as into an empty one".
Since 0024 a file's fingerprint rows went to ``quote_fingerprints_recent``, merged into the big
table once it held a quarter of its speeches. On a freshly ingested 3M database that table held
4.5M rows (~15k leaf pages) and a new day's ~40k rows, each on a random page of it, dirtied most of
them: the update took 1.5–1.8 times as long as into an empty database; with that table merged away,
1.15. Rows are now written to ``quote_fingerprints_new``, kept to ~1/256 of the record's speeches
(about a week of sittings at 3M), and merged down into ``quote_fingerprints_recent`` (and from it
into the big table) in ordered passes: store/queries/fingerprint_levels.py.

Upgrading creates the empty table; downgrading moves its rows into ``quote_fingerprints_recent``.

Revision ID: 0026
Revises: 0025
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql("CREATE TABLE quote_fingerprints_new (hash INTEGER NOT NULL, speech_key INTEGER NOT NULL, "
                         "CONSTRAINT pk_quote_fingerprints_new PRIMARY KEY (hash, speech_key))"
                         + (" WITHOUT ROWID" if sqlite else ""))


def downgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("INSERT INTO quote_fingerprints_recent (hash, speech_key) "
                         "SELECT hash, speech_key FROM quote_fingerprints_new ORDER BY hash, speech_key")
    conn.exec_driver_sql("DROP TABLE quote_fingerprints_new")

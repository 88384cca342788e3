"""Who-said fingerprints: the newest rows in a table of their own, merged into the big one in bulk

Issue 18, "an update of one new day into the big database takes as long as into an empty one".
``quote_fingerprints`` is ordered by hash: the ~40k rows of one sitting day land on as many
random pages of it, and at 1M contributions (24M rows, ~100k pages) a day dirtied a third of the
table (written to the WAL, then checkpointed back): 0.7 s of CPU a day that an empty database does
not pay. New rows now go to ``quote_fingerprints_recent`` (same columns and key), which is merged
into ``quote_fingerprints`` in one ordered pass once it holds more than a fraction of its speeches
(store/queries/quotes.py, :func:`settle_fingerprints`). Readers look in both.

Upgrading creates the empty table; downgrading moves its rows into ``quote_fingerprints`` first.

Revision ID: 0024
Revises: 0022
"""
from alembic import op

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql("CREATE TABLE quote_fingerprints_recent (hash INTEGER NOT NULL, speech_key INTEGER NOT NULL, "
                         "CONSTRAINT pk_quote_fingerprints_recent PRIMARY KEY (hash, speech_key))"
                         + (" WITHOUT ROWID" if sqlite else ""))


def downgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("INSERT INTO quote_fingerprints (hash, speech_key) "
                         "SELECT hash, speech_key FROM quote_fingerprints_recent ORDER BY hash, speech_key")
    conn.exec_driver_sql("DROP TABLE quote_fingerprints_recent")

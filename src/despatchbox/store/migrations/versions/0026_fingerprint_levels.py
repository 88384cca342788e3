"""Who-said fingerprints: two small levels above the recent table, for the newest rows

Issue 18, "an update of one new day into the 3M database takes as long as into an empty one".
Since 0024 a file's fingerprint rows went to ``quote_fingerprints_recent``, merged into the big
table once it held a quarter of its speeches. On a freshly ingested 3M database that table held
4.5M rows (~15k leaf pages) and a new day's ~40k rows, each on a random page of it, dirtied most of
them: the update took 1.5–1.8 times as long as into an empty database; with that table merged away,
1.15. Rows are now written to ``quote_fingerprints_level0``, kept to 1/256 of the speeches older
than it (about a week of sittings at 3M), merged into ``quote_fingerprints_level1`` (1/32), from it
into ``quote_fingerprints_recent`` (1/4, as before) and from that into the big table, in ordered
passes: store/queries/fingerprint_levels.py.

Upgrading creates the two empty tables; downgrading moves their rows into ``quote_fingerprints_recent``.

Revision ID: 0026
Revises: 0025
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

LEVELS = ("quote_fingerprints_level0", "quote_fingerprints_level1")


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    for table in LEVELS:
        conn.exec_driver_sql(f"CREATE TABLE {table} (hash INTEGER NOT NULL, speech_key INTEGER NOT NULL, "
                             f"CONSTRAINT pk_{table} PRIMARY KEY (hash, speech_key))"
                             + (" WITHOUT ROWID" if sqlite else ""))


def downgrade() -> None:
    conn = op.get_bind()
    for table in LEVELS:
        conn.exec_driver_sql("INSERT INTO quote_fingerprints_recent (hash, speech_key) "
                             f"SELECT hash, speech_key FROM {table} ORDER BY hash, speech_key")
        conn.exec_driver_sql(f"DROP TABLE {table}")

"""A member's fellow speakers kept per person, counted when the person's debates change

Issue 18, pages. A member page counted the member's fellow speakers as it was rendered: the
``debate_speakers`` rows of the member's 100 latest debates (~2,000 for the busiest member) read,
filtered, sorted and grouped, the page's dearest statement (1.6 ms of PostgreSQL's 4.4 ms for the
page at 1M). ``person_fellows`` keeps, for each person, the fellows who can be among the first eight
whatever their names; ``person_fellows_due`` lists the people whose fellows must be counted again
(``store/queries/fellows.py``).

Upgrading creates both and lists everyone who spoke in a debate held as due: their pages count their
fellows as before until the next ingest, ``despatchbox db compact`` or ``despatchbox serve``'s
compaction counts them (~2 ms a person at 1M). Downgrading drops both.

Revision ID: 0029
Revises: 0028
"""
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    without_rowid = " WITHOUT ROWID" if conn.dialect.name == "sqlite" else ""
    conn.exec_driver_sql("CREATE TABLE person_fellows (person_id INTEGER NOT NULL, fellow_id INTEGER NOT NULL, "
                         "debates INTEGER NOT NULL, speeches INTEGER NOT NULL, "
                         "CONSTRAINT pk_person_fellows PRIMARY KEY (person_id, fellow_id))" + without_rowid)
    conn.exec_driver_sql("CREATE TABLE person_fellows_due (person_id INTEGER NOT NULL, "
                         "CONSTRAINT pk_person_fellows_due PRIMARY KEY (person_id))" + without_rowid)
    conn.exec_driver_sql("INSERT INTO person_fellows_due (person_id) SELECT DISTINCT person_id FROM debate_speakers "
                         "WHERE person_id IS NOT NULL ORDER BY person_id")


def downgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("DROP TABLE person_fellows_due")
    conn.exec_driver_sql("DROP TABLE person_fellows")

"""votes carry their division's date; a person's days summed by month, a department's files by kind

Issue 18, pages. Three parts of the member and department pages read rows in proportion to the
member's or department's whole record:

- **their latest votes**: ordering them by their divisions' dates joined every vote the member
  ever cast to its division and sorted them all before the ``LIMIT`` (1,267 votes for the busiest
  member of the 3M bench database, 31 % of the page). ``votes.date`` holds the division's date and
  ``ix_votes_person_date`` (person, date) replaces ``ix_votes_person`` (person): the page reads its
  rows newest first from the index and stops. The column is filled at ingest
  (pipeline/transcripts.py, from the division) and never changes: a division's votes are written
  and deleted with it.
- **their activity chart and counts** read every ``person_days`` row of the member (~2,000 for a
  long career) to draw ~150 monthly bars and four totals. ``person_months`` holds ``person_days``
  summed by month (the month's first day), kept with it at ingest (store/queries/aggregates.py).
- **a department's totals** summed its ``file_departments`` rows, one per file that held its
  sections (0.78 ms at 3M for the busiest department). ``department_kinds`` holds them summed per
  department and kind, moved by each file's difference at ingest.

Upgrading fills the column from ``divisions`` and the tables from ``person_days`` and
``file_departments``, one statement each; downgrading drops them and gives back the index on the
person alone.

Revision ID: 0025
Revises: 0024
"""
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    conn.exec_driver_sql("ALTER TABLE votes ADD COLUMN date DATE")
    if sqlite:
        conn.exec_driver_sql("UPDATE votes SET date = (SELECT divisions.date FROM divisions "
                             "WHERE divisions.id = votes.division_id)")
    else:
        conn.exec_driver_sql("UPDATE votes SET date = divisions.date FROM divisions "
                             "WHERE divisions.id = votes.division_id")
    conn.exec_driver_sql("DROP INDEX ix_votes_person")
    conn.exec_driver_sql("CREATE INDEX ix_votes_person_date ON votes (person_id, date)")

    conn.exec_driver_sql("CREATE TABLE person_months (person_id INTEGER NOT NULL, month DATE NOT NULL, "
                         "speeches INTEGER NOT NULL, questions INTEGER NOT NULL, answers INTEGER NOT NULL, "
                         "words INTEGER NOT NULL, CONSTRAINT pk_person_months PRIMARY KEY (person_id, month))"
                         + (" WITHOUT ROWID" if sqlite else ""))
    month = "date(date, 'start of month')" if sqlite else "CAST(date_trunc('month', date) AS DATE)"
    conn.exec_driver_sql(f"INSERT INTO person_months (person_id, month, speeches, questions, answers, words) "
                         f"SELECT person_id, {month}, sum(speeches), sum(questions), sum(answers), sum(words) "
                         f"FROM person_days GROUP BY person_id, {month} ORDER BY person_id, {month}")

    conn.exec_driver_sql("CREATE TABLE department_kinds (department_slug VARCHAR(80) NOT NULL, "
                         "kind VARCHAR(40) NOT NULL, sections INTEGER NOT NULL, questions INTEGER NOT NULL, "
                         "CONSTRAINT pk_department_kinds PRIMARY KEY (department_slug, kind))"
                         + (" WITHOUT ROWID" if sqlite else ""))
    conn.exec_driver_sql("INSERT INTO department_kinds (department_slug, kind, sections, questions) "
                         "SELECT department_slug, kind, sum(sections), sum(questions) FROM file_departments "
                         "GROUP BY department_slug, kind ORDER BY department_slug, kind")


def downgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("DROP TABLE department_kinds")
    conn.exec_driver_sql("DROP TABLE person_months")
    conn.exec_driver_sql("DROP INDEX ix_votes_person_date")
    conn.exec_driver_sql("CREATE INDEX ix_votes_person ON votes (person_id)")
    conn.exec_driver_sql("ALTER TABLE votes DROP COLUMN date")

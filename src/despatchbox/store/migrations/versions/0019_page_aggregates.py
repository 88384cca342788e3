"""page aggregates: who spoke in each debate, each person's days and departments, kept at ingest

Issue 18, pages. A member page used to group all of the member's speeches on every render (their
counts, activity chart and departments debated with) and to group the speeches of their latest
debates by speaker (who they debated with). Three tables hold those answers; store/queries/
aggregates.py keeps them exact in each file's own transaction:

- ``debate_speakers`` (file-owned): one row per debate, person and seat, with their speeches,
  questions, answers and words there, and the debate's kind, date and department;
- ``person_days``: a person's contributions and distinct debates on each day they spoke;
- ``person_departments``: a person's debates and contributions with each department, by kind, and
  the latest such debate's date;
- ``file_departments`` (file-owned): each file's sections and question groups (minor headings) by
  department and kind, which a department page sums for its totals.

Upgrading fills them from the held record in four grouped statements (the same grouping
``refresh_files`` does per file). On SQLite the two keyed tables are ``WITHOUT ROWID``.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "debate_speakers",
        sa.Column("file_id", sa.Integer(), sa.ForeignKey("source_files.id"), nullable=False),
        sa.Column("debate_id", sa.String(120), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.String(60)),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("department_slug", sa.String(80)),
        sa.Column("speeches", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
    )
    op.create_table(
        "person_days",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("speeches", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("debates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "date", name="pk_person_days"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "person_departments",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("department_slug", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("debates", sa.Integer(), nullable=False),
        sa.Column("contributions", sa.Integer(), nullable=False),
        sa.Column("latest", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "department_slug", "kind", name="pk_person_departments"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "file_departments",
        sa.Column("department_slug", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("file_id", sa.Integer(), sa.ForeignKey("source_files.id"), nullable=False),
        sa.Column("sections", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("department_slug", "kind", "file_id", name="pk_file_departments"),
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    conn.exec_driver_sql(
        "INSERT INTO file_departments (file_id, department_slug, kind, sections, questions) "
        "SELECT d.file_id, d.department_slug, d.kind, count(DISTINCT d.id), count(h.id) FROM debates d "
        "LEFT JOIN headings h ON h.debate_id = d.id AND h.level = 'minor' WHERE d.department_slug IS NOT NULL "
        "GROUP BY d.file_id, d.department_slug, d.kind")
    op.create_index("ix_file_departments_file_id", "file_departments", ["file_id"])
    conn.exec_driver_sql(
        "INSERT INTO debate_speakers (file_id, debate_id, person_id, membership_id, kind, date, department_slug, "
        "speeches, questions, answers, words) "
        "SELECT s.file_id, s.debate_id, s.person_id, s.membership_id, d.kind, s.date, d.department_slug, "
        "sum(CASE WHEN s.element = 'speech' THEN 1 ELSE 0 END), sum(CASE WHEN s.element = 'ques' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN s.element = 'reply' THEN 1 ELSE 0 END), coalesce(sum(s.words), 0) "
        "FROM speeches s JOIN debates d ON d.id = s.debate_id WHERE s.person_id IS NOT NULL "
        "GROUP BY s.file_id, s.debate_id, s.person_id, s.membership_id, d.kind, s.date, d.department_slug")
    # indexed after the bulk fill: one sort each instead of an insert per row
    op.create_index("ix_debate_speakers_file_id", "debate_speakers", ["file_id"])
    op.create_index("ix_debate_speakers_debate", "debate_speakers", ["debate_id", "person_id", "membership_id"])
    op.create_index("ix_debate_speakers_person_date", "debate_speakers", ["person_id", "date", "debate_id", "kind"])
    op.create_index("ix_debate_speakers_person_department", "debate_speakers",
                    ["person_id", "department_slug", "kind"])
    conn.exec_driver_sql(
        "INSERT INTO person_days (person_id, date, speeches, questions, answers, words, debates) "
        "SELECT person_id, date, sum(speeches), sum(questions), sum(answers), sum(words), count(DISTINCT debate_id) "
        "FROM debate_speakers GROUP BY person_id, date")
    conn.exec_driver_sql(
        "INSERT INTO person_departments (person_id, department_slug, kind, debates, contributions, latest) "
        "SELECT person_id, department_slug, kind, count(DISTINCT debate_id), sum(speeches + questions + answers), "
        "max(date) FROM debate_speakers WHERE department_slug IS NOT NULL GROUP BY person_id, department_slug, kind")


def downgrade() -> None:
    op.drop_index("ix_file_departments_file_id", table_name="file_departments")
    op.drop_table("file_departments")
    op.drop_table("person_departments")
    op.drop_table("person_days")
    for name in ("ix_debate_speakers_person_department", "ix_debate_speakers_person_date", "ix_debate_speakers_debate",
                 "ix_debate_speakers_file_id"):
        op.drop_index(name, table_name="debate_speakers")
    op.drop_table("debate_speakers")

"""The schema: every table the store owns, as SQLAlchemy Core tables.

Migrations in ``store/migrations`` create and upgrade these tables; this module
is what queries are written against. Ids are ParlParse's own (gids, membership
ids); open-ended ranges are NULL.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint)

metadata = MetaData()

# --- source files -------------------------------------------------------------------------------

source_files = Table(
    "source_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),     # file name: debates2009-10-26b.xml
    Column("kind", String(40), nullable=False),                   # scrapedxml folder, or "members"
    Column("series", String(200), nullable=False),                # name without version: debates2009-10-26
    Column("version", String(8), nullable=False, default=""),
    Column("date", Date),
    Column("sha256", String(64), nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("is_current", Boolean, nullable=False, default=False),  # its records are the ones held
    Column("records", Integer, nullable=False, default=0),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("batch", Integer, nullable=False, default=0),           # ingest run that loaded it
)
Index("ix_source_files_series", source_files.c.series)

ingest_batches = Table(
    "ingest_batches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

# --- members ------------------------------------------------------------------------------------

people = Table(
    "people", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # 10002 for …/person/10002
    Column("name", String(200), nullable=False),
    Column("slug", String(200), nullable=False, unique=True),
    Column("house", String(10)),                                   # house of the latest membership
)

membership_people = Table(
    "membership_people", metadata,                                 # people.xml: membership id → person
    Column("membership_id", String(60), primary_key=True),
    Column("person_id", Integer, nullable=False, index=True),
)

memberships = Table(
    "memberships", metadata,
    Column("id", String(60), primary_key=True),                    # uk.org.publicwhip/member/1403
    Column("person_id", Integer, index=True),
    Column("house", String(10), nullable=False),
    Column("title", String(60)),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("constituency", String(200)),
    Column("party", String(40)),
    Column("from_date", Date),
    Column("to_date", Date),
    Column("from_why", String(60)),
    Column("to_why", String(60)),
    Column("lord_name", String(100)),
    Column("lord_of_name", String(200)),
    Column("peerage_type", String(8)),
)

constituencies = Table(
    "constituencies", metadata,
    Column("id", String(60), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("other_names", Text),                                   # "|"-separated
    Column("from_date", Date),
    Column("to_date", Date),
)

member_aliases = Table(
    "member_aliases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("full_name", String(200), nullable=False),
    Column("alternate", String(300), nullable=False),
    Column("from_date", Date),
    Column("to_date", Date),
)

offices = Table(
    "offices", metadata,
    Column("id", String(60), primary_key=True),                    # uk.org.publicwhip/moffice/1788
    Column("person_id", Integer, index=True),
    Column("membership_id", String(60)),
    Column("name", String(200), nullable=False),
    Column("department", String(200), nullable=False),             # as printed in ministers.xml
    Column("department_slug", String(80)),                         # resolved; NULL for committees
    Column("position", String(200), nullable=False),
    Column("responsibility", String(400)),
    Column("from_date", Date),
    Column("to_date", Date),
    Column("source", String(200)),
)

departments = Table(
    "departments", metadata,
    Column("slug", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("is_ministerial", Boolean, nullable=False, default=True),
)

# --- the record ---------------------------------------------------------------------------------

debates = Table(
    "debates", metadata,
    Column("id", String(120), primary_key=True),                   # gid of its heading
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("department_slug", String(80)),
    Column("department_reason", String(300)),                      # the evidence for it
    Column("speeches", Integer, nullable=False, default=0),
    Column("words", Integer, nullable=False, default=0),
)
Index("ix_debates_date", debates.c.date, debates.c.kind)
Index("ix_debates_department", debates.c.department_slug, debates.c.date)

headings = Table(
    "headings", metadata,
    Column("id", String(120), primary_key=True),                   # gid
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("debate_id", String(120), nullable=False, index=True),
    Column("parent_id", String(120)),                              # the major heading above a minor one
    Column("kind", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    Column("level", String(10), nullable=False),                   # major | minor | oral
    Column("title", Text, nullable=False),
    Column("colnum", String(20)),
    Column("time", String(8)),
    Column("url", Text),
)

speeches = Table(
    "speeches", metadata,
    Column("id", String(120), primary_key=True),                   # gid
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("debate_id", String(120), nullable=False),
    Column("heading_id", String(120)),                             # nearest heading above
    Column("kind", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    Column("element", String(8), nullable=False),                  # speech | ques | reply
    Column("speaker_id", String(60)),                              # as printed
    Column("speaker_name", String(200)),                           # as printed
    Column("speaker_office", String(300)),                         # as printed
    Column("nospeaker", Boolean, nullable=False, default=False),
    Column("person_id", Integer),                                  # resolved
    Column("membership_id", String(60)),                           # resolved: valid on the date
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("words", Integer, nullable=False),
    Column("colnum", String(20)),
    Column("time", String(8)),
    Column("url", Text),
    Column("speech_type", String(60)),
    Column("oral_qnum", String(20)),
)
Index("ix_speeches_debate", speeches.c.debate_id, speeches.c.position)
Index("ix_speeches_person_date", speeches.c.person_id, speeches.c.date)
Index("ix_speeches_date_kind", speeches.c.date, speeches.c.kind)

divisions = Table(
    "divisions", metadata,
    Column("id", String(120), primary_key=True),                   # gid
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("debate_id", String(120), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    Column("number", Integer),
    Column("time", String(8)),
    Column("colnum", String(20)),
    Column("url", Text),
    Column("ayes", Integer),                                       # ayes / contents
    Column("noes", Integer),                                       # noes / not-contents
)
Index("ix_divisions_date_number", divisions.c.date, divisions.c.kind, divisions.c.number)

votes = Table(
    "votes", metadata,
    Column("division_id", String(120), ForeignKey("divisions.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("membership_id", String(60)),
    Column("person_id", Integer),
    Column("name", String(200), nullable=False),                   # as printed
    Column("vote", String(20), nullable=False),                    # aye | no | content | not-content
    Column("teller", Boolean, nullable=False, default=False),
    UniqueConstraint("division_id", "position", name="uq_votes_division_position"),
)
Index("ix_votes_person", votes.c.person_id)

committees = Table(
    "committees", metadata,
    Column("file_id", Integer, ForeignKey("source_files.id"), primary_key=True),
    Column("bill_title", Text),
    Column("bill_url", Text),
)

committee_members = Table(
    "committee_members", metadata,
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("membership_id", String(60)),
    Column("person_id", Integer),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("attending", Boolean),
)

gid_redirects = Table(
    "gid_redirects", metadata,
    Column("old_id", String(120), primary_key=True),
    Column("new_id", String(120), nullable=False),
    Column("match_type", String(40)),
)

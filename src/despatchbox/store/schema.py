"""The schema: every table the store owns, as SQLAlchemy Core tables.

Migrations in ``store/migrations`` create and upgrade these tables; this module
is what queries are written against. Ids are ParlParse's own (gids, membership
ids); open-ended ranges are NULL.
"""
from __future__ import annotations

from sqlalchemy import (ARRAY, BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary,
                        MetaData, PrimaryKeyConstraint, String,
                        Table, Text, UniqueConstraint)

from .packing.columns import SpeechHtml, SpeechText
from .redirect_ids import RedirectKey, RedirectMatch
from .short_text import HansardLink, MembershipId, ParlParseId, PrintedSpeakerId

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
    Column("membership_id", MembershipId, primary_key=True),
    Column("person_id", Integer, nullable=False, index=True),
)

memberships = Table(
    "memberships", metadata,
    Column("id", MembershipId, primary_key=True),                  # uk.org.publicwhip/member/1403: stored short (0022)
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
Index("ix_memberships_party", memberships.c.party)      # the chair's seats, for fellow speakers (0027)

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
    Column("membership_id", MembershipId),
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
    Column("id", ParlParseId, primary_key=True),                   # gid of its heading; stored short (0022)
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
    Column("id", ParlParseId, primary_key=True),                   # gid; ids of debates and headings stored short (0022)
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("debate_id", ParlParseId, nullable=False),           # ix_headings_debate_level (0007)
    Column("parent_id", ParlParseId),                              # the major heading above a minor one
    Column("kind", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    Column("level", String(10), nullable=False),                   # major | minor | oral
    Column("title", Text, nullable=False),
    Column("colnum", String(20)),
    Column("time", String(8)),
    Column("url", HansardLink),                                   # stored short (0020c)
)

speeches = Table(
    "speeches", metadata,
    Column("id", String(120), primary_key=True),                   # gid
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("debate_id", ParlParseId, nullable=False),
    Column("heading_id", ParlParseId),                             # nearest heading above
    Column("kind", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    Column("element", String(8), nullable=False),                  # speech | ques | reply
    Column("speaker_id", PrintedSpeakerId),                        # as printed; stored short (0020c)
    Column("speaker_name", String(200)),                           # as printed
    Column("speaker_office", String(300)),                         # as printed
    Column("nospeaker", Boolean, nullable=False, default=False),
    Column("person_id", Integer),                                  # resolved
    Column("membership_id", MembershipId),                           # resolved: valid on the date
    Column("html", SpeechHtml, nullable=False),                    # html and text packed (SQLite 0020, PostgreSQL 0028)
    Column("text", SpeechText, nullable=False),                    # '' or "has text" (the same)
    Column("words", Integer, nullable=False),
    Column("colnum", String(20)),
    Column("time", String(8)),
    Column("url", HansardLink),                                   # stored short (0020c)
    Column("speech_type", String(60)),
    Column("oral_qnum", String(20)),
)
Index("ix_speeches_debate_speaker", speeches.c.debate_id, speeches.c.person_id,
      speeches.c.position)          # 0022: replaces ix_speeches_debate and 0007's ix_speeches_debate_person
Index("ix_speeches_person_date", speeches.c.person_id, speeches.c.date)
Index("ix_speeches_date_kind", speeches.c.date, speeches.c.kind)
#: the few speeches with a printed office, by debate: a department page's inferred ministers (0027)
Index("ix_speeches_printed_office", speeches.c.debate_id, sqlite_where=speeches.c.speaker_office.is_not(None),
      postgresql_where=speeches.c.speaker_office.is_not(None))

divisions = Table(
    "divisions", metadata,
    Column("id", ParlParseId, primary_key=True),                   # gid; stored short (0022)
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("debate_id", ParlParseId, nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    Column("number", Integer),
    Column("time", String(8)),
    Column("colnum", String(20)),
    Column("url", HansardLink),                                   # stored short (0020c)
    Column("ayes", Integer),                                       # ayes / contents
    Column("noes", Integer),                                       # noes / not-contents
)
Index("ix_divisions_date_number", divisions.c.date, divisions.c.kind, divisions.c.number)

votes = Table(
    "votes", metadata,
    Column("division_id", ParlParseId, ForeignKey("divisions.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("membership_id", MembershipId),
    Column("person_id", Integer),
    Column("name", String(200), nullable=False),                   # as printed
    Column("vote", String(20), nullable=False),                    # aye | no | content | not-content
    Column("teller", Boolean, nullable=False, default=False),
    Column("date", Date),                                          # the division's (0025), filled at ingest
    UniqueConstraint("division_id", "position", name="uq_votes_division_position"),
)
Index("ix_votes_person_date", votes.c.person_id, votes.c.date)    # a member's latest votes (0025)

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
    Column("membership_id", MembershipId),
    Column("person_id", Integer),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("attending", Boolean),
)

gid_redirects = Table(                # ids stored short (migration 0018): store/redirect_ids.py; most are in sets (0032)
    "gid_redirects", metadata,
    Column("old_id", RedirectKey, primary_key=True),
    Column("new_id", String(120), nullable=False),                 # redirect_ids.target_stored
    Column("match_type", RedirectMatch),                           # perfectmatch stored as '' (0020c)
    sqlite_with_rowid=False,        # migration 0015: the table is its primary key's b-tree
)

gid_redirect_sets = Table(            # migration 0032: store/redirect_sets.py
    "gid_redirect_sets", metadata,    # a superseded version's ids that go to the same ids under another letter
    Column("prefix", RedirectKey, primary_key=True),               # the old ids up to their version letter
    Column("letter", String(1), nullable=False),                   # the version letter they go to
    Column("suffixes", LargeBinary, nullable=False),               # the rest of each old id: redirect_sets.pack
)


# --- page aggregates (migration 0019): store/queries/aggregates.py keeps them exact, per file -------

debate_speakers = Table(              # who spoke in each debate, by seat: the file's speeches grouped
    "debate_speakers", metadata,
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("debate_id", ParlParseId, nullable=False),
    Column("person_id", Integer, nullable=False),                  # attributed speeches only
    Column("membership_id", MembershipId),
    Column("kind", String(40), nullable=False),                    # the debate's
    Column("date", Date, nullable=False),                          # the speeches'
    Column("department_slug", String(80)),                         # the debate's
    Column("speeches", Integer, nullable=False),                   # element speech
    Column("questions", Integer, nullable=False),                  # element ques
    Column("answers", Integer, nullable=False),                    # element reply
    Column("words", Integer, nullable=False),
)
Index("ix_debate_speakers_debate", debate_speakers.c.debate_id, debate_speakers.c.person_id,
      debate_speakers.c.membership_id)
Index("ix_debate_speakers_person_date", debate_speakers.c.person_id, debate_speakers.c.date,
      debate_speakers.c.debate_id, debate_speakers.c.kind)
Index("ix_debate_speakers_person_department", debate_speakers.c.person_id, debate_speakers.c.department_slug,
      debate_speakers.c.kind)

person_days = Table(                  # a person's contributions on one day (their activity chart, counts)
    "person_days", metadata,
    Column("person_id", Integer, nullable=False),
    Column("date", Date, nullable=False),
    Column("speeches", Integer, nullable=False),
    Column("questions", Integer, nullable=False),
    Column("answers", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    Column("debates", Integer, nullable=False),                    # distinct debates spoken in that day
    PrimaryKeyConstraint("person_id", "date", name="pk_person_days"),
    sqlite_with_rowid=False,
)

person_months = Table(                # person_days summed by month (0025): a member page's chart and counts
    "person_months", metadata,
    Column("person_id", Integer, nullable=False),
    Column("month", Date, nullable=False),                         # its first day
    Column("speeches", Integer, nullable=False),
    Column("questions", Integer, nullable=False),
    Column("answers", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    PrimaryKeyConstraint("person_id", "month", name="pk_person_months"),
    sqlite_with_rowid=False,
)

person_departments = Table(           # a person's debates with a department, by the debates' kind
    "person_departments", metadata,
    Column("person_id", Integer, nullable=False),
    Column("department_slug", String(80), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("debates", Integer, nullable=False),
    Column("contributions", Integer, nullable=False),              # speeches, questions and answers
    Column("latest", Date, nullable=False),                        # date of the latest such debate
    PrimaryKeyConstraint("person_id", "department_slug", "kind", name="pk_person_departments"),
    sqlite_with_rowid=False,
)


person_fellows = Table(               # a person's fellow speakers, counted when their debates change (0029)
    "person_fellows", metadata,
    Column("person_id", Integer, nullable=False),
    Column("fellow_id", Integer, nullable=False),
    Column("debates", Integer, nullable=False),                    # of the person's latest, where both spoke
    Column("speeches", Integer, nullable=False),                   # the fellow's, in those debates
    PrimaryKeyConstraint("person_id", "fellow_id", name="pk_person_fellows"),
    sqlite_with_rowid=False,
)

person_fellows_due = Table(           # the people whose fellow speakers must be counted again (0029)
    "person_fellows_due", metadata,
    Column("person_id", Integer, nullable=False),
    PrimaryKeyConstraint("person_id", name="pk_person_fellows_due"),
    sqlite_with_rowid=False,
)


file_departments = Table(             # each file's sections and question groups by department and kind
    "file_departments", metadata,
    Column("department_slug", String(80), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("file_id", Integer, ForeignKey("source_files.id"), nullable=False, index=True),
    Column("sections", Integer, nullable=False),                   # debates attributed to the department
    Column("questions", Integer, nullable=False),                  # their minor headings (question groups)
    PrimaryKeyConstraint("department_slug", "kind", "file_id", name="pk_file_departments"),
    sqlite_with_rowid=False,
)

department_kinds = Table(             # file_departments summed per department and kind (0025): a department page's totals
    "department_kinds", metadata,
    Column("department_slug", String(80), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("sections", Integer, nullable=False),
    Column("questions", Integer, nullable=False),
    PrimaryKeyConstraint("department_slug", "kind", name="pk_department_kinds"),
    sqlite_with_rowid=False,
)

# --- "who said this?" index (migration 0003), owned by source files like the record -------------

quote_speeches = Table(
    "quote_speeches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),   # the speech key
    Column("speech_id", String(120), nullable=False),               # speeches.id (gid)
    Column("file_id", Integer, nullable=False),
    Column("postings", Integer),                                    # its rows in quote_fingerprints (0017)
)
Index("ix_quote_speeches_file", quote_speeches.c.file_id)

quote_fingerprints = Table(           # no file id, no other index (migration 0017): store/queries/quotes.py
    "quote_fingerprints", metadata,
    Column("hash", Integer, nullable=False),                        # 32 bits (migration 0020b)
    Column("speech_key", Integer, nullable=False),                  # quote_speeches.id
    PrimaryKeyConstraint("hash", "speech_key", name="pk_quote_fingerprints"),
    sqlite_with_rowid=False,
)

# the levels above it, newest last here, merged down in bulk (0024, 0026): queries/fingerprint_levels.py
quote_fingerprints_recent = Table(    # level 2: merged into the big table once a quarter of its size
    "quote_fingerprints_recent", metadata,
    Column("hash", Integer, nullable=False),
    Column("speech_key", Integer, nullable=False),
    PrimaryKeyConstraint("hash", "speech_key", name="pk_quote_fingerprints_recent"),
    sqlite_with_rowid=False,
)

quote_fingerprints_level1 = Table(    # level 1: what level 0 held
    "quote_fingerprints_level1", metadata,
    Column("hash", Integer, nullable=False),
    Column("speech_key", Integer, nullable=False),
    PrimaryKeyConstraint("hash", "speech_key", name="pk_quote_fingerprints_level1"),
    sqlite_with_rowid=False,
)

quote_fingerprints_level0 = Table(    # level 0: every file's rows are written here
    "quote_fingerprints_level0", metadata,
    Column("hash", Integer, nullable=False),
    Column("speech_key", Integer, nullable=False),
    PrimaryKeyConstraint("hash", "speech_key", name="pk_quote_fingerprints_level0"),
    sqlite_with_rowid=False,
)

# PostgreSQL only (0030): its two biggest levels as blocks of postings, a row per range of hashes (a row
# per posting costs PostgreSQL ~72 bytes): store/queries/fingerprint_blocks.py
quote_fingerprint_blocks = Table(     # the big table's postings
    "quote_fingerprint_blocks", metadata,
    Column("bucket", Integer, nullable=False),                      # hash >> BUCKET_SHIFT
    Column("postings", ARRAY(BigInteger), nullable=False),          # hash << 32 | speech_key, sorted
    PrimaryKeyConstraint("bucket", name="pk_quote_fingerprint_blocks"),
)

quote_fingerprint_recent_blocks = Table(  # the recent level's postings
    "quote_fingerprint_recent_blocks", metadata,
    Column("bucket", Integer, nullable=False),
    Column("postings", ARRAY(BigInteger), nullable=False),
    PrimaryKeyConstraint("bucket", name="pk_quote_fingerprint_recent_blocks"),
)


# --- email alerts (migration 0004) ------------------------------------------------------------

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("kind", String(20), nullable=False),                  # query | person | department
    Column("target", String(500), nullable=False),               # the query text, or a slug
    Column("filters", Text),                                     # JSON: search filters of a query alert
    Column("frequency", String(20), nullable=False),             # immediate | daily | weekly
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),              # NULL until the link is followed
    Column("last_sent_at", DateTime(timezone=True)),
    Column("last_batch", Integer, nullable=False, server_default="0"),  # batches ≤ this were considered
    Column("lease_until", DateTime(timezone=True)),               # a sender is working on it until then
    Column("lease_token", String(40)),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, server_default="0"),
)
Index("ix_alerts_email", alerts.c.email)
Index("ix_alerts_kind_target", alerts.c.kind, alerts.c.target)

alert_deliveries = Table(
    "alert_deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("item_key", String(200), nullable=False),
    Column("item_type", String(10), nullable=False),              # speech | division
    Column("record_kind", String(40), nullable=False),            # debates, wrans, lordspages …
    Column("item_date", Date, nullable=False),
    Column("gid", String(120), nullable=False),                   # the record's id when it was sent
    Column("speaker_key", String(200)),
    Column("sketch", Text),                                       # text fingerprint (identity.sketch)
    Column("via", String(10), nullable=False, server_default="sent"),  # sent | revision (of a sent item)
    Column("message_id", String(250)),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("alert_id", "item_key", name="uq_alert_deliveries_alert_item"),
)
Index("ix_alert_deliveries_alert_date", alert_deliveries.c.alert_id, alert_deliveries.c.item_date)

alert_signups = Table(
    "alert_signups", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("purpose", String(20), nullable=False),                # signup | manage-link
    Column("remote_addr", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_alert_signups_email_created", alert_signups.c.email, alert_signups.c.created_at)

"""Bulk export in the store: every debate, speech, written question, division, vote, member,
membership and office, streamed as facts.

Each ``*_facts`` function yields one typed fact per record (the dataclasses below), in a stable
order (date, kind, then the order of the record), reading through a server-side cursor
(``yield_per``) so memory stays flat however big the record is. Facts carry what the store holds —
slugs, dates, party codes, memberships — never a label: ``despatchbox.export.records`` names them
into the export records documented in ``docs/export.md``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, func, select

from ...ingest.records import Membership
from ...record import kinds
from ..schema import debates, departments, divisions, headings, memberships, offices, people, speeches, votes
from .speakers import membership_columns, membership_of

#: rows fetched per round trip of the server-side cursor
YIELD_PER = 1000
WRITTEN_QUESTION_KINDS = kinds.ANSWERS


@dataclass(frozen=True, slots=True)
class Department:
    """A department as the store holds it: the stable slug and the name stored with it."""
    slug: str
    stored_name: str | None


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a speech, question, answer or vote is by: as printed, and as resolved (person, and the
    house, party code and constituency of the membership held that day)."""
    printed_id: str | None           # speaker id / membership id as printed
    printed_name: str | None
    person_id: int | None
    person_name: str | None          # people.name
    house: str | None                # of the membership held that day; None without one
    party_code: str | None
    constituency: str | None


@dataclass(frozen=True, slots=True)
class DebateFact:
    id: str
    kind: str
    date: date
    title: str | None
    department: Department | None
    speeches: int
    words: int


@dataclass(frozen=True, slots=True)
class SpeechFact:
    id: str
    debate_id: str | None
    kind: str
    date: date
    position: int
    department: Department | None
    speaker: Speaker
    office: str | None               # as printed
    words: int
    text: str | None                 # only when asked for


@dataclass(frozen=True, slots=True)
class AnswerFact:
    id: str
    speaker: Speaker
    office: str | None
    words: int
    text: str | None


@dataclass(frozen=True, slots=True)
class QuestionFact:
    id: str
    group_id: str | None             # the question heading over the group
    group_title: str | None
    debate_id: str | None
    debate_title: str | None
    kind: str
    date: date
    department: Department | None
    asker: Speaker
    words: int
    text: str | None
    answer: AnswerFact | None


@dataclass(frozen=True, slots=True)
class DivisionFact:
    id: str
    debate_id: str | None
    kind: str
    date: date
    number: int | None
    time: str | None
    debate_title: str | None
    department: Department | None
    ayes: int | None
    noes: int | None
    votes: int


@dataclass(frozen=True, slots=True)
class VoteFact:
    division_id: str
    date: date
    kind: str
    number: int | None
    voter: Speaker
    vote: str
    teller: bool


@dataclass(frozen=True, slots=True)
class MemberFact:
    id: int
    name: str
    slug: str
    house: str | None                # the person's house in people.xml
    latest: Membership | None        # the open membership, else the last to start
    memberships: int


@dataclass(frozen=True, slots=True)
class MembershipFact:
    membership: Membership
    person_id: int | None
    person_name: str | None


@dataclass(frozen=True, slots=True)
class OfficeFact:
    id: str
    person_id: int | None
    name: str
    position: str
    department: Department | None
    department_as_printed: str
    responsibility: str | None
    from_date: date | None
    to_date: date | None


def _stream(conn: Connection, query):
    return conn.execution_options(yield_per=YIELD_PER).execute(query).mappings()


def _department(row) -> Department | None:
    slug = row["department_slug"]
    return Department(slug, row["department_name"]) if slug else None


_SPEAKER = [people.c.name.label("person_name"), memberships.c.house.label("m_house"),
            memberships.c.party.label("m_party"), memberships.c.constituency.label("m_constituency")]
_DEPARTMENT = [debates.c.department_slug, departments.c.name.label("department_name")]


def _speaker(row, printed_id: str = "speaker_id") -> Speaker:
    return Speaker(printed_id=row[printed_id], printed_name=row["speaker_name"], person_id=row["person_id"],
                   person_name=row["person_name"], house=row["m_house"], party_code=row["m_party"],
                   constituency=row["m_constituency"])


def _speaker_join(table, person_col, membership_col):
    return (table.outerjoin(people, people.c.id == person_col)
            .outerjoin(memberships, memberships.c.id == membership_col))


def _with_department(table, debate_col):
    return (table.outerjoin(debates, debates.c.id == debate_col)
            .outerjoin(departments, departments.c.slug == debates.c.department_slug))


def debate_facts(conn: Connection) -> Iterator[DebateFact]:
    q = (select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, *_DEPARTMENT, debates.c.speeches,
                debates.c.words)
         .select_from(debates.outerjoin(departments, departments.c.slug == debates.c.department_slug))
         .order_by(debates.c.date, debates.c.kind, debates.c.file_id, debates.c.position))
    for r in _stream(conn, q):
        yield DebateFact(r["id"], r["kind"], r["date"], r["title"], _department(r), r["speeches"], r["words"])


def speech_facts(conn: Connection, with_text: bool = False) -> Iterator[SpeechFact]:
    """Every ``<speech>`` (spoken contributions and written statements; written questions and answers are
    in :func:`question_facts`)."""
    cols = [speeches.c.id, speeches.c.debate_id, speeches.c.kind, speeches.c.date, speeches.c.position,
            speeches.c.speaker_id, speeches.c.speaker_name, speeches.c.person_id, speeches.c.speaker_office,
            speeches.c.words, *_SPEAKER, *_DEPARTMENT]
    if with_text:
        cols.append(speeches.c.text)
    q = (select(*cols).select_from(_with_department(_speaker_join(speeches, speeches.c.person_id,
                                                                  speeches.c.membership_id), speeches.c.debate_id))
         .where(speeches.c.element == "speech")
         .order_by(speeches.c.date, speeches.c.kind, speeches.c.file_id, speeches.c.position))
    for r in _stream(conn, q):
        yield SpeechFact(r["id"], r["debate_id"], r["kind"], r["date"], r["position"], _department(r), _speaker(r),
                         r["speaker_office"], r["words"], r["text"] if with_text else None)


def question_facts(conn: Connection, with_text: bool = False) -> Iterator[QuestionFact]:
    """One fact per written question (``<ques>``), with the answer given to its group (the first
    ``<reply>`` under the same question heading; questions grouped together share it). Rows come in
    the order of the record, so a group's questions and its answer arrive together."""
    cols = [speeches.c.id, speeches.c.debate_id, speeches.c.heading_id, speeches.c.kind, speeches.c.date,
            speeches.c.element, speeches.c.speaker_id, speeches.c.speaker_name, speeches.c.speaker_office,
            speeches.c.person_id, speeches.c.words, speeches.c.text, *_SPEAKER,
            headings.c.title.label("group_title"), debates.c.title.label("debate_title"), *_DEPARTMENT]
    q = (select(*cols)
         .select_from(_with_department(_speaker_join(speeches, speeches.c.person_id, speeches.c.membership_id)
                                       .outerjoin(headings, headings.c.id == speeches.c.heading_id),
                                       speeches.c.debate_id))
         .where(speeches.c.kind.in_(WRITTEN_QUESTION_KINDS), speeches.c.element.in_(("ques", "reply")))
         .order_by(speeches.c.date, speeches.c.kind, speeches.c.file_id, speeches.c.position))
    group: list[dict] = []
    for r in _stream(conn, q):
        if group and (r["heading_id"], r["kind"], r["date"]) != (group[0]["heading_id"], group[0]["kind"],
                                                                  group[0]["date"]):
            yield from _question_group(group, with_text)
            group = []
        group.append(dict(r))
    if group:
        yield from _question_group(group, with_text)


def _question_group(rows: list[dict], with_text: bool) -> Iterator[QuestionFact]:
    reply = next((r for r in rows if r["element"] == "reply"), None)
    answer = None if reply is None else AnswerFact(reply["id"], _speaker(reply), reply["speaker_office"],
                                                   reply["words"], reply["text"] if with_text else None)
    for r in rows:
        if r["element"] == "ques":
            yield QuestionFact(r["id"], r["heading_id"], r["group_title"], r["debate_id"], r["debate_title"],
                               r["kind"], r["date"], _department(r), _speaker(r), r["words"],
                               r["text"] if with_text else None, answer)


def division_facts(conn: Connection) -> Iterator[DivisionFact]:
    n_votes = (select(votes.c.division_id, func.count().label("n")).group_by(votes.c.division_id).subquery())
    q = (select(divisions.c.id, divisions.c.debate_id, divisions.c.kind, divisions.c.date, divisions.c.number,
                divisions.c.time, divisions.c.ayes, divisions.c.noes, debates.c.title.label("debate_title"),
                *_DEPARTMENT, n_votes.c.n)
         .select_from(_with_department(divisions, divisions.c.debate_id)
                      .outerjoin(n_votes, n_votes.c.division_id == divisions.c.id))
         .order_by(divisions.c.date, divisions.c.kind, divisions.c.file_id, divisions.c.position))
    for r in _stream(conn, q):
        yield DivisionFact(r["id"], r["debate_id"], r["kind"], r["date"], r["number"], r["time"], r["debate_title"],
                           _department(r), r["ayes"], r["noes"], int(r["n"] or 0))


def vote_facts(conn: Connection) -> Iterator[VoteFact]:
    q = (select(votes.c.division_id, votes.c.membership_id, votes.c.person_id, votes.c.name.label("speaker_name"),
                votes.c.vote, votes.c.teller, divisions.c.date, divisions.c.kind, divisions.c.number, *_SPEAKER)
         .select_from(_speaker_join(votes.join(divisions, divisions.c.id == votes.c.division_id),
                                    votes.c.person_id, votes.c.membership_id))
         .order_by(divisions.c.date, divisions.c.kind, divisions.c.file_id, divisions.c.position, votes.c.position))
    for r in _stream(conn, q):
        yield VoteFact(r["division_id"], r["date"], r["kind"], r["number"], _speaker(r, "membership_id"), r["vote"],
                       bool(r["teller"]))


def member_facts(conn: Connection) -> Iterator[MemberFact]:
    """One fact per person, with their latest membership (the open one, else the last to start)."""
    q = (select(people.c.id, people.c.name, people.c.slug, people.c.house.label("person_house"),
                *membership_columns())
         .select_from(people.outerjoin(memberships, memberships.c.person_id == people.c.id))
         .order_by(people.c.id, memberships.c.from_date, memberships.c.id))
    current: list[dict] = []
    for r in _stream(conn, q):
        if current and current[0]["id"] != r["id"]:
            yield _member(current)
            current = []
        current.append(dict(r))
    if current:
        yield _member(current)


def _member(rows: list[dict]) -> MemberFact:
    held = [m for m in (membership_of(r) for r in rows) if m is not None]
    candidates = [m for m in held if m.to_date is None] or held
    latest = candidates[-1] if candidates else None
    first = rows[0]
    return MemberFact(first["id"], first["name"], first["slug"], first["person_house"], latest, len(held))


def membership_facts(conn: Connection) -> Iterator[MembershipFact]:
    q = (select(*membership_columns(), memberships.c.person_id, people.c.name.label("person_name"))
         .select_from(memberships.outerjoin(people, people.c.id == memberships.c.person_id))
         .order_by(memberships.c.person_id, memberships.c.from_date, memberships.c.id))
    for r in _stream(conn, q):
        membership = membership_of(r)
        assert membership is not None, "memberships.house is NOT NULL"
        yield MembershipFact(membership, r["person_id"], r["person_name"])


def office_facts(conn: Connection) -> Iterator[OfficeFact]:
    q = (select(offices, departments.c.name.label("department_name"))
         .select_from(offices.outerjoin(departments, departments.c.slug == offices.c.department_slug))
         .order_by(offices.c.person_id, offices.c.from_date, offices.c.id))
    for r in _stream(conn, q):
        yield OfficeFact(r["id"], r["person_id"], r["name"], r["position"], _department(r), r["department"],
                         r["responsibility"], r["from_date"], r["to_date"])


def count_records(conn: Connection, kind: str) -> int:
    """How many facts the ``*_facts`` function of ``kind`` yields, counted in the store."""
    table, where = {
        "debates": (debates, []), "speeches": (speeches, [speeches.c.element == "speech"]),
        "questions": (speeches, [and_(speeches.c.kind.in_(WRITTEN_QUESTION_KINDS), speeches.c.element == "ques")]),
        "divisions": (divisions, []), "votes": (votes, []), "members": (people, []),
        "memberships": (memberships, []), "offices": (offices, []),
    }[kind]
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

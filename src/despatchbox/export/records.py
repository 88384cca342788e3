"""The export records: the store's facts (``store.queries.export``) named the way every surface
names them — chambers by the kinds table, departments as they were called on the record's date,
parties by name (a chair's own party), peerages by kind.

Each exporter in :data:`EXPORTERS` yields one plain dict per record, keys in the order of
:data:`FIELDS` (the CSV header), values JSON-ready except dates (``datetime.date``); ``department`` is
``{"name", "slug"}`` or None. The fields are documented one by one in ``docs/export.md``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from sqlalchemy import Connection

from ..attribute.names import peerage_kind
from ..attribute.parties import party_name
from ..record import kinds, naming
from ..store.queries import export as facts
from ..store.queries.speakers import chair_own_parties

#: record type → its fields in order (JSON keys; CSV columns, where ``department`` becomes
#: ``department_name`` and ``department_slug``)
FIELDS: dict[str, list[str]] = {
    "debates": ["id", "kind", "chamber", "date", "title", "department", "speeches", "words"],
    "speeches": ["id", "debate_id", "item_id", "kind", "date", "position", "department", "speaker_id",
                 "speaker_name", "person_id", "name", "house", "party", "constituency", "office", "words"],
    "questions": ["id", "group_id", "debate_id", "item_id", "kind", "date", "title", "department", "speaker_id",
                  "person_id", "name", "party", "constituency", "words", "answer_id", "answer_speaker_id",
                  "answer_person_id", "answer_name", "answer_office", "answer_words"],
    "divisions": ["id", "debate_id", "kind", "chamber", "date", "number", "time", "debate_title", "department",
                  "ayes", "noes", "votes"],
    "votes": ["division_id", "date", "kind", "number", "membership_id", "person_id", "name", "house", "party",
              "constituency", "vote", "teller"],
    "members": ["id", "name", "slug", "house", "party", "constituency", "from_date", "to_date", "memberships"],
    "memberships": ["id", "person_id", "name", "house", "party", "party_code", "constituency", "peerage",
                    "from_date", "to_date", "from_why", "to_why"],
    "offices": ["id", "person_id", "name", "position", "department", "department_as_printed", "responsibility",
                "from_date", "to_date"],
}
#: optional text fields added by ``--with-text``
TEXT_FIELDS = {"speeches": ["text"], "questions": ["text", "answer_text"]}


def department(dept: facts.Department | None, on: date) -> dict | None:
    """``{"name", "slug"}`` with the department's name as it was on the date; None without one."""
    return naming.department_ref(dept.slug, on, dept.stored_name) if dept else None


def speaker_fields(s: facts.Speaker, own_parties: dict[int, str]) -> dict:
    """name, house, party, constituency of a speaker: the person's name (the printed one when unresolved),
    and the membership held that day (a chair's own party)."""
    name = s.person_name if s.person_id is not None and s.person_name else s.printed_name
    own = own_parties.get(s.person_id) if s.person_id is not None else None
    return {"name": name, "house": s.house,
            "party": naming.party_on_the_day(s.party_code, own) if s.house else None,
            "constituency": s.constituency if s.house == "commons" else None}


def export_debates(conn: Connection) -> Iterator[dict]:
    for d in facts.debate_facts(conn):
        yield {"id": d.id, "kind": d.kind, "chamber": kinds.group_of(d.kind), "date": d.date, "title": d.title,
               "department": department(d.department, d.date), "speeches": d.speeches, "words": d.words}


def export_speeches(conn: Connection, with_text: bool = False) -> Iterator[dict]:
    """Every ``<speech>`` (spoken contributions and written statements; written questions and answers are
    in :func:`export_questions`)."""
    own = chair_own_parties(conn)
    for s in facts.speech_facts(conn, with_text):
        out = {"id": s.id, "debate_id": s.debate_id, "item_id": s.debate_id, "kind": s.kind, "date": s.date,
               "position": s.position, "department": department(s.department, s.date),
               "speaker_id": s.speaker.printed_id, "speaker_name": s.speaker.printed_name,
               "person_id": s.speaker.person_id, **speaker_fields(s.speaker, own), "office": s.office,
               "words": s.words}
        if with_text:
            out["text"] = s.text
        yield out


def export_questions(conn: Connection, with_text: bool = False) -> Iterator[dict]:
    """One record per written question, with the answer given to its group."""
    own = chair_own_parties(conn)
    for q in facts.question_facts(conn, with_text):
        asker, answer = speaker_fields(q.asker, own), q.answer
        out = {"id": q.id, "group_id": q.group_id, "debate_id": q.debate_id, "item_id": q.debate_id,
               "kind": q.kind, "date": q.date, "title": q.group_title or q.debate_title,
               "department": department(q.department, q.date), "speaker_id": q.asker.printed_id,
               "person_id": q.asker.person_id, "name": asker["name"], "party": asker["party"],
               "constituency": asker["constituency"], "words": q.words,
               "answer_id": answer.id if answer else None,
               "answer_speaker_id": answer.speaker.printed_id if answer else None,
               "answer_person_id": answer.speaker.person_id if answer else None,
               "answer_name": speaker_fields(answer.speaker, own)["name"] if answer else None,
               "answer_office": answer.office if answer else None,
               "answer_words": answer.words if answer else None}
        if with_text:
            out["text"] = q.text
            out["answer_text"] = answer.text if answer else None
        yield out


def export_divisions(conn: Connection) -> Iterator[dict]:
    for d in facts.division_facts(conn):
        yield {"id": d.id, "debate_id": d.debate_id, "kind": d.kind, "chamber": kinds.group_of(d.kind),
               "date": d.date, "number": d.number, "time": d.time, "debate_title": d.debate_title,
               "department": department(d.department, d.date), "ayes": d.ayes, "noes": d.noes, "votes": d.votes}


def export_votes(conn: Connection) -> Iterator[dict]:
    own = chair_own_parties(conn)
    for v in facts.vote_facts(conn):
        voter = speaker_fields(v.voter, own)
        yield {"division_id": v.division_id, "date": v.date, "kind": v.kind, "number": v.number,
               "membership_id": v.voter.printed_id, "person_id": v.voter.person_id, "name": v.voter.printed_name,
               "house": voter["house"], "party": voter["party"], "constituency": voter["constituency"],
               "vote": v.vote, "teller": v.teller}


def export_members(conn: Connection) -> Iterator[dict]:
    """One record per person, with their latest membership (the open one, else the last to start)."""
    own = chair_own_parties(conn)
    for p in facts.member_facts(conn):
        m = p.latest
        yield {"id": p.id, "name": p.name, "slug": p.slug, "house": m.house if m else p.house,
               "party": naming.party_on_the_day(m.party, own.get(p.id)) if m else None,
               "constituency": m.constituency if m and m.house == "commons" else None,
               "from_date": m.from_date if m else None, "to_date": m.to_date if m else None,
               "memberships": p.memberships}


def export_memberships(conn: Connection) -> Iterator[dict]:
    for f in facts.membership_facts(conn):
        m = f.membership
        yield {"id": m.id, "person_id": f.person_id, "name": f.person_name, "house": m.house,
               "party": party_name(m.party), "party_code": m.party,
               "constituency": m.constituency if m.house == "commons" else None,
               "peerage": peerage_kind(m.peerage_type) if m.house == "lords" else None,
               "from_date": m.from_date, "to_date": m.to_date, "from_why": m.from_why, "to_why": m.to_why}


def export_offices(conn: Connection) -> Iterator[dict]:
    for o in facts.office_facts(conn):
        yield {"id": o.id, "person_id": o.person_id, "name": o.name, "position": o.position,
               "department": department(o.department, o.from_date or date.today()),
               "department_as_printed": o.department_as_printed, "responsibility": o.responsibility or None,
               "from_date": o.from_date, "to_date": o.to_date}


EXPORTERS: dict[str, Callable[..., Iterable[dict]]] = {
    "debates": export_debates, "speeches": export_speeches, "questions": export_questions,
    "divisions": export_divisions, "votes": export_votes, "members": export_members,
    "memberships": export_memberships, "offices": export_offices}

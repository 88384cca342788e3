"""Bulk export: every debate, speech, written question, division, vote and member, streamed.

Each ``export_*`` function yields one plain dict per record, in a stable order, reading
the store through a server-side cursor (``yield_per``) so memory stays flat however big
the record is. Values are JSON-ready except dates (``datetime.date``); ``department`` is
``{"name", "slug"}`` or None. The fields are documented one by one in ``docs/export.md``;
:data:`FIELDS` lists them per record type, in order (the CSV header).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import Connection, and_, func, select

from ...record import kinds, naming
from ...attribute.parties import is_chair, party_name
from ..schema import debates, departments, divisions, headings, memberships, offices, people, speeches, votes

#: rows fetched per round trip of the server-side cursor
YIELD_PER = 1000

#: the chamber (or publication) each kind of record belongs to
CHAMBER_OF_KIND = {k.key: k.group for k in kinds.KINDS}
#: the house each kind of record belongs to
HOUSE_OF_KIND = {k.key: k.house for k in kinds.KINDS}
WRITTEN_QUESTION_KINDS = kinds.ANSWERS

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

PEERAGES = {"L": "Life peer", "HP": "Hereditary peer", "HD": "Hereditary peer", "HO": "Hereditary peer",
            "B": "Bishop", "A": "Law Lord"}


def _stream(conn: Connection, query):
    return conn.execution_options(yield_per=YIELD_PER).execute(query).mappings()


def department_of(slug: str | None, on: date, fallback_name: str | None = None) -> dict | None:
    """``{"name", "slug"}`` with the department's name as it was on the date; None without a slug."""
    return naming.department_ref(slug, on, fallback_name)


def chair_own_parties(conn: Connection) -> dict[int, str]:
    """person id → own party code, for people who sat in the Chair (SPK/CWM/DCWM memberships carry no party):
    the party of their latest other membership."""
    chair_people = (select(memberships.c.person_id)
                    .where(memberships.c.party.in_(("SPK", "CWM", "DCWM")), memberships.c.person_id.is_not(None)))
    rows = conn.execute(select(memberships.c.person_id, memberships.c.party)
                        .where(memberships.c.person_id.in_(chair_people))
                        .order_by(memberships.c.person_id, memberships.c.from_date))
    out: dict[int, str] = {}
    for pid, code in rows:
        if code and not is_chair(code) and code.lower() != "unknown":
            out[pid] = code
    return out


def party_of(code: str | None, person_id: int | None, own_parties: dict[int, str]) -> str | None:
    """The party name for a membership's code; a chair's own party from their other memberships."""
    if is_chair(code) and person_id in own_parties:
        code = own_parties[person_id]
    return party_name(code)


def speaker_fields(row, own_parties: dict[int, str], prefix: str = "m_") -> dict:
    """name, house, party, constituency of a speech row joined with people (``person_name``) and its membership."""
    person_id = row["person_id"]
    house = row[f"{prefix}house"]
    name = row["person_name"] if person_id is not None and row["person_name"] else row.get("speaker_name")
    return {"name": name, "house": house,
            "party": party_of(row[f"{prefix}party"], person_id, own_parties) if house else None,
            "constituency": row[f"{prefix}constituency"] if house == "commons" else None}


_SPEAKER = [people.c.name.label("person_name"), memberships.c.house.label("m_house"),
            memberships.c.party.label("m_party"), memberships.c.constituency.label("m_constituency")]


def _speaker_join(table, person_col, membership_col):
    return (table.outerjoin(people, people.c.id == person_col)
            .outerjoin(memberships, memberships.c.id == membership_col))


# --- debates --------------------------------------------------------------------------------------------

def export_debates(conn: Connection) -> Iterator[dict]:
    q = (select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, debates.c.department_slug,
                departments.c.name.label("department_name"), debates.c.speeches, debates.c.words)
         .select_from(debates.outerjoin(departments, departments.c.slug == debates.c.department_slug))
         .order_by(debates.c.date, debates.c.kind, debates.c.file_id, debates.c.position))
    for r in _stream(conn, q):
        yield {"id": r["id"], "kind": r["kind"], "chamber": CHAMBER_OF_KIND.get(r["kind"], r["kind"]),
               "date": r["date"], "title": r["title"],
               "department": department_of(r["department_slug"], r["date"], r["department_name"]),
               "speeches": r["speeches"], "words": r["words"]}


# --- speeches -------------------------------------------------------------------------------------------

def export_speeches(conn: Connection, with_text: bool = False) -> Iterator[dict]:
    """Every ``<speech>`` (spoken contributions and written statements; written questions and answers are
    in :func:`export_questions`)."""
    own = chair_own_parties(conn)
    cols = [speeches.c.id, speeches.c.debate_id, speeches.c.kind, speeches.c.date, speeches.c.position,
            speeches.c.speaker_id, speeches.c.speaker_name, speeches.c.person_id, speeches.c.speaker_office,
            speeches.c.words, *_SPEAKER, debates.c.department_slug, departments.c.name.label("department_name")]
    if with_text:
        cols.append(speeches.c.text)
    q = (select(*cols).select_from(_speaker_join(speeches, speeches.c.person_id, speeches.c.membership_id)
                                   .outerjoin(debates, debates.c.id == speeches.c.debate_id)
                                   .outerjoin(departments, departments.c.slug == debates.c.department_slug))
         .where(speeches.c.element == "speech")
         .order_by(speeches.c.date, speeches.c.kind, speeches.c.file_id, speeches.c.position))
    for r in _stream(conn, q):
        out = {"id": r["id"], "debate_id": r["debate_id"], "item_id": r["debate_id"], "kind": r["kind"],
               "date": r["date"], "position": r["position"],
               "department": department_of(r["department_slug"], r["date"], r["department_name"]),
               "speaker_id": r["speaker_id"], "speaker_name": r["speaker_name"],
               "person_id": r["person_id"], **speaker_fields(r, own), "office": r["speaker_office"],
               "words": r["words"]}
        if with_text:
            out["text"] = r["text"]
        yield _ordered("speeches", out, with_text)


# --- written questions ----------------------------------------------------------------------------------

def export_questions(conn: Connection, with_text: bool = False) -> Iterator[dict]:
    """One record per written question (``<ques>``), with the answer given to its group (the first
    ``<reply>`` under the same question heading; questions grouped together share it). Rows come in
    the order of the record, so a group's questions and its answer arrive together."""
    own = chair_own_parties(conn)
    cols = [speeches.c.id, speeches.c.debate_id, speeches.c.heading_id, speeches.c.kind, speeches.c.date,
            speeches.c.element, speeches.c.speaker_id, speeches.c.speaker_name, speeches.c.speaker_office,
            speeches.c.person_id, speeches.c.words, speeches.c.text, *_SPEAKER,
            headings.c.title.label("group_title"), debates.c.title.label("debate_title"),
            debates.c.department_slug, departments.c.name.label("department_name")]
    q = (select(*cols)
         .select_from(_speaker_join(speeches, speeches.c.person_id, speeches.c.membership_id)
                      .outerjoin(headings, headings.c.id == speeches.c.heading_id)
                      .outerjoin(debates, debates.c.id == speeches.c.debate_id)
                      .outerjoin(departments, departments.c.slug == debates.c.department_slug))
         .where(speeches.c.kind.in_(WRITTEN_QUESTION_KINDS), speeches.c.element.in_(("ques", "reply")))
         .order_by(speeches.c.date, speeches.c.kind, speeches.c.file_id, speeches.c.position))
    group: list[dict] = []
    for r in _stream(conn, q):
        if group and (r["heading_id"], r["kind"], r["date"]) != (group[0]["heading_id"], group[0]["kind"],
                                                                  group[0]["date"]):
            yield from _question_group(group, own, with_text)
            group = []
        group.append(dict(r))
    if group:
        yield from _question_group(group, own, with_text)


def _question_group(rows: list[dict], own: dict[int, str], with_text: bool) -> Iterator[dict]:
    answer = next((r for r in rows if r["element"] == "reply"), None)
    for r in rows:
        if r["element"] != "ques":
            continue
        speaker = speaker_fields(r, own)
        out = {"id": r["id"], "group_id": r["heading_id"], "debate_id": r["debate_id"],
               "item_id": r["debate_id"], "kind": r["kind"],
               "date": r["date"], "title": r["group_title"] or r["debate_title"],
               "department": department_of(r["department_slug"], r["date"], r["department_name"]),
               "speaker_id": r["speaker_id"], "person_id": r["person_id"], "name": speaker["name"],
               "party": speaker["party"], "constituency": speaker["constituency"], "words": r["words"],
               "answer_id": answer["id"] if answer else None,
               "answer_speaker_id": answer["speaker_id"] if answer else None,
               "answer_person_id": answer["person_id"] if answer else None,
               "answer_name": speaker_fields(answer, own)["name"] if answer else None,
               "answer_office": answer["speaker_office"] if answer else None,
               "answer_words": answer["words"] if answer else None}
        if with_text:
            out["text"] = r["text"]
            out["answer_text"] = answer["text"] if answer else None
        yield _ordered("questions", out, with_text)


# --- divisions and votes --------------------------------------------------------------------------------

def export_divisions(conn: Connection) -> Iterator[dict]:
    n_votes = (select(votes.c.division_id, func.count().label("n")).group_by(votes.c.division_id).subquery())
    q = (select(divisions.c.id, divisions.c.debate_id, divisions.c.kind, divisions.c.date, divisions.c.number,
                divisions.c.time, divisions.c.ayes, divisions.c.noes, debates.c.title.label("debate_title"),
                debates.c.department_slug, departments.c.name.label("department_name"), n_votes.c.n)
         .select_from(divisions.outerjoin(debates, debates.c.id == divisions.c.debate_id)
                      .outerjoin(departments, departments.c.slug == debates.c.department_slug)
                      .outerjoin(n_votes, n_votes.c.division_id == divisions.c.id))
         .order_by(divisions.c.date, divisions.c.kind, divisions.c.file_id, divisions.c.position))
    for r in _stream(conn, q):
        yield {"id": r["id"], "debate_id": r["debate_id"], "kind": r["kind"],
               "chamber": CHAMBER_OF_KIND.get(r["kind"], r["kind"]), "date": r["date"], "number": r["number"],
               "time": r["time"], "debate_title": r["debate_title"],
               "department": department_of(r["department_slug"], r["date"], r["department_name"]),
               "ayes": r["ayes"], "noes": r["noes"], "votes": int(r["n"] or 0)}


def export_votes(conn: Connection) -> Iterator[dict]:
    own = chair_own_parties(conn)
    q = (select(votes.c.division_id, votes.c.membership_id, votes.c.person_id, votes.c.name.label("speaker_name"),
                votes.c.vote, votes.c.teller, divisions.c.date, divisions.c.kind, divisions.c.number, *_SPEAKER)
         .select_from(_speaker_join(votes.join(divisions, divisions.c.id == votes.c.division_id),
                                    votes.c.person_id, votes.c.membership_id))
         .order_by(divisions.c.date, divisions.c.kind, divisions.c.file_id, divisions.c.position, votes.c.position))
    for r in _stream(conn, q):
        speaker = speaker_fields(r, own)
        yield {"division_id": r["division_id"], "date": r["date"], "kind": r["kind"], "number": r["number"],
               "membership_id": r["membership_id"], "person_id": r["person_id"], "name": r["speaker_name"],
               "house": speaker["house"], "party": speaker["party"], "constituency": speaker["constituency"],
               "vote": r["vote"], "teller": bool(r["teller"])}


# --- members --------------------------------------------------------------------------------------------

def export_members(conn: Connection) -> Iterator[dict]:
    """One record per person, with their latest membership (the open one, else the last to start)."""
    own = chair_own_parties(conn)
    q = (select(people.c.id, people.c.name, people.c.slug, people.c.house.label("person_house"),
                memberships.c.house, memberships.c.party, memberships.c.constituency, memberships.c.from_date,
                memberships.c.to_date)
         .select_from(people.outerjoin(memberships, memberships.c.person_id == people.c.id))
         .order_by(people.c.id, memberships.c.from_date, memberships.c.id))
    current: list[dict] = []
    for r in _stream(conn, q):
        if current and current[0]["id"] != r["id"]:
            yield _member(current, own)
            current = []
        current.append(dict(r))
    if current:
        yield _member(current, own)


def _member(rows: list[dict], own: dict[int, str]) -> dict:
    held = [r for r in rows if r["house"] is not None]
    latest = ([r for r in held if r["to_date"] is None] or held or [None])[-1]
    first = rows[0]
    return {"id": first["id"], "name": first["name"], "slug": first["slug"],
            "house": latest["house"] if latest else first["person_house"],
            "party": party_of(latest["party"], first["id"], own) if latest else None,
            "constituency": latest["constituency"] if latest and latest["house"] == "commons" else None,
            "from_date": latest["from_date"] if latest else None, "to_date": latest["to_date"] if latest else None,
            "memberships": len(held)}


def export_memberships(conn: Connection) -> Iterator[dict]:
    q = (select(memberships, people.c.name.label("person_name"))
         .select_from(memberships.outerjoin(people, people.c.id == memberships.c.person_id))
         .order_by(memberships.c.person_id, memberships.c.from_date, memberships.c.id))
    for r in _stream(conn, q):
        yield {"id": r["id"], "person_id": r["person_id"], "name": r["person_name"], "house": r["house"],
               "party": party_name(r["party"]), "party_code": r["party"],
               "constituency": r["constituency"] if r["house"] == "commons" else None,
               "peerage": PEERAGES.get((r["peerage_type"] or "").upper()) if r["house"] == "lords" else None,
               "from_date": r["from_date"], "to_date": r["to_date"], "from_why": r["from_why"],
               "to_why": r["to_why"]}


def export_offices(conn: Connection) -> Iterator[dict]:
    q = (select(offices, departments.c.name.label("department_name"))
         .select_from(offices.outerjoin(departments, departments.c.slug == offices.c.department_slug))
         .order_by(offices.c.person_id, offices.c.from_date, offices.c.id))
    for r in _stream(conn, q):
        on = r["from_date"] or date.today()
        yield {"id": r["id"], "person_id": r["person_id"], "name": r["name"], "position": r["position"],
               "department": department_of(r["department_slug"], on, r["department_name"]),
               "department_as_printed": r["department"],
               "responsibility": r["responsibility"] or None, "from_date": r["from_date"], "to_date": r["to_date"]}


def _ordered(kind: str, record: dict, with_text: bool) -> dict:
    keys = FIELDS[kind] + (TEXT_FIELDS.get(kind, []) if with_text else [])
    return {k: record.get(k) for k in keys}


EXPORTERS = {"debates": export_debates, "speeches": export_speeches, "questions": export_questions,
             "divisions": export_divisions, "votes": export_votes, "members": export_members,
             "memberships": export_memberships, "offices": export_offices}


def count_records(conn: Connection, kind: str) -> int:
    """How many records :data:`EXPORTERS` ``[kind]`` yields, counted in the store."""
    table, where = {
        "debates": (debates, []), "speeches": (speeches, [speeches.c.element == "speech"]),
        "questions": (speeches, [and_(speeches.c.kind.in_(WRITTEN_QUESTION_KINDS), speeches.c.element == "ques")]),
        "divisions": (divisions, []), "votes": (votes, []), "members": (people, []),
        "memberships": (memberships, []), "offices": (offices, []),
    }[kind]
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

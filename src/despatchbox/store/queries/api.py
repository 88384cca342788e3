"""Queries the JSON API, feeds and HTTP caching need that no other area has: filtered, counted
lists (members, debates, written question groups, divisions) and a member's debates of any kind.

Everything else the API shows comes from the pages' query modules (``people``, ``debates``,
``departments``, ``questions``, ``divisions``). List functions return ``(total, rows)``.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import Connection, func, or_, select

from ..schema import debates, departments, divisions, headings, ingest_batches, memberships, people, speeches
from .people import MEMBERSHIP_COLUMNS, WRITTEN_ANSWER_KINDS


def last_change(conn: Connection) -> datetime | None:
    """When the record last changed: the end of the latest finished ingest run (None before any)."""
    return conn.execute(select(func.max(ingest_batches.c.finished_at))).scalar()


def like_pattern(text: str) -> str:
    """``%text%`` for a case-insensitive LIKE with ``\\`` as the escape character (user text is literal)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower() + "%"


def _page(conn: Connection, base, order, limit: int, offset: int) -> tuple[int, list[dict]]:
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = conn.execute(base.order_by(*order).limit(limit).offset(offset)).mappings()
    return int(total), [dict(r) for r in rows]


# --- members ----------------------------------------------------------------------------------------------

def find_people(conn: Connection, *, name: str | None = None, house: str | None = None,
                parties: list[str] | None = None, initial: str | None = None, current_on: date | None = None,
                with_memberships: bool = False, by_surname: bool = False,
                limit: int = 20, offset: int = 0) -> tuple[int, list[dict]]:
    """People whose name, or the constituency of any of their memberships, contains ``name``
    (case-insensitive: ``delyn`` finds David Hanson); in a house (of their latest membership); who held
    a membership of one of ``parties`` (codes as in the members data); whose surname starts with ``initial``;
    holding a membership on ``current_on``; by name. ``with_memberships`` keeps only people with a
    membership in the store. ``by_surname`` sorts A–Z by surname (a peer's title), not by full name."""
    q = select(people.c.id, people.c.name, people.c.slug, people.c.house)
    if name:
        pattern = like_pattern(name)
        seats = select(memberships.c.person_id).where(
            func.lower(memberships.c.constituency).like(pattern, escape="\\"))
        q = q.where(or_(func.lower(people.c.name).like(pattern, escape="\\"), people.c.id.in_(seats)))
    if house:
        q = q.where(people.c.house == house)
    if parties is not None:
        q = q.where(people.c.id.in_(select(memberships.c.person_id).where(memberships.c.party.in_(parties))))
    surname = (select(func.max(func.coalesce(memberships.c.lord_name, memberships.c.last_name)))
               .where(memberships.c.person_id == people.c.id).scalar_subquery())
    if initial:
        q = q.where(func.lower(surname).like(initial.lower()[:1] + "%"))
    if current_on:
        q = q.where(people.c.id.in_(select(memberships.c.person_id).where(
            memberships.c.from_date <= current_on,
            or_(memberships.c.to_date.is_(None), memberships.c.to_date >= current_on))))
    if with_memberships:
        q = q.where(people.c.id.in_(select(memberships.c.person_id).where(memberships.c.person_id.is_not(None))))
    order = (func.lower(surname), people.c.name, people.c.id) if by_surname else (people.c.name, people.c.id)
    return _page(conn, q, order, limit, offset)


def party_codes(conn: Connection) -> list[str]:
    """Every party code a membership holds, sorted."""
    return sorted(r for (r,) in conn.execute(select(memberships.c.party).distinct()) if r)


def memberships_of_people(conn: Connection, person_ids) -> dict[int, list[dict]]:
    """person id → their memberships, oldest first."""
    ids = sorted({p for p in person_ids if p is not None})
    out: dict[int, list[dict]] = {p: [] for p in ids}
    if ids:
        for r in conn.execute(select(*MEMBERSHIP_COLUMNS).where(memberships.c.person_id.in_(ids))
                              .order_by(memberships.c.from_date, memberships.c.id)).mappings():
            out[r["person_id"]].append(dict(r))
    return out


def member_debates(conn: Connection, person_id: int, *, department_slug: str | None = None,
                   kinds=None, since: date | None = None, until: date | None = None,
                   limit: int = 20, offset: int = 0) -> tuple[int, list[dict]]:
    """The sections the person contributed to (any kind, or ``kinds``; with a department when given), newest
    first, with ``member_speeches`` (their contributions there)."""
    mine = (select(speeches.c.debate_id, func.count().label("member_speeches"))
            .where(speeches.c.person_id == person_id).group_by(speeches.c.debate_id).subquery())
    q = (select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, debates.c.department_slug,
                departments.c.name.label("department_name"), debates.c.speeches, debates.c.words,
                mine.c.member_speeches)
         .select_from(mine.join(debates, debates.c.id == mine.c.debate_id)
                      .outerjoin(departments, departments.c.slug == debates.c.department_slug)))
    if department_slug:
        q = q.where(debates.c.department_slug == department_slug)
    if kinds:
        q = q.where(debates.c.kind.in_(list(kinds)))
    if since:
        q = q.where(debates.c.date >= since)
    if until:
        q = q.where(debates.c.date <= until)
    return _page(conn, q, (debates.c.date.desc(), debates.c.kind, debates.c.file_id, debates.c.position),
                 limit, offset)


# --- debates ----------------------------------------------------------------------------------------------

def find_debates(conn: Connection, *, kinds=None, department_slug: str | None = None, since: date | None = None,
                 until: date | None = None, title: str | None = None, limit: int = 20,
                 offset: int = 0) -> tuple[int, list[dict]]:
    """Sections by kind, department, date range and words of the title; newest first, in record order."""
    q = (select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, debates.c.department_slug,
                departments.c.name.label("department_name"), debates.c.speeches, debates.c.words)
         .select_from(debates.outerjoin(departments, departments.c.slug == debates.c.department_slug)))
    if kinds:
        q = q.where(debates.c.kind.in_(list(kinds)))
    if department_slug:
        q = q.where(debates.c.department_slug == department_slug)
    if since:
        q = q.where(debates.c.date >= since)
    if until:
        q = q.where(debates.c.date <= until)
    if title:
        q = q.where(func.lower(debates.c.title).like(like_pattern(title), escape="\\"))
    return _page(conn, q, (debates.c.date.desc(), debates.c.kind, debates.c.file_id, debates.c.position),
                 limit, offset)


# --- written questions ------------------------------------------------------------------------------------

class _QuestionPeople(TypedDict):
    askers: list[str]
    answered_by: str | None


def find_question_groups(conn: Connection, *, kinds=None, department_slug: str | None = None,
                         since: date | None = None, until: date | None = None, person_id: int | None = None,
                         limit: int = 20, offset: int = 0) -> tuple[int, list[dict]]:
    """Written question groups (the minor heading over questions sharing one answer), newest first, with the
    section's department, ``askers`` (names as printed) and ``answered_by`` (the first answer's speaker).
    ``person_id`` keeps the groups the person asked in or answered."""
    kinds = [k for k in (kinds or WRITTEN_ANSWER_KINDS) if k in WRITTEN_ANSWER_KINDS]
    joined = (headings.join(debates, debates.c.id == headings.c.debate_id)
              .outerjoin(departments, departments.c.slug == debates.c.department_slug))
    q = (select(headings.c.id, headings.c.title, headings.c.date, headings.c.kind, headings.c.debate_id,
                debates.c.department_slug, departments.c.name.label("department_name"))
         .select_from(joined)
         .where(headings.c.kind.in_(kinds), headings.c.level == "minor",
                headings.c.id.in_(select(speeches.c.heading_id).where(speeches.c.element == "ques",
                                                                      speeches.c.kind.in_(kinds)))))
    if department_slug:
        q = q.where(debates.c.department_slug == department_slug)
    if since:
        q = q.where(headings.c.date >= since)
    if until:
        q = q.where(headings.c.date <= until)
    if person_id is not None:
        q = q.where(headings.c.id.in_(select(speeches.c.heading_id).where(speeches.c.person_id == person_id,
                                                                          speeches.c.kind.in_(kinds))))
    total, rows = _page(conn, q, (headings.c.date.desc(), headings.c.kind, headings.c.file_id,
                                  headings.c.position), limit, offset)
    if rows:
        people_of: dict[str, _QuestionPeople] = {r["id"]: {"askers": [], "answered_by": None} for r in rows}
        for heading_id, element, name in conn.execute(
                select(speeches.c.heading_id, speeches.c.element, speeches.c.speaker_name)
                .where(speeches.c.heading_id.in_(list(people_of)), speeches.c.kind.in_(kinds))
                .order_by(speeches.c.position)):
            entry = people_of[heading_id]
            if element == "ques":
                if name and name not in entry["askers"]:
                    entry["askers"].append(name)
            elif entry["answered_by"] is None:
                entry["answered_by"] = name
        for r in rows:
            r.update(people_of[r["id"]])
    return total, rows


# --- divisions --------------------------------------------------------------------------------------------

def find_divisions(conn: Connection, *, kinds=None, since: date | None = None, until: date | None = None,
                   number: int | None = None, limit: int = 20, offset: int = 0) -> tuple[int, list[dict]]:
    """Divisions by kind, date range and number; newest first, in record order, with their debate's title."""
    q = (select(divisions.c.id, divisions.c.kind, divisions.c.date, divisions.c.number, divisions.c.time,
                divisions.c.debate_id, divisions.c.ayes, divisions.c.noes, debates.c.title.label("debate_title"))
         .select_from(divisions.outerjoin(debates, debates.c.id == divisions.c.debate_id)))
    if kinds:
        q = q.where(divisions.c.kind.in_(list(kinds)))
    if since:
        q = q.where(divisions.c.date >= since)
    if until:
        q = q.where(divisions.c.date <= until)
    if number is not None:
        q = q.where(divisions.c.number == number)
    return _page(conn, q, (divisions.c.date.desc(), divisions.c.kind, divisions.c.file_id, divisions.c.position),
                 limit, offset)


def department_section_count(conn: Connection, slug: str) -> int:
    return int(conn.execute(select(func.count()).select_from(debates)
                            .where(debates.c.department_slug == slug)).scalar_one())


def heading_titles(conn: Connection, heading_ids) -> dict[str, str]:
    """heading id → title, for several headings in one query."""
    ids = sorted({h for h in heading_ids if h})
    if not ids:
        return {}
    return dict(conn.execute(select(headings.c.id, headings.c.title).where(headings.c.id.in_(ids))).tuples().all())

"""/members: people, with their memberships, posts and departments; their debates; their
contributions to one debate."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from ...store.queries import debates as debate_queries
from ...store.queries import people as people_queries
from ...attribute.parties import party_name
from ...store.queries.api import find_people, member_debates, memberships_of_people, party_codes
from ...store.queries.speakers import chair_own_parties
from . import shape
from .common import (ERROR_RESPONSES, MAX_ID, MAX_TEXT, Conn, DateFrom, DateTo, DepartmentSlug, KindParam, Limit,
                     Offset, date_range, example, not_found, page)
from .models import Member, MemberContributions, MemberDebatePage, MemberPage

router = APIRouter(prefix="/members", tags=["members"], responses=ERROR_RESPONSES)

MemberId = Annotated[int, Path(ge=1, le=MAX_ID, description="ParlParse person id, e.g. 10259.",
                               openapi_examples=example(10259, "David Hanson"))]


def party_codes_for(conn, party: str | None) -> list[str] | None:
    """The party codes a ``party`` filter means: a code (``Lab``) or a name (``Labour``), any case."""
    if not party:
        return None
    wanted = party.strip().lower()
    return [c for c in party_codes(conn) if wanted in (c.lower(), (party_name(c) or "").lower())]


@router.get("", response_model=MemberPage, summary="Find members by name or constituency")
def list_members(request: Request, conn: Conn,
                 name: Annotated[str | None, Query(max_length=MAX_TEXT, description="Part of the name or of a "
                                                                                    "constituency, any case: "
                                                                                    "`hanson`, `delyn`.",
                                                              openapi_examples=example("delyn"))] = None,
                 house: Annotated[Literal["commons", "lords"] | None,
                                  Query(description="House of the latest membership.")] = None,
                 party: Annotated[str | None, Query(max_length=MAX_TEXT, description="Members who sat for this "
                                                                                     "party: a code (`Lab`) or "
                                                                                     "a name (`Labour`).")] = None,
                 initial: Annotated[str | None, Query(pattern="^[A-Za-z]$", description="Surname (a peer's "
                                                                                         "title) starting with "
                                                                                         "this letter; sorts "
                                                                                         "A–Z by surname.")] = None,
                 limit: Limit = 20, offset: Offset = 0):
    """Members whose name or constituency contains `name`, by name, with the latest membership of each; MPs
    and peers, current and former. People named in the members data but holding no membership in the
    store are left out."""
    total, rows = find_people(conn, name=name, house=house, parties=party_codes_for(conn, party),
                              initial=initial, by_surname=initial is not None, with_memberships=True,
                              limit=limit, offset=offset)
    held = memberships_of_people(conn, [r["id"] for r in rows])
    own = chair_own_parties(conn)
    items = [shape.member_summary(r, held.get(r["id"], []), own) for r in rows]
    return page(request, items, total, limit, offset)


def _person(conn, person_id: int) -> dict:
    person = people_queries.person_by_id(conn, person_id)
    if person is None:
        raise not_found(f"no member with person id {person_id}")
    return person


@router.get("/{person_id}", response_model=Member, summary="A member")
def get_member(conn: Conn, person_id: MemberId):
    """A member with every membership (open-ended ones have `to_date: null`), every post in ministers.xml,
    the departments they debated with and counts of what they did."""
    person = _person(conn, person_id)
    held = people_queries.memberships_of(conn, person_id)
    own = chair_own_parties(conn)
    posts = [{"id": o["id"], "position": o["position"], "responsibility": o["responsibility"] or None,
              "department": shape.department(o["department_slug"], o["from_date"]),
              "department_as_printed": o["department"], "from_date": o["from_date"], "to_date": o["to_date"]}
             for o in people_queries.offices_of(conn, person_id, government_only=False)]
    departments = []
    for d in people_queries.department_debate_counts(conn, person_id):
        dept = shape.department(d["department_slug"], d["latest"])
        departments.append({"department": dept, "debates": d["debates"], "speeches": d["speeches"],
                            "latest": d["latest"],
                            "debates_url": shape.api_path("members", person_id, "debates") +
                            f"?department={d['department_slug']}"})
    return {**shape.member_summary(person, held, own),
            "memberships": [shape.membership(m) for m in held], "posts": posts, "departments": departments,
            "counts": people_queries.counts(conn, person_id),
            "debates_url": shape.api_path("members", person_id, "debates")}


@router.get("/{person_id}/debates", response_model=MemberDebatePage, summary="A member's debates")
def list_member_debates(request: Request, conn: Conn, person_id: MemberId, department: DepartmentSlug = None,
                        kind: Annotated[list[KindParam] | None, Query(description="Kinds of record (repeat for "
                                                                                  "several).")] = None,
                        since: DateFrom = None, until: DateTo = None, limit: Limit = 20, offset: Offset = 0):
    """The sections the member contributed to, newest first: with `department`, their debates with that
    department ("View all David Hanson's debates with the Home Office")."""
    _person(conn, person_id)
    since, until = date_range(None, since, until)
    total, rows = member_debates(conn, person_id, department_slug=department, kinds=kind, since=since,
                                 until=until, limit=limit, offset=offset)
    items = [{**shape.debate_summary(r), "member_speeches": int(r["member_speeches"]),
              "contributions_url": shape.api_path("members", person_id, "debates", r["id"])} for r in rows]
    return page(request, items, total, limit, offset)


@router.get("/{person_id}/debates/{debate_id:path}", response_model=MemberContributions,
            summary="A member's contributions to a debate")
def member_contributions(conn: Conn, person_id: MemberId,
                         debate_id: Annotated[str, Path(description="The debate's id (its heading's gid); the id "
                                                                    "of any record in it also works.",
                                                        openapi_examples=example(
                                                            "uk.org.publicwhip/debate/2009-10-26b.1.4"))]):
    """What the member said in one debate, and each exchange (heading) they spoke in, whole: the questions
    put to them, their answers and the follow-ups."""
    person = _person(conn, person_id)
    found = debate_queries.locate(conn, debate_id) if debate_id else None
    row = debate_queries.debate(conn, found["debate_id"]) if found else None
    if row is None:
        raise not_found(f"no debate with id {debate_id!r}")
    own = chair_own_parties(conn)
    all_speeches = debate_queries.speeches_of(conn, row["id"])
    mine = [s for s in all_speeches if s["person_id"] == person_id]
    if not mine:
        raise not_found(f"{person['name']} made no contribution to {row['id']}")
    headings = {h["id"]: h for h in debate_queries.headings_of(conn, row["id"])}
    exchanges, seen = [], set()
    for s in mine:
        key = s["heading_id"]
        if key in seen:
            continue
        seen.add(key)
        under = [x for x in all_speeches if x["heading_id"] == key]
        h = headings.get(key)
        exchanges.append({
            "heading": {"id": h["id"], "level": h["level"], "title": h["title"], "parent_id": h["parent_id"]}
            if h else None,
            "contributions": [shape.speech(x, own) for x in under],
            "member_contribution_ids": [x["id"] for x in under if x["person_id"] == person_id]})
    held = people_queries.memberships_of(conn, person_id)
    return {"member": shape.member_summary(person, held, own), "debate": shape.debate_summary(row),
            "contributions": [shape.speech(s, own) for s in mine], "exchanges": exchanges}

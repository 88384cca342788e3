"""/divisions: divisions with every vote."""
from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from ...store.queries import debates as debate_queries
from ...store.queries import divisions as division_queries
from ...store.queries.api import find_divisions
from ...store.queries.speakers import chair_own_parties
from . import shape
from .common import (ERROR_RESPONSES, MAX_ID, Conn, DateFrom, DateTo, KindParam, Limit, Offset, OnDate, date_range,
                     example, not_found, page)
from .models import Division, DivisionPage

router = APIRouter(prefix="/divisions", tags=["divisions"], responses=ERROR_RESPONSES)


@router.get("", response_model=DivisionPage, summary="Find divisions")
def list_divisions(request: Request, conn: Conn,
                   kind: Annotated[list[KindParam] | None, Query(description="`debates` (Commons), `lordspages` "
                                                                             "(Lords), `standing` (committees).")]
                   = None,
                   on: OnDate = None, since: DateFrom = None, until: DateTo = None,
                   number: Annotated[int | None, Query(ge=0, le=MAX_ID, description="The division number.")] = None,
                   limit: Limit = 20, offset: Offset = 0):
    """Divisions newest first; `date=2009-10-26&number=230&kind=debates` finds one."""
    since, until = date_range(on, since, until)
    total, rows = find_divisions(conn, kinds=kind, since=since, until=until, number=number, limit=limit,
                                 offset=offset)
    return page(request, [shape.division_summary(r) for r in rows], total, limit, offset)


@router.get("/{division_id:path}", response_model=Division, summary="A division with every vote")
def get_division(conn: Conn, division_id: Annotated[str, Path(description="The division's gid, e.g. "
                                                                          "`uk.org.publicwhip/debate/2009-10-26b."
                                                                          "125.5`.",
                                                              openapi_examples=example(
                                                                  "uk.org.publicwhip/debate/2009-10-26b.125.5",
                                                                  "Division 230 of 26 October 2009"))]):
    """The division's tallies, every vote as listed (tellers marked) with the voter resolved to a person
    and their party that day, and the votes counted by party."""
    row = division_queries.division(conn, division_id) if division_id else None
    if row is None and division_id:
        newer = debate_queries.redirect_target(conn, division_id)
        row = division_queries.division(conn, newer) if newer else None
    if row is None:
        raise not_found(f"no division with id {division_id!r}")
    own = chair_own_parties(conn)
    votes: list[dict] = []
    tally: Counter[tuple[str | None, str]] = Counter()
    for v in division_queries.division_votes(conn, row["id"]):
        ref = shape.member_ref({**v, "m_house": v["house"], "m_party": v["party"],
                                "m_constituency": v["constituency"], "m_title": v["m_title"],
                                "m_lord_name": v["lord_name"], "m_lord_of_name": v["lord_of_name"]}, own)
        votes.append({"name": v["name"], "vote": v["vote"], "teller": bool(v["teller"]),
                      "membership_id": v["membership_id"], "member": ref})
        tally[(ref["party"] if ref else None, v["vote"])] += 1
    by_party = [{"party": p, "vote": vote, "votes": n}
                for (p, vote), n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0][0] or "", kv[0][1]))]
    return {**shape.division_summary(row),
            "department": shape.department(row["department_slug"], row["date"]), "votes": votes,
            "by_party": by_party}

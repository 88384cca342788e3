"""/debates: sections of the record (a debate, an oral-questions block, a statement, an answer
block) by date, kind and department; one with its headings, contributions and divisions."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from ...store.queries import debates as debate_queries
from ...store.queries.api import find_debates
from ...store.queries.speakers import chair_own_parties
from . import shape
from .common import (ERROR_RESPONSES, MAX_TEXT, Conn, DateFrom, DateTo, DepartmentSlug, KindParam, Limit, Offset,
                     OnDate, date_range, example, not_found, page)
from .models import Debate, DebatePage

router = APIRouter(prefix="/debates", tags=["debates"], responses=ERROR_RESPONSES)


@router.get("", response_model=DebatePage, summary="Find debates")
def list_debates(request: Request, conn: Conn,
                 kind: Annotated[list[KindParam] | None, Query(description="Kinds of record (repeat for several): "
                                                                           "`debates` is the Commons Chamber.")] = None,
                 department: DepartmentSlug = None, on: OnDate = None, since: DateFrom = None,
                 until: DateTo = None,
                 title: Annotated[str | None, Query(max_length=MAX_TEXT, description="Words of the title, any "
                                                                                    "case.")] = None,
                 limit: Limit = 20, offset: Offset = 0):
    """Sections newest first (in the order of the record within a day)."""
    since, until = date_range(on, since, until)
    total, rows = find_debates(conn, kinds=kind, department_slug=department, since=since, until=until,
                               title=title, limit=limit, offset=offset)
    return page(request, [shape.debate_summary(r) for r in rows], total, limit, offset)


@router.get("/{debate_id:path}", response_model=Debate, summary="A debate with its contributions")
def get_debate(conn: Conn, debate_id: Annotated[str, Path(description="The debate's id (its heading's gid, e.g. "
                                                                      "`uk.org.publicwhip/debate/2009-10-26b.1.4`); "
                                                                      "the id of any record in it, or an id from "
                                                                      "an older version of the file, also works.",
                                                          openapi_examples=example(
                                                              "uk.org.publicwhip/debate/2009-10-26b.1.4"))]):
    """A section with its headings, every contribution in order (speaker as printed and as resolved) and
    its divisions."""
    found = debate_queries.locate(conn, debate_id) if debate_id else None
    row = debate_queries.debate(conn, found["debate_id"]) if found else None
    if row is None:
        raise not_found(f"no debate with id {debate_id!r}")
    own = chair_own_parties(conn)
    divisions = debate_queries.divisions_of(conn, row["id"])
    return {**shape.debate_summary(row), "department_reason": row["department_reason"],
            "source_url": row.get("url"),
            "headings": [{"id": h["id"], "level": h["level"], "title": h["title"], "parent_id": h["parent_id"]}
                         for h in debate_queries.headings_of(conn, row["id"])],
            "contributions": [shape.speech(s, own) for s in debate_queries.speeches_of(conn, row["id"])],
            "divisions": [shape.division_summary({**d, "debate_title": row["title"]}) for d in divisions]}

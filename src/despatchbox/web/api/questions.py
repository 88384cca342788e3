"""/questions: written questions, grouped as answered (the questions sharing one answer), with
the answer."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from ...record import kinds as record_kinds
from ...store.queries import debates as debate_queries
from ...store.queries import questions as question_queries
from ...store.queries.api import find_question_groups
from ...store.queries.speakers import chair_own_parties
from . import shape
from .common import (ERROR_RESPONSES, MAX_ID, Conn, DateFrom, DateTo, DepartmentSlug, Limit, Offset, OnDate,
                     date_range, example, not_found, page)
from .models import QuestionPage, WrittenQuestion

router = APIRouter(prefix="/questions", tags=["written questions"], responses=ERROR_RESPONSES)


@router.get("", response_model=QuestionPage, summary="Find written questions")
def list_questions(request: Request, conn: Conn, department: DepartmentSlug = None,
                   house: Annotated[Literal["commons", "lords"] | None, Query(description="Asked in which "
                                                                                          "house.")] = None,
                   member: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Asked or answered by this "
                                                                                   "person id.")] = None,
                   on: OnDate = None, since: DateFrom = None, until: DateTo = None, limit: Limit = 20,
                   offset: Offset = 0):
    """Question groups newest first, with who asked and who answered (names as printed)."""
    since, until = date_range(on, since, until)
    kinds = [k for k in record_kinds.ANSWERS if record_kinds.kind(k).house == house] if house else None
    total, rows = find_question_groups(conn, kinds=kinds, department_slug=department, since=since, until=until,
                                       person_id=member, limit=limit, offset=offset)
    items = [{"id": r["id"], "kind": r["kind"], "date": r["date"], "title": r["title"],
              "department": shape.department(r["department_slug"], r["date"], r["department_name"]),
              "askers": r["askers"], "answered_by": r["answered_by"],
              "url": shape.api_path("questions", r["id"]), "web_url": shape.web_url("question", r["id"])}
             for r in rows]
    return page(request, items, total, limit, offset)


@router.get("/{question_id:path}", response_model=WrittenQuestion, summary="A written question and its answer")
def get_question(conn: Conn, question_id: Annotated[str, Path(description="The group's id (its heading's gid, "
                                                                          "e.g. `uk.org.publicwhip/wrans/2009-10-"
                                                                          "26f.293337.h`), or the id of one of its "
                                                                          "questions or answers.",
                                                              openapi_examples=example(
                                                                  "uk.org.publicwhip/wrans/2009-10-26f.293337.h"))]):
    """The questions grouped for one answer, each with its asker, and the answer with the minister and
    office as printed."""
    group = _group(conn, question_id) if question_id else None
    if group is None:
        raise not_found(f"no written question with id {question_id!r}")
    own = chair_own_parties(conn)
    heading, section = group["heading"], group["debate"] or {}
    return {"id": heading["id"], "kind": heading["kind"], "date": heading["date"], "title": heading["title"],
            "debate_id": heading["debate_id"],
            "department": shape.department(section.get("department_slug"), heading["date"]),
            "questions": [shape.speech(s, own) for s in group["questions"]],
            "answers": [shape.speech(s, own) for s in group["answers"]],
            "source_url": heading["url"], "web_url": shape.web_url("question", heading["id"])}


def _group(conn, ident: str) -> dict | None:
    for candidate in (ident, debate_queries.redirect_target(conn, ident)):
        if not candidate:
            continue
        group = question_queries.question_group(conn, candidate)
        if group is None:
            heading_id = question_queries.group_of_speech(conn, candidate)
            group = question_queries.question_group(conn, heading_id) if heading_id else None
        if group is not None and group["questions"]:
            return group
    return None

"""Written questions and answers: a question group (the questions that share one answer,
under one minor heading) and a department's written answers, paged.

A group's id is its heading's gid (``…/wrans/2009-10-26f.294961.h``; in Lords written
answers the heading is also the section, ``…/wrans/2009-10-26a.101.0``).
"""
from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from ..schema import debates, headings, speeches
from . import direct
from .debates import _SPEECH_COLUMNS, _with_speakers, department_totals
from .people import WRITTEN_ANSWER_KINDS


def question_group(conn: Connection, heading_id: str) -> dict | None:
    """{"heading", "debate", "questions", "answers"} for a written question group, or None. Questions and
    answers are speech rows with their speakers (see :mod:`.debates`)."""
    heading = conn.execute(select(headings).where(headings.c.id == heading_id,
                                                  headings.c.kind.in_(WRITTEN_ANSWER_KINDS))).mappings().first()
    if heading is None:
        return None
    section = conn.execute(select(debates).where(debates.c.id == heading["debate_id"])).mappings().first()
    rows = [dict(r) for r in conn.execute(
        _with_speakers(*_SPEECH_COLUMNS)
        .where(speeches.c.debate_id == heading["debate_id"], speeches.c.heading_id == heading_id)
        .order_by(speeches.c.position)).mappings()]
    return {"heading": dict(heading), "debate": dict(section) if section else None,
            "questions": [r for r in rows if r["element"] == "ques"],
            "answers": [r for r in rows if r["element"] != "ques"]}


def group_of_speech(conn: Connection, speech_id: str) -> str | None:
    """The question group (heading id) a written question or answer belongs to."""
    return conn.execute(select(speeches.c.heading_id).where(speeches.c.id == speech_id,
                                                            speeches.c.kind.in_(WRITTEN_ANSWER_KINDS))).scalar()


def department_questions(conn: Connection, department_slug: str, limit: int = 10, offset: int = 0, *,
                         with_total: bool = True) -> tuple[int | None, list[dict]]:
    """(total, page) of the department's written question groups, newest first: heading id, title, date,
    kind, ``askers`` (names as printed, in order) and ``answerer`` (the first answer's speaker).
    ``with_total=False`` skips the count (total is then None).

    Newest first is by the section's date (a question group's date is its section's), so the page walks
    the department's sections newest first (``ix_debates_department``) and stops when it is full."""
    total = department_totals(conn, department_slug, WRITTEN_ANSWER_KINDS)["questions"] if with_total else None
    if limit <= 0:
        return total, []
    rows = direct.dicts(conn, _DEPARTMENT_QUESTIONS, {"slug": department_slug, "limit": limit, "offset": offset})
    if rows:
        people_of: dict[str, dict] = {r["id"]: {"askers": [], "answerer": None} for r in rows}
        q = direct.rows(conn, _QUESTION_PEOPLE, {"debate_ids": sorted({r["debate_id"] for r in rows}),
                                                 "heading_ids": list(people_of)})
        for heading_id, element, name, _person_id in q:
            entry = people_of[heading_id]
            if element == "ques":
                if name and name not in entry["askers"]:
                    entry["askers"].append(name)
            elif entry["answerer"] is None:
                entry["answerer"] = name
        for r in rows:
            r.update(people_of[r["id"]])
    return total, rows


_DEPARTMENT_QUESTIONS = (select(headings.c.id, headings.c.title, headings.c.date, headings.c.kind, headings.c.debate_id)
                         .select_from(debates.join(headings, headings.c.debate_id == debates.c.id))
                         .where(debates.c.department_slug == bindparam("slug"),
                                debates.c.kind.in_(WRITTEN_ANSWER_KINDS), headings.c.level == "minor")
                         .order_by(debates.c.date.desc(), headings.c.position, headings.c.id)
                         .limit(bindparam("limit")).offset(bindparam("offset")))
_QUESTION_PEOPLE = (select(speeches.c.heading_id, speeches.c.element, speeches.c.speaker_name, speeches.c.person_id)
                    .where(speeches.c.debate_id.in_(bindparam("debate_ids", expanding=True)),
                           speeches.c.heading_id.in_(bindparam("heading_ids", expanding=True)))
                    .order_by(speeches.c.position))

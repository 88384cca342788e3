"""A written question page (``/written-question/{id}``): who asked, to which department, the
question, who answered in which post, the answer and the date. Questions grouped under one
answer are all shown. The id is the question group's heading; a question's or answer's own
id, or an id from a superseded version, redirects (301) to it."""
from __future__ import annotations

from fastapi import Request

from ..page_routes import page_router
from ...store.queries import debates as debate_queries
from ...store.queries import people as people_queries
from ...store.queries import questions as question_queries
from ..app import engine_of
from .common import (KIND_NAMES, debate_url, department_name, full_id, not_found, question_url, redirect,
                     render, short_id, with_the)
from .naming import label_speeches, person_with_party
from ...store.database import reading

router = page_router()


@router.get("/written-question/{gid:path}")
def written_question(request: Request, gid: str):
    group_id = full_id(gid)
    with reading(engine_of(request)) as conn:
        group = question_queries.question_group(conn, group_id)
        if group is None:
            target = question_queries.group_of_speech(conn, group_id)
            if target is None:
                newer = debate_queries.redirect_target(conn, group_id)
                if newer:
                    target = newer if question_queries.question_group(conn, newer) else \
                        question_queries.group_of_speech(conn, newer)
            if target:
                return redirect(question_url(target))
            raise not_found(f"There is no written question with the id \u201c{short_id(group_id)}\u201d.")
        if gid.startswith("uk.org.publicwhip/"):
            return redirect(question_url(group_id))
        label_speeches(conn, group["questions"] + group["answers"])
        section = group["debate"] or {}
        dept = section.get("department_slug")
        day = group["heading"]["date"]
        for a in group["answers"]:
            post = people_queries.office_on(conn, a["person_id"], day, dept) if a.get("person_id") else None
            a["post"] = post["position"] if post else None
            a["post_department"] = department_name(post["department_slug"], day) if post else None
    for q in group["questions"]:
        q["asked_by"] = person_with_party(q)
    for a in group["answers"]:
        a["answered_by"] = a.get("person_name") or a.get("speaker_name") or ""
    dept_name = department_name(dept, day) if dept else None
    return render(request, "written_question.html", {
        "group": group, "heading": group["heading"], "section": section, "dept": dept, "dept_name": dept_name,
        "dept_the": with_the(dept_name), "chamber": KIND_NAMES.get(group["heading"]["kind"], ""),
        "section_url": debate_url(section["id"], at=group_id if group_id != section.get("id") else None)
        if section else None,
    })


@router.get("/questions/{gid:path}")
def question_alias(gid: str):
    """The address the JSON API links to."""
    return redirect(question_url(full_id(gid)))

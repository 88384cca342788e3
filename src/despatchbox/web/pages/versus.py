"""``/mp/{a}/vs/{b}``: "Debate between A and B" — the debates in which both spoke, newest
first and paged, with their exchanges (each one's speeches and the one either answered)."""
from __future__ import annotations

from fastapi import Request

from ..page_routes import page_router
from ...store.queries import debates as debate_queries
from ...store.queries import people as people_queries
from ..app import engine_of
from . import context
from .common import (KIND_NAMES, Pager, check_page, clamp, debate_url, department_name, member_prefix,
                     member_url, not_found, redirect, render)
from .naming import label_speeches
from ...store.database import reading

router = page_router()

DEBATES_PER_PAGE = 5


def _versus(request: Request, prefix: str, a: str, b: str, page: int):
    check_page(page)
    with reading(engine_of(request)) as conn:
        first = people_queries.person_by_slug(conn, a)
        second = people_queries.person_by_slug(conn, b)
        if first is None:
            raise not_found(f"No member called \u201c{a}\u201d.")
        if second is None:
            raise not_found(f"No member called \u201c{b}\u201d.")
        if member_prefix(first["house"]) != prefix:
            return redirect(f"/{member_prefix(first['house'])}/{a}/vs/{b}")
        own_page = member_url(first["slug"], first["house"])
        if first["id"] == second["id"] and own_page is not None:
            return redirect(own_page)
        total, _ = people_queries.debates_in_common(conn, first["id"], second["id"], limit=0)
        pager = clamp(Pager(page, DEBATES_PER_PAGE, total))
        _, rows = people_queries.debates_in_common(conn, first["id"], second["id"], limit=DEBATES_PER_PAGE,
                                                   offset=pager.offset)
        both = {first["id"], second["id"]}
        for r in rows:
            outline = debate_queries.speech_outline(conn, r["id"])
            r["_groups"] = context.choose(outline, both, before=0, after=0)
        wanted = {r["id"]: [i for g in r["_groups"] for i in g] for r in rows}
        speeches = []
        for debate_id, ids in wanted.items():
            speeches.extend(debate_queries.speeches_by_ids(conn, debate_id, ids, with_text=False))
        label_speeches(conn, speeches)
    for s in speeches:
        s["full_url"] = debate_url(s["debate_id"], at=s["id"])
        s["mine"] = s["person_id"] == first["id"]
    for r in rows:
        r["groups"] = context.arrange(r.pop("_groups"), [s for s in speeches if s["debate_id"] == r["id"]])
        r["url"] = debate_url(r["id"])
        r["chamber"] = KIND_NAMES.get(r["kind"], r["kind"])
        r["dept_name"] = department_name(r["department_slug"], r["date"])
    return render(request, "versus.html", {"a": first, "b": second, "rows": rows, "total": total, "pager": pager,
                                           "a_url": member_url(first["slug"], first["house"]),
                                           "b_url": member_url(second["slug"], second["house"]),
                                           "page_url": lambda n: f"/{prefix}/{a}/vs/{b}?page={n}"})


@router.get("/mp/{a}/vs/{b}")
def mp_versus(request: Request, a: str, b: str, page: int = 1):
    return _versus(request, "mp", a, b, page)


@router.get("/lord/{a}/vs/{b}")
def lord_versus(request: Request, a: str, b: str, page: int = 1):
    return _versus(request, "lord", a, b, page)

"""Departments: the list (``/departments``) and one department (``/dept/{slug}``) with its
ministers on the latest sitting day held and its recent debates, written statements and
written answers, each list paged on its own."""
from __future__ import annotations

from fastapi import Request

from ..page_routes import page_router
from ...record.naming import department_as_held, department_now
from ...store.queries import debates as debate_queries
from ...store.queries import departments as department_queries
from ...store.queries import questions as question_queries
from ...store.queries.departments import RANKS
from ...store.queries.people import SPOKEN_KINDS, WRITTEN_ANSWER_KINDS, WRITTEN_STATEMENT_KINDS
from ..app import engine_of
from .common import Pager, check_page, clamp, department_name, not_found, redirect, render
from .items import answer_items, section_items
from ...store.database import reading

router = page_router()

LIST_SIZE = 10


@router.get("/departments")
def departments_page(request: Request):
    with reading(engine_of(request)) as conn:
        rows = department_queries.all_departments(conn)
        day = department_queries.latest_sitting_day(conn)
    for r in rows:
        r["name"], r["now"] = department_as_held(r["slug"], r["latest"], day, r["name"])
    rows.sort(key=lambda r: (r["name"].lower(), r["slug"]))
    active = [r for r in rows if r["sections"]]
    quiet = [r for r in rows if not r["sections"]]
    return render(request, "departments.html", {"active": active, "quiet": quiet})


@router.get("/departments/{slug}")
def department_alias(slug: str):
    """The address the JSON API links to."""
    return redirect(f"/dept/{slug}")


def _paged(total: int, fetch, page: int):
    """Fetch the (clamped) page of a list of ``total`` items (counted beforehand, without counting again)."""
    pager = clamp(Pager(page, LIST_SIZE, total))
    _, rows = fetch(LIST_SIZE, pager.offset)
    return pager, rows


def _held(totals: dict[str, dict], kinds) -> list[str]:
    """The kinds of ``kinds`` the department holds sections of (``totals``: its sections by kind, kept at
    ingest, which its lists' pagers count from too): a list's statement reads each kind it is given, and
    most departments hold two of the four spoken kinds."""
    return [k for k in kinds if totals.get(k, {}).get("sections")]


#: how far back from the latest sitting day the record's printed offices are read for ministers
INFERRED_WINDOW_DAYS = 14


def inferred_ministers(conn, slug: str, day, listed: list[dict]) -> list[dict]:
    """Ministers the ministers data misses (Meg Hillier answered Home Office questions in October 2009
    between listed posts): people who spoke in the department's items of the last two weeks under a
    printed office naming this department, with no listed post there. Marked ``inferred``."""
    from datetime import timedelta

    from ...attribute.departments import department_for_office, is_chair_office
    have = {m["person_id"] for m in listed}
    out = []
    for r in department_queries.offices_printed_in(conn, slug, day - timedelta(days=INFERRED_WINDOW_DAYS), day):
        if r["person_id"] in have or r["rank"] is None or is_chair_office(r["office"]):
            continue
        dept = department_for_office(r["office"], r["last"])
        if dept is None or dept.slug != slug:
            continue
        have.add(r["person_id"])
        out.append({"person_id": r["person_id"], "person_slug": r["person_slug"], "person_house": r["person_house"],
                    "name": r["person_name"], "position": r["office"].removeprefix("The "), "responsibility": None,
                    "rank": r["rank"], "inferred": True, "first": r["first"], "last": r["last"]})
    return out


@router.get("/dept/{slug}")
def department_page(request: Request, slug: str, debates_page: int = 1, statements_page: int = 1,
                    answers_page: int = 1):
    for p in (debates_page, statements_page, answers_page):
        check_page(p)
    with reading(engine_of(request)) as conn:
        dept = department_queries.department(conn, slug)
        if dept is None:
            raise not_found(f"No department called \u201c{slug}\u201d. See the list of departments.")
        day = department_queries.latest_sitting_day(conn)
        ministers = department_queries.ministers_on(conn, slug, day) if day else []
        if day:
            ministers += inferred_ministers(conn, slug, day, ministers)
        totals = debate_queries.department_totals_by_kind(conn, slug)      # the three lists' totals at once
        debates_pager, debates = _paged(
            debate_queries.totals_of_kinds(totals, SPOKEN_KINDS)["sections"],
            lambda n, o: debate_queries.department_sections(conn, slug, _held(totals, SPOKEN_KINDS), limit=n,
                                                            offset=o, with_total=False), debates_page)
        statements_pager, statements = _paged(
            debate_queries.totals_of_kinds(totals, WRITTEN_STATEMENT_KINDS)["sections"],
            lambda n, o: debate_queries.department_sections(conn, slug, _held(totals, WRITTEN_STATEMENT_KINDS),
                                                            limit=n, offset=o, with_total=False), statements_page)
        answers_pager, answers = _paged(
            debate_queries.totals_of_kinds(totals, WRITTEN_ANSWER_KINDS)["questions"],
            lambda n, o: question_queries.department_questions(conn, slug, limit=n, offset=o, with_total=False),
            answers_page)
    groups = [{"rank": rank, "ministers": [m for m in ministers if m["rank"] == rank]} for rank in RANKS]
    pages = {"debates_page": debates_pager.page, "statements_page": statements_pager.page,
             "answers_page": answers_pager.page}

    def page_url(key: str, n: int) -> str:
        params = {**pages, key: n}
        query = "&".join(f"{k}={v}" for k, v in params.items() if v != 1)
        return f"/dept/{slug}" + (f"?{query}" if query else "") + f"#{key.split('_')[0]}"

    return render(request, "department.html", {
        "dept": dept, "name": department_name(slug, day, dept["name"]),
        "now": department_now(slug, day), "day": day, "groups": [g for g in groups if g["ministers"]],
        "debates": debates, "debates_pager": debates_pager, "statements": statements,
        "statements_pager": statements_pager, "answers": answers, "answers_pager": answers_pager,
        "debates_html": section_items(debates, speeches=True),
        "statements_html": section_items(statements, speeches=False), "answers_html": answer_items(answers),
        "page_url": page_url,
    })

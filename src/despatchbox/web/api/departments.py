"""/departments: government departments with their ministers on a date."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from ...record import naming
from ...store.queries import departments as department_queries
from ...store.queries import people as people_queries
from ...store.queries.api import department_section_count
from ...store.queries.speakers import chair_own_parties
from . import shape
from .common import ERROR_RESPONSES, Conn, IsoDate, example, not_found
from .models import Department, DepartmentList

router = APIRouter(prefix="/departments", tags=["departments"], responses=ERROR_RESPONSES)


@router.get("", response_model=DepartmentList, summary="Every department")
def list_departments(conn: Conn):
    """Every department in the registry (including Leaders of the Houses, whips and House bodies), with
    its name as on its latest section held (else the latest sitting day), what it became since, and how
    many sections are attributed to it."""
    day = department_queries.latest_sitting_day(conn) or date.today()
    items = []
    for d in department_queries.all_departments(conn):
        name, now = naming.department_as_held(d["slug"], d["latest"], day, d["name"])
        items.append({"slug": d["slug"], "name": name, "now": now, "ministerial": bool(d["is_ministerial"]),
                      "sections": int(d["sections"] or 0), "latest": d["latest"],
                      "url": shape.api_path("departments", d["slug"]),
                      "web_url": shape.web_url("department", d["slug"])})
    items.sort(key=lambda d: (d["name"].lower(), d["slug"]))
    return {"items": items, "total": len(items)}


@router.get("/{slug}", response_model=Department, summary="A department and its ministers on a date")
def get_department(conn: Conn,
                   slug: Annotated[str, Path(max_length=80, description="The department's slug: `home-office`.",
                                             openapi_examples=example("home-office"))],
                   on: Annotated[IsoDate | None, Query(alias="date", description="The date for the name and "
                                                                              "ministers (ISO 8601); default: the "
                                                                              "latest sitting day held.")] = None):
    """The department's name and ministers (Secretary of State first) on a date."""
    row = department_queries.department(conn, slug)
    if row is None:
        raise not_found(f"no department {slug!r}")
    day = on or department_queries.latest_sitting_day(conn) or date.today()
    own = chair_own_parties(conn)
    ministers = []
    for m in department_queries.ministers_on(conn, slug, day):
        if m["person_id"] is None or not m.get("person_slug"):
            continue
        seat = people_queries.membership_on(conn, m["person_id"], day)
        ref = shape.member_with(m["person_id"], m["person_slug"], m["person_name"], seat, own)
        ministers.append({"member": ref, "office_id": m["id"], "position": m["position"], "rank": m["rank"],
                          "responsibility": m["responsibility"] or None, "from_date": m["from_date"],
                          "to_date": m["to_date"]})
    return {"slug": slug, "name": naming.department_name(slug, day, row["name"]),
            "now": naming.department_now(slug, day), "date": day,
            "ministerial": bool(row["is_ministerial"]), "ministers": ministers,
            "sections": department_section_count(conn, slug),
            "debates_url": shape.api_path("debates") + f"?department={slug}",
            "questions_url": shape.api_path("questions") + f"?department={slug}",
            "web_url": shape.web_url("department", slug)}

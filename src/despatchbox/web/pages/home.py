"""The home page: the latest sitting days by chamber, the departments, a search box."""
from __future__ import annotations

from fastapi import Request

from ..page_routes import page_router
from ...store.queries import debates as debate_queries
from ...store.queries import departments as department_queries
from ..app import engine_of
from .common import CHAMBERS, render
from ...store.database import reading

router = page_router()

#: sitting days shown per chamber, and sections listed per day before "and N more"
DAYS_PER_CHAMBER = 2
SECTIONS_PER_DAY = 12


@router.get("/")
def home(request: Request):
    with reading(engine_of(request)) as conn:
        chambers = []
        for key, name, kinds in CHAMBERS:
            days = []
            for day in debate_queries.latest_sitting_days(conn, kinds, limit=DAYS_PER_CHAMBER):
                rows = debate_queries.debates_on(conn, day, kinds)
                days.append({"date": day, "debates": rows[:SECTIONS_PER_DAY],
                             "more": max(0, len(rows) - SECTIONS_PER_DAY)})
            if days:
                chambers.append({"key": key, "name": name, "days": days})
        departments = [d for d in department_queries.all_departments(conn) if d["sections"]]
    return render(request, "home.html", {"chambers": chambers, "departments": departments})

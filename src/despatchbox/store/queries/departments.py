"""Departments as the pages and the API see them: the list with counts, one department,
its ministers on a day, and the latest sitting day held.

Every function takes a Connection and returns plain dicts (or lists of them).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Date, bindparam, func, or_, select

from ..schema import debates, departments, offices, people, speeches
from . import direct

#: ministers' ranks, in the order a department page lists them
SECRETARY_OF_STATE = "Secretary of State"
MINISTER_OF_STATE = "Minister of State"
UNDER_SECRETARY = "Parliamentary Under-Secretary"
OTHER_MINISTER = "Other ministers"
WHIP = "Whips"
RANKS = (SECRETARY_OF_STATE, MINISTER_OF_STATE, UNDER_SECRETARY, OTHER_MINISTER, WHIP)

_WHIP_WORDS = ("whip", "in waiting", "lords commissioner", "chamberlain", "treasurer of", "comptroller",
               "captain of")
_NOT_MINISTERS = ("pps", "shadow", "spokesperson", "chairman")


def rank_of(position: str | None) -> str | None:
    """Which rank a ministers.xml position belongs to; None for posts that are not ministerial
    (PPS, shadow posts, spokespeople, committee places)."""
    p = (position or "").strip().lower()
    if not p or any(w in p for w in _NOT_MINISTERS):
        return None
    if "under-secretary" in p or "under secretary" in p or p.startswith("parliamentary secretary"):
        return UNDER_SECRETARY
    if "minister of state" in p:
        return MINISTER_OF_STATE
    if p.startswith("secretary of state"):
        return SECRETARY_OF_STATE
    if any(w in p for w in _WHIP_WORDS):
        return WHIP
    return OTHER_MINISTER


def all_departments(conn: Connection) -> list[dict]:
    """Every department in the registry with the number of sections attributed to it, by name."""
    counts = (select(debates.c.department_slug, func.count().label("sections"),
                     func.max(debates.c.date).label("latest"))
              .where(debates.c.department_slug.is_not(None)).group_by(debates.c.department_slug).subquery())
    q = (select(departments.c.slug, departments.c.name, departments.c.is_ministerial,
                func.coalesce(counts.c.sections, 0).label("sections"), counts.c.latest)
         .select_from(departments.outerjoin(counts, counts.c.department_slug == departments.c.slug))
         .order_by(departments.c.name))
    return [dict(r) for r in conn.execute(q).mappings()]


def department(conn: Connection, slug: str) -> dict | None:
    return direct.first(conn, _DEPARTMENT, {"slug": slug})


#: statements every department page runs, built once (a statement built per call costs more than it runs)
_DEPARTMENT = select(departments).where(departments.c.slug == bindparam("slug"))
_LATEST_DAY = select(func.max(debates.c.date))


def latest_day_of(conn: Connection, slug: str) -> date | None:
    """The latest date of a section attributed to the department (its name is named as on that day)."""
    return conn.execute(select(func.max(debates.c.date)).where(debates.c.department_slug == slug)).scalar()


def latest_sitting_day(conn: Connection, kinds=None) -> date | None:
    """The latest date any section (of these kinds) is held for."""
    if not kinds:
        return direct.rows(conn, _LATEST_DAY)[0][0]
    return conn.execute(_LATEST_DAY.where(debates.c.kind.in_(list(kinds)))).scalar()


def ministers_on(conn: Connection, slug: str, on: date) -> list[dict]:
    """The department's ministers in post on a date: office fields plus ``rank`` (see RANKS),
    ``person_slug`` and ``person_name``, ordered by rank then start date."""
    out = []
    for r in direct.dicts(conn, _MINISTERS_ON, {"slug": slug, "on": on}):
        rank = rank_of(r["position"])
        if rank is not None:
            out.append({**r, "rank": rank})
    out.sort(key=lambda r: (RANKS.index(r["rank"]), r["from_date"] or date.min, r["name"]))
    return out


_MINISTERS_ON = (select(offices, people.c.slug.label("person_slug"), people.c.name.label("person_name"),
                        people.c.house.label("person_house"))
                 .select_from(offices.outerjoin(people, people.c.id == offices.c.person_id))
                 .where(offices.c.department_slug == bindparam("slug"),
                        or_(offices.c.from_date.is_(None), offices.c.from_date <= bindparam("on", type_=Date)),
                        or_(offices.c.to_date.is_(None), offices.c.to_date >= bindparam("on", type_=Date))))


def offices_printed_in(conn: Connection, slug: str, since: date, until: date) -> list[dict]:
    """Who spoke with a printed office (``speakeroffice``) in the department's items between two
    dates: person fields, ``office`` as printed (the first), ``first`` and ``last`` dates, ``rank``
    of that office. The record's own word for ministers the ministers data misses."""
    out = []
    for r in direct.dicts(conn, _OFFICES_PRINTED_IN, {"slug": slug, "since": since, "until": until}):
        office = r["speaker_office"]
        printed = office[4:] if office.lower().startswith("the ") else office
        out.append({"person_id": r["person_id"], "person_slug": r["person_slug"], "person_name": r["person_name"],
                    "person_house": r["person_house"], "office": office, "first": _day(r["first"]),
                    "last": _day(r["last"]), "rank": rank_of(printed)})
    return out


def _offices_printed_in_statement():
    first, last = func.min(speeches.c.date).label("first"), func.max(speeches.c.date).label("last")
    return (select(speeches.c.person_id, speeches.c.speaker_office, first, last,
                   people.c.slug.label("person_slug"), people.c.name.label("person_name"),
                   people.c.house.label("person_house"))
            .select_from(speeches.join(debates, debates.c.id == speeches.c.debate_id)
                         .join(people, people.c.id == speeches.c.person_id))
            .where(debates.c.department_slug == bindparam("slug"), debates.c.date >= bindparam("since", type_=Date),
                   debates.c.date <= bindparam("until", type_=Date), speeches.c.speaker_office.is_not(None))
            .group_by(speeches.c.person_id, speeches.c.speaker_office, people.c.slug, people.c.name, people.c.house)
            .order_by(first, func.min(speeches.c.position)))


_OFFICES_PRINTED_IN = _offices_printed_in_statement()


def _day(value) -> date:
    """min()/max() of a date column: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])

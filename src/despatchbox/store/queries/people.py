"""Members as the pages and the API see them: a person, their seats, posts, counts,
departments debated with, recent contributions, activity and votes.

Every function takes a Connection and returns plain dicts (or lists of them); dates are
``datetime.date``. Nothing here knows about templates.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, and_, bindparam, case, func, or_, select

from ...record import kinds
from ..schema import (debate_speakers, debates, divisions, headings, memberships, offices, people, person_days,
                      person_departments, person_months, speeches, votes)
from . import direct

#: kinds whose sections are spoken debates (as opposed to written answers and statements)
SPOKEN_KINDS = ("debates", "westminhall", "lordspages", "standing")
#: kinds holding written questions and their answers
WRITTEN_ANSWER_KINDS = kinds.ANSWERS
#: kinds holding written ministerial statements
WRITTEN_STATEMENT_KINDS = kinds.STATEMENTS

MEMBERSHIP_COLUMNS = [memberships.c.id, memberships.c.person_id, memberships.c.house, memberships.c.title,
                      memberships.c.first_name, memberships.c.last_name, memberships.c.constituency,
                      memberships.c.party, memberships.c.from_date, memberships.c.to_date, memberships.c.from_why,
                      memberships.c.to_why, memberships.c.lord_name, memberships.c.lord_of_name,
                      memberships.c.peerage_type]


#: statements every member page runs, built once (a statement built per call costs more than it runs)
_PERSON_BY_SLUG = select(people).where(people.c.slug == bindparam("slug"))
_MEMBERSHIPS_OF = (select(*MEMBERSHIP_COLUMNS).where(memberships.c.person_id == bindparam("person_id"))
                   .order_by(memberships.c.from_date, memberships.c.id))


def person_by_slug(conn: Connection, slug: str) -> dict | None:
    """id, name, slug, house (of the latest membership) — None for an unknown slug."""
    return direct.first(conn, _PERSON_BY_SLUG, {"slug": slug})


def person_by_id(conn: Connection, person_id: int) -> dict | None:
    row = conn.execute(select(people).where(people.c.id == person_id)).mappings().first()
    return dict(row) if row else None


def memberships_of(conn: Connection, person_id: int) -> list[dict]:
    """Every seat and peerage the person held, oldest first (open-ended ``to_date`` is None)."""
    return direct.dicts(conn, _MEMBERSHIPS_OF, {"person_id": person_id})


def memberships_of_people(conn: Connection, person_ids) -> dict[int, list[dict]]:
    """:func:`memberships_of` for several people in one query: person id → their memberships, oldest first."""
    ids = sorted({p for p in person_ids if p is not None})
    out: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    for r in direct.dicts(conn, _MEMBERSHIPS_OF_PEOPLE, {"person_ids": ids}):
        out[r["person_id"]].append(r)
    return out


_MEMBERSHIPS_OF_PEOPLE = (select(*MEMBERSHIP_COLUMNS)
                          .where(memberships.c.person_id.in_(bindparam("person_ids", expanding=True)))
                          .order_by(memberships.c.person_id, memberships.c.from_date, memberships.c.id))


def membership_on(conn: Connection, person_id: int, on: date) -> dict | None:
    """The seat (not a chair role, when a seat is also held) valid on a date, else the nearest earlier one."""
    items = memberships_of(conn, person_id)
    return pick_membership(items, on)


def pick_membership(items: list[dict], on: date | None) -> dict | None:
    """From one person's memberships (oldest first), the one valid on ``on`` (None: the latest)."""
    if not items:
        return None
    if on is None:
        current = [m for m in items if m["to_date"] is None]
        return (current or items)[-1]
    valid = [m for m in items if (m["from_date"] is None or m["from_date"] <= on)
             and (m["to_date"] is None or on <= m["to_date"])]
    if valid:
        return valid[-1]
    earlier = [m for m in items if m["from_date"] is not None and m["from_date"] <= on]
    return earlier[-1] if earlier else items[0]


def offices_of(conn: Connection, person_id: int, *, government_only: bool = True) -> list[dict]:
    """Posts from ministers.xml, newest first. ``government_only`` drops committee places, PPS and
    opposition (shadow) posts."""
    return direct.dicts(conn, _GOVERNMENT_OFFICES_OF if government_only else _OFFICES_OF, {"person_id": person_id})


def _not_government():
    pos = func.lower(offices.c.position)
    return [pos != "pps", ~pos.like("%shadow%"), ~pos.like("%spokesperson%"), pos != "chairman"]


_OFFICES_OF = (select(offices).where(offices.c.person_id == bindparam("person_id"))
               .order_by(offices.c.from_date.desc(), offices.c.id))
_GOVERNMENT_OFFICES_OF = _OFFICES_OF.where(offices.c.department_slug.is_not(None), offices.c.position != "",
                                           *_not_government())


def office_on(conn: Connection, person_id: int, on: date, department_slug: str | None = None) -> dict | None:
    """The government post held on a date (in a department when given); failing that, the most
    recent one started before it."""
    q = select(offices).where(offices.c.person_id == person_id, offices.c.department_slug.is_not(None),
                              offices.c.position != "", *_not_government(),
                              or_(offices.c.from_date.is_(None), offices.c.from_date <= on))
    if department_slug:
        q = q.where(offices.c.department_slug == department_slug)
    rows = [dict(r) for r in conn.execute(q.order_by(offices.c.from_date.desc(), offices.c.id)).mappings()]
    held = [r for r in rows if r["to_date"] is None or r["to_date"] >= on]
    found = held or rows
    return found[0] if found else None


def counts(conn: Connection, person_id: int) -> dict:
    """speeches (spoken and written statements), questions asked, answers given, words, debates spoken
    in, votes cast: summed from the person's days (``person_days``, kept at ingest)."""
    row = conn.execute(_COUNTS, {"person_id": person_id}).one()
    return {"speeches": int(row[0] or 0), "questions": int(row[1] or 0), "answers": int(row[2] or 0),
            "words": int(row[3] or 0), "debates": int(row[4] or 0), "votes": vote_count(conn, person_id)}


_COUNTS = select(func.sum(person_days.c.speeches), func.sum(person_days.c.questions), func.sum(person_days.c.answers),
                 func.sum(person_days.c.words), func.sum(person_days.c.debates)
                 ).where(person_days.c.person_id == bindparam("person_id"))
_VOTE_COUNT = select(func.count()).select_from(votes).where(votes.c.person_id == bindparam("person_id"))


def vote_count(conn: Connection, person_id: int) -> int:
    return int(direct.rows(conn, _VOTE_COUNT, {"person_id": person_id})[0][0])


_pd, _pm = person_days, person_months
_LATEST_DAYS = (select(_pd.c.date, _pd.c.speeches, _pd.c.questions, _pd.c.answers, _pd.c.words)
                .where(_pd.c.person_id == bindparam("person_id")).order_by(_pd.c.date.desc())
                .limit(bindparam("limit")))
_FIRST_DAY = select(func.min(_pd.c.date)).where(_pd.c.person_id == bindparam("person_id"))
_MONTHS = (select(_pm.c.month, _pm.c.speeches, _pm.c.questions, _pm.c.answers, _pm.c.words)
           .where(_pm.c.person_id == bindparam("person_id")).order_by(_pm.c.month))


def activity_and_counts(conn: Connection, person_id: int, latest: int = 10,
                        days_within: int = 92) -> tuple[dict, dict]:
    """What a member page shows of the person's record, and the counts of :func:`counts` without
    ``debates``. The record: ``latest``, the last ``latest`` days they spoke on; ``days``, every day
    they spoke on when the first and the last are at most ``days_within`` days apart (else None);
    ``months``, every month they spoke in (None when ``days`` is given); all oldest first, as
    {date (a month: its first day), speeches, questions, answers}. Read from ``person_months`` and
    ``person_days`` (kept at ingest): a long career is ~2,000 days but ~150 months."""
    rows = direct.rows(conn, _LATEST_DAYS, {"person_id": person_id, "limit": latest})
    record: dict = {"latest": _activity_rows(reversed(rows)), "days": None, "months": None}
    counted: Sequence = ()
    if rows:
        every = len(rows) < latest                  # these are all their days
        first = rows[-1][0] if every else _day(direct.rows(conn, _FIRST_DAY, {"person_id": person_id})[0][0])
        assert first is not None
        if (rows[0][0] - first).days <= days_within:
            counted = rows if every else direct.rows(conn, _LATEST_DAYS, {"person_id": person_id,
                                                                          "limit": days_within + 1})
            record["days"] = _activity_rows(reversed(counted))
        else:
            counted = direct.rows(conn, _MONTHS, {"person_id": person_id})
            record["months"] = _activity_rows(counted)
    totals = [sum(r[i] for r in counted) for i in (1, 2, 3, 4)]
    return record, {"speeches": totals[0], "questions": totals[1], "answers": totals[2], "words": totals[3],
                    "votes": vote_count(conn, person_id)}


def _activity_rows(rows) -> list[dict]:
    return [{"date": d, "speeches": n_speeches, "questions": n_questions, "answers": n_answers}
            for d, n_speeches, n_questions, n_answers, _words in rows]


def department_debate_counts(conn: Connection, person_id: int, kinds=SPOKEN_KINDS) -> list[dict]:
    """[{department_slug, debates, speeches, latest}] for the debates (of these kinds) the person spoke
    in, most first; ``speeches`` counts every contribution (``person_departments``, kept at ingest)."""
    rows = direct.rows(conn, _DEPARTMENT_DEBATE_COUNTS, {"person_id": person_id, "kinds": list(kinds)})
    return [{"department_slug": r[0], "debates": int(r[1]), "speeches": int(r[2] or 0), "latest": _day(r[3])}
            for r in rows]


_DEPARTMENT_DEBATE_COUNTS = (
    select(person_departments.c.department_slug, func.sum(person_departments.c.debates),
           func.sum(person_departments.c.contributions), func.max(person_departments.c.latest))
    .where(person_departments.c.person_id == bindparam("person_id"),
           person_departments.c.kind.in_(bindparam("kinds", expanding=True)))
    .group_by(person_departments.c.department_slug)
    .order_by(func.sum(person_departments.c.debates).desc(), person_departments.c.department_slug))


def _day(value) -> date | None:
    """max() of a date column: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value)[:10])


def recent_contributions(conn: Connection, person_id: int, limit: int = 10, offset: int = 0) -> list[dict]:
    """The person's latest speeches, questions and answers, each with its debate's title, kind and department
    and the title of the heading it sits under (``heading_title``: for written answers, the question's)."""
    return direct.dicts(conn, _RECENT_CONTRIBUTIONS, {"person_id": person_id, "limit": limit, "offset": offset})


_RECENT_CONTRIBUTIONS = (
    select(speeches.c.id, speeches.c.debate_id, speeches.c.heading_id, speeches.c.kind, speeches.c.date,
           speeches.c.element, speeches.c.text, speeches.c.words, debates.c.title.label("debate_title"),
           debates.c.department_slug, headings.c.title.label("heading_title"))
    .select_from(speeches.join(debates, debates.c.id == speeches.c.debate_id)
                 .outerjoin(headings, headings.c.id == speeches.c.heading_id))
    .where(speeches.c.person_id == bindparam("person_id"))
    .order_by(speeches.c.date.desc(), speeches.c.file_id.desc(), speeches.c.position.desc())
    .limit(bindparam("limit")).offset(bindparam("offset")))


def votes_of(conn: Connection, person_id: int, limit: int = 20, offset: int = 0) -> list[dict]:
    """The person's votes, newest first: division id, number, date, kind, debate title, vote, teller, tallies."""
    return direct.dicts(conn, _VOTES_OF, {"person_id": person_id, "limit": limit, "offset": offset})


#: the page of votes first, then the titles of those divisions' debates: joining debates before the
#: LIMIT looked up a title for every vote the person ever cast (1,267 for the busiest member of the 3M
#: bench database: the statement took 7 ms in the sqlite3 shell, 4 ms this way). The votes are read
#: newest first from ``ix_votes_person_date`` (each vote carries its division's date, 0025): only the
#: page's days are joined to their divisions and sorted by position, not every vote the person cast.
_VOTES_PAGE = (select(votes.c.division_id, votes.c.vote, votes.c.teller, divisions.c.number, divisions.c.date,
                      divisions.c.kind, divisions.c.ayes, divisions.c.noes, divisions.c.debate_id, divisions.c.position)
               .select_from(votes.join(divisions, divisions.c.id == votes.c.division_id))
               .where(votes.c.person_id == bindparam("person_id"))
               .order_by(votes.c.date.desc(), divisions.c.position.desc())
               .limit(bindparam("limit")).offset(bindparam("offset"))
               .subquery("page"))
_VOTES_OF = (select(*(c for c in _VOTES_PAGE.c if c.name != "position"), debates.c.title.label("debate_title"))
             .select_from(_VOTES_PAGE.outerjoin(debates, debates.c.id == _VOTES_PAGE.c.debate_id))
             .order_by(_VOTES_PAGE.c.date.desc(), _VOTES_PAGE.c.position.desc()))


def debates_in_common(conn: Connection, person_a: int, person_b: int, limit: int = 10, offset: int = 0,
                      kinds=SPOKEN_KINDS) -> tuple[int, list[dict]]:
    """(total, page) of the debates in which both people spoke, newest first, with each one's speech count."""
    both = (select(speeches.c.debate_id,
                   func.sum(case((speeches.c.person_id == person_a, 1), else_=0)).label("a_speeches"),
                   func.sum(case((speeches.c.person_id == person_b, 1), else_=0)).label("b_speeches"))
            .where(speeches.c.person_id.in_((person_a, person_b)))
            .group_by(speeches.c.debate_id)
            .having(and_(func.sum(case((speeches.c.person_id == person_a, 1), else_=0)) > 0,
                         func.sum(case((speeches.c.person_id == person_b, 1), else_=0)) > 0))
            .subquery())
    base = (select(debates.c.id, debates.c.kind, debates.c.date, debates.c.title, debates.c.department_slug,
                   debates.c.speeches, debates.c.words, both.c.a_speeches, both.c.b_speeches)
            .select_from(both.join(debates, debates.c.id == both.c.debate_id))
            .where(debates.c.kind.in_(kinds)))
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = conn.execute(base.order_by(debates.c.date.desc(), debates.c.position).limit(limit).offset(offset))
    return int(total), [dict(r) for r in rows.mappings()]


#: rows of ``debate_speakers`` read beyond ``limit`` when looking for a person's latest debates (a
#: debate has one row per seat the person spoke from: nearly always one)
LATEST_DEBATES_SLACK = 16

_LATEST = (select(debate_speakers.c.date, debate_speakers.c.debate_id, debate_speakers.c.kind)
           .where(debate_speakers.c.person_id == bindparam("person_id"))
           .order_by(debate_speakers.c.date.desc(), debate_speakers.c.debate_id.desc())
           .limit(bindparam("window")))


def latest_debates(conn: Connection, person_id: int, limit: int, *, with_kind: bool = False) -> list:
    """Ids of the ``limit`` debates the person last spoke in, newest first (ties: greater id first);
    with ``with_kind``, (id, kind) pairs. Reads their newest ``debate_speakers`` rows (one per debate
    and seat), more when two seats in one debate leave the window short."""
    window = limit + LATEST_DEBATES_SLACK
    while True:
        rows = direct.rows(conn, _LATEST, {"person_id": person_id, "window": window})
        out: list = []
        seen: set[str] = set()
        for _day, debate_id, kind in rows:
            if debate_id not in seen:
                seen.add(debate_id)
                out.append((debate_id, kind) if with_kind else debate_id)
        if len(out) >= limit or len(rows) < window:
            return out[:limit]
        window *= 4


def most_active(conn: Connection, limit: int = 10) -> list[dict]:
    """The people with the most contributions held: id, slug, name, house, contributions."""
    top = (select(speeches.c.person_id, func.count().label("contributions"))
           .where(speeches.c.person_id.is_not(None)).group_by(speeches.c.person_id)
           .order_by(func.count().desc(), speeches.c.person_id).limit(limit).subquery())
    q = (select(people.c.id, people.c.slug, people.c.name, people.c.house, top.c.contributions)
         .select_from(top.join(people, people.c.id == top.c.person_id))
         .order_by(top.c.contributions.desc(), people.c.id))
    return [dict(r) for r in conn.execute(q).mappings()]

"""Divisions: one division with its debate, every vote with the voter's party that day,
and divisions by day and number.

Every function takes a Connection and returns plain dicts (or lists of them).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, bindparam, select

from ..schema import debates, divisions, memberships, people, speeches, votes
from . import direct
from .debates import as_dicts


def division(conn: Connection, division_id: str) -> dict | None:
    """The division row with ``debate_title`` and ``department_slug`` of its debate."""
    q = (select(divisions, debates.c.title.label("debate_title"), debates.c.department_slug)
         .select_from(divisions.outerjoin(debates, debates.c.id == divisions.c.debate_id))
         .where(divisions.c.id == division_id))
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def texts_before(conn: Connection, division: dict, n: int = 3) -> list[str]:
    """The text of the last ``n`` contributions before a division in its item, nearest last."""
    q = (select(speeches.c.text).where(speeches.c.debate_id == division["debate_id"],
                                       speeches.c.file_id == division["file_id"],
                                       speeches.c.position < division["position"])
         .order_by(speeches.c.position.desc()).limit(n))
    return list(reversed(conn.execute(q).scalars().all()))


def division_by_number(conn: Connection, kind: str, day: date, number: int) -> dict | None:
    row = conn.execute(select(divisions.c.id).where(divisions.c.kind == kind, divisions.c.date == day,
                                                    divisions.c.number == number)).first()
    return division(conn, row[0]) if row else None


def division_votes(conn: Connection, division_id: str) -> list[dict]:
    """Every vote in order: name as printed, vote, teller, person (slug, name) and the voter's
    membership that day (party, constituency, house, lord name)."""
    q = (select(votes.c.position, votes.c.name, votes.c.vote, votes.c.teller, votes.c.person_id,
                votes.c.membership_id, people.c.slug.label("person_slug"), people.c.name.label("person_name"),
                people.c.house.label("person_house"), memberships.c.party, memberships.c.constituency,
                memberships.c.house, memberships.c.title.label("m_title"),
                memberships.c.lord_name, memberships.c.lord_of_name)
         .select_from(votes.outerjoin(people, people.c.id == votes.c.person_id)
                      .outerjoin(memberships, memberships.c.id == votes.c.membership_id))
         .where(votes.c.division_id == division_id)
         .order_by(votes.c.position))
    return as_dicts(conn.execute(q))


def votes_by_division(conn: Connection, division_ids) -> dict[str, list[dict]]:
    """division id → its votes in order, for several divisions in one query, with what a division's
    list of names shows: name as printed, vote, teller, person (slug, name, house) and the voter's
    party and house that day (:func:`division_votes` has every column)."""
    ids = list(division_ids)
    if not ids:
        return {}
    out: dict[str, list[dict]] = {i: [] for i in ids}
    for r in direct.dicts(conn, _VOTES_BY_DIVISION, {"division_ids": ids}):
        out[r["division_id"]].append(r)
    return out


_VOTES_BY_DIVISION = (select(votes.c.division_id, votes.c.name, votes.c.vote, votes.c.teller,
                             people.c.slug.label("person_slug"), people.c.name.label("person_name"),
                             people.c.house.label("person_house"), memberships.c.party, memberships.c.house)
                      .select_from(votes.outerjoin(people, people.c.id == votes.c.person_id)
                                   .outerjoin(memberships, memberships.c.id == votes.c.membership_id))
                      .where(votes.c.division_id.in_(bindparam("division_ids", expanding=True)))
                      .order_by(votes.c.division_id, votes.c.position))

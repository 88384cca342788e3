"""Who a row records as speaking (or voting, asking, answering): the person and the membership held
that day, as facts — a :class:`~despatchbox.ingest.records.Membership` and party codes, never a
name for display. Surfaces name them through ``despatchbox.record.naming``.

Also the chair's own party: the Speaker and Deputy Speakers sit under chair memberships (party
codes :data:`CHAIR_CODES`) that carry no party; their own party is the code of their latest other
membership. ``tests/test_one_vocabulary.py`` checks these codes are the chair codes of
``attribute.parties``.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Connection, select

from ...ingest.records import Membership
from ..schema import memberships

#: the party codes ParlParse gives chair memberships (the Speaker, the Chairman of Ways and Means
#: and his deputies): offices, not parties
CHAIR_CODES = ("SPK", "CWM", "DCWM")

#: a Membership's fields, each read from the memberships column of that name
MEMBERSHIP_FIELDS = ("id", "house", "title", "first_name", "last_name", "constituency", "party", "from_date",
                     "to_date", "from_why", "to_why", "lord_name", "lord_of_name", "peerage_type")


def membership_columns(table=memberships, prefix: str = "m_") -> list:
    """The columns of a membership, labelled ``prefix + field`` (to select next to other tables')."""
    return [table.c[f].label(prefix + f) for f in MEMBERSHIP_FIELDS]


def membership_of(row: Mapping | None, prefix: str = "m_") -> Membership | None:
    """The Membership a row selected with :func:`membership_columns` carries; None without one."""
    if not row or row.get(prefix + "house") is None:
        return None
    def get(field: str):
        return row.get(prefix + field)
    return Membership(id=get("id") or "", house=get("house"), title=get("title"), first_name=get("first_name"),
                      last_name=get("last_name"), constituency=get("constituency"), party=get("party"),
                      from_date=get("from_date"), to_date=get("to_date"), from_why=get("from_why"),
                      to_why=get("to_why"), lord_name=get("lord_name"), lord_of_name=get("lord_of_name"),
                      peerage_type=get("peerage_type"))


def chair_own_parties(conn: Connection, person_ids: Collection[int] | None = None) -> dict[int, str]:
    """person id → own party code, for people who sat in the Chair (a membership under a
    :data:`CHAIR_CODES` code): the party code of their latest other membership (not ``unknown``).
    ``person_ids`` limits it to those people."""
    chair_people = (select(memberships.c.person_id)
                    .where(memberships.c.party.in_(CHAIR_CODES), memberships.c.person_id.is_not(None)))
    if person_ids is not None:
        if not person_ids:
            return {}
        chair_people = chair_people.where(memberships.c.person_id.in_(sorted(person_ids)))
    rows = conn.execute(select(memberships.c.person_id, memberships.c.party)
                        .where(memberships.c.person_id.in_(chair_people))
                        .order_by(memberships.c.person_id, memberships.c.from_date))
    out: dict[int, str] = {}
    for pid, code in rows:
        if code and code not in CHAIR_CODES and code.lower() != "unknown":
            out[pid] = code
    return out

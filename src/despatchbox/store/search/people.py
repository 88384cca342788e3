"""People search: "hanson", "Lord Bach", "david hanson", "delyn" find the member.

Every word of the query must be a whole word of the person's name (people.name) or of one of
their memberships (title, first and last name, peerage name and place, constituency), ignoring
case, apostrophes, dots and hyphens. When no one has every word, people whose surname is the
last word are offered instead (``full_match`` False): "caroline lucas" — not a member in 2009 —
offers Ian Lucas and Lord Lucas. Members holding a seat come first, then those with most items
in the record.
"""
from __future__ import annotations

import re

from sqlalchemy import Connection, bindparam, select, text

from ...attribute import parties
from ...attribute.names import display_name, peerage_kind
from ...ingest.records import Membership
from ..schema import memberships
from .model import PersonHit

_WORD = re.compile(r"[^\W_]+")
#: a query with more words than this is no name
MAX_NAME_WORDS = 5
#: words that say what kind of member, not which one
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "baroness", "baron", "earl",
              "viscount", "rt", "hon", "the", "of", "mp", "bishop", "duke", "marquess", "countess"}


def _norm(column: str) -> str:
    """SQL: a column lower-cased, apostrophes and dots removed, hyphens as spaces, padded with spaces."""
    return (f"(' ' || lower(replace(replace(replace(replace(coalesce({column}, ''), '''', ''), "
            f"'’', ''), '.', ''), '-', ' ')) || ' ')")


_PERSON_NAME = _norm("p.name")
_MEMBERSHIP_NAME = _norm("coalesce(m.title, '') || ' ' || coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, '') || ' ' "
                         "|| coalesce(m.lord_name, '') || ' ' || coalesce(m.lord_of_name, '') || ' ' "
                         "|| coalesce(m.constituency, '')")


def name_words(query: str) -> list[str]:
    cleaned = (query or "").replace("'", "").replace("’", "").replace(".", "")
    return [w.lower() for w in _WORD.findall(cleaned)]


def _word_condition(param: str) -> str:
    return (f"({_PERSON_NAME} LIKE :{param} OR EXISTS (SELECT 1 FROM memberships m "
            f"WHERE m.person_id = p.id AND {_MEMBERSHIP_NAME} LIKE :{param}))")


def _find(conn: Connection, words: list[str], limit: int, *, surname_only: bool = False) -> list[dict]:
    params: dict = {"limit": limit}
    if surname_only:
        params["w0"] = f"% {words[-1]} %"
        where = ("(EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND "
                 f"({_norm('m.last_name')} LIKE :w0 OR {_norm('m.lord_name')} LIKE :w0)))")
    else:
        conditions = []
        for n, word in enumerate(words):
            params[f"w{n}"] = f"% {word} %"
            conditions.append(_word_condition(f"w{n}"))
        where = " AND ".join(conditions)
    sql = (f"SELECT p.id, p.name, p.slug, p.house, "
           f"(SELECT count(*) FROM search_items si WHERE si.person_id = p.id) AS items, "
           f"CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.to_date IS NULL) "
           f"THEN 1 ELSE 0 END AS current "
           f"FROM people p WHERE {where} ORDER BY current DESC, items DESC, p.name, p.id LIMIT :limit")
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def _latest_memberships(conn: Connection, person_ids: list[int]) -> dict[int, Membership]:
    if not person_ids:
        return {}
    q = (select(memberships).where(memberships.c.person_id.in_(bindparam("ids", expanding=True)))
         .order_by(memberships.c.person_id, memberships.c.from_date))
    latest: dict[int, Membership] = {}
    for r in conn.execute(q, {"ids": person_ids}).mappings():
        m = Membership(id=r["id"], house=r["house"], title=r["title"], first_name=r["first_name"],
                       last_name=r["last_name"], constituency=r["constituency"], party=r["party"],
                       from_date=r["from_date"], to_date=r["to_date"], lord_name=r["lord_name"],
                       lord_of_name=r["lord_of_name"], peerage_type=r["peerage_type"])
        held = latest.get(r["person_id"])
        if held is None or held.to_date is not None and (m.to_date is None or m.to_date >= held.to_date):
            latest[r["person_id"]] = m
    return latest


def search_people(conn: Connection, query: str, limit: int = 8) -> list[PersonHit]:
    """People whose names hold every word of ``query`` (or, failing that, whose surname is its last word)."""
    words = name_words(query)
    if not words or len(words) > MAX_NAME_WORDS or any(len(w) > 60 for w in words):
        return []
    full = True
    rows = _find(conn, words, limit)
    if not rows:
        last = words[-1]
        if len(words) < 2 or last in HONORIFICS or len(last) < 3:
            return []
        rows, full = _find(conn, words, limit, surname_only=True), False
    latest = _latest_memberships(conn, [r["id"] for r in rows])
    out = []
    for r in rows:
        m = latest.get(r["id"])
        out.append(PersonHit(
            id=r["id"], name=r["name"], slug=r["slug"], house=r["house"],
            display_name=display_name(m) if m else r["name"],
            party=parties.party_name(m.party) if m else None,
            constituency=(m.constituency or peerage_kind(m.peerage_type)) if m else None,
            current=bool(r["current"]), speeches=int(r["items"]), full_match=full))
    return out


def person_by_slug(conn: Connection, slug: str) -> dict | None:
    row = conn.execute(text("SELECT id, name, slug FROM people WHERE slug = :slug"), {"slug": slug}).mappings().first()
    return dict(row) if row else None


def person_by_id(conn: Connection, person_id: int) -> dict | None:
    row = conn.execute(text("SELECT id, name, slug FROM people WHERE id = :id"), {"id": person_id}).mappings().first()
    return dict(row) if row else None

"""``/members``: every MP and peer held, current and former, A–Z by surname, filtered by house
and party, and the "find your MP" box (a name or a constituency: ``delyn`` finds David Hanson)."""
from __future__ import annotations

import string

from fastapi import Request

from ..page_routes import page_router
from ...attribute.parties import party_name
from ...store.queries.api import find_people, memberships_of_people, party_codes
from ...store.queries.speakers import chair_own_parties
from ..api import shape
from ..api.members import party_codes_for
from ..app import engine_of
from .common import Pager, check_page, render
from ...store.database import reading

router = page_router()

PER_PAGE = 100
HOUSES = {"commons": "MPs", "lords": "Peers"}


@router.get("/members")
def members_index(request: Request, q: str = "", house: str = "", party: str = "", letter: str = "",
                  page: int = 1):
    q = q.strip()[:200]
    house = house if house in HOUSES else ""
    letter = letter.upper() if len(letter) == 1 and letter.upper() in string.ascii_uppercase else ""
    if not q and not letter and not party and not house:
        letter = "A"
    with reading(engine_of(request)) as conn:
        codes = party_codes_for(conn, party) if party else None
        check_page(page)
        total, rows = find_people(conn, name=q or None, house=house or None, parties=codes,
                                  initial=letter or None, by_surname=True, with_memberships=True,
                                  limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        pager = Pager(page=page, per_page=PER_PAGE, total=total)
        held = memberships_of_people(conn, [r["id"] for r in rows])
        own = chair_own_parties(conn)
        parties = sorted({(party_name(c) or c) for c in party_codes(conn)})
    members = []
    for r in rows:
        items = held.get(r["id"], [])
        summary = shape.member_summary(r, items, own)
        still_held = [m for m in items if m["to_date"] is None]
        latest = (still_held or items)[-1] if items else None
        summary["from_date"] = items[0]["from_date"] if items else None
        summary["to_date"] = latest["to_date"] if latest else None
        members.append(summary)
    return render(request, "members.html", {
        "members": members, "total": total, "q": "", "find": q, "house": house, "party": party,
        "letter": letter, "letters": string.ascii_uppercase, "houses": HOUSES, "parties": parties,
        "pager": pager, "page_url": lambda n: str(request.url.include_query_params(page=n))})

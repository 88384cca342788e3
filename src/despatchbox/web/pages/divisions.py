"""The division page (``/division/{id}``): tallies, result and every name by party, tellers marked."""
from __future__ import annotations

from fastapi import Request
from markupsafe import Markup

from ..page_routes import page_router
from ...attribute.items import question_put
from ...store.queries import debates as debate_queries
from ...store.queries import divisions as division_queries
from ..app import engine_of
from .common import (KIND_NAMES, debate_url, department_name, division_url, full_id, member_url, not_found,
                     redirect, render, short_id)
from .naming import party_of
from ...store.database import reading

router = page_router()

SIDES = {"aye": "Ayes", "no": "Noes", "content": "Contents", "not-content": "Not contents"}
#: which tally column counts each side
TALLY = {"aye": "ayes", "content": "ayes", "no": "noes", "not-content": "noes"}


def _escape(text: str) -> str:
    """What markupsafe's escape gives, as a plain str (no Markup object per name)."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


def names_html(members: list[dict]) -> Markup:
    """The ``<li>`` items of a party's voters (a division lists hundreds of names: built here in one
    string rather than by a template loop that makes a Markup object per name and link)."""
    out = []
    for m in members:
        name = _escape(m["name"])
        item = f'<a href="{_escape(m["url"])}">{name}</a>' if m["url"] else name
        out.append(f'<li>{item}{_TELLER if m["teller"] else ""}</li>')
    return Markup("\n".join(out))


_TELLER = ' <span class="teller">(teller)</span>'


def shape_division(division: dict, votes: list[dict]) -> dict:
    """A division with its sides: [{vote, label, count, tellers, parties: [{party, members: [...]}]}]."""
    order = ["content", "not-content"] if division["kind"].startswith("lords") else ["aye", "no"]
    for v in votes:
        if v["vote"] not in order:
            order.append(v["vote"])
    sides = []
    for vote in order:
        mine = [v for v in votes if v["vote"] == vote]
        parties: dict[str, list[dict]] = {}
        tellers: list[dict] = []
        for v in mine:
            member = {"name": v.get("person_name") or v["name"], "printed": v["name"], "teller": bool(v["teller"]),
                      "url": member_url(v.get("person_slug"), v.get("person_house") or v.get("house"))}
            # tellers are not counted in the tally: they are listed apart, so party groups add up to it
            (tellers if member["teller"] else parties.setdefault(party_of(v.get("party")), [])).append(member)
        count = division.get(TALLY.get(vote, ""))
        if count is None:
            count = sum(len(ms) for ms in parties.values())
        sides.append({"vote": vote, "label": SIDES.get(vote, vote.title()), "count": count, "tellers": tellers,
                      "parties": [{"party": p, "members": ms, "count": len(ms), "names_html": names_html(ms)}
                                  for p, ms in sorted(parties.items(), key=lambda pm: (-len(pm[1]), pm[0]))]})
    ayes, noes = division.get("ayes"), division.get("noes")
    result = None
    if ayes is not None and noes is not None and ayes != noes:
        first, second = sides[0]["label"], sides[1]["label"] if len(sides) > 1 else "Noes"
        result = f"The {first} have it" if ayes > noes else f"The {second} have it"
    return {**division, "sides": sides, "result": result, "anchor_id": division["id"],
            "url": division_url(division["id"])}


@router.get("/division/{gid:path}")
def division_page(request: Request, gid: str):
    division_id = full_id(gid)
    with reading(engine_of(request)) as conn:
        division = division_queries.division(conn, division_id)
        if division is None:
            found = debate_queries.locate(conn, division_id)
            if found is not None and found["type"] == "division":
                return redirect(division_url(found["id"]))
            raise not_found(f"There is no division with the id \u201c{short_id(division_id)}\u201d. "
                            f"Divisions are listed in their debates.")
        if gid.startswith("uk.org.publicwhip/"):
            return redirect(division_url(division_id))
        votes = division_queries.division_votes(conn, division_id)
        question = question_put(division_queries.texts_before(conn, division))
    shaped = shape_division(division, votes)
    shaped["question"] = question
    shaped["open"] = True
    return render(request, "division.html", {
        "division": shaped, "chamber": KIND_NAMES.get(division["kind"], division["kind"]),
        "debate_url": debate_url(division["debate_id"], at=division["id"]),
        "dept": division["department_slug"],
        "dept_name": department_name(division["department_slug"], division["date"]),
    })


@router.get("/divisions/{gid:path}")
def division_alias(gid: str):
    """The address the JSON API links to."""
    return redirect(division_url(full_id(gid)))

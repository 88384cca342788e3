"""Rows from the store → the API's response objects (plain dicts the models validate).

Also the addresses of things: :func:`api_path` (this API) and :mod:`..links` (the pages).
"""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from ...record import kinds, naming
from ...attribute.names import display_name, peerage_kind
from ...attribute.parties import is_chair, party_name
from ...ingest.records import Membership as MembershipRecord
from ..formatting import safe_html
from .links import web_url

API_PREFIX = "/api/v1"


def api_path(*parts: str | int) -> str:
    """``api_path("debates", gid)`` → ``/api/v1/debates/uk.org.publicwhip/debate/…`` (gids keep their slashes)."""
    return API_PREFIX + "".join("/" + quote(str(p), safe="/") for p in parts)


def department(slug: str | None, on: date | None, fallback_name: str | None = None) -> dict | None:
    ref = naming.department_ref(slug, on or date.today(), fallback_name)
    if ref is None:
        return None
    return {**ref, "url": api_path("departments", ref["slug"])}


def _membership_record(row: dict, prefix: str) -> MembershipRecord | None:
    house = row.get(f"{prefix}house")
    if not house:
        return None
    return MembershipRecord(
        id=row.get("membership_id") or "", house=house, title=row.get(f"{prefix}title"),
        first_name=row.get(f"{prefix}first_name"), last_name=row.get(f"{prefix}last_name"),
        constituency=row.get(f"{prefix}constituency"), party=row.get(f"{prefix}party"),
        from_date=row.get(f"{prefix}from_date"), to_date=row.get(f"{prefix}to_date"),
        lord_name=row.get(f"{prefix}lord_name"), lord_of_name=row.get(f"{prefix}lord_of_name"),
        peerage_type=row.get(f"{prefix}peerage_type"))


def member_ref(row: dict, own_parties: dict[int, str], prefix: str = "m_") -> dict | None:
    """A resolved person with the membership held that day, from a row carrying ``person_id``,
    ``person_slug``, ``person_name``, ``membership_id`` and the membership's columns under ``prefix``."""
    person_id = row.get("person_id")
    if person_id is None or not row.get("person_slug"):
        return None
    m = _membership_record(row, prefix)
    own = own_parties.get(person_id)
    code = own if m is not None and is_chair(m.party) and own else (m.party if m else None)
    name = row.get("person_name") or ""
    shown = (display_name(m, own) if m else name).strip()
    if shown.startswith("(") or not shown:      # the row carried no name parts: use the person's name
        shown = f"{name} {shown}".strip()
    return {"person_id": person_id, "name": name, "slug": row["person_slug"], "display_name": shown,
            "house": m.house if m else None, "party": party_name(code),
            "constituency": (m.constituency or None) if m and m.house == "commons" else None,
            "membership_id": row.get("membership_id") if m else None,
            "url": api_path("members", person_id)}


def member_with(person_id: int, slug: str, name: str, membership: dict | None,
                own_parties: dict[int, str]) -> dict | None:
    """A :func:`member_ref` from a person and a membership row (``store.queries.people`` columns)."""
    row = {"person_id": person_id, "person_slug": slug, "person_name": name,
           "membership_id": membership["id"] if membership else None}
    if membership:
        row.update({f"m_{k}": v for k, v in membership.items()})
    return member_ref(row, own_parties)


def speech(row: dict, own_parties: dict[int, str]) -> dict:
    return {"id": row["id"], "debate_id": row["debate_id"], "heading_id": row["heading_id"], "kind": row["kind"],
            "date": row["date"], "position": row["position"], "element": row["element"],
            "speaker": {"speaker_id": row["speaker_id"], "name": row["speaker_name"],
                        "office": row["speaker_office"], "member": member_ref(row, own_parties)},
            "text": row["text"] or "", "html": str(safe_html(row["html"])), "words": row["words"] or 0,
            "time": row["time"], "colnum": row["colnum"], "source_url": row["url"]}


def debate_summary(row: dict) -> dict:
    return {"id": row["id"], "kind": row["kind"], "chamber": kinds.group_of(row["kind"]),
            "date": row["date"], "title": naming.item_title(row["title"]), "title_as_printed": row["title"],
            "department": department(row.get("department_slug"), row["date"], row.get("department_name")),
            "speeches": row.get("speeches") or 0, "words": row.get("words") or 0,
            "url": api_path("debates", row["id"]), "web_url": web_url("debate", row["id"])}


def division_summary(row: dict) -> dict:
    return {"id": row["id"], "kind": row["kind"], "chamber": kinds.group_of(row["kind"]),
            "date": row["date"], "number": row["number"], "time": row["time"], "debate_id": row["debate_id"],
            "debate_title": naming.item_title(row.get("debate_title")) or None, "ayes": row["ayes"], "noes": row["noes"],
            "url": api_path("divisions", row["id"]), "web_url": web_url("division", row["id"])}


def membership(row: dict) -> dict:
    lords = row["house"] == "lords"
    return {"id": row["id"], "house": row["house"], "party": party_name(row["party"]), "party_code": row["party"],
            "constituency": None if lords else (row["constituency"] or None),
            "peerage": peerage_kind(row["peerage_type"]) if lords else None,
            "title": row["title"] or None, "from_date": row["from_date"], "to_date": row["to_date"],
            "from_why": row["from_why"], "to_why": row["to_why"]}


def member_summary(person: dict, memberships: list[dict], own_parties: dict[int, str]) -> dict:
    """A person with their latest membership (the open one, else the last to start)."""
    candidates = [m for m in memberships if m["to_date"] is None] or memberships
    latest = candidates[-1] if candidates else None
    m = _membership_record({**latest, "membership_id": latest["id"]}, "") if latest else None
    own = own_parties.get(person["id"])
    code = own if m is not None and is_chair(m.party) and own else (m.party if m else None)
    house = m.house if m else person.get("house")
    return {"id": person["id"], "name": person["name"], "slug": person["slug"], "house": house,
            "party": party_name(code),
            "constituency": (m.constituency or None) if m and m.house == "commons" else None,
            "display_name": display_name(m, own) if m else person["name"],
            "url": api_path("members", person["id"]), "web_url": web_url("member", person["slug"], house=house)}


__all__ = ["api_path", "department", "member_ref", "speech", "debate_summary", "division_summary", "membership",
           "member_summary", "web_url"]

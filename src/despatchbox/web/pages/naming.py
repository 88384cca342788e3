"""How speakers, askers, answerers and voters are named on pages, from the rows the store's
queries return, using the naming rules of :mod:`despatchbox.attribute.names`.

- the chair: "Mr Speaker (John Bercow)", "Madam Deputy Speaker (Sylvia Heal)";
- a minister speaking by office: "The Minister for Policing, Crime and Counter-Terrorism (David Hanson)";
- a Commons member: "Tom Watson (West Bromwich East) (Lab)"; a peer: "Lord Bach (Lab)";
- nobody resolved: the name as printed ("Hon. Members").
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from ...record import naming
from ...attribute.departments import is_chair_office
from ...attribute.names import chair_display, display_name, full_name, short_form
from ...attribute.parties import is_chair, party_name, party_short
from ...ingest.records import Membership
from ...store.queries import people as people_queries
from ..formatting import safe_html
from .common import anchor, member_url


def membership(row: dict | None, prefix: str = "") -> Membership | None:
    """A Membership record from a row's membership columns (``m_party`` … with prefix "m_")."""
    return naming.membership_from_row(row, prefix)


def chair_titles(conn: Connection, rows) -> dict[int, list[str | None]]:
    """For speeches made from the chair: person id → the titles of all their memberships (one query)."""
    chair_people = {r["person_id"] for r in rows if r.get("person_id") and is_chair(r.get("m_party"))}
    if not chair_people:
        return {}
    held = people_queries.memberships_of_people(conn, chair_people)
    return {pid: [m["title"] for m in items] for pid, items in held.items()}


def _clean_office(office: str) -> str:
    return " ".join(office.replace("Mr.", "Mr").replace("Mrs.", "Mrs").split())


def speaker_label(row: dict, titles: dict[int, list[str | None]] | None = None) -> str:
    """The speaker of a speech row (from ``store.queries.debates``), named as a page shows it."""
    m = membership(row, "m_")
    day: date | None = row.get("date")
    office = (row.get("speaker_office") or "").strip()
    if m is not None and is_chair(m.party):
        person_id = row.get("person_id")
        shown = chair_display(m, day, (titles or {}).get(person_id, ()) if person_id is not None else ())
        if shown:
            return shown
    if m is not None and office and is_chair_office(office):
        return f"{_clean_office(office)} ({full_name(m)})"
    if office and m is not None:
        return f"{_clean_office(office)} ({full_name(m)})"
    if m is not None:
        short = party_short(m.party)
        if m.house == "lords":
            return f"{full_name(m)} ({short})" if short else full_name(m)
        parts = [full_name(m)]
        if m.constituency:
            parts.append(f"({m.constituency})")
        if short:
            parts.append(f"({short})")
        return " ".join(parts)
    if row.get("person_name"):
        return row["person_name"]
    name = (row.get("speaker_name") or "").strip()
    return f"{_clean_office(office)} ({name})" if office and name and office != name else (name or office)


def label_speeches(conn: Connection, rows: list[dict]) -> list[dict]:
    """Adds what a page shows of each speech row: ``speaker_label``, ``speaker_href``, ``anchor`` and
    ``body`` (the sanitised markup). Chair titles are fetched once for all rows."""
    titles = chair_titles(conn, rows)
    shown: dict[tuple, tuple] = {}          # a debate has a few dozen speakers for hundreds of speeches
    for r in rows:
        # everything speaker_label reads: the seat (membership_id → m_* columns), the person
        # (person_id → person_name, person_slug, person_house), the name and office as printed, and the day
        key = (r.get("membership_id"), r.get("person_id"), r.get("speaker_office"), r.get("speaker_name"),
               r.get("date"))
        speaker = shown.get(key)
        if speaker is None:
            speaker = shown[key] = (speaker_label(r, titles), member_url(r.get("person_slug"), r.get("person_house")))
        r["speaker_label"], r["speaker_href"] = speaker
        r["anchor"] = anchor(r["id"])
        r["body"] = safe_html(r.get("html"))
    return rows


def member_heading(m: Membership | None, fallback: str) -> str:
    """'David Hanson (Labour - Delyn)' from a membership; the fallback name without one."""
    return display_name(m) if m is not None else fallback


def member_short(m: Membership | None) -> str:
    return short_form(m) if m is not None else ""


def person_with_party(row: dict, prefix: str = "m_") -> str:
    """'NAME (PARTY - CONSTITUENCY)' for an asker or answerer row; the printed name if unresolved."""
    m = membership(row, prefix)
    if m is None:
        return row.get("person_name") or row.get("speaker_name") or ""
    return display_name(m)


def party_of(code: str | None) -> str:
    return party_name(code) or "Unknown party"

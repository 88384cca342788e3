"""Naming the record: titles, dates, departments on a date, and the Membership a row describes.

One policy everywhere — pages, the API, feeds, alert emails, export, search and who-said:

- a department is named as it was called **on the record's date** ("Department for Business,
  Innovation and Skills" in 2009), by the department registry (``attribute/department_match``);
- without a date, by its latest name (surfaces pass the date of the record they show: a department's
  page and list entry use the latest day the store holds for it), with ``department_now`` saying what
  it became ("now part of …", "now called …");
- a slug the registry does not know keeps the name the store holds for it, else the slug itself.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import re

from ..attribute.department_match import by_slug, name_on
from ..attribute.names import display_name, full_name
from ..attribute.parties import is_chair, party_name
from ..ingest.records import Membership


def department_name(slug: str | None, on: date | None = None, stored: str | None = None) -> str | None:
    """The department's name on ``on`` (its latest name without a date); None without a slug."""
    if not slug:
        return None
    dept = by_slug(slug)
    if dept is None:
        return stored or slug
    if on is None:
        return dept.name
    return name_on(slug, on)


def department_now(slug: str | None, on: date | None) -> dict | None:
    """What became of a department named as on ``on``: ``{"name", "slug", "relation"}`` where
    ``relation`` is ``"now part of"`` (it was merged into another: Innovation, Universities and Skills
    into Business in 2009) or ``"now called"`` (renamed since: Business, Innovation and Skills is now
    Business and Trade); None when its name on that day is still its name."""
    if not slug or on is None:
        return None
    dept = by_slug(slug)
    if dept is None:
        return None
    if dept.successor:
        successor = by_slug(dept.successor)
        if successor is not None:
            return {"name": successor.name, "slug": successor.slug, "relation": "now part of"}
    if name_on(slug, on) != dept.name:
        return {"name": dept.name, "slug": dept.slug, "relation": "now called"}
    return None


def department_as_held(slug: str, latest: date | None, day: date | None, stored: str | None = None
                       ) -> tuple[str | None, dict | None]:
    """A department as a list of departments shows it: its name on the latest day the store holds for
    it (``latest``, else the latest sitting day ``day``), and what became of it since (``department_now``)."""
    on = latest or day
    return department_name(slug, on, stored), department_now(slug, on)


def department_ref(slug: str | None, on: date | None = None, stored: str | None = None) -> dict | None:
    """``{"name", "slug"}`` as the API, export and who-said give a department; None without a slug."""
    name = department_name(slug, on, stored)
    return None if name is None else {"name": name, "slug": slug}


#: a Membership's fields and the column each is read from (before a prefix is applied)
MEMBERSHIP_COLUMNS = {
    "id": "id", "house": "house", "title": "title", "first_name": "first_name", "last_name": "last_name",
    "constituency": "constituency", "party": "party", "from_date": "from_date", "to_date": "to_date",
    "lord_name": "lord_name", "lord_of_name": "lord_of_name", "peerage_type": "peerage_type",
}


def membership_from_row(row: Mapping | None, prefix: str = "", **columns: str | None) -> Membership | None:
    """The Membership a store row describes, from its columns ``prefix + name`` (``m_party`` with
    prefix ``"m_"``); ``columns`` names any column that differs (``constituency="constituency"``), or
    None for a field the row does not carry. None when the row has no membership (no house)."""
    if not row:
        return None

    def get(field: str):
        column = columns.get(field, prefix + MEMBERSHIP_COLUMNS[field])
        return None if column is None else row.get(column)

    house = get("house")
    if house is None:
        return None
    return Membership(id=get("id") or row.get("membership_id") or "", house=house, title=get("title"),
                      first_name=get("first_name"), last_name=get("last_name"), constituency=get("constituency"),
                      party=get("party"), from_date=get("from_date"), to_date=get("to_date"),
                      lord_name=get("lord_name"), lord_of_name=get("lord_of_name"),
                      peerage_type=get("peerage_type"))


# --- members: a person with the membership held that day -----------------------------------------

def party_code_on_the_day(code: str | None, own_party: str | None) -> str | None:
    """A membership's party code; for a chair membership (SPK, CWM, DCWM: no party) the person's own
    party code from their other memberships, when known (``store.queries.speakers.chair_own_parties``)."""
    return own_party if own_party and is_chair(code) else code


def party_on_the_day(code: str | None, own_party: str | None) -> str | None:
    """The party's name for :func:`party_code_on_the_day` ('Labour'); None for no party or 'unknown'."""
    return party_name(party_code_on_the_day(code, own_party))


def member_label(m: Membership | None, own_party: str | None = None, person_name: str | None = None) -> str | None:
    """'David Hanson (Labour - Delyn)': the person's name with party and seat of the membership held
    (a chair's ``own_party``); ``person_name`` leads when the membership holds no name parts;
    without a membership, the person's name."""
    if m is None:
        return person_name
    shown = display_name(m, own_party).strip()
    if shown.startswith("(") or not shown:
        shown = f"{person_name or full_name(m)} {shown}".strip()
    return shown


# --- titles and dates: the same on pages, feeds, emails and the API ------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def full_date(day: date | None) -> str:
    """'Monday 26th October 2009'."""
    if day is None:
        return ""
    return f"{WEEKDAYS[day.weekday()]} {ordinal(day.day)} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date | None) -> str:
    """'26 Oct 2009'."""
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "from"}
_ACRONYMS = {"UK", "EU", "UN", "US", "USA", "NHS", "BBC", "NATO", "HMRC", "IDP", "MOD", "HM", "GP", "GPS", "HGV",
             "ASBO", "ASBOS", "DNA", "CCTV", "VAT", "ECOFIN", "OECD", "WTO", "G20", "G8", "PFI", "ID", "TV", "MP",
             "MPS", "NI", "SEN", "UKBA", "CPS", "MRSA", "IVF", "HIV", "AIDS", "SIA", "BIS", "DWP", "FCO", "DFID"}
_CHAIR_NOTE = re.compile(r"\s*\[[^\]]*\bin the chair\b[^\]]*\]\s*", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def item_title(title: str | None) -> str:
    """A heading for display: '[… in the Chair]' notes dropped; headings printed in capitals
    ('HOME DEPARTMENT', 'UK INVENTORS') in title case, keeping acronyms."""
    if not title:
        return ""
    # a chair's note is in brackets: a title without "[" (nearly all) is not searched for one (0.3 µs a title)
    text = (_CHAIR_NOTE.sub(" ", title) if "[" in title else title).strip(" \u2014-") or title
    text = " ".join(text.split())
    if not text.isupper():
        return text
    first = True

    def word(m: re.Match) -> str:
        nonlocal first
        w = m.group(0)
        was_first, first = first, False
        if w.upper() in _ACRONYMS:
            return w.upper()
        lower = w.lower()
        if not was_first and lower in _SMALL:
            return lower
        return lower[:1].upper() + lower[1:]

    return _WORD.sub(word, text)

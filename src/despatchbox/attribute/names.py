"""How a member is named on a page: "David Hanson (Labour - Delyn)", "Lord Bach (Labour -
Life peer)", "Mr Speaker (John Bercow)".

Everything works from a :class:`~despatchbox.ingest.records.Membership`. A chair's
membership (party SPK, CWM, DCWM) carries no party, so callers pass the person's
own party from their other memberships (``own_party``), and for the "Mr"/"Madam"
of a chair role the titles of those memberships (``titles``), since current
ParlParse memberships mostly print an empty title.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ..ingest.records import Membership
from .parties import is_chair, party_name, party_short

PEERAGE_KINDS = {
    "L": "Life peer",
    "HP": "Hereditary peer",
    "HD": "Hereditary peer",
    "HO": "Hereditary peer",
    "B": "Bishop",
    "A": "Law Lord",
}

#: honorifics printed before a Commons name that a page does not show
_NOISE_TITLES = {"mr", "mrs", "ms", "miss", "mx", "hon", "rh", "rt hon", "the rt hon", "right hon",
                 "the right hon", "dr", "reverend", "rev", "reverend dr", "professor", "prof"}
_NOISE_WORDS = re.compile(r"^(?:(?:mr|mrs|ms|miss|mx|rt|rh|hon|the|right)\.?\s+)+", re.I)
_SUFFIXES = re.compile(r"(?:,?\s+(?:MP|QC|KC|MBE|OBE|CBE))+\s*$")
_FEMALE = {"mrs", "ms", "miss", "lady", "dame", "baroness", "madam", "countess", "marchioness",
           "viscountess", "duchess"}
_MALE = {"mr", "sir", "lord", "earl", "viscount", "marquess", "duke"}


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _title_key(title: str | None) -> str:
    return _clean(title).lower().rstrip(".").replace(".", "")


def peerage_kind(peerage_type: str | None) -> str | None:
    """L → 'Life peer'; HP/HD/HO → 'Hereditary peer'; B → 'Bishop'; A → 'Law Lord'."""
    return PEERAGE_KINDS.get(_clean(peerage_type).upper()) if peerage_type else None


def full_name(m: Membership) -> str:
    """'David Hanson'; peers 'Lord Bach', 'Baroness Adams of Craigielea', 'Bishop of Ripon and Leeds'."""
    if m.house == "lords":
        title = _clean(m.title)
        lord = _clean(m.lord_name or m.last_name)
        of = _clean(m.lord_of_name)
        name = " ".join(p for p in (title, lord) if p)
        if of:
            name = f"{name} of {of}" if name else of
        return name or _clean(m.first_name)
    first = _NOISE_WORDS.sub("", _clean(m.first_name))
    last = _SUFFIXES.sub("", _clean(m.last_name))
    title = _clean(m.title)
    shown_title = "" if _title_key(title) in _NOISE_TITLES else title
    return " ".join(p for p in (shown_title, first, last) if p)


def _party_code(m: Membership, own_party: str | None) -> str | None:
    if is_chair(m.party) and own_party:
        return own_party
    return m.party if m.party and m.party.lower() != "unknown" else own_party


def _seat(m: Membership) -> str | None:
    if m.house == "lords":
        return peerage_kind(m.peerage_type)
    return _clean(m.constituency) or None


def display_name(m: Membership, own_party: str | None = None) -> str:
    """'David Hanson (Labour - Delyn)', 'Lord Bach (Labour - Life peer)'. A chair's membership
    shows ``own_party`` (their party from other memberships) when given."""
    return f"{full_name(m)} {_bracket(m, own_party, party_name)}".rstrip()


def short_form(m: Membership, own_party: str | None = None) -> str:
    """'(Lab - Delyn)', '(XB - Life peer)'."""
    return _bracket(m, own_party, party_short)


def _bracket(m: Membership, own_party: str | None, naming) -> str:
    party = naming(_party_code(m, own_party))
    seat = _seat(m)
    if party and seat and party in ("Bishops", "Bp") and seat == "Bishop":
        party = None                      # "(Bishop)", not "(Bishops - Bishop)"
    parts = [p for p in (party, seat) if p]
    return f"({' - '.join(parts)})" if parts else ""


def _gender(m: Membership, titles: Iterable[str | None]) -> str | None:
    for title in [m.title, *titles]:
        key = _title_key(title).split(" ")[0] if _title_key(title) else ""
        if key in _FEMALE:
            return "f"
        if key in _MALE:
            return "m"
    return None


def _held_on(m: Membership, on: date | None) -> bool:
    if on is None:
        return True
    return (m.from_date is None or m.from_date <= on) and (m.to_date is None or on <= m.to_date)


def chair_role(m: Membership, on: date | None = None, titles: Iterable[str | None] = ()) -> str | None:
    """'Mr Speaker', 'Madam Deputy Speaker' for a chair membership (SPK; CWM and DCWM sit as
    Deputy Speakers) held on the date, else None. 'Mr'/'Madam' comes from the membership's title
    or the ``titles`` of the person's other memberships; unknown → plain 'Speaker'."""
    code = (m.party or "").upper()
    if not is_chair(m.party) or not _held_on(m, on):
        return None
    role = "Speaker" if code == "SPK" else "Deputy Speaker"
    address = {"f": "Madam", "m": "Mr"}.get(_gender(m, titles) or "")
    return f"{address} {role}" if address else role


def chair_display(m: Membership, on: date | None = None, titles: Iterable[str | None] = ()) -> str | None:
    """'Mr Speaker (John Bercow)', or None when the membership is no chair that day."""
    role = chair_role(m, on, titles)
    return f"{role} ({full_name(m)})" if role else None


def chair_office(m: Membership) -> str | None:
    """The formal office of a chair membership: 'Speaker', 'Chairman of Ways and Means' …"""
    return party_name(m.party) if is_chair(m.party) else None

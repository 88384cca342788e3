"""Parsers for the members data ParlParse publishes now, as Popolo JSON.

``people.json`` holds persons (their names over time in ``other_names``), organizations (parties,
the two Houses), posts (seats: ``area.name``) and memberships (``on_behalf_of_id`` party, ``post_id``
seat, start/end dates and reasons). ``ministers.json`` (posts to 2010) and ``ministers-2010.json``
(government, opposition, parliamentary and committee posts since 2010, each with a ``source`` such as
``datadotparl/governmentpost``) hold posts. They are read into the same records the XML parsers give,
so everything after the parser is the same whichever layout a tree holds.

mySociety's ``mysoc-validator`` models the same layout with pydantic; it is used in the tests to check
the converted files, not here: it takes ~40× as long as this reader on the same file (see
``tests/test_members_json.py::test_reader_agrees_with_mysoc_validator``), too slow for the ingest path.
"""
from __future__ import annotations

import json
import re
from calendar import monthrange
from datetime import date
from pathlib import Path

from ..errors import SourceFileError
from ..records import Membership, Office, Person
from .xmlfile import tail_id

#: JSON members file name → the kind of records it holds
MEMBERS_JSON_FILES = {
    "people.json": "popolo_people",
    "ministers.json": "offices",
    "ministers-2010.json": "offices_2010",
}

COMMONS, LORDS = "house-of-commons", "house-of-lords"
#: an opposition post's role text (ministers.json has no ``source``; ministers-2010.json has one)
_OPPOSITION = re.compile(r"\b(shadow|spokes(?:person|man|woman)s?|opposition)\b", re.I)
_PPS = re.compile(r"^\s*(PPS|Parliamentary Private Secretary)\b", re.I)


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"not JSON: {exc.msg}", exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, f"not UTF-8 text: {exc.reason}") from None
    if not isinstance(data, dict) or not isinstance(data.get("memberships", []), list):
        raise SourceFileError(path, "not a Popolo file: expected an object with a 'memberships' list")
    return data


def json_date(value: str | None, end: bool = False) -> date | None:
    """Popolo dates: 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'; '9999-12-31' and absent → None (open-ended)."""
    if not value or value.startswith("9999"):
        return None
    parts = value.strip().split("-")
    try:
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            return date(year, month, monthrange(year, month)[1] if end else 1)
        if len(parts) == 1:
            return date(int(parts[0]), 12, 31) if end else date(int(parts[0]), 1, 1)
    except ValueError:
        pass
    raise ValueError(f"not a date: {value!r}")


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _name_on(names: list[dict], on: date | None, lords: bool) -> dict | None:
    """The person's main name valid on a date (a Lords name for a peerage, else a Commons one)."""
    main = [n for n in names if n.get("note") == "Main" and ("lordname" in n or "surname" in n or
                                                               "family_name" not in n) == lords]
    if not main:
        return None
    if on is not None:
        for n in main:
            start, stop = json_date(n.get("start_date")), json_date(n.get("end_date"), end=True)
            if (start is None or start <= on) and (stop is None or on <= stop):
                return n
    return main[-1]


def _display_name(n: dict | None) -> str:
    if n is None:
        return ""
    if "family_name" in n:
        return " ".join(filter(None, [_clean(n.get("given_name")), _clean(n.get("family_name"))]))
    name = " ".join(filter(None, [_clean(n.get("honorific_prefix")), _clean(n.get("lordname"))]))
    of = _clean(n.get("lordofname"))
    return f"{name} of {of}" if of else name


def _person_number(path: Path, value, where: str) -> int:
    pid = tail_id(value) if isinstance(value, str) else None
    if pid is None:
        raise SourceFileError(path, f"{where}: person_id {value!r} is not a ParlParse person id")
    return pid


def parse_people_json(path: Path) -> tuple[list[Person], list[Membership]]:
    """people.json → persons and their Westminster memberships (both Houses)."""
    data = _load(path)
    orgs = {o.get("id"): o for o in data.get("organizations", []) if isinstance(o, dict)}
    posts = {p.get("id"): p for p in data.get("posts", []) if isinstance(p, dict)}
    persons = {p.get("id"): p for p in data.get("persons", []) if isinstance(p, dict)}
    memberships: list[Membership] = []
    held: dict[int, list[str]] = {}
    for i, m in enumerate(data.get("memberships", [])):
        where = f"memberships[{i}]"
        if not isinstance(m, dict) or not m.get("id"):
            raise SourceFileError(path, f"{where}: a membership needs an id")
        post = posts.get(m.get("post_id")) if m.get("post_id") else None
        chamber = m.get("organization_id") or (post or {}).get("organization_id")
        if chamber not in (COMMONS, LORDS):
            continue        # Scottish Parliament, Senedd, NI Assembly, London Assembly: not Westminster
        pid = _person_number(path, m.get("person_id"), where)
        try:
            start, stop = json_date(m.get("start_date")), json_date(m.get("end_date"), end=True)
        except ValueError as exc:
            raise SourceFileError(path, f"{where}: {exc}") from None
        person = persons.get(m.get("person_id")) or {}
        lords = chamber == LORDS
        name = _name_on(person.get("other_names") or [], start, lords) or {}
        own: dict = m["name"] if isinstance(m.get("name"), dict) else {}
        party = orgs.get(m.get("on_behalf_of_id"), {}).get("name") or m.get("on_behalf_of_id")
        if lords:
            record = Membership(
                id=m["id"], house="lords", title=_clean(name.get("honorific_prefix")),
                first_name=_clean(name.get("given_name")),
                last_name=_clean(name.get("lordname") or name.get("surname")), constituency=None,
                party=_clean(party), from_date=start, to_date=stop, from_why=_clean(m.get("start_reason")),
                to_why=_clean(m.get("end_reason")), lord_name=_clean(name.get("lordname")),
                lord_of_name=_clean(name.get("lordofname")))
        else:
            area = (post or {}).get("area") or {}
            record = Membership(
                id=m["id"], house="commons", title=_clean(name.get("honorific_prefix")),
                first_name=_clean(own.get("given_name") or name.get("given_name")),
                last_name=_clean(own.get("family_name") or name.get("family_name")),
                constituency=_clean(area.get("name")), party=_clean(party), from_date=start, to_date=stop,
                from_why=_clean(m.get("start_reason")), to_why=_clean(m.get("end_reason")))
        memberships.append(record)
        held.setdefault(pid, []).append(record.id)
    people = []
    for key, person in persons.items():
        person_id = tail_id(key) if isinstance(key, str) else None
        if person_id is None:
            continue
        names = person.get("other_names") or []
        latest = [n for n in names if n.get("note") == "Main"]
        latest.sort(key=lambda n: n.get("start_date") or "")
        people.append(Person(id=person_id, name=_display_name(latest[-1] if latest else None),
                             membership_ids=held.get(person_id, [])))
    return people, memberships


def department_text(organization: dict | None, role: str, house_names_department: bool = False) -> str:
    """The department a post names: its organization's name where that is a department or
    portfolio, else the part of the role text that names one ("The Minister of State, Ministry of
    Defence" → "Ministry of Defence"; "Vice-Chamberlain (HM Household)" → "HM Household"), else the
    role text itself (the department rules read offices such as "The Secretary of State for Defence").

    In ministers.json the organization is the department as ministers.xml printed it, the Houses
    included ("House of Lords": the Leader of the Lords); in ministers-2010.json every post carries the
    member's House, which names no department (``house_names_department`` False)."""
    if organization and organization.get("name") and (
            house_names_department or organization.get("id") not in (COMMONS, LORDS)):
        return _clean(organization["name"]) or ""
    if "," in role:
        return role.rsplit(",", 1)[1].strip()
    bracket = re.search(r"\(([^()]*)\)\s*$", role)
    if bracket and not re.match(r"^\s*(The )?(Minister|Secretary)", bracket.group(1)):
        return bracket.group(1).strip()
    return role


def post_source(m: dict, role: str) -> str:
    """A post's ``source``: as the file gives it (ministers-2010.json), else from what the
    pre-2010 file says of it — a committee when it has no role, opposition when its role says so."""
    source = _clean(m.get("source"))
    if source:
        return source
    if not role:
        return "parlparse/committee"
    if _OPPOSITION.search(role):
        return "parlparse/oppositionpost"
    if _PPS.search(role):
        return "parlparse/pps"
    return "parlparse/governmentpost"


def parse_ministers_json(path: Path) -> list[Office]:
    """ministers.json / ministers-2010.json → posts, each with its department text and source."""
    data = _load(path)
    orgs = {o.get("id"): o for o in data.get("organizations", []) if isinstance(o, dict)}
    out = []
    for i, m in enumerate(data["memberships"]):
        where = f"memberships[{i}]"
        if not isinstance(m, dict) or not m.get("id"):
            raise SourceFileError(path, f"{where}: a post needs an id")
        pid = _person_number(path, m.get("person_id"), where)
        try:
            start, stop = json_date(m.get("start_date")), json_date(m.get("end_date"), end=True)
        except ValueError as exc:
            raise SourceFileError(path, f"{where}: {exc}") from None
        role = _clean(m.get("role")) or ""
        org = orgs.get(m.get("organization_id"))
        # the post-2010 layout gives each post a source; there the organization is only the House
        dept = department_text(org, role, house_names_department=not _clean(m.get("source")))
        out.append(Office(id=m["id"], name="", membership_id=None, department=dept,
                          position=role, responsibility=None, from_date=start, to_date=stop,
                          source=post_source(m, role), person_id=pid))
    return out

"""Parsers for the ParlParse members data: people, memberships, peers, aliases,
constituencies and ministerial posts. Each is a pure function from a file to records."""
from __future__ import annotations

from pathlib import Path

from ..records import Constituency, MemberAlias, Membership, Office, Person
from .xmlfile import parse_date, parse_xml, tail_id

#: members file name → the kind of records it holds
MEMBERS_FILES = {
    "people.xml": "people",
    "reduced-all-members.xml": "commons_memberships",
    "all-members.xml": "commons_memberships",
    "peers-ucl.xml": "lords_memberships",
    "member-aliases.xml": "aliases",
    "constituencies.xml": "constituencies",
    "ministers.xml": "offices",
}


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def parse_people(path: Path) -> list[Person]:
    root = parse_xml(path, "publicwhip")
    people = []
    for el in root.iter("person"):
        pid = tail_id(el.get("id"))
        if pid is None:
            continue
        offices = [o.get("id") for o in el.iter("office") if o.get("id")]
        people.append(Person(id=pid, name=_clean(el.get("latestname")) or "", membership_ids=offices))
    return people


def parse_commons_memberships(path: Path) -> list[Membership]:
    # reduced-all-members.xml is an xml_grep extract of all-members.xml
    root = parse_xml(path, ("publicwhip", "xml_grep"))
    out = []
    for el in root.iter("member"):
        out.append(Membership(
            id=el.get("id"),
            house=el.get("house") or "commons",
            title=_clean(el.get("title")),
            first_name=_clean(el.get("firstname")),
            last_name=_clean(el.get("lastname")),
            constituency=_clean(el.get("constituency")),
            party=_clean(el.get("party")),
            from_date=parse_date(el.get("fromdate")),
            to_date=parse_date(el.get("todate")),
            from_why=_clean(el.get("fromwhy")),
            to_why=_clean(el.get("towhy")),
        ))
    return out


def parse_lords_memberships(path: Path) -> list[Membership]:
    root = parse_xml(path, "publicwhip")
    out = []
    for el in root.iter("lord"):
        out.append(Membership(
            id=el.get("id"),
            house="lords",
            title=_clean(el.get("title")),
            first_name=_clean(el.get("forenames")),
            last_name=_clean(el.get("lordname")),
            constituency=None,
            party=_clean(el.get("affiliation")),
            from_date=parse_date(el.get("fromdate")),
            to_date=parse_date(el.get("todate")),
            from_why=_clean(el.get("fromwhy")),
            to_why=_clean(el.get("towhy")),
            lord_name=_clean(el.get("lordname")),
            lord_of_name=_clean(el.get("lordofname")),
            peerage_type=_clean(el.get("peeragetype")),
        ))
    return out


def parse_aliases(path: Path) -> list[MemberAlias]:
    root = parse_xml(path, "publicwhip")
    return [
        MemberAlias(full_name=_clean(el.get("fullname")) or "", alternate=_clean(el.get("alternate")) or "",
                    from_date=parse_date(el.get("from")), to_date=parse_date(el.get("to")))
        for el in root.iter("alias")
    ]


def parse_constituencies(path: Path) -> list[Constituency]:
    root = parse_xml(path, "publicwhip")
    out = []
    for el in root.iter("constituency"):
        names = [name for n in el.iter("name") if (name := _clean(n.get("text")))]
        if not names:
            continue
        out.append(Constituency(id=el.get("id"), name=names[0], other_names=names[1:],
                                from_date=parse_date(el.get("fromdate")), to_date=parse_date(el.get("todate"))))
    return out


def parse_offices(path: Path) -> list[Office]:
    root = parse_xml(path, "publicwhip")
    return [
        Office(id=el.get("id"), name=_clean(el.get("name")) or "", membership_id=el.get("matchid"),
               department=_clean(el.get("dept")) or "", position=_clean(el.get("position")) or "",
               responsibility=_clean(el.get("responsibility")), from_date=parse_date(el.get("fromdate")),
               to_date=parse_date(el.get("todate")), source=_clean(el.get("source")))
        for el in root.iter("moffice")
    ]


PARSERS = {
    "people": parse_people,
    "commons_memberships": parse_commons_memberships,
    "lords_memberships": parse_lords_memberships,
    "aliases": parse_aliases,
    "constituencies": parse_constituencies,
    "offices": parse_offices,
}


def members_file_kind(path: Path) -> str | None:
    return MEMBERS_FILES.get(path.name)


def parse_members_file(path: Path):
    """Parse any known members file; returns (kind, records)."""
    kind = members_file_kind(path)
    if kind is None:
        raise ValueError(f"not a known members file: {path.name}")
    return kind, PARSERS[kind](path)

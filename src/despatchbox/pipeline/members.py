"""Loading members files: each one replaces what the store held from that file.

The XML files (to 2015) and the Popolo JSON files (people.json, ministers.json, ministers-2010.json)
give the same records; party names as people.json gives them ("Labour") are stored as the codes the
XML prints ("Lab"), so both layouts attribute alike. After members data changes, the speakers and
voters already held are re-resolved: only those whose printed id the change touches, and those
nothing resolved yet (:func:`reresolve_held`).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection

from ..attribute import departments as dept_rules
from ..attribute import parties
from ..attribute.department_match import department_for_office
from ..attribute.speakers import SpeakerResolver
from ..ingest.parlparse.members import MEMBERS_FILES, parse_members_file
from ..ingest.parlparse.members_json import MEMBERS_JSON_FILES, parse_ministers_json, parse_people_json
from ..ingest.records import Membership
from ..store.queries import fellows
from ..store.queries import members as q
from ..store.queries import reresolve as rq

#: which offices each posts file replaces, by id: the pre-2010 files ('uk.org.publicwhip/moffice/…')
#: and ministers-2010.json ('uk.parliament.data/…') are held side by side
OFFICE_FAMILIES = {"offices": "uk.org.publicwhip/", "offices_2010": "uk.parliament.data/"}


def parse_members(path: Path):
    """Parse any known members file, XML or JSON; returns (kind, records)."""
    kind = MEMBERS_JSON_FILES.get(path.name)
    if kind == "popolo_people":
        return kind, parse_people_json(path)
    if kind is not None:
        return kind, parse_ministers_json(path)
    if path.name in MEMBERS_FILES:
        return parse_members_file(path)
    raise ValueError(f"not a known members file: {path.name}")


#: a party's full name, as people.json's organizations give it → its code
_CODE_OF_NAME = {p.name.lower(): p.code for p in parties.all_parties()}


def _party_code(printed: str | None) -> str | None:
    if printed and printed.lower() in _CODE_OF_NAME:
        return _CODE_OF_NAME[printed.lower()]
    found = parties.party(printed)
    return found.code if found is not None else printed


def asdict(record) -> dict:
    """A record's fields as a dict (shallow: dataclasses.asdict deep-copies, which is slow)."""
    return {name: getattr(record, name) for name in record.__slots__}


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "member"


def _membership_row(m: Membership, person_of: dict[str, int]) -> dict:
    row = asdict(m)
    row["person_id"] = person_of.get(m.id)
    return row


def _from_ministers_2010(office) -> bool:
    """A post of ministers-2010.json (``source`` ``datadotparl/…``): its organization is the member's
    House, so its department is only in the role text."""
    return (office.source or "").startswith("datadotparl/")


def post_department(office):
    """The department a post's department text names; for a JSON post whose text names none, the
    department its role text names somewhere, leftmost first — "Minister of State (Home Office)
    (Borders and Immigration)", "The Secretary of State for Environment, Food and Rural Affairs",
    where the part cut from the role ("Borders and Immigration", "Food and Rural Affairs") does not."""
    if not office.department:
        return None
    on = office.from_date or date.today()
    dept = dept_rules.department_for_post(office.department, on)
    if dept is None and (office.department == office.position or _from_ministers_2010(office)):
        dept = department_for_office(office.position, on)
    return dept


#: writes one members file's prepared rows in its transaction; returns the number of records
MembersWrite = Callable[[Connection], int]


def _replacing(replace: Callable, *args, records: int, **kwargs) -> MembersWrite:
    def write(conn: Connection) -> int:
        replace(conn, *args, **kwargs)
        return records
    return write


def _people_write(records: list, existing_slugs: dict[int, str]) -> MembersWrite:
    links = [{"membership_id": mid, "person_id": p.id} for p in records for mid in dict.fromkeys(p.membership_ids)]
    # names and slugs are settled in finish_members once memberships are known
    rows = [{"id": p.id, "name": p.name, "slug": existing_slugs.get(p.id) or f"person-{p.id}", "house": None}
            for p in records]

    def write(conn: Connection) -> int:
        q.replace_membership_people(conn, links)
        q.replace_people(conn, rows)
        q.link_memberships_to_people(conn)
        return len(records)
    return write


def prepare_members_file(conn: Connection, kind: str, records: list) -> MembersWrite:
    """Work out the rows one parsed members file holds, reading what they need through ``conn``
    (only an ingest writes members data, and one runs at a time: the ingest lock); returns what
    writes them inside the file's transaction and gives the number of records."""
    if kind == "people":
        return _people_write(records, q.people_slugs(conn))
    if kind in ("commons_memberships", "lords_memberships"):
        person_of = q.person_of_membership(conn)
        house = "lords" if kind == "lords_memberships" else "commons"
        rows = [_membership_row(m, person_of) for m in records if m.house == house]
        return _replacing(q.replace_memberships, house, rows, records=len(records))
    if kind == "aliases":
        rows = [asdict(a) for a in records]
        return _replacing(q.replace_aliases, rows, records=len(records))
    if kind == "constituencies":
        rows = [{**asdict(c), "other_names": "|".join(c.other_names)} for c in records]
        return _replacing(q.replace_constituencies, rows, records=len(records))
    if kind == "popolo_people":
        people, memberships = records
        write_people = _people_write(people, q.people_slugs(conn))
        # whom each membership belongs to once people.json is written: what it says
        person_of = {mid: p.id for p in people for mid in p.membership_ids}
        by_house = {house: [{**_membership_row(m, person_of), "party": _party_code(m.party)}
                            for m in memberships if m.house == house] for house in ("commons", "lords")}

        def write(conn: Connection) -> int:
            write_people(conn)
            for house, rows in by_house.items():
                q.replace_memberships(conn, house, rows)
            return len(people) + len(memberships)
        return write
    if kind in OFFICE_FAMILIES:
        person_of = q.person_of_membership(conn)
        rows = []
        for o in records:
            dept = post_department(o)
            row = asdict(o)
            row["person_id"] = o.person_id if o.person_id is not None else (
                person_of.get(o.membership_id) if o.membership_id else None)
            row["position"] = o.position[:200]
            row["department"] = o.department[:200]
            row["department_slug"] = dept.slug if dept else None
            rows.append(row)
        return _replacing(q.replace_offices, rows, id_prefix=OFFICE_FAMILIES[kind], records=len(records))
    raise ValueError(kind)


def load_members_file(conn: Connection, kind: str, records: list) -> int:
    """Write one parsed members file; returns the number of records."""
    return prepare_members_file(conn, kind, records)(conn)


@dataclass(frozen=True)
class DerivedMembers:
    """What derives from the members files: the department registry, and each person's slug and house."""
    departments: list[dict]
    slugs: dict[int, str]
    houses: dict[int, str | None]


def derive_members(conn: Connection) -> DerivedMembers:
    """Department registry, and stable unique slugs: a name, told apart by constituency or title when
    shared. Only reads: the ingest works this out before it opens the transaction that writes it."""
    registry = [{"slug": d.slug, "name": d.name, "is_ministerial": getattr(d, "ministerial", True)}
                for d in dept_rules.registry()]
    people = q.people_rows(conn)
    latest = q.latest_memberships(conn)
    base = {pid: slugify(name) for pid, name in people}
    counts = Counter(base.values())
    slugs: dict[int, str] = {}
    for pid, _name in people:
        slug = base[pid]
        if counts[slug] > 1:
            m = latest.get(pid)
            place = (m.constituency if m and m.house == "commons" else (m.lord_of_name if m else None)) if m else None
            slug = f"{slug}-{slugify(place)}" if place else slug
        slugs[pid] = slug
    second = Counter(slugs.values())
    for pid in slugs:
        if second[slugs[pid]] > 1:
            slugs[pid] = f"{slugs[pid]}-{pid}"
    houses = {pid: (m.house if m else None) for pid, m in latest.items()}
    return DerivedMembers(registry, slugs, houses)


def finish_members(conn: Connection, derived: DerivedMembers) -> None:
    """Write what :func:`derive_members` worked out."""
    q.replace_departments(conn, derived.departments)
    q.update_people_slugs(conn, derived.slugs, derived.houses)


@dataclass(frozen=True)
class HeldMembers:
    """What the store's members data resolved speakers with, before a change."""
    person_of_membership: dict[str, int]
    memberships: dict[str, Membership]

    @classmethod
    def read(cls, conn: Connection) -> "HeldMembers":
        return cls(q.person_of_membership(conn), q.all_memberships(conn))

    @classmethod
    def none(cls) -> "HeldMembers":
        """Nothing known: every membership and person held counts as changed."""
        return cls({}, {})


def chair_seats(held: HeldMembers) -> set[str]:
    """The memberships of the chair's seats (Speaker, Chairman and Deputy Chairmen of Ways and Means),
    whose speeches make nobody a fellow speaker (:mod:`despatchbox.store.queries.fellows`)."""
    return {mid for mid, m in held.memberships.items() if m.party in fellows.CHAIR_PARTIES}


def touched_speaker_ids(before: HeldMembers, after: HeldMembers) -> tuple[set[str], set[str]]:
    """The printed ids whose resolution a change can alter: (speaker ids, vote membership ids).
    A membership id is touched when its person or its record changed; a person id
    ('uk.org.publicwhip/person/N') when any of that person's memberships did."""
    mids = set(before.person_of_membership) | set(after.person_of_membership)
    changed = {mid for mid in mids
               if before.person_of_membership.get(mid) != after.person_of_membership.get(mid)
               or before.memberships.get(mid) != after.memberships.get(mid)}
    people = {pid for mid in changed for pid in (before.person_of_membership.get(mid),
                                                   after.person_of_membership.get(mid)) if pid is not None}
    return changed | {f"uk.org.publicwhip/person/{pid}" for pid in people}, changed


@dataclass(frozen=True)
class Reresolution:
    """The held speeches and votes a members change moves to another person or membership."""
    speech_rows: list[dict]
    vote_rows: list[dict]

    def __len__(self) -> int:
        return len(self.speech_rows) + len(self.vote_rows)

    def write(self, conn: Connection) -> int:
        rq.set_speech_people(conn, self.speech_rows)
        rq.set_vote_people(conn, self.vote_rows)
        return len(self)


def reresolve_held(conn: Connection, before: HeldMembers, after: HeldMembers | None = None) -> Reresolution:
    """Re-resolve the speeches and votes already held that the members change touches (only reads:
    :meth:`Reresolution.write` writes the speeches and votes that now name another person or membership).
    ``after``: the members held now, when the caller has read them already."""
    after = after if after is not None else HeldMembers.read(conn)
    speaker_ids, member_ids = touched_speaker_ids(before, after)
    resolver = SpeakerResolver(after.person_of_membership, after.memberships)
    speech_rows = []
    for gid, speaker_id, day, pid, mid in rq.speeches_to_reresolve(conn, speaker_ids):
        who = resolver.resolve(speaker_id, None, day)
        if (who.person_id, who.membership_id) != (pid, mid):
            speech_rows.append({"gid": gid, "pid": who.person_id, "mid": who.membership_id})
    vote_rows = []
    for did, pos, membership_id, day, pid in rq.votes_to_reresolve(conn, member_ids):
        who = resolver.resolve(membership_id, None, day)
        if who.person_id != pid:
            vote_rows.append({"did": did, "pos": pos, "pid": who.person_id})
    return Reresolution(speech_rows, vote_rows)

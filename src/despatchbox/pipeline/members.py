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

from sqlalchemy import Connection

from ..attribute import departments as dept_rules
from ..attribute import parties
from ..attribute.department_match import department_for_office
from ..attribute.speakers import SpeakerResolver
from ..ingest.parlparse.members import MEMBERS_FILES, parse_members_file
from ..ingest.parlparse.members_json import MEMBERS_JSON_FILES, parse_ministers_json, parse_people_json
from ..ingest.records import Membership
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


def load_members_file(conn: Connection, kind: str, records: list) -> int:
    """Write one parsed members file; returns the number of records."""
    if kind == "people":
        q.replace_membership_people(conn, [
            {"membership_id": mid, "person_id": p.id} for p in records for mid in dict.fromkeys(p.membership_ids)])
        # names and slugs are settled in finish_members once memberships are known
        existing = q.people_slugs(conn)
        q.replace_people(conn, [{"id": p.id, "name": p.name, "slug": existing.get(p.id) or f"person-{p.id}",
                                 "house": None} for p in records])
        q.link_memberships_to_people(conn)
    elif kind in ("commons_memberships", "lords_memberships"):
        person_of = q.person_of_membership(conn)
        house = "lords" if kind == "lords_memberships" else "commons"
        q.replace_memberships(conn, house, [_membership_row(m, person_of) for m in records if m.house == house])
    elif kind == "aliases":
        q.replace_aliases(conn, [asdict(a) for a in records])
    elif kind == "constituencies":
        q.replace_constituencies(conn, [{**asdict(c), "other_names": "|".join(c.other_names)} for c in records])
    elif kind == "popolo_people":
        people, memberships = records
        load_members_file(conn, "people", people)
        person_of = q.person_of_membership(conn)
        for house in ("commons", "lords"):
            q.replace_memberships(conn, house, [
                {**_membership_row(m, person_of), "party": _party_code(m.party)}
                for m in memberships if m.house == house])
        return len(people) + len(memberships)
    elif kind in OFFICE_FAMILIES:
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
        q.replace_offices(conn, rows, id_prefix=OFFICE_FAMILIES[kind])
    else:
        raise ValueError(kind)
    return len(records)


def finish_members(conn: Connection) -> None:
    """Department registry, and stable unique slugs: a name, told apart by constituency or title when shared."""
    q.replace_departments(conn, [{"slug": d.slug, "name": d.name, "is_ministerial": getattr(d, "ministerial", True)}
                                 for d in dept_rules.registry()])
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
    q.update_people_slugs(conn, slugs, houses)


@dataclass(frozen=True)
class HeldMembers:
    """What the store's members data resolved speakers with, before a change."""
    person_of_membership: dict[str, int]
    memberships: dict[str, Membership]

    @classmethod
    def read(cls, conn: Connection) -> "HeldMembers":
        return cls(q.person_of_membership(conn), q.all_memberships(conn))


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


def reresolve_held(conn: Connection, before: HeldMembers) -> int:
    """Re-resolve the speeches and votes already held that the members change touches; returns how
    many now name another person or membership."""
    after = HeldMembers.read(conn)
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
    rq.set_speech_people(conn, speech_rows)
    rq.set_vote_people(conn, vote_rows)
    return len(speech_rows) + len(vote_rows)

"""Loading members files: each one replaces what the store held from that file."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from sqlalchemy import Connection, select

from ..attribute import departments as dept_rules
from ..ingest.records import Membership
from ..store.queries import members as q


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
    elif kind == "offices":
        person_of = q.person_of_membership(conn)
        rows = []
        for o in records:
            dept = dept_rules.department_for_post(o.department, o.from_date) if o.department else None
            rows.append({**asdict(o), "person_id": person_of.get(o.membership_id) if o.membership_id else None,
                         "department_slug": dept.slug if dept else None})
        q.replace_offices(conn, rows)
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

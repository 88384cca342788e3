"""A converter from the shipped real XML members files to ParlParse's people.json layout.

It only re-expresses records the XML holds (people.xml, reduced-all-members.xml, peers-ucl.xml,
constituencies.xml as of December 2009): nobody is invented, so a converted people.json covers
exactly the people of the shipped files. The output is checked with mySociety's mysoc-validator.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from despatchbox.attribute.parties import party_name
from despatchbox.ingest.parlparse.members import (parse_commons_memberships, parse_constituencies,
                                                  parse_lords_memberships, parse_people)

#: the reasons mysoc-validator's MembershipReason knows; other XML reasons are left out
REASONS = {"accession", "appointed", "became_peer", "became_presiding_officer", "by_election", "changed_party",
           "declared_void", "devolution", "died", "disqualified", "dissolution", "election", "general_election",
           "general_election_not_standing", "general_election_probably", "general_election_standing",
           "recall_petition", "regional_election", "reinstated", "replaced_in_region", "resigned", "retired",
           "whip_removed", "whip_restored", "unknown"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _dates(m) -> dict:
    out = {}
    if m.from_date:
        out["start_date"] = m.from_date.isoformat()
    if m.to_date:
        out["end_date"] = m.to_date.isoformat()
    return out


def _reasons(m) -> dict:
    out = {}
    if m.from_why in REASONS:
        out["start_reason"] = m.from_why
    if m.to_why in REASONS and m.to_date:
        out["end_reason"] = m.to_why
    return out


def people_json_from_xml(members: Path) -> dict:
    """members/ (people.xml, reduced-all-members.xml, peers-ucl.xml, constituencies.xml) → people.json."""
    people = parse_people(members / "people.xml")
    commons = parse_commons_memberships(members / "reduced-all-members.xml")
    lords = parse_lords_memberships(members / "peers-ucl.xml")
    cons_id = {}
    for c in parse_constituencies(members / "constituencies.xml"):
        for name in [c.name, *c.other_names]:
            cons_id.setdefault(name, c.id)
    person_of = {mid: p.id for p in people for mid in p.membership_ids}
    organizations = {"house-of-commons": {"id": "house-of-commons", "name": "House of Commons",
                                          "classification": "chamber"},
                     "house-of-lords": {"id": "house-of-lords", "name": "House of Lords",
                                        "classification": "chamber"}}
    posts: dict[str, dict] = {}
    memberships = []
    names: dict[int, list[dict]] = {}

    def party_org(code: str | None) -> str | None:
        if not code:
            return None
        name = party_name(code) or code
        organizations.setdefault(_slug(name), {"id": _slug(name), "name": name, "classification": "party"})
        return _slug(name)

    for m in commons:
        pid = person_of.get(m.id)
        if pid is None:
            continue
        post_id = cons_id.get(m.constituency) or f"uk.org.publicwhip/cons/{_slug(m.constituency or 'none')}"
        posts.setdefault(post_id, {"id": post_id, "label": f"Member of Parliament for {m.constituency}",
                                   "organization_id": "house-of-commons", "role": "Member of Parliament",
                                   "area": {"name": m.constituency}})
        row = {"id": m.id, "person_id": f"uk.org.publicwhip/person/{pid}", "post_id": post_id,
               "name": {"given_name": m.first_name or "", "family_name": m.last_name or ""},
               **_dates(m), **_reasons(m)}
        if party_org(m.party):
            row["on_behalf_of_id"] = party_org(m.party)
        memberships.append(row)
        name = {"note": "Main", "given_name": m.first_name, "family_name": m.last_name or "", **_dates(m)}
        if m.title:
            name["honorific_prefix"] = m.title
        names.setdefault(pid, []).append({k: v for k, v in name.items() if v is not None})
    for m in lords:
        pid = person_of.get(m.id)
        if pid is None:
            continue
        row = {"id": m.id, "person_id": f"uk.org.publicwhip/person/{pid}", "organization_id": "house-of-lords",
               **_dates(m), **_reasons(m)}
        if party_org(m.party):
            row["on_behalf_of_id"] = party_org(m.party)
        memberships.append(row)
        name = {"note": "Main", "honorific_prefix": m.title or "", "given_name": m.first_name,
                "lordname": m.lord_name, "lordofname": m.lord_of_name, **_dates(m)}
        names.setdefault(pid, []).append({k: v for k, v in name.items() if v})
    persons = []
    for p in people:
        own = sorted(names.get(p.id, []), key=lambda n: n.get("start_date", ""))
        persons.append({"id": f"uk.org.publicwhip/person/{p.id}", "other_names": own})
    return {"persons": persons, "organizations": list(organizations.values()), "posts": list(posts.values()),
            "memberships": memberships}


def write_people_json(members: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    out = into / "people.json"
    out.write_text(json.dumps(people_json_from_xml(members), indent=1, ensure_ascii=False), encoding="utf-8")
    return out

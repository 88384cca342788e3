#!/usr/bin/env python3
"""Cut a small, real excerpt of ParlParse's members data for the speakers of given sitting days.

ParlParse's ``members/people.json`` and ``members/ministers-2010.json`` (github.com/mysociety/parlparse)
are tens of MB; a test or demo of one day needs only the people who speak in it. This script selects,
never edits: every record it writes is copied unchanged from the file given.

From a people file (people.json): the persons whose ``person_id`` speaks in the days (``--voters``:
or votes in their divisions), their
memberships held on the date (``--on``; start ≤ date ≤ end, open ends count), and the organizations
(parties, Houses) and posts (seats, with their areas) those memberships name.
From a posts file (ministers-2010.json, ministers.json): the same persons' memberships held on the
date (government, opposition, parliamentary and committee posts alike, each with its ``source``),
and the organizations they name.

    scripts/excerpt-members.py --on 2023-03-28 --day sample/modern/debates2023-03-28d.xml \\
        --people parlparse/members/people.json --posts parlparse/members/ministers-2010.json \\
        --out sample/members-json-2023

writes ``people.json`` and the posts file under its own name into ``--out``. Dates in the files are
'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; a missing end or '9999-12-31' is open.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

_PERSON_ID = re.compile(rb'person_id="(uk\.org\.publicwhip/person/\d+)"')
_SPEECH = re.compile(rb"<speech\b[^>]*>")


def speakers(days: list[Path], voters: bool = False) -> set[str]:
    """The ``person_id`` of every speech in the transcripts; with ``voters``, every ``person_id``
    attribute (the divisions' voters too)."""
    found = set()
    for day in days:
        text = day.read_bytes()
        for chunk in ([text] if voters else (m.group(0) for m in _SPEECH.finditer(text))):
            found |= {m.group(1).decode() for m in _PERSON_ID.finditer(chunk)}
    return found


def _bound(value: str | None, end: bool) -> str:
    """A Popolo date as a comparable 'YYYY-MM-DD' string; an end's partial date runs to its last day."""
    if not value:
        return "9999-12-31" if end else "0000-01-01"
    parts = value.split("-")
    parts += (["12", "31"] if end else ["01", "01"])[len(parts) - 1:]   # 'YYYY-MM' end → 'YYYY-MM-31': compares right
    return "-".join(parts[:3])


def held_on(m: dict, on: str) -> bool:
    return _bound(m.get("start_date"), False) <= on <= _bound(m.get("end_date"), True)


def excerpt(data: dict, persons: set[str], on: str) -> dict:
    """The records of one Popolo file that the persons' memberships held on the date need."""
    kept = [m for m in data.get("memberships", []) if m.get("person_id") in persons and held_on(m, on)]
    posts = [p for p in data.get("posts", []) if p.get("id") in {m.get("post_id") for m in kept}]
    orgs = {m.get(k) for m in kept for k in ("organization_id", "on_behalf_of_id")}
    orgs |= {p.get("organization_id") for p in posts}
    out: dict = {}
    for key, value in data.items():       # the file's own order of sections
        if key == "persons":
            out[key] = [p for p in value if p.get("id") in persons]
        elif key == "memberships":
            out[key] = kept
        elif key == "posts":
            out[key] = posts
        elif key == "organizations":
            out[key] = [o for o in value if o.get("id") in orgs]
        else:
            out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--on", required=True, help="the sitting date, YYYY-MM-DD")
    ap.add_argument("--day", type=Path, action="append", required=True, help="a transcript file (repeatable)")
    ap.add_argument("--people", type=Path, help="ParlParse people.json")
    ap.add_argument("--posts", type=Path, action="append", default=[],
                    help="ParlParse ministers-2010.json or ministers.json (repeatable)")
    ap.add_argument("--voters", action="store_true", help="the divisions' voters too, not only the speakers")
    ap.add_argument("--out", type=Path, required=True, help="folder to write the excerpts into")
    args = ap.parse_args(argv)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.on):
        ap.error(f"--on: not a YYYY-MM-DD date: {args.on!r}")
    persons = speakers(args.day, args.voters)
    args.out.mkdir(parents=True, exist_ok=True)
    for source in ([args.people] if args.people else []) + args.posts:
        cut = excerpt(json.loads(source.read_bytes()), persons, args.on)
        target = args.out / source.name
        target.write_text(json.dumps(cut, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        held = {m["person_id"] for m in cut["memberships"]}
        print(f"{target}: {len(cut['memberships'])} memberships of {len(held)} of the day's "
              f"{len(persons)} speakers, {len(cut.get('organizations', []))} organizations, "
              f"{len(cut.get('posts', []))} posts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Finding source files in the paths given to ``despatchbox ingest``."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .parlparse.members import MEMBERS_FILES
from .parlparse.transcripts import REPEATED_KINDS, identify

#: members files load in this order: people first, posts last (they name memberships)
MEMBERS_ORDER = ["people.xml", "reduced-all-members.xml", "all-members.xml", "peers-ucl.xml",
                 "member-aliases.xml", "constituencies.xml", "ministers.xml"]


@dataclass
class Discovered:
    members: list[Path] = field(default_factory=list)
    transcripts: list[Path] = field(default_factory=list)
    repeated: list[Path] = field(default_factory=list)     # divisionsonly: repeat the day files
    unknown: list[Path] = field(default_factory=list)      # given explicitly but not recognised


def classify(path: Path, found: Discovered, explicit: bool) -> None:
    if path.name in MEMBERS_FILES:
        found.members.append(path)
        return
    ident = identify(path)
    if ident is None:
        if explicit:
            found.unknown.append(path)
        return
    if ident[0] in REPEATED_KINDS:
        found.repeated.append(path)
    else:
        found.transcripts.append(path)


def discover(paths: list[Path]) -> Discovered:
    """Walk folders (a ParlParse tree, a scrapedxml kind folder, …) and single files."""
    found = Discovered()
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*.xml")):
                classify(child, found, explicit=False)
        else:
            classify(path, found, explicit=True)
    order = {name: i for i, name in enumerate(MEMBERS_ORDER)}
    found.members.sort(key=lambda p: order.get(p.name, 99))
    found.members = list(dict.fromkeys(found.members))
    found.transcripts = list(dict.fromkeys(found.transcripts))
    return found

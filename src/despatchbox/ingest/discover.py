"""Finding source files in the paths given to ``despatchbox ingest``.

Folders are walked with symlinks followed (users link ``members/`` into their trees), each real
folder once. When a tree holds both layouts of the members data, the JSON wins: ParlParse has kept
``people.json`` and ``ministers*.json`` up to date since 2015, the XML files stopped then. people.json
replaces people.xml, the all-members files and peers-ucl.xml; ministers.json replaces ministers.xml.
member-aliases.xml and constituencies.xml have no JSON counterpart and are read in either case.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .parlparse.members import MEMBERS_FILES
from .parlparse.members_json import MEMBERS_JSON_FILES
from .parlparse.transcripts import REPEATED_KINDS, identify

#: members files load in this order: people first, posts last (they name memberships)
MEMBERS_ORDER = ["people.xml", "reduced-all-members.xml", "all-members.xml", "peers-ucl.xml", "people.json",
                 "member-aliases.xml", "constituencies.xml", "ministers.xml", "ministers.json",
                 "ministers-2010.json"]
#: a JSON members file → the XML files it replaces when both are given
JSON_REPLACES = {
    "people.json": ("people.xml", "reduced-all-members.xml", "all-members.xml", "peers-ucl.xml"),
    "ministers.json": ("ministers.xml",),
}


@dataclass
class Discovered:
    members: list[Path] = field(default_factory=list)
    transcripts: list[Path] = field(default_factory=list)
    repeated: list[Path] = field(default_factory=list)     # divisionsonly: repeat the day files
    unknown: list[Path] = field(default_factory=list)      # given explicitly but not recognised
    replaced: list[Path] = field(default_factory=list)     # XML members files a JSON one replaces
    empty: list[Path] = field(default_factory=list)        # folders holding no ParlParse file

    @property
    def files(self) -> int:
        return len(self.members) + len(self.transcripts) + len(self.repeated)


def classify(path: Path, found: Discovered, explicit: bool) -> bool:
    """File the path under what it is; False when it is not a ParlParse file."""
    if path.name in MEMBERS_FILES or path.name in MEMBERS_JSON_FILES:
        found.members.append(path)
        return True
    ident = identify(path) if path.suffix == ".xml" else None
    if ident is None:
        if explicit:
            found.unknown.append(path)
        return False
    if ident[0] in REPEATED_KINDS:
        found.repeated.append(path)
    else:
        found.transcripts.append(path)
    return True


def walk(folder: Path):
    """Every file under a folder (hidden folders left out), symlinked folders followed, each real folder
    once, sorted."""
    seen: set[str] = set()
    out: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        # hidden folders hold no source files: rsync's partial downloads (a mirror's .despatchbox-rsync),
        # version control — a half-downloaded day there must never be ingested
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.extend(Path(root) / name for name in files if name.endswith((".xml", ".json")))
    return sorted(out)


def discover(paths: list[Path]) -> Discovered:
    """Walk folders (a ParlParse tree, a scrapedxml kind folder, …) and single files."""
    found = Discovered()
    for path in paths:
        if path.is_dir():
            before = found.files
            for child in walk(path):
                classify(child, found, explicit=False)
            if found.files == before:
                found.empty.append(path)
        else:
            classify(path, found, explicit=True)
    order = {name: i for i, name in enumerate(MEMBERS_ORDER)}
    members = list(dict.fromkeys(found.members))
    names = {p.name for p in members}
    replaced = {old for new, olds in JSON_REPLACES.items() if new in names for old in olds}
    found.replaced = [p for p in members if p.name in replaced]
    found.members = sorted((p for p in members if p.name not in replaced), key=lambda p: order.get(p.name, 99))
    found.transcripts = list(dict.fromkeys(found.transcripts))
    return found

"""``changedates.txt``: one line per file of a scrapedxml kind folder, ``<unix time>,<file name>``."""
from __future__ import annotations

import re
from datetime import date

_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


def parse_changedates(text: str) -> dict[str, str]:
    """file name → its change stamp, as the folder's changedates.txt lists them (last line wins)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        stamp, sep, name = line.strip().partition(",")
        if sep and name.strip().endswith(".xml") and "/" not in name:
            out[name.strip()] = stamp.strip()
    return out


def day_of(name: str) -> date | None:
    """The sitting day a transcript file name carries ('debates2009-10-26a.xml' → 2009-10-26)."""
    found = _DAY.search(name)
    return date.fromisoformat(found.group(1)) if found else None

"""A source file that breaks a key when written, named with the line of the id at fault."""
from __future__ import annotations

import re
from pathlib import Path

from ..ingest.errors import SourceFileError


def _line_of(data: bytes, needle: str, occurrence: int = 2) -> int | None:
    """The line of the ``occurrence``-th ``id="needle"`` in a file (the first one if fewer)."""
    marker = f'"{needle}"'.encode()
    at, found = -1, list[int]()
    while len(found) < occurrence:
        at = data.find(marker, at + 1)
        if at < 0:
            break
        found.append(at)
    return data.count(b"\n", 0, found[-1]) + 1 if found else None


_KEY = re.compile(r"\(([^()]*)\)=\(([^()]*)\)|UNIQUE constraint failed: ([\w.]+)")


_ID_ATTRIBUTE = re.compile(rb'<(?:speech|minor-heading|major-heading|oral-heading|division|office) id="([^"]+)"')


def conflict_error(path: Path, data: bytes, exc: BaseException, held_id: str | None = None) -> SourceFileError:
    """A duplicated id, an id another file holds (``held_id``, when known), a membership claimed
    twice: a named error."""
    if held_id is not None:
        return SourceFileError(path, f"{held_id} is already held from another file; file skipped whole",
                               line=_line_of(data, held_id, occurrence=1))
    orig = str(getattr(exc, "orig", exc))
    detail = orig.strip().splitlines()
    message = detail[-1] if detail else orig
    line = None
    for row in detail:
        m = _KEY.search(row)
        if m and m.group(2):
            message = f"{m.group(1)} {m.group(2)} is given twice (in this file, or already held from another file)"
            line = _line_of(data, m.group(2))
    if line is None:                              # SQLite names the column, not the value
        column = _KEY.search(orig)
        where = column.group(3) if column and column.group(3) else message
        seen: set[bytes] = set()
        for given in _ID_ATTRIBUTE.finditer(data):
            if given.group(1) in seen:
                gid = given.group(1).decode(errors="replace")
                return SourceFileError(path, f"{gid} is given twice in this file ({where}); file skipped whole",
                                       line=data.count(b"\n", 0, given.start()) + 1)
            seen.add(given.group(1))
        message = f"an id this file gives is already held from another file ({where})"
    return SourceFileError(path, f"{message}; file skipped whole", line=line)

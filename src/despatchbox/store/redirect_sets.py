"""gid redirects held as sets (migration 0032): a superseded version's ids that go to the same ids
under another version letter, one row a version.

A superseded version of a sitting day redirects almost every one of its ids to the same id under
the next letter, ``perfectmatch`` (``uk.org.publicwhip/debate/2009-10-27a.141.0`` →
``…/2009-10-27b.141.0``: 93 % of the bench corpus's redirects). Held a row each they were ~130 bytes
a contribution on SQLite and ~386 on PostgreSQL at 1M (heap and primary key) though the row says
nothing but "the same id, letter b". ``gid_redirect_sets`` holds them a row per superseded id *prefix* (the
id up to and including its version letter, ``uk.org.publicwhip/debate/2009-10-27a``, stored without
``uk.org.publicwhip/`` as ``gid_redirects.old_id`` is): the target letter, and the exact set of the
*suffixes* it covers (the rest of each old id after the letter, ``.141.0``), packed by :func:`pack`.
An id whose suffix is not in its prefix's set is not redirected by it: the sets are exact.

A redirect goes into a set (:func:`set_entry`) when it is a ``perfectmatch`` to the same id under
another version letter and its suffix holds no newline. Everything else stays a row of
``gid_redirects`` (``changes``, ``altques``, ``removed``, a target elsewhere), and so does a letter
change that cannot join its prefix's set (the set goes to another letter). An old id is held in one
place only; readers look at the rows first (store/queries/redirects.py).

Stored form (:func:`pack`): a format byte (``1``), then one zstd frame (level 19, no dictionary) of
the suffixes sorted and joined by ``\\n`` in UTF-8. One form for one set of suffixes, whatever order
they were added in. Packed, a suffix costs ~1.35 bytes: the 20k bench corpus's 58,128 suffixes in 76
sets are 580 KB joined and 78 KB packed (zstd level 3: 109 KB; zlib 9: 130 KB). PostgreSQL's own TOAST
compression (pglz, on values over ~2 KB) took the same sets held as text to 198 KB, and SQLite
compresses nothing; so the sets are packed on both.

A set is read whole (a few KB unpacked) to answer for one id; a set is written once a file version, and
grown (read, merged, packed again) when a later file adds suffixes to a prefix held.
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterable

import zstandard

from .redirect_ids import PERFECT_MATCH, letter_at

#: the first byte of a packed set: the suffixes sorted, newline-joined, one zstd frame
FORMAT = 1
#: zstd level: a set is packed once a file version (19 packs the bench corpus's 28 % smaller than 3)
LEVEL = 19
_SEPARATOR = "\n"


class RedirectSetError(ValueError):
    """A stored set this version cannot read."""


def split(gid: str) -> tuple[str, str] | None:
    """(prefix, suffix) of a whole id: up to and including its version letter, and the rest; None
    for an id without a version letter (store/redirect_ids.py)."""
    at = letter_at(gid)
    if at is None:
        return None
    return gid[:at + 1], gid[at + 1:]


def set_entry(old_id: str, new_id: str, match_type: str | None) -> tuple[str, str, str] | None:
    """(prefix, letter, suffix) of a redirect a set can hold: a perfectmatch from ``old_id`` to the
    same id under another version letter, its suffix without a newline; else None (a row)."""
    if match_type != PERFECT_MATCH or len(new_id) != len(old_id):
        return None
    at = letter_at(old_id)
    if at is None or letter_at(new_id) != at or new_id[at] == old_id[at]:
        return None
    prefix, suffix = old_id[:at + 1], old_id[at + 1:]
    if new_id[:at] != prefix[:-1] or new_id[at + 1:] != suffix or _SEPARATOR in suffix:
        return None
    return prefix, new_id[at], suffix


def target(prefix: str, letter: str, suffix: str) -> str:
    """The whole new id a set's entry redirects ``prefix + suffix`` to."""
    return prefix[:-1] + letter + suffix


def pack(suffixes: Iterable[str]) -> bytes:
    """A set of suffixes as stored (see the module); none may hold a newline."""
    ordered = sorted(set(suffixes))
    if any(_SEPARATOR in s for s in ordered):
        raise ValueError("a suffix holding a newline cannot be held in a set")
    if not ordered:
        raise ValueError("an empty set of suffixes is not stored")
    data = _SEPARATOR.join(ordered).encode("utf-8")
    return bytes([FORMAT]) + zstandard.ZstdCompressor(level=LEVEL, write_checksum=False).compress(data)


class _Decompressors(threading.local):
    """A zstd decompressor per thread (contexts are not shared between threads; making one costs
    about as much as unpacking a set)."""

    def __init__(self) -> None:
        self.decompressor = zstandard.ZstdDecompressor()


_local = _Decompressors()


def _joined(packed: bytes) -> bytes:
    packed = bytes(packed)
    if not packed or packed[0] != FORMAT:
        raise RedirectSetError(f"a redirect set in format {packed[:1]!r}, which this version does not know")
    try:
        return _local.decompressor.decompress(packed[1:])
    except zstandard.ZstdError as exc:
        raise RedirectSetError(f"a damaged redirect set: {exc}") from exc


def unpack(packed: bytes) -> list[str]:
    """The suffixes of a stored set, sorted."""
    return _joined(packed).decode("utf-8").split(_SEPARATOR)


def holds(suffixes: list[str], suffix: str) -> bool:
    """Whether sorted ``suffixes`` (as :func:`unpack` gives them) hold ``suffix``."""
    at = bisect_left(suffixes, suffix)
    return at < len(suffixes) and suffixes[at] == suffix


def packed_holds(packed: bytes, suffix: str) -> bool:
    """Whether a stored set holds ``suffix``: for one id, without splitting the set (~25 µs for a
    set of 1,400 suffixes against ~120 for :func:`unpack` and :func:`holds`)."""
    if _SEPARATOR in suffix:
        return False
    sep = _SEPARATOR.encode()
    return sep + suffix.encode("utf-8") + sep in sep + _joined(packed) + sep

"""gid redirects stored short (migration 0018): without the common prefix, and a target that only
changes the version letter as that letter.

ParlParse ids all begin ``uk.org.publicwhip/``, and a new version of a sitting day redirects
almost every id of the old one to the same id under the next letter (``…/debate/2009-10-07a.1.0``
→ ``…/debate/2009-10-07b.1.0``: 93 % of the bench corpus's redirects, ``perfectmatch``). Held as
they are, the redirects were ~390 bytes per contribution (three per speech, two 44-byte ids each).

* ``old_id`` is a :class:`RedirectKey` column: the prefix is dropped when stored and added back when
  read, so lookups (``old_id == …``, ``old_id IN …``) are written with whole ids as before. An id
  without the prefix (none is known), or whose rest begins with ``=``, is stored behind ``=`` so that
  nothing is ambiguous (the scheme of :mod:`.short_text`, which this column shares).
* ``new_id`` is written by :func:`target_stored` and read by :func:`target_of`: one letter when it is
  the old id under another version letter, else the whole id.

The version letter is the character before the first ``.`` of an id's part after the prefix
(``debate/2009-10-07a.1.0``), when it is a letter that follows a digit.

``match_type`` is a :class:`RedirectMatch` column (migration 0020c): ``perfectmatch``, the match type
of 93 % of redirects, is stored as ``''``; any other value as it is, or behind ``=`` if it is ``''``
or begins with ``=``. Comparisons (``match_type != 'removed'``) are written with whole values.

Since migration 0032 the perfect matches to the same id under another letter are not rows: they are
held a set per superseded version (store/redirect_sets.py), and ``gid_redirects`` keeps the others.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from . import short_text
from .short_text import PARLPARSE_ID, PrefixDropped

PREFIX = PARLPARSE_ID
#: the match type stored as ``''``
PERFECT_MATCH = "perfectmatch"
#: marks a match type stored as it is, where it would read as perfectmatch or as marked
_BARE = "="


def key_stored(gid: str) -> str:
    return short_text.stored(gid, PREFIX)


def key_of(value: str) -> str:
    return short_text.whole(value, PREFIX)


def letter_at(gid: str) -> int | None:
    """Where the version letter of a whole id is, if it has one."""
    if not gid.startswith(PREFIX):
        return None
    at = gid.find(".", len(PREFIX)) - 1
    if at < len(PREFIX) + 1 or not gid[at].isalpha() or not gid[at - 1].isdigit():
        return None
    return at


def target_stored(old_id: str, new_id: str) -> str:
    """``new_id`` as stored beside ``old_id``: one letter when only the version letter differs."""
    at = letter_at(old_id)
    if (at is not None and len(new_id) == len(old_id) and letter_at(new_id) == at
            and new_id[:at] == old_id[:at] and new_id[at + 1:] == old_id[at + 1:]):
        return new_id[at]
    if len(new_id) == 1:
        raise ValueError(f"{new_id!r} is not an id: a one-character target would read as a version letter")
    return new_id


def target_of(old_id: str, stored: str) -> str:
    """The whole new id from what :func:`target_stored` wrote beside ``old_id``."""
    if len(stored) != 1:
        return stored
    at = letter_at(old_id)
    if at is None:
        raise ValueError(f"redirect target {stored!r} is a version letter, but {old_id!r} has none")
    return old_id[:at] + stored + old_id[at + 1:]


class RedirectKey(PrefixDropped):
    """A gid stored without ``uk.org.publicwhip/`` (see the module); read back whole."""

    impl = String(120)
    prefix = PREFIX
    cache_ok = True


def match_stored(match_type: str) -> str:
    if match_type == PERFECT_MATCH:
        return ""
    return _BARE + match_type if match_type == "" or match_type.startswith(_BARE) else match_type


def match_of(stored: str) -> str:
    if stored == "":
        return PERFECT_MATCH
    return stored[1:] if stored.startswith(_BARE) else stored


class RedirectMatch(TypeDecorator):
    """A redirect's match type, ``perfectmatch`` stored as ``''`` (see the module); read back whole."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value if value is None else match_stored(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return value if value is None else match_of(value)

"""Links and printed speaker ids stored without the prefix they all share (migration 0020c).

Every link to the printed Hansard in ParlParse begins ``http://www.publications.parliament.uk/pa/``
(41 of a link's ~100 characters) and every printed speaker id ``uk.org.publicwhip/`` (18 of ~29).
Speeches, headings and divisions hold one link each, and speeches a printed speaker id: ~70 bytes a
contribution, on both databases.

A value that begins with the column's prefix is stored without it; any other value (a link
elsewhere, an empty one) is stored behind ``=``, and so is a value whose rest would itself begin
with ``=``, so that every stored form reads back as exactly what was written. The column types
apply this both ways: queries are written and read with whole values, as before (a comparison
with a whole value binds its stored form). ``LIKE`` on these columns would see the stored form.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: the start of every ParlParse link to the printed Hansard
HANSARD_LINK = "http://www.publications.parliament.uk/pa/"
#: the start of every ParlParse id
PARLPARSE_ID = "uk.org.publicwhip/"
#: marks a value stored whole
_WHOLE = "="


def stored(value: str, prefix: str) -> str:
    """``value`` as stored in a column whose values share ``prefix``."""
    if value.startswith(prefix):
        rest = value[len(prefix):]
        if not rest.startswith(_WHOLE):
            return rest
    return _WHOLE + value


def whole(value: str, prefix: str) -> str:
    """The value :func:`stored` stored as ``value``."""
    return value[1:] if value.startswith(_WHOLE) else prefix + value


def whole_expression(value: str, prefix: str) -> str:
    """:func:`whole` as Python source over the names ``value`` (a stored value, not None) and ``prefix``:
    for converters written out at run time (store/queries/direct.py), where a call a value costs."""
    return f"{value}[1:] if {value}.startswith({_WHOLE!r}) else {prefix} + {value}"


def stored_sql(column: str, prefix: str) -> str:
    """:func:`stored` as an SQL expression over ``column`` (SQLite and PostgreSQL); ``prefix`` is a
    constant of this module (no quote in it)."""
    assert "'" not in prefix
    n = len(prefix)
    return (f"(CASE WHEN substr({column}, 1, {n}) = '{prefix}' AND substr({column}, {n + 1}, 1) <> '{_WHOLE}' "
            f"THEN substr({column}, {n + 1}) ELSE '{_WHOLE}' || {column} END)")


def whole_sql(column: str, prefix: str) -> str:
    """:func:`whole` as an SQL expression over ``column``."""
    assert "'" not in prefix
    return f"(CASE WHEN substr({column}, 1, 1) = '{_WHOLE}' THEN substr({column}, 2) ELSE '{prefix}' || {column} END)"


class PrefixDropped(TypeDecorator):
    """A column whose values share ``prefix``: stored by :func:`stored`, read back by :func:`whole`."""

    prefix = ""
    cache_ok = True                 # not inherited (SQLAlchemy reads each class's own): set on each

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value if value is None else stored(value, self.prefix)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return value if value is None else whole(value, self.prefix)


class HansardLink(PrefixDropped):
    """A link to the printed Hansard (``speeches.url``, ``headings.url``, ``divisions.url``)."""

    impl = Text
    prefix = HANSARD_LINK
    cache_ok = True


class PrintedSpeakerId(PrefixDropped):
    """``speeches.speaker_id``: the speaker's id as printed, a ParlParse member or person id."""

    impl = String(60)
    prefix = PARLPARSE_ID
    cache_ok = True


class ParlParseId(PrefixDropped):
    """A debate's, heading's or division's gid wherever the record holds it (migration 0022):
    ``debates.id``, ``headings.id``/``debate_id``/``parent_id``, ``speeches.debate_id``/``heading_id``,
    ``divisions.id``/``debate_id``, ``votes.division_id``, ``debate_speakers.debate_id``. Columns
    compared with one another in SQL all hold this form. Speech ids are kept whole: they are compared
    in SQL with ids held elsewhere as they are (alert deliveries, the search items' list, the "who
    said this?" index)."""

    impl = String(120)
    prefix = PARLPARSE_ID
    cache_ok = True


class MembershipId(PrefixDropped):
    """A membership id (``uk.org.publicwhip/member/1403``, ``…/lord/100001``) wherever the store
    holds one (migration 0022): ``memberships.id`` and every ``membership_id`` column, all compared
    with one another only."""

    impl = String(60)
    prefix = PARLPARSE_ID
    cache_ok = True


"""The one table of record kinds.

A *kind* is a ParlParse ``scrapedxml/<kind>/`` folder: the Commons chamber (``debates``),
Westminster Hall, the Lords chamber (``lordspages``), Public Bill Committees (``standing``),
written statements and written questions of each House. Everything that depends on a kind —
its house, whether it is spoken or written, its name on pages, in feeds and in emails, the
group it is listed under, the file names ParlParse gives it — is a column here. Adding a kind
is one row; ``tests/test_record_kinds.py`` checks that every surface lists every kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

House = Literal["commons", "lords"]
#: spoken: debates with speeches; statement: written ministerial statements;
#: answer: written questions with their answers
Form = Literal["spoken", "statement", "answer"]


@dataclass(frozen=True)
class Kind:
    key: str                 # the scrapedxml folder name, stored as records' ``kind``
    file_prefix: str         # ParlParse's file name prefix (debates2009-10-26a.xml → "debates")
    house: House
    form: Form
    name: str                # what the record is called on its own: "Lords Written Statements"
    group: str               # the section it is listed under: "Written Statements"
    group_key: str           # that section's key in URLs and forms: "statements"
    #: headings that open a debate: major only (chambers), or minor too (one item per minor heading)
    minor_headings_open_items: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("debates", "debates", "commons", "spoken", "Commons Chamber", "Commons Chamber", "commons"),
    Kind("westminhall", "westminster", "commons", "spoken", "Westminster Hall", "Westminster Hall",
         "westminster-hall", minor_headings_open_items=True),
    Kind("lordspages", "daylord", "lords", "spoken", "Lords Chamber", "Lords Chamber", "lords"),
    Kind("standing", "standing", "commons", "spoken", "Public Bill Committees", "Public Bill Committees",
         "committees"),
    Kind("wms", "ministerial", "commons", "statement", "Written Statements", "Written Statements",
         "statements"),
    Kind("lordswms", "lordswms", "lords", "statement", "Lords Written Statements", "Written Statements",
         "statements", minor_headings_open_items=True),
    Kind("wrans", "answers", "commons", "answer", "Written Answers", "Written Answers", "answers"),
    Kind("lordswrans", "lordswrans", "lords", "answer", "Lords Written Answers", "Written Answers", "answers",
         minor_headings_open_items=True),
)

#: folders that only repeat the day files' divisions: recognised, never loaded twice
REPEATED_KINDS: dict[str, str] = {"divisionsonly": "divisions", "lordsdivisionsonly": "lordsdivisions"}

BY_KEY: dict[str, Kind] = {k.key: k for k in KINDS}
KEYS: tuple[str, ...] = tuple(BY_KEY)
SPOKEN: tuple[str, ...] = tuple(k.key for k in KINDS if k.form == "spoken")
STATEMENTS: tuple[str, ...] = tuple(k.key for k in KINDS if k.form == "statement")
ANSWERS: tuple[str, ...] = tuple(k.key for k in KINDS if k.form == "answer")
LORDS: tuple[str, ...] = tuple(k.key for k in KINDS if k.house == "lords")
COMMONS: tuple[str, ...] = tuple(k.key for k in KINDS if k.house == "commons")


def kind(key: str) -> Kind:
    """The kind of ``key``; KeyError names the known kinds."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown record kind {key!r} (known: {', '.join(KEYS)})") from None


def name_of(key: str) -> str:
    """The kind's name, or the key itself for a kind this table does not know."""
    found = BY_KEY.get(key)
    return found.name if found else key


def group_of(key: str) -> str:
    """The section the kind is listed under (export's ``chamber``), or the key for a kind not in the table."""
    found = BY_KEY.get(key)
    return found.group if found else key


def groups() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(group key, group name, kinds) in table order: how the home and day pages list the record."""
    out: dict[str, tuple[str, list[str]]] = {}
    for k in KINDS:
        out.setdefault(k.group_key, (k.group, []))[1].append(k.key)
    return tuple((key, name, tuple(keys)) for key, (name, keys) in out.items())


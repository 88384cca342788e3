"""Recognise page furniture in text copied from a web page.

Pages that print the record (Parallel Parliament, Hansard, TheyWorkForYou)
surround speeches with navigation, dates, venue labels and links. When the
text is copied those come along — as lines of their own, or glued to a
speech when a line break is lost (``Commons ChamberRegional organised crime
units are…``). :func:`strip_furniture` returns what is left of a line once
furniture is removed (``""``: the line is all furniture).

Only shapes that a speech is very unlikely to have are recognised; anything
doubtful is left as content (the matcher will then leave it unmatched if it is
not in the record).
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable

__all__ = ["strip_furniture", "is_furniture", "page_names"]

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?"
_DATE = (rf"(?:{_DAYS},?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
         rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
         rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}})")
_TIME = r"(?:\d{1,2}[.:]\d{2}(?:[.:]\d{2})?\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?|noon|midnight)"

# Labels printed as a line of their own (and sometimes glued to the next line).
_LABELS = [
    "Commons Chamber", "Lords Chamber", "Westminster Hall", "Grand Committee",
    "Public Bill Committees", "Public Bill Committee", "General Committees",
    "Delegated Legislation Committee", "Written Statements", "Written Ministerial Statements",
    "Written Questions", "Written Answers", "Written Corrections", "Ministerial Corrections",
    "Petitions", "Select Committee", "Read Full debate", "Read Full Debate", "Read Hansard Text",
    "Read Debate Ministerial Extracts", "Watch Debate", "Watch Parliament TV",
    "Link to this speech", "Link to this", "Hansard source", "Copy link", "Share",
    "Permalink", "Back to top", "Next debate", "Previous debate", "Next contribution",
    "Previous contribution", "Show all", "Show more", "Show less", "Expand", "Debate Detail",
    "Hansard", "Oral Answers to Questions", "Department Debates",
]
_LABEL_ALT = "|".join(re.escape(x) for x in sorted(_LABELS, key=len, reverse=True))

_WHOLE_LINE = [re.compile(p, re.I) for p in (
    rf"(?:{_LABEL_ALT})\s*[:.]?",
    r"main page\s*:.*",                                    # Parallel Parliament byline
    r"department debates\b.*",
    r"view all\b.*\bdebates?\b.*",
    r"\(?\s*(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\s*\)?",
    rf"\(?\s*{_DATE}(?:\s*(?:at|,)?\s*{_TIME})?\s*\)?",
    rf"\(?\s*{_TIME}\s*\)?",
    r"\(?\s*(?:column|col\.?|c\.?)\s*\d+\s*(?:w|ws|wh|gc|wa)?\s*\)?",
    r"\d+\s*(?:w|ws|wh|gc|wa)",
    r"\(?\s*citation\s*:.*\)?",
    r"(?:hc|hl)\s+deb\b.*\bc(?:ol)?s?\.?\s*\d+.*",
    r"(?:q|t)?\d{1,3}\.?(?:\s*\[\d+\])?",                   # question numbers "1." "T2." "3. [295125]"
    r"\[\d+\]",
    r"https?://\S+",
    r"[\W_]*",                                             # nothing but punctuation
)]

# Furniture glued to the start or the end of a speech.
_PREFIX = re.compile(
    r"^\s*(?:Commons Chamber|Lords Chamber|Westminster Hall|Grand Committee|Read Full debate|Read Hansard Text"
    r"|\(\s*(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\s*\))"
    r"(?=\s*[A-Z0-9\"'“‘(\[£])")
_SUFFIX = re.compile(
    r"(?:(?<=[.?!:;\"'”’)\]])|\s)\s*(?:Read Full debate|Read Hansard Text|Read Debate Ministerial Extracts"
    r"|Watch Debate|Link to this speech|Hansard source|Share|Copy link)\s*$", re.I)
_GLUED_PREFIX = re.compile(rf"^(?:{_LABEL_ALT})(?=[A-Z\"'“‘(\[£])")


def _whole(line: str, names: Collection[str]) -> bool:
    s = line.strip()
    if not s:
        return True
    if s in names:
        return True
    return any(p.fullmatch(s) for p in _WHOLE_LINE)


def strip_furniture(line: str, names: Collection[str] = ()) -> str:
    """The content of ``line`` once furniture is removed (``""`` if none).

    ``names``: person names printed by the page itself (see :func:`page_names`);
    a line that is just one of them is furniture.
    """
    s = line.strip()
    for _ in range(4):
        if _whole(s, names):
            return ""
        before = s
        m = _GLUED_PREFIX.match(s)
        if m:
            s = s[m.end():].strip()
        m = _PREFIX.match(s)
        if m and m.end() < len(s):
            s = s[m.end():].strip()
        s = _SUFFIX.sub("", s).strip()
        if s == before:
            break
    return "" if _whole(s, names) else s


def is_furniture(line: str, names: Collection[str] = ()) -> bool:
    """True if a non-blank line holds nothing but furniture."""
    return bool(line.strip()) and not strip_furniture(line, names)


_MAIN_PAGE = re.compile(r"main page\s*:\s*([^()\n]+?)\s*\(", re.I)


def page_names(lines: Iterable[str]) -> set[str]:
    """Names a page prints as bylines (``Main Page: Ben Wallace (Conservative…``)."""
    out = set()
    for line in lines:
        for m in _MAIN_PAGE.finditer(line):
            out.add(m.group(1).strip())
    return out

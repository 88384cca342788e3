"""Items of business: where one item of the record ends and the next begins. Pure rules, no database.

An item of business is what Hansard's own contents list as one entry, whatever heading level the
file gives it:

* **Departmental questions** — in the Commons chamber, a major heading introduced by "ORAL ANSWERS
  TO QUESTIONS" or whose first words say "The Secretary of State was asked" opens one item that
  keeps its question sub-headings and "Topical Questions". The questions end at the first minor
  heading after "Topical Questions", or at one that is no question: an urgent question (its first
  words say "Urgent Question"), a minister speaking first (a statement, a bill or a motion moved by a
  minister), or a title naming a Bill or a Statement.
* **Everything else in the Commons chamber** — every major heading, and every minor heading after
  the questions or under another major heading (each Opposition Day motion, each delegated
  legislation motion, each petition), opens its own item; except the parts of a bill stage
  ("Clause 2 — General objective", "New Clause 8", "Schedule 22", "Amendment …") and a heading that
  is only a note ("[2nd Allocated Day]" under "Illegal Migration Bill"), which stay inside the item.
* **Westminster Hall** (and Lords written statements and answers) — each minor heading is an item; a
  heading that is only a chair note ("[Mrs. Joan Humble in the Chair]") continues the debate.
* **Lords chamber, written statements and answers, Public Bill Committees** — each major heading is
  an item with its minor headings ("Report (2nd Day)") inside; a minor heading before any major opens
  one.

An item opened by a major heading that has no contribution of its own ("Opposition Day — [20th
Allotted Day]", "BUSINESS BEFORE QUESTIONS"), or by a heading over only the lead-in line "Motion
made, and Question put forthwith (Standing Order No. 118(6))," takes the next minor heading as its
title, the first heading staying above it for display.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .department_match import clean_title
from .departments import is_chair_office

#: kinds whose files have no major headings: each minor heading is an item
MINOR_HEADING_ITEM_KINDS = frozenset({"westminhall", "lordswms", "lordswrans"})
#: kinds split by the Commons chamber rules
CHAMBER_KINDS = frozenset({"debates"})

_BILL_PART = re.compile(r"^(?:new\s+)?(?:clause|schedule)s?\b|^amendments?\b|^part\s+\d|^long title\b", re.I)
_NOTE_ONLY = re.compile(r"^\[[^\]]*\]$")        # "[2nd Allocated Day]" under its bill's heading
_TOPICAL = re.compile(r"^topical questions?\b", re.I)
_ASKED = re.compile(r"\b(?:was|were) asked\b", re.I)
_URGENT = re.compile(r"\burgent question\b", re.I)
_NEW_BUSINESS_TITLE = re.compile(r"\bBill\b|\bStatement\b", re.I)


@dataclass(frozen=True)
class Opening:
    """What the splitter is told of a heading: its level and title, and the first contribution under
    it (before the next heading), if any."""
    level: str                       # major | minor | oral
    title: str
    first_text: str | None = None
    first_office: str | None = None


_CHAIR_NOTE = re.compile(r"\[[^\]]*\bin the chair\b[^\]]*\]", re.I)
_DASH_PARTS = re.compile(r"\s+[\u2014\u2013-]\s+|\s*\u2014\s*")


def item_title(title: str) -> str:
    """A heading as an item's title: chair notes and empty dash parts dropped, brackets kept
    ('[David Taylor in the Chair] — Biofuels' → 'Biofuels'; 'Marine and Coastal Access Bill [Lords]'
    stays whole)."""
    text = _CHAIR_NOTE.sub(" ", title or "")
    parts = [" ".join(p.split()) for p in _DASH_PARTS.split(text)]
    return " \u2014 ".join(p for p in parts if p.strip(" []"))


_LEAD_IN = re.compile(r"^(?:motion made, and )?questions? put forthwith\b.*[,:\u2014-]$", re.I | re.S)


def is_lead_in(text: str, nospeaker: bool) -> bool:
    """'Motion made, and Question put forthwith (Standing Order No. 118(6)),' — the line that
    introduces the motions under the next heading, not an item of its own."""
    return nospeaker and bool(_LEAD_IN.match(" ".join((text or "").split())))


def chair_note_only(title: str) -> bool:
    """'[Mrs. Joan Humble in the Chair]' — a heading that only records a change of chair."""
    return bool(title.strip()) and not clean_title(title)


def is_bill_part(title: str) -> bool:
    return bool(_BILL_PART.match(clean_title(title)))


def _minister_speaks_first(h: Opening) -> bool:
    return bool(h.first_office) and not is_chair_office(h.first_office)


def _ends_questions(h: Opening) -> bool:
    """A minor heading inside departmental questions that is no question."""
    if h.first_text is None:
        return False
    if _URGENT.search(h.first_text[:80]):
        return True
    if _minister_speaks_first(h):
        return True
    return bool(_NEW_BUSINESS_TITLE.search(clean_title(h.title)))


class ItemSplitter:
    """Decides, heading by heading in document order, whether a heading opens a new item."""

    def __init__(self, kind: str):
        self.kind = kind
        self.after_oral = False          # an "ORAL ANSWERS TO QUESTIONS" heading was just seen
        self.in_questions = False        # inside a departmental questions item
        self.topical_seen = False
        self.major_seen = False

    @property
    def questions(self) -> bool:
        """The current item is departmental questions."""
        return self.in_questions

    def opens(self, h: Opening, item_open: bool) -> bool:
        """True if the heading starts a new item (oral headings never do: they join the next)."""
        if h.level == "oral":
            self.after_oral = True
            return False
        if self.kind in MINOR_HEADING_ITEM_KINDS:
            return not (item_open and chair_note_only(h.title))
        if self.kind not in CHAMBER_KINDS:
            if h.level == "major":
                self.major_seen = True
                return True
            return not self.major_seen or not item_open
        if h.level == "major":
            self.in_questions = self.after_oral or bool(h.first_text and _ASKED.search(h.first_text[:120]))
            self.after_oral = False
            self.topical_seen = False
            return True
        if not item_open:
            return True
        if is_bill_part(h.title) or chair_note_only(h.title) or _NOTE_ONLY.match(item_title(h.title)):
            return False
        if self.in_questions:
            if not self.topical_seen and not _ends_questions(h):
                if _TOPICAL.match(clean_title(h.title)):
                    self.topical_seen = True
                return False
            self.in_questions = False
        return True


_QUESTION_PUT = re.compile(r"(?:Question (?:put|accordingly put)|put forthwith the Question[^,]*?)"
                           r"(?:\s*\((?:[^()]|\([^()]*\))*\))?,?\s*(That\b[^\n]*)", re.I)
_LORDS_DIVISION = re.compile(r"^Division on (.+)$", re.I | re.M)


def question_put(texts: list[str]) -> str | None:
    """The question a division decides, from the contributions just before it, nearest last:
    'Question put (Standing Order No. 31(2)), That the original words stand part of the Question.' →
    'That the original words stand part of the Question.'; Lords: 'Division on Amendment 44' →
    'Amendment 44'."""
    for text in reversed(texts):
        found = None
        for m in _QUESTION_PUT.finditer(text or ""):
            found = m.group(1).strip()
        if found:
            return found
        division = _LORDS_DIVISION.search(text or "")
        if division:
            return division.group(1).strip()
    return None

"""A digest: the items of one alert grouped the way Parallel Parliament groups them.

* **Parliamentary Debates** — per debate: title, "N speeches (M words)", chamber, date,
  department, and the matching speeches with their speakers;
* **Written Statements** — per statement, the same shape;
* **Written Answers** — per question group: the question and who asked it, the answer and
  who gave it;
* **Divisions** — number, debate, result, and (for a member's alert) how they voted.

Every entry and speech links back to the site (:class:`~.links.Links`). Rendering to the
plain-text and HTML parts is in :mod:`.emails`; pages render :class:`Digest` too.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping, Sequence

from ..record import kinds, naming
from ..attribute.names import display_name
from ..ingest.records import Membership
from .links import Links

DEBATE_KINDS = kinds.SPOKEN
STATEMENT_KINDS = kinds.STATEMENTS
ANSWER_KINDS = kinds.ANSWERS
KIND_ORDER = {k: i for i, k in enumerate(DEBATE_KINDS + STATEMENT_KINDS + ANSWER_KINDS)}

CHAMBERS = {k.key: k.name for k in kinds.KINDS}
SECTION_TITLES = OrderedDict([("debates", "Parliamentary Debates"), ("statements", "Written Statements"),
                              ("answers", "Written Answers"), ("divisions", "Divisions")])
VOTE_LABELS = {"aye": "Aye", "no": "No", "content": "Content", "not-content": "Not content"}

#: speeches shown under one debate; the rest are counted ("and 12 more") and linked
MAX_SPEECHES_SHOWN = 6
EXCERPT_WORDS = 60
ANSWER_WORDS = 150


#: dates and titles are named as pages name them (``record/naming``)
full_date = naming.full_date


def number(n: int | None) -> str:
    return f"{n or 0:,}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"


def tidy_title(title: str | None) -> str:
    """A heading as pages show it ("UK INVENTORS" → "UK Inventors"), or "Untitled"."""
    return naming.item_title(title) or "Untitled"


def excerpt(text: str | None, terms: Iterable[str] = (), limit: int = EXCERPT_WORDS) -> str:
    """About ``limit`` words of the text; around the first search term when one is given."""
    words = " ".join((text or "").split()).split(" ")
    if len(words) <= limit:
        return " ".join(words)
    start = 0
    lowered = [w.lower() for w in words]
    for term in terms:
        term = term.lower()
        hit = next((i for i, w in enumerate(lowered) if term and term in w), None)
        if hit is not None:
            start = max(0, min(hit - limit // 3, len(words) - limit))
            break
    piece = " ".join(words[start:start + limit])
    return ("… " if start else "") + piece + (" …" if start + limit < len(words) else "")


@dataclass
class SpeechItem:
    speaker: str | None             # "David Hanson (Labour - Delyn)", or as printed
    speaker_url: str | None
    office: str | None               # as printed: "The Minister of State, Home Department"
    heading: str | None              # the minor heading, when it differs from the debate's title
    excerpt: str
    url: str
    words: int


@dataclass
class DebateEntry:
    id: str
    title: str
    chamber: str
    date: date
    department: str | None
    speeches: int
    words: int
    url: str
    items: list[SpeechItem] = field(default_factory=list)
    more: int = 0                    # matching speeches not shown

    @property
    def size(self) -> str:
        return f"{plural(self.speeches, 'speech', 'speeches')} ({plural(self.words, 'word')})"


@dataclass
class AnswerEntry:
    id: str
    title: str
    chamber: str
    date: date
    department: str | None
    url: str
    questions: list[SpeechItem] = field(default_factory=list)
    answers: list[SpeechItem] = field(default_factory=list)


@dataclass
class DivisionEntry:
    id: str
    title: str
    chamber: str
    date: date
    number: int | None
    department: str | None
    ayes: int | None
    noes: int | None
    aye_label: str
    no_label: str
    url: str
    vote: str | None = None          # how the alert's member voted
    teller: bool = False

    @property
    def result(self) -> str:
        return f"{self.aye_label} {number(self.ayes)}, {self.no_label} {number(self.noes)}"


@dataclass
class Section:
    key: str
    title: str
    entries: list


@dataclass
class Digest:
    title: str                        # what the alert is for: 'Home Office', '"county lines"'
    sections: list[Section]
    items: int                        # speeches and divisions in it

    @property
    def empty(self) -> bool:
        return not any(s.entries for s in self.sections)

    def counts(self) -> dict[str, int]:
        return {s.key: len(s.entries) for s in self.sections}


def _membership(row: Mapping) -> Membership | None:
    if not row.get("membership_id"):
        return None
    return naming.membership_from_row(row, "m_", id="membership_id", house="house", constituency="constituency",
                                      party="party", from_date="m_from", to_date="m_to", lord_name="lord_name",
                                      lord_of_name="lord_of_name", peerage_type="peerage_type")


def speaker_of(row: Mapping) -> str | None:
    m = _membership(row)
    if m is not None:
        try:
            return display_name(m)
        except Exception:  # pragma: no cover - a naming rule must never stop a digest
            pass
    return row.get("person_name") or (" ".join(row["speaker_name"].split()) if row.get("speaker_name") else None)


def department_name(slug: str | None, on: date, names: Mapping[str, str]) -> str | None:
    return naming.department_name(slug, on, names.get(slug) if slug else None)


class DigestBuilder:
    def __init__(self, links: Links, department_names: Mapping[str, str] | None = None,
                 terms: Iterable[str] = ()):
        self.links = links
        self.names = department_names or {}
        self.terms = [t for t in terms if t]

    def speech_item(self, row: Mapping, debate_title: str, limit: int = EXCERPT_WORDS) -> SpeechItem:
        heading = tidy_title(row["heading_title"]) if row.get("heading_title") else None
        if heading == debate_title:
            heading = None
        house = row.get("house") or ("lords" if row["kind"].startswith("lords") else "commons")
        return SpeechItem(speaker=speaker_of(row), speaker_url=self.links.member(row.get("person_slug"), house),
                          office=" ".join(row["speaker_office"].split()) if row.get("speaker_office") else None,
                          heading=heading, excerpt=excerpt(row["text"], self.terms, limit),
                          url=self.links.debate(row["debate_id"], row["id"]), words=row["words"] or 0)

    def build(self, title: str, speech_rows: Sequence[Mapping], division_rows: Sequence[Mapping] = (),
              context_rows: Sequence[Mapping] = ()) -> Digest:
        """``speech_rows`` are the items; ``context_rows`` are written questions or answers shown
        beside them (the rest of a question group) without being items themselves."""
        debates: "OrderedDict[str, DebateEntry]" = OrderedDict()
        statements: "OrderedDict[str, DebateEntry]" = OrderedDict()
        answers: "OrderedDict[str, AnswerEntry]" = OrderedDict()
        item_ids = {r["id"] for r in speech_rows}
        ordered = sorted(speech_rows, key=lambda r: (r["date"], KIND_ORDER.get(r["kind"], 99), r["position"]))
        groups: dict[str, list[Mapping]] = {}
        for row in [*ordered, *sorted(context_rows, key=lambda r: r["position"])]:
            if row["kind"] in ANSWER_KINDS:
                key = row["heading_id"] or row["debate_id"]
                if row["id"] in item_ids or key in groups:
                    groups.setdefault(key, [])
                    if all(r["id"] != row["id"] for r in groups[key]):
                        groups[key].append(row)
                continue
            if row["id"] not in item_ids:
                continue
            target = statements if row["kind"] in STATEMENT_KINDS else debates
            entry = target.get(row["debate_id"])
            if entry is None:
                dtitle = tidy_title(row["debate_title"] or row["heading_title"])
                entry = target[row["debate_id"]] = DebateEntry(
                    id=row["debate_id"], title=dtitle, chamber=CHAMBERS.get(row["kind"], row["kind"]),
                    date=row["date"], department=department_name(row["department_slug"], row["date"], self.names),
                    speeches=row["debate_speeches"] or 0, words=row["debate_words"] or 0,
                    url=self.links.debate(row["debate_id"]))
            if row.get("nospeaker") or not (row.get("speaker_name") or row.get("person_id")):
                continue                      # procedure ("The Secretary of State was asked—"): not listed
            if len(entry.items) < MAX_SPEECHES_SHOWN:
                entry.items.append(self.speech_item(row, entry.title))
            else:
                entry.more += 1
        for key, rows in groups.items():
            rows.sort(key=lambda r: r["position"])
            first = rows[0]
            dept = department_name(first["department_slug"], first["date"], self.names) \
                or (tidy_title(first["debate_title"]) if first["debate_title"] else None)
            answer = AnswerEntry(id=key, title=tidy_title(first["heading_title"] or first["debate_title"]),
                                 chamber=CHAMBERS.get(first["kind"], first["kind"]), date=first["date"],
                                 department=dept, url=self.links.question(key))
            for row in rows:
                item = self.speech_item(row, answer.title, ANSWER_WORDS)
                item.heading = None
                item.url = answer.url
                (answer.questions if row["element"] == "ques" else answer.answers).append(item)
            answers[key] = answer
        divisions = [self.division_entry(r) for r in sorted(
            division_rows, key=lambda r: (r["date"], KIND_ORDER.get(r["kind"], 99), r["position"]))]
        sections = [Section("debates", SECTION_TITLES["debates"], list(debates.values())),
                    Section("statements", SECTION_TITLES["statements"], list(statements.values())),
                    Section("answers", SECTION_TITLES["answers"],
                            sorted(answers.values(), key=lambda e: (e.date, e.chamber))),
                    Section("divisions", SECTION_TITLES["divisions"], divisions)]
        return Digest(title=title, sections=sections, items=len(speech_rows) + len(division_rows))

    def division_entry(self, row: Mapping) -> DivisionEntry:
        lords = row["kind"] == "lordspages"
        vote = row.get("vote")
        return DivisionEntry(
            id=row["id"], title=tidy_title(row["debate_title"]), chamber=CHAMBERS.get(row["kind"], row["kind"]),
            date=row["date"], number=row["number"],
            department=department_name(row["department_slug"], row["date"], self.names),
            ayes=row["ayes"], noes=row["noes"], aye_label="Contents" if lords else "Ayes",
            no_label="Not contents" if lords else "Noes", url=self.links.division(row["id"]),
            vote=VOTE_LABELS.get(vote, vote) if vote else None, teller=bool(row.get("teller")))


_TERM = re.compile(r"[^\W_]+")


def query_terms(q: str) -> list[str]:
    """Words of a search query worth highlighting (operators and short words dropped)."""
    return [w for w in _TERM.findall(q or "") if w not in ("AND", "OR", "NOT") and len(w) > 2]

"""Turning one parsed transcript file into attributed rows for the store.

Each row of ``debates`` is an *item of business* (departmental questions, an urgent
question, a statement, a bill stage, a motion, an adjournment debate …), split by
:class:`despatchbox.attribute.items.ItemSplitter`; headings keep their hierarchy
(``parent_id``: the major heading above a minor one) for display. An oral heading
("ORAL ANSWERS TO QUESTIONS") belongs to the item that follows it.
"""
from __future__ import annotations


import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..attribute.department_match import normalise
from ..attribute.departments import Contribution, DebateEvidence, assign_department, is_government_post
from ..attribute.items import CHAMBER_KINDS, ItemSplitter, Opening, is_lead_in, item_title
from ..attribute.speakers import SpeakerResolver
from ..ingest.records import Division, Heading, Speech, TranscriptFile
from ..record.markup import reduced

#: characters of each contribution handed to the department rules as evidence
EVIDENCE_CHARS = 600


class PostIndex:
    """Government posts by person, answering "which departments did this person serve on that day".
    Opposition, shadow and PPS posts and committee places are no government post and are left out
    (see :func:`despatchbox.attribute.departments.is_government_post`)."""

    def __init__(self, posts: list[tuple]):
        self._by_person: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
        for person_id, dept, start, end, position, *rest in posts:
            if not is_government_post(position, rest[0] if rest else None):
                continue
            self._by_person[person_id].append((start or date.min, end or date.max, dept))

    def __call__(self, person_id: int, on: date) -> list[str]:
        return [dept for start, end, dept in self._by_person.get(person_id, ()) if start <= on <= end]

    def history(self, person_id: int) -> list[tuple[date, date, str]]:
        return list(self._by_person.get(person_id, ()))


@dataclass
class FileRows:
    debate_rows: list[dict[str, Any]] = field(default_factory=list)
    heading_rows: list[dict] = field(default_factory=list)
    speech_rows: list[dict] = field(default_factory=list)
    division_rows: list[dict] = field(default_factory=list)
    vote_rows: list[dict] = field(default_factory=list)
    committee_row: dict | None = None
    committee_member_rows: list[dict] = field(default_factory=list)
    unresolved_speakers: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return len(self.heading_rows) + len(self.speech_rows) + len(self.division_rows)

    def ids(self) -> dict[str, list[str]]:
        """The record ids these rows give, by table."""
        return {"debates": [r["id"] for r in self.debate_rows], "headings": [r["id"] for r in self.heading_rows],
                "speeches": [r["id"] for r in self.speech_rows], "divisions": [r["id"] for r in self.division_rows]}

    def attach_to(self, file_id: int) -> None:
        """Give every row the id of its source file (known only inside the file's transaction:
        the rows are built before it opens, so that the write lock is held only to write)."""
        for table in (self.debate_rows, self.heading_rows, self.speech_rows, self.division_rows,
                      self.committee_member_rows):
            for row in table:
                row["file_id"] = file_id
        if self.committee_row is not None:
            self.committee_row["file_id"] = file_id


def _openings(tf: TranscriptFile) -> dict[int, Opening]:
    """Each heading (by index in ``tf.items``) with the first contribution under it."""
    out: dict[int, Opening] = {}
    items = tf.items
    first: Speech | None = None         # the first speech after this point, before any heading
    for i in range(len(items) - 1, -1, -1):       # one pass from the end (not a slice of the rest per heading)
        item = items[i]
        if isinstance(item, Speech):
            first = item
        elif isinstance(item, Heading):
            out[i] = Opening(level=item.level, title=item.title, first_text=first.text if first else None,
                             first_office=first.speaker_office if first else None)
            first = None
    return dict(sorted(out.items()))


_SITTING = re.compile(r"_(\d+)-\d+_")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _item_title(tf: TranscriptFile, heading_title: str) -> str:
    """The title an item is listed under: chair notes dropped; a Public Bill Committee sitting named
    with its bill ("Child Poverty Bill — Public Bill Committee, 5th sitting")."""
    title = item_title(heading_title) or heading_title
    if tf.kind == "standing" and tf.committee is not None and tf.committee.bill_title:
        m = _SITTING.search(tf.series)
        sitting = f", {_ordinal(int(m.group(1)))} sitting" if m and int(m.group(1)) > 0 else ""
        if normalise(title) in ("public bill committee", "standing committee", ""):
            return f"{tf.committee.bill_title} \u2014 {title or 'Public Bill Committee'}{sitting}"
        return f"{tf.committee.bill_title} \u2014 {title}"
    return title


def build_rows(tf: TranscriptFile, file_id: int | None, resolver: SpeakerResolver, posts: PostIndex) -> FileRows:
    rows = FileRows()
    kind, day = tf.kind, tf.date
    splitter = ItemSplitter(kind)
    openings = _openings(tf)
    debate: dict | None = None
    major_id: str | None = None
    heading_id: str | None = None
    pending_orals: list[dict] = []
    evidence: dict[str, DebateEvidence] = {}
    filled: set[str] = set()            # items with a contribution or a division
    opened_by_major: set[str] = set()
    lead_ins: set[str] = set()          # items holding only "Motion made, and Question put forthwith …,"

    def open_debate(item: Heading | Speech | Division, title: str) -> dict[str, Any]:
        row: dict[str, Any] = {"id": item.gid, "file_id": file_id, "kind": kind, "date": day, "position": item.position,
               "title": title, "department_slug": None, "department_reason": None, "speeches": 0, "words": 0}
        rows.debate_rows.append(row)
        evidence[item.gid] = DebateEvidence(kind=kind, date=day, title=title, subtitles=[], contributions=[],
                                            questions=splitter.questions if kind in CHAMBER_KINDS else None)
        for oral in pending_orals:
            oral["debate_id"] = item.gid
        pending_orals.clear()
        return row

    for index, item in enumerate(tf.items):
        if isinstance(item, Heading):
            row = {"id": item.gid, "file_id": file_id, "kind": kind, "date": day, "position": item.position,
                   "level": item.level, "title": item.title, "colnum": item.colnum, "time": item.time,
                   "url": item.url, "parent_id": None, "debate_id": None}
            rows.heading_rows.append(row)
            opening = openings[index]
            opens = splitter.opens(opening, debate is not None)
            if item.level == "oral":
                pending_orals.append(row)
                row["debate_id"] = item.gid
                continue
            if item.level == "major":
                major_id = item.gid
            elif major_id is not None:
                row["parent_id"] = major_id
            title = _item_title(tf, item.title)
            if opens and debate is not None and item.level != "major" and kind in CHAMBER_KINDS and (
                    (debate["id"] in opened_by_major and debate["id"] not in filled) or debate["id"] in lead_ins):
                # a major heading with nothing of its own, or a heading over only the lead-in to
                # motions put forthwith: the first minor heading after it names the item
                debate["title"] = title
                evidence[debate["id"]].title = title
            elif opens:
                debate = open_debate(item, title)
                if item.level == "major":
                    opened_by_major.add(item.gid)
            else:
                assert debate is not None            # a heading opens no item only inside one
                if title and title not in evidence[debate["id"]].subtitles:
                    evidence[debate["id"]].subtitles.append(title)
            row["debate_id"] = debate["id"]
            heading_id = item.gid
        elif isinstance(item, Speech):
            if debate is None:
                debate = open_debate(item, item.speaker_name or "")
            if is_lead_in(item.text, item.nospeaker) and (debate["id"] not in filled or debate["id"] in lead_ins):
                lead_ins.add(debate["id"])
            else:
                lead_ins.discard(debate["id"])
            filled.add(debate["id"])
            who = resolver.resolve(item.speaker_id, item.person_id, day)
            if who.person_id is None and item.speaker_id and item.speaker_id != "unknown":
                rows.unresolved_speakers[item.speaker_id] = rows.unresolved_speakers.get(item.speaker_id, 0) + 1
            rows.speech_rows.append({
                "id": item.gid, "file_id": file_id, "debate_id": debate["id"], "heading_id": heading_id,
                "kind": kind, "date": day, "position": item.position, "element": item.element,
                "speaker_id": item.speaker_id, "speaker_name": item.speaker_name,
                "speaker_office": item.speaker_office, "nospeaker": item.nospeaker,
                "person_id": who.person_id, "membership_id": who.membership_id, "html": reduced(item.html),
                "text": item.text, "words": item.words, "colnum": item.colnum, "time": item.time, "url": item.url,
                "speech_type": item.speech_type, "oral_qnum": item.oral_qnum})
            debate["speeches"] += 1
            debate["words"] += item.words
            evidence[debate["id"]].contributions.append(Contribution(
                element=item.element, speaker_office=item.speaker_office, speaker_name=item.speaker_name,
                person_id=who.person_id, text=item.text[:EVIDENCE_CHARS]))
        elif isinstance(item, Division):
            if debate is None:
                debate = open_debate(item, "Division")
            filled.add(debate["id"])
            lead_ins.discard(debate["id"])
            counts = item.counts
            rows.division_rows.append({
                "id": item.gid, "file_id": file_id, "debate_id": debate["id"], "kind": kind, "date": item.date,
                "position": item.position, "number": item.number, "time": item.time, "colnum": item.colnum,
                "url": item.url, "ayes": counts.get("aye", counts.get("content")),
                "noes": counts.get("no", counts.get("not-content"))})
            for i, vote in enumerate(item.votes):
                who = resolver.resolve(vote.membership_id, vote.person_id, item.date)
                if who.person_id is None and vote.membership_id:
                    rows.unresolved_speakers[vote.membership_id] = rows.unresolved_speakers.get(vote.membership_id, 0) + 1
                rows.vote_rows.append({"division_id": item.gid, "position": i, "membership_id": vote.membership_id,
                                       "person_id": who.person_id, "name": vote.name, "vote": vote.vote,
                                       "teller": vote.teller, "date": item.date})


    for item_row in rows.debate_rows:
        assignment = assign_department(evidence[item_row["id"]], posts)
        if assignment is not None:
            item_row["department_slug"] = assignment.slug
            item_row["department_reason"] = assignment.reason[:300]

    if tf.committee is not None:
        rows.committee_row = {"file_id": file_id, "bill_title": tf.committee.bill_title,
                              "bill_url": tf.committee.bill_url}
        for i, member in enumerate(tf.committee.members):
            who = resolver.resolve(member.membership_id, None, day)
            rows.committee_member_rows.append({
                "file_id": file_id, "position": i, "membership_id": member.membership_id,
                "person_id": who.person_id, "name": member.name, "role": member.role,
                "attending": member.attending})
    return rows




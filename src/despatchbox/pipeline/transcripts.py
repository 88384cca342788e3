"""Turning one parsed transcript file into attributed rows for the store.

Debates: a major heading and everything under it until the next major heading;
where a kind has no major headings (Westminster Hall, Lords written statements,
Lords written questions) — or before the first major heading — each minor
heading is a debate. An oral heading ("ORAL ANSWERS TO QUESTIONS") introduces
the debate that follows it.
"""
from __future__ import annotations


from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ..attribute.departments import Contribution, DebateEvidence, assign_department
from ..attribute.speakers import SpeakerResolver
from ..ingest.records import Division, Heading, Speech, TranscriptFile

#: kinds whose files have no major headings: each minor heading is a debate
MINOR_HEADING_DEBATE_KINDS = {"westminhall", "lordswms", "lordswrans"}
#: characters of each contribution handed to the department rules as evidence
EVIDENCE_CHARS = 600


class PostIndex:
    """Government posts by person, answering "which departments did this person serve on that day"."""

    def __init__(self, posts: list[tuple[int, str, date | None, date | None, str]]):
        self._by_person: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
        for person_id, dept, start, end, _position in posts:
            self._by_person[person_id].append((start or date.min, end or date.max, dept))

    def __call__(self, person_id: int, on: date) -> list[str]:
        return [dept for start, end, dept in self._by_person.get(person_id, ()) if start <= on <= end]

    def history(self, person_id: int) -> list[tuple[date, date, str]]:
        return list(self._by_person.get(person_id, ()))


@dataclass
class FileRows:
    debate_rows: list[dict] = field(default_factory=list)
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


def build_rows(tf: TranscriptFile, file_id: int, resolver: SpeakerResolver, posts: PostIndex) -> FileRows:
    rows = FileRows()
    kind, day = tf.kind, tf.date
    majors_open_debates = kind not in MINOR_HEADING_DEBATE_KINDS
    debate: dict | None = None
    major_id: str | None = None
    heading_id: str | None = None
    pending_orals: list[dict] = []
    evidence: dict[str, DebateEvidence] = {}

    def open_debate(item: Heading | Speech | Division, title: str) -> dict:
        row = {"id": item.gid, "file_id": file_id, "kind": kind, "date": day, "position": item.position,
               "title": title, "department_slug": None, "department_reason": None, "speeches": 0, "words": 0}
        rows.debate_rows.append(row)
        evidence[item.gid] = DebateEvidence(kind=kind, date=day, title=title, subtitles=[], contributions=[])
        for oral in pending_orals:
            oral["debate_id"] = item.gid
        pending_orals.clear()
        return row

    for item in tf.items:
        if isinstance(item, Heading):
            row = {"id": item.gid, "file_id": file_id, "kind": kind, "date": day, "position": item.position,
                   "level": item.level, "title": item.title, "colnum": item.colnum, "time": item.time,
                   "url": item.url, "parent_id": None, "debate_id": None}
            rows.heading_rows.append(row)
            if item.level == "oral":
                pending_orals.append(row)
                row["debate_id"] = item.gid
                continue
            if item.level == "major" and majors_open_debates:
                debate = open_debate(item, item.title)
                major_id = item.gid
            elif item.level == "major" or major_id is None:
                debate = open_debate(item, item.title)
            else:
                row["parent_id"] = major_id
                evidence[debate["id"]].subtitles.append(item.title)
            row["debate_id"] = debate["id"]
            heading_id = item.gid
        elif isinstance(item, Speech):
            if debate is None:
                debate = open_debate(item, item.speaker_name or "")
            who = resolver.resolve(item.speaker_id, item.person_id, day)
            if who.person_id is None and item.speaker_id and item.speaker_id != "unknown":
                rows.unresolved_speakers[item.speaker_id] = rows.unresolved_speakers.get(item.speaker_id, 0) + 1
            rows.speech_rows.append({
                "id": item.gid, "file_id": file_id, "debate_id": debate["id"], "heading_id": heading_id,
                "kind": kind, "date": day, "position": item.position, "element": item.element,
                "speaker_id": item.speaker_id, "speaker_name": item.speaker_name,
                "speaker_office": item.speaker_office, "nospeaker": item.nospeaker,
                "person_id": who.person_id, "membership_id": who.membership_id, "html": item.html,
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
                                       "teller": vote.teller})

    for row in rows.debate_rows:
        assignment = assign_department(evidence[row["id"]], posts)
        if assignment is not None:
            row["department_slug"] = assignment.slug
            row["department_reason"] = assignment.reason[:300]

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




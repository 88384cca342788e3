"""Plain records produced by the parsers.

Parsers turn a source file into these dataclasses and know nothing of the
database or the web. Dates are :class:`datetime.date`; open-ended ranges use
``None`` (never ``9999-12-31``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


# --- members data -----------------------------------------------------------

@dataclass(slots=True)
class Person:
    id: int                      # 10002 for uk.org.publicwhip/person/10002
    name: str                    # latest name, as people.xml gives it
    membership_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Membership:
    """One seat held over one period: a Commons membership or a peerage."""
    id: str                      # "uk.org.publicwhip/member/1403" or ".../lord/100004"
    house: str                   # "commons" | "lords"
    title: str | None
    first_name: str | None
    last_name: str | None
    constituency: str | None     # Commons only
    party: str | None            # party code as printed ("Lab", "Con", "XB", "SPK"…)
    from_date: date | None
    to_date: date | None         # None: still held
    from_why: str | None = None
    to_why: str | None = None
    lord_name: str | None = None     # "Bach"
    lord_of_name: str | None = None  # "Lady Bach of Lutterworth" → "Lutterworth"
    peerage_type: str | None = None  # L, HP, HD, HO, A, B


@dataclass(slots=True)
class Constituency:
    id: str
    name: str
    other_names: list[str]
    from_date: date | None
    to_date: date | None


@dataclass(slots=True)
class MemberAlias:
    full_name: str
    alternate: str
    from_date: date | None
    to_date: date | None


@dataclass(slots=True)
class Office:
    """A ministerial (or committee, PPS, whip) post from ministers.xml."""
    id: str
    name: str                    # the holder's name as printed
    membership_id: str | None    # matchid
    department: str              # as printed: "Home Office", "HM Treasury"
    position: str                # "Minister of State", "" for committee members
    responsibility: str | None
    from_date: date | None
    to_date: date | None
    source: str | None           # "chgpages/govposts", "datadotparl/oppositionpost", …
    person_id: int | None = None  # the JSON files name the person, not the membership


# --- transcripts --------------------------------------------------------------

@dataclass(slots=True)
class Heading:
    gid: str
    level: str                   # "major" | "minor" | "oral"
    title: str
    position: int                # order in the file
    colnum: str | None
    time: str | None
    url: str | None


@dataclass(slots=True)
class Speech:
    """A <speech>, <ques> or <reply>: one contribution to the record."""
    gid: str
    element: str                 # "speech" | "ques" | "reply"
    position: int
    speaker_id: str | None       # as printed: "uk.org.publicwhip/member/1403", "unknown" or None
    person_id: int | None        # from person_id="…" (newer data) — else resolved later
    speaker_name: str | None     # as printed
    speaker_office: str | None   # speakeroffice="The Minister for …"
    nospeaker: bool
    html: str                    # inner markup, paragraphs and tables kept, entities decoded
    text: str                    # plain text, one paragraph per line
    words: int
    colnum: str | None
    time: str | None             # normalised "HH:MM:SS" or None
    url: str | None
    speech_type: str | None = None   # "Start Question" and the like (newer data)
    oral_qnum: str | None = None


@dataclass(slots=True)
class Vote:
    membership_id: str | None    # "uk.org.publicwhip/member/1929"
    person_id: int | None
    name: str                    # as printed: "Afriyie, Adam"
    vote: str                    # "aye" | "no" | "content" | "not-content"
    teller: bool


@dataclass(slots=True)
class Division:
    gid: str
    position: int
    number: int | None
    date: date
    time: str | None
    colnum: str | None
    url: str | None
    counts: dict[str, int]       # {"aye": 158, "no": 246} / {"content": …, "not-content": …}
    votes: list[Vote]


@dataclass(slots=True)
class CommitteeMember:
    membership_id: str | None
    name: str
    role: str                    # "chairman" | "member" | "clerk"
    attending: bool | None


@dataclass(slots=True)
class Committee:
    bill_title: str | None
    bill_url: str | None
    members: list[CommitteeMember]


@dataclass(slots=True)
class GidRedirect:
    old_gid: str
    new_gid: str
    match_type: str | None


Item = Heading | Speech | Division


@dataclass(slots=True)
class TranscriptFile:
    """Everything one ParlParse transcript file holds, in document order."""
    kind: str                    # scrapedxml folder name: debates, wrans, lordspages…
    date: date
    version: str                 # "a", "b", … "aa"
    series: str                  # file name without the version letter: "debates2009-10-26"
    items: list[Item]
    redirects: list[GidRedirect]
    committee: Committee | None = None
    latest: bool | None = None   # publicwhip latest="yes"

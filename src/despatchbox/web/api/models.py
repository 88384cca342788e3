"""The JSON API's response models. Every endpoint returns one of these; the OpenAPI schema is
generated from them, so each field carries its description.

Conventions: dates are ISO 8601 (``2009-10-26``); an open-ended membership or post has
``to_date: null``; ids are ParlParse's (gids such as ``uk.org.publicwhip/debate/2009-10-26b.1.4``,
person ids such as ``10259``); ``url`` fields are this API's address of the record and
``web_url`` the page showing it.
"""
from __future__ import annotations

import datetime as dt
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ...record import kinds

T = TypeVar("T")

House = Literal["commons", "lords"]
Kind = Literal[kinds.KEYS]  # type: ignore[valid-type]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors -----------------------------------------------------------------------------------------

class ErrorDetail(Model):
    code: str = Field(description="A stable machine-readable code: `not_found`, `bad_request`, "
                                  "`invalid_parameter`, `method_not_allowed`, `server_error`.")
    message: str = Field(description="What went wrong, for people.")


class ErrorResponse(Model):
    error: ErrorDetail


# --- pages of results ---------------------------------------------------------------------------------

class Page(Model, Generic[T]):
    items: list[T] = Field(description="This page of results.")
    total: int = Field(description="How many results there are in all.")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="How many results come before this page.")
    next: str | None = Field(description="The address of the next page; null on the last page.")


# --- shared pieces ------------------------------------------------------------------------------------

class DepartmentRef(Model):
    slug: str = Field(description="Stable identifier, e.g. `home-office`.", examples=["home-office"])
    name: str = Field(description="The department's name on the date of the record it is attached to.")
    url: str = Field(description="This department in the API.")


class MemberRef(Model):
    """A person, with the seat they held on the date of the record it is attached to."""
    person_id: int = Field(description="ParlParse person id (…/person/10259 → 10259).")
    name: str = Field(description="The person's name, e.g. `David Hanson`.")
    slug: str = Field(description="The person's slug, used in page addresses.")
    display_name: str | None = Field(description="Name with party and seat on the day, as the pages show it: "
                                                 "`David Hanson (Labour - Delyn)`.")
    house: House | None = Field(description="The house of the membership held that day.")
    party: str | None = Field(description="Party name that day (a chair's own party).")
    constituency: str | None = Field(description="Commons constituency that day; null in the Lords.")
    membership_id: str | None = Field(description="The membership (seat or peerage) held that day.")
    url: str = Field(description="This member in the API.")


class Speaker(Model):
    """Who made a contribution, as printed in the record and as resolved."""
    speaker_id: str | None = Field(description="The speaker id as printed (a membership id, or `unknown`).")
    name: str | None = Field(description="The speaker's name as printed (`Mr. Speaker`, `Hon. Members`).")
    office: str | None = Field(description="The office as printed (`The Minister of State, Home Department`).")
    member: MemberRef | None = Field(description="The person it was resolved to; null when unattributed.")


class Speech(Model):
    id: str = Field(description="The contribution's gid.")
    debate_id: str = Field(description="The debate (section) it belongs to.")
    heading_id: str | None = Field(description="The nearest heading above it (a written question's group).")
    kind: Kind = Field(description="The kind of record (the ParlParse folder).")
    date: dt.date
    position: int = Field(description="Order in the source file.")
    element: Literal["speech", "ques", "reply"] = Field(
        description="`speech`; in written answers `ques` (a question) or `reply` (an answer).")
    speaker: Speaker
    text: str = Field(description="Plain text, one paragraph or table row per line.")
    html: str = Field(description="The source markup, sanitised: paragraphs, emphasis, tables, safe links.")
    words: int
    time: str | None = Field(description="Time printed before it (`HH:MM:SS`), when given.")
    colnum: str | None = Field(description="Hansard column number.")
    source_url: str | None = Field(description="The contribution in Hansard on parliament.uk.")


# --- members ------------------------------------------------------------------------------------------

class MemberSummary(Model):
    id: int = Field(description="ParlParse person id.")
    name: str
    slug: str
    house: House | None = Field(description="House of the latest membership.")
    party: str | None = Field(description="Party of the latest membership.")
    constituency: str | None = Field(description="Constituency of the latest Commons membership.")
    display_name: str | None = Field(description="`David Hanson (Labour - Delyn)`, from the latest membership.")
    url: str
    web_url: str


class Membership(Model):
    id: str = Field(description="ParlParse membership id, e.g. `uk.org.publicwhip/member/1530`.")
    house: House
    party: str | None = Field(description="Party name (`Labour`); chair memberships name the chair "
                                          "(`Speaker`).")
    party_code: str | None = Field(description="Party code as printed (`Lab`, `XB`, `SPK`).")
    constituency: str | None = Field(description="Commons only.")
    peerage: str | None = Field(description="Lords only: `Life peer`, `Hereditary peer`, `Bishop`, `Law Lord`.")
    title: str | None
    from_date: dt.date | None
    to_date: dt.date | None = Field(description="null while still held.")
    from_why: str | None = Field(description="How it began (`general_election`, `by_election`…).")
    to_why: str | None = Field(description="How it ended (`still_in_office` while open).")


class Post(Model):
    id: str = Field(description="ministers.xml office id, e.g. `uk.org.publicwhip/moffice/441`.")
    position: str = Field(description="`Minister of State`, `Parliamentary Under-Secretary`, `PPS`…")
    responsibility: str | None
    department: DepartmentRef | None = Field(description="The department it was resolved to (null for "
                                                         "committees).")
    department_as_printed: str = Field(description="The department as ministers.xml prints it.")
    from_date: dt.date | None
    to_date: dt.date | None = Field(description="null while still held.")


class MemberDepartment(Model):
    department: DepartmentRef
    debates: int = Field(description="Spoken debates with this department the member took part in.")
    speeches: int = Field(description="The member's speeches in them.")
    latest: dt.date | None = Field(description="The latest of those debates.")
    debates_url: str = Field(description="Those debates in the API.")


class MemberCounts(Model):
    speeches: int = Field(description="Spoken contributions and written statements.")
    questions: int = Field(description="Written questions asked.")
    answers: int = Field(description="Written answers given.")
    words: int
    debates: int = Field(description="Sections contributed to.")
    votes: int = Field(description="Votes cast in divisions.")


class Member(MemberSummary):
    memberships: list[Membership] = Field(description="Every seat and peerage, oldest first.")
    posts: list[Post] = Field(description="Every ministers.xml post, newest first.")
    departments: list[MemberDepartment] = Field(description="Departments debated with, most debates first.")
    counts: MemberCounts
    debates_url: str = Field(description="The member's debates in the API.")


# --- debates ------------------------------------------------------------------------------------------

class DebateSummary(Model):
    id: str = Field(description="The gid of its heading.")
    kind: Kind
    chamber: str = Field(description="`Commons Chamber`, `Westminster Hall`, `Lords Chamber`, `Written "
                                     "Statements`, `Written Answers`, `Public Bill Committees`.")
    date: dt.date
    title: str = Field(description="Its title as pages, feeds and emails show it (\"Home Department\").")
    title_as_printed: str = Field(description="The heading as the record prints it (\"HOME DEPARTMENT\").")
    department: DepartmentRef | None = Field(description="The government department it concerns; null when "
                                                         "none is attributed.")
    speeches: int = Field(description="Contributions in it.")
    words: int
    url: str
    web_url: str


class Heading(Model):
    id: str
    level: Literal["major", "minor", "oral"]
    title: str
    parent_id: str | None


class DivisionSummary(Model):
    id: str = Field(description="The division's gid.")
    kind: Kind
    chamber: str
    date: dt.date
    number: int | None = Field(description="The division number printed in the record.")
    time: str | None
    debate_id: str
    debate_title: str | None
    ayes: int | None = Field(description="Ayes (Commons) or contents (Lords).")
    noes: int | None = Field(description="Noes (Commons) or not-contents (Lords).")
    url: str
    web_url: str


class Debate(DebateSummary):
    department_reason: str | None = Field(description="The evidence for the department (`heading: HOME "
                                                      "DEPARTMENT`, `office: …`).")
    source_url: str | None = Field(description="The heading in Hansard on parliament.uk.")
    headings: list[Heading]
    contributions: list[Speech] = Field(description="Every contribution in order.")
    divisions: list[DivisionSummary]


class MemberDebate(DebateSummary):
    member_speeches: int = Field(description="The member's contributions to it.")
    contributions_url: str = Field(description="The member's contributions to it, in the API.")


class Exchange(Model):
    """One heading's worth of a debate (an oral question and its supplementaries) in which the member spoke."""
    heading: Heading | None
    contributions: list[Speech] = Field(description="Everything said under the heading, in order.")
    member_contribution_ids: list[str] = Field(description="Which of them are the member's.")


class MemberContributions(Model):
    member: MemberSummary
    debate: DebateSummary
    contributions: list[Speech] = Field(description="The member's contributions, in order.")
    exchanges: list[Exchange] = Field(description="The same in context: each heading they spoke under, whole.")


# --- departments --------------------------------------------------------------------------------------

class DepartmentNow(Model):
    """What became of a department since the date it is named on."""
    relation: str = Field(description="`now part of` (merged into another department) or `now called` (renamed).",
                          examples=["now called"])
    name: str = Field(description="Its successor's name, or its own name today.")
    slug: str = Field(description="The successor's slug (its own when renamed).")


class DepartmentSummary(Model):
    slug: str
    name: str = Field(description="The department's name on the date of its latest section held (else the latest "
                                  "sitting day held): `Department for Business, Innovation and Skills` for 2009.")
    now: DepartmentNow | None = Field(default=None, description="What it became since, when its name then is not "
                                                                "its name now.")
    ministerial: bool
    sections: int = Field(description="Debates, statements and answer blocks attributed to it.")
    latest: dt.date | None = Field(description="Date of the latest of them.")
    url: str
    web_url: str


class Minister(Model):
    member: MemberRef
    office_id: str
    position: str
    rank: str = Field(description="`Secretary of State`, `Minister of State`, `Parliamentary Under-Secretary`, "
                                  "`Other ministers`, `Whips`.")
    responsibility: str | None
    from_date: dt.date | None
    to_date: dt.date | None = Field(description="null while still held.")


class Department(Model):
    slug: str
    name: str = Field(description="The name on `date`.")
    now: DepartmentNow | None = Field(default=None, description="What it became since `date`, when its name then "
                                                                "is not its name now.")
    date: dt.date = Field(description="The date the name and ministers are given for.")
    ministerial: bool
    ministers: list[Minister] = Field(description="Ministers in post on `date` (from ministers.xml).")
    sections: int = Field(description="Debates, statements and answer blocks attributed to it.")
    debates_url: str
    questions_url: str
    web_url: str


# --- written questions --------------------------------------------------------------------------------

class QuestionSummary(Model):
    id: str = Field(description="The question group's id: the gid of its heading.")
    kind: Literal[kinds.ANSWERS]  # type: ignore[valid-type]
    date: dt.date
    title: str
    department: DepartmentRef | None
    askers: list[str] = Field(description="Names of those asking, as printed.")
    answered_by: str | None = Field(description="Name of the answering minister, as printed.")
    url: str
    web_url: str


class WrittenQuestion(Model):
    id: str = Field(description="The question group's id: the gid of its heading.")
    kind: Literal[kinds.ANSWERS]  # type: ignore[valid-type]
    date: dt.date
    title: str
    debate_id: str = Field(description="The answer block (department heading) it sits in.")
    department: DepartmentRef | None
    questions: list[Speech] = Field(description="The questions grouped for one answer.")
    answers: list[Speech] = Field(description="The answer (rarely more than one contribution).")
    source_url: str | None
    web_url: str


# --- divisions ----------------------------------------------------------------------------------------

class Vote(Model):
    name: str = Field(description="The voter's name as printed in the division list.")
    vote: Literal["aye", "no", "content", "not-content"]
    teller: bool
    membership_id: str | None
    member: MemberRef | None = Field(description="The person it was resolved to.")


class PartyTally(Model):
    party: str | None
    vote: str
    votes: int


class Division(DivisionSummary):
    department: DepartmentRef | None = Field(description="The department of its debate.")
    votes: list[Vote] = Field(description="Every vote as listed, tellers marked.")
    by_party: list[PartyTally] = Field(description="Votes counted by party and lobby (tellers included).")


# --- stats --------------------------------------------------------------------------------------------

class KindStats(Model):
    """Counts for one kind of record; a count of zero is left out."""
    files: int | None = Field(None, description="Current source files.")
    speeches: int | None = Field(None, description="`<speech>` contributions.")
    speeches_without_speaker: int | None = Field(None, description="Speeches with no speaker (procedure).")
    headings: int | None = Field(None, description="Major and minor headings.")
    questions: int | None = Field(None, description="Written questions.")
    answers: int | None = Field(None, description="Written answers.")
    words: int | None = Field(None, description="Words in all contributions.")


class Stats(Model):
    """The same object as `despatchbox stats --json`; a count of zero is left out."""
    by_kind: dict[str, KindStats] = Field(description="Counts by kind of record (the ParlParse folder).")
    divisions: int | None = None
    people: int | None = None
    memberships: int | None = None
    offices: int | None = None


# --- named pages (for readable schema names) ----------------------------------------------------------

class MemberPage(Page[MemberSummary]):
    pass


class MemberDebatePage(Page[MemberDebate]):
    pass


class DebatePage(Page[DebateSummary]):
    pass


class DepartmentList(Model):
    items: list[DepartmentSummary]
    total: int


class QuestionPage(Page[QuestionSummary]):
    pass


class DivisionPage(Page[DivisionSummary]):
    pass

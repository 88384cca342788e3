"""What a search asks (:class:`SearchQuery`) and what it answers (:class:`SearchResults`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal

from markupsafe import Markup

from ...ingest.records import Membership

from ...record import urls
from ...record import kinds
from .query_language import QueryError

#: record kinds (ParlParse scrapedxml folders) → the chamber or series, named as the pages name them
KIND_LABELS = {k.key: k.name for k in kinds.KINDS}
KINDS = kinds.KEYS
WRITTEN_STATEMENT_KINDS = kinds.STATEMENTS

SORTS = ("relevance", "date")
MAX_LIMIT = 100
MAX_OFFSET = 100_000
DEFAULT_LIMIT = 20

def speech_url(debate_id: str, gid: str) -> str:
    """``/debate/debate/2009-10-26b.1.4#g3.3``: the debate page at the speech (``record.urls``)."""
    return urls.site.speech(debate_id, gid)


anchor_for = urls.anchor


def item_type(kind: str, element: str) -> str:
    """speech | question | answer | statement."""
    if element == "ques":
        return "question"
    if element == "reply":
        return "answer"
    if kind in WRITTEN_STATEMENT_KINDS:
        return "statement"
    return "speech"


@dataclass(frozen=True)
class SearchQuery:
    """One search. ``text`` is in the query language (see ``query_language``); everything else is a
    typed filter, never parsed out of the text. Invalid values raise :class:`QueryError`."""
    text: str
    person_id: int | None = None
    party: str | None = None               # a party code or name: "Lab", "Labour", "LDem", "Liberal Democrat"
    department_slug: str | None = None
    kind: str | tuple[str, ...] | None = None   # one kind or several (see KINDS)
    date_from: date | None = None
    date_to: date | None = None
    sort: Literal["relevance", "date"] = "relevance"
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    group_by_debate: bool = False
    since_batch: int | None = None         # only items of files loaded by ingest batches after this one

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"Sort by relevance or date, not {self.sort!r}.")
        if not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise QueryError(f"Results per page must be between 1 and {MAX_LIMIT}.")
        if not isinstance(self.offset, int) or not 0 <= self.offset <= MAX_OFFSET:
            raise QueryError(f"The offset must be between 0 and {MAX_OFFSET:,}.")
        for kind in self.kinds:
            if kind not in KIND_LABELS:
                raise QueryError(f"Unknown kind {kind!r}: choose from {', '.join(KINDS)}.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError("The 'from' date is after the 'to' date.")

    @property
    def kinds(self) -> tuple[str, ...]:
        if not self.kind:
            return ()
        return (self.kind,) if isinstance(self.kind, str) else tuple(self.kind)

    @property
    def has_filters(self) -> bool:
        return any((self.person_id is not None, self.party, self.department_slug, self.kinds, self.date_from,
                    self.date_to, self.since_batch is not None))


@dataclass
class QuestionContext:
    """The written question a written answer answers."""
    id: str
    person_id: int | None
    name: str | None
    text: str


@dataclass
class SearchHit:
    id: str                     # the speech's gid
    debate_id: str
    heading_id: str | None
    kind: str
    chamber: str                # "Commons Chamber", "Lords written questions" …
    element: str                # speech | ques | reply
    item_type: str              # speech | question | answer | statement
    date: date
    person_id: int | None
    person_slug: str | None
    house: str | None           # commons | lords: the house of the seat held that day
    name: str | None            # "David Hanson", or the name as printed when unresolved
    display_name: str | None    # "David Hanson (Labour - Delyn)"
    party: str | None           # "Labour"
    constituency: str | None    # or the kind of peerage for a Lord
    speaker_office: str | None
    title: str                  # the debate's title
    heading: str | None         # the minor heading, when it differs from the title
    department_slug: str | None
    department: str | None      # the department's name on the day
    snippet: Markup             # escaped text with <mark>…</mark> around matched words
    score: float                # relevance: higher is better
    url: str                    # /debate/{debate_id}#{anchor}
    question: QuestionContext | None = None
    hits_in_debate: int | None = None     # with group_by_debate: matching items in this debate

    def as_dict(self) -> dict:
        out = asdict(self)
        out["date"] = self.date.isoformat()
        out["snippet"] = str(self.snippet)
        return out

    def summary(self) -> dict:
        """The fields ``despatchbox search --json`` prints."""
        return {"id": self.id, "debate_id": self.debate_id, "kind": self.kind, "date": self.date.isoformat(),
                "person_id": self.person_id, "name": self.name, "title": self.title,
                "department": self.department, "snippet": str(self.snippet), "score": round(self.score, 6)}


@dataclass
class SearchResults:
    query: SearchQuery
    understood_as: str                  # the query as parsed, in the query language
    total: int                          # matching items (speeches, questions, answers, statements)
    hits: list[SearchHit] = field(default_factory=list)
    notices: tuple[str, ...] = ()       # how a mistyped query was read
    total_debates: int | None = None    # with group_by_debate: matching debates (hits are one per debate)

    @property
    def page(self) -> int:
        return self.query.offset // self.query.limit + 1

    @property
    def pages(self) -> int:
        count = self.total_debates if self.query.group_by_debate else self.total
        return max(1, -(-(count or 0) // self.query.limit))

    def as_dict(self) -> dict:
        return {"total": self.total, "total_debates": self.total_debates, "understood_as": self.understood_as,
                "notices": list(self.notices), "offset": self.query.offset, "limit": self.query.limit,
                "results": [h.as_dict() for h in self.hits]}


@dataclass
class PersonHit:
    """A person whose name matches, as facts: the latest membership (a Membership, party code and
    seat as held), never a label — surfaces name it with ``record.naming.member_label``."""
    id: int
    name: str
    slug: str
    house: str | None
    latest: Membership | None    # the open membership, else the last to end
    current: bool                # holds a seat at the end of the data
    speeches: int                # items in the record
    full_match: bool             # every word of the query is in the name

    def as_dict(self) -> dict:
        return asdict(self)

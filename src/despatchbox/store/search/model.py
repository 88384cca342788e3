"""What a search asks (:class:`SearchQuery`) and what it answers (:class:`SearchResults`): facts —
kind keys, party codes, department slugs, a :class:`~despatchbox.ingest.records.Membership` — never
labels; the surfaces name hits through ``despatchbox.web.search_hits``."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal, cast

from markupsafe import Markup

from ...ingest.records import Membership
from ...record import kinds
from .query_language import QueryError

KINDS = kinds.KEYS
WRITTEN_STATEMENT_KINDS = kinds.STATEMENTS

SortOrder = Literal["relevance", "date"]
SORTS: tuple[SortOrder, ...] = ("relevance", "date")
MAX_LIMIT = 100
MAX_OFFSET = 100_000
DEFAULT_LIMIT = 20


def item_type(kind: str, element: str) -> str:
    """speech | question | answer | statement."""
    if element == "ques":
        return "question"
    if element == "reply":
        return "answer"
    if kind in WRITTEN_STATEMENT_KINDS:
        return "statement"
    return "speech"


def sort_order(value: str) -> SortOrder:
    """``value`` as a sort order ("relevance" or "date"); QueryError for anything else."""
    if value not in SORTS:
        raise QueryError(f"Sort by relevance or date, not {value!r}.")
    return cast(SortOrder, value)


@dataclass(frozen=True)
class SearchQuery:
    """One search. ``text`` is in the query language (see ``query_language``); everything else is a
    typed filter, never parsed out of the text. Invalid values raise :class:`QueryError`."""
    text: str
    person_id: int | None = None
    #: party codes as memberships hold them ("Lab"; "LDem"): a surface finds the codes of a party's
    #: name with ``web.search_hits.party_filter``
    party_codes: tuple[str, ...] | None = None
    department_slug: str | None = None
    kind: str | tuple[str, ...] | None = None   # one kind or several (see KINDS)
    date_from: date | None = None
    date_to: date | None = None
    sort: SortOrder = "relevance"
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    group_by_debate: bool = False
    since_batch: int | None = None         # only items of files loaded by ingest batches after this one
    #: False: the totals may be estimated where counting them exactly would cost more than the page
    #: (``SearchResults.total_is_estimate`` says so: pages and the API show "about N"); True (the
    #: default: alerts, feeds, MCP page through every result by the total): exact up to the engine's limits
    exact_total: bool = True

    def __post_init__(self) -> None:
        if self.party_codes is not None:
            object.__setattr__(self, "party_codes", tuple(self.party_codes))
            if not self.party_codes:
                raise QueryError("A party filter needs at least one party code.")
        if self.sort not in SORTS:
            raise QueryError(f"Sort by relevance or date, not {self.sort!r}.")
        if not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise QueryError(f"Results per page must be between 1 and {MAX_LIMIT}.")
        if not isinstance(self.offset, int) or not 0 <= self.offset <= MAX_OFFSET:
            raise QueryError(f"The offset must be between 0 and {MAX_OFFSET:,}.")
        for kind in self.kinds:
            if kind not in KINDS:
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
        return any((self.person_id is not None, self.party_codes, self.department_slug, self.kinds, self.date_from,
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
    """One matching item, as facts: who spoke (person, the membership held that day, the name as
    printed), where (kind key, debate, department slug), the snippet and score. Named for display by
    ``web.search_hits.named_hit``."""
    id: str                     # the speech's gid
    debate_id: str
    heading_id: str | None
    kind: str                   # a kinds.KEYS key
    element: str                # speech | ques | reply
    item_type: str              # speech | question | answer | statement
    date: date
    person_id: int | None
    person_slug: str | None
    person_name: str | None     # the person's name as the store holds it
    speaker_name: str | None    # the name as printed in the record
    membership: Membership | None   # the seat held that day (party code, constituency, peerage)
    speaker_office: str | None
    title: str                  # the debate's title
    heading: str | None         # the minor heading, when it differs from the title
    department_slug: str | None
    snippet: Markup             # escaped text with <mark>…</mark> around matched words
    score: float                # relevance: higher is better
    question: QuestionContext | None = None
    hits_in_debate: int | None = None     # with group_by_debate: matching items in this debate


@dataclass
class SearchResults:
    query: SearchQuery
    understood_as: str                  # the query as parsed, in the query language
    total: int                          # matching items (speeches, questions, answers, statements)
    hits: list[SearchHit] = field(default_factory=list)
    notices: tuple[str, ...] = ()       # how a mistyped query was read
    total_debates: int | None = None    # with group_by_debate: matching debates (hits are one per debate)
    total_is_estimate: bool = False     # ``total`` is about so many (a day sample or HyperLogLog), not counted
    total_debates_is_estimate: bool = False   # ``total_debates`` likewise

    @property
    def page(self) -> int:
        return self.query.offset // self.query.limit + 1

    @property
    def pages(self) -> int:
        count = self.total_debates if self.query.group_by_debate else self.total
        return max(1, -(-(count or 0) // self.query.limit))


@dataclass
class FilterOptions:
    """What a search's filters can be set to, as facts: the department slugs of debates held and the
    party codes of memberships that speak in the index."""
    department_slugs: list[str]
    party_codes: list[str]


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

"""Search hits as every surface shows them: the store's facts (:class:`~despatchbox.store.search.SearchHit`:
a Membership, kind key, department slug) named through the one vocabulary — the speaker's name with
party and seat, the party's name, the chamber, the department as it was called that day, the page's
address. The search page, the API, the search feed, the MCP tool and ``despatchbox search`` all use
:func:`named_hit`; they read a party filter ("Labour") with :func:`party_filter` and name the search
form's choices with :func:`filter_choices`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import Connection

from ..attribute import departments as dept_registry
from ..attribute.names import display_name, full_name, peerage_kind
from ..attribute.parties import codes_named, party_name, party_names
from ..record import kinds, naming, urls
from ..store.queries.api import party_codes
from ..store.search import QueryError, QuestionContext, SearchHit, filter_options

#: kind key → the chamber or series, as the pages name it
KIND_NAMES = {k.key: k.name for k in kinds.KINDS}


@dataclass
class NamedHit:
    """A search hit named for display (the search page's items, the MCP tool's ``hits``)."""
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
    url: str                    # /debate/{kind}/{debate}#{anchor}
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


def named_hit(hit: SearchHit) -> NamedHit:
    """The hit's speaker, party, seat, chamber, department on the day and page address, named."""
    m = hit.membership
    return NamedHit(
        id=hit.id, debate_id=hit.debate_id, heading_id=hit.heading_id, kind=hit.kind,
        chamber=KIND_NAMES.get(hit.kind, hit.kind), element=hit.element, item_type=hit.item_type, date=hit.date,
        person_id=hit.person_id, person_slug=hit.person_slug, house=m.house if m else None,
        name=hit.person_name or (full_name(m) if m else None) or hit.speaker_name,
        display_name=display_name(m) if m else hit.speaker_name,
        party=party_name(m.party) if m else None,
        constituency=(m.constituency or peerage_kind(m.peerage_type)) if m else None,
        speaker_office=hit.speaker_office, title=hit.title, heading=hit.heading,
        department_slug=hit.department_slug, department=naming.department_name(hit.department_slug, hit.date),
        snippet=hit.snippet, score=hit.score, url=urls.site.speech(hit.debate_id, hit.id),
        question=hit.question, hits_in_debate=hit.hits_in_debate)


def named_hits(hits: list[SearchHit]) -> list[NamedHit]:
    return [named_hit(h) for h in hits]


def party_filter(conn: Connection, wanted: str | None) -> tuple[str, ...] | None:
    """The party codes held in the record that name the party ``wanted`` names (a code or a name:
    'Lab', 'Labour', 'Liberal Democrat'), for ``SearchQuery.party_codes``; None for no party.
    Raises QueryError, listing the parties known, when none does."""
    if not wanted:
        return None
    held = party_codes(conn)
    codes = codes_named(wanted, held)
    if not codes:
        raise QueryError(f"No party called {wanted!r} in the record. Known parties: {', '.join(party_names(held))}.")
    return tuple(codes)


def filter_choices(conn: Connection) -> dict:
    """The search form's choices, named: departments as (slug, name) by name, parties by name, kinds
    as (key, name)."""
    options = filter_options(conn)
    departments = []
    for slug in options.department_slugs:
        dept = dept_registry.by_slug(slug)
        departments.append((slug, dept.name if dept else slug))
    return {"departments": sorted(departments, key=lambda d: d[1].lower()),
            "parties": party_names(options.party_codes), "kinds": list(KIND_NAMES.items())}

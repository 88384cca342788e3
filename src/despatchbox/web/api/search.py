"""/search: the whole record, with the search page's parameters (``q``, ``person``, ``member``, ``party``,
``department``, ``kind``, ``from``, ``to``, ``sort``, ``group``), paged with ``limit``/``offset``."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ...store.search import (KINDS, MAX_QUERY_CHARS, QueryError, SearchQuery, person_by_id, person_by_slug, search,
                              search_people)
from ...store.search.model import MAX_OFFSET
from ..search_hits import named_hits, party_filter
from . import shape
from .common import ERROR_RESPONSES, Conn, DateFrom, DateTo, DepartmentSlug, KindParam, Limit, bad_request, example, page
from .links import speech_url
from .search_models import SearchPage

router = APIRouter(tags=["search"], responses=ERROR_RESPONSES)

QUERY_HELP = ('Words (stemmed: `police` finds "policing"), "exact phrases", `OR`, `-word` or `NOT word`, '
              '`prefix*`. Example: `"organised crime" -scotland`.')


@router.get("/search", response_model=SearchPage, summary="Search the record")
def search_record(request: Request, conn: Conn,
                  q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description=QUERY_HELP,
                                          openapi_examples=example("taser"))],
                  person: Annotated[str | None, Query(max_length=200, description="Only this member's words: "
                                                                                  "their slug (`david-hanson`) or "
                                                                                  "person id.")] = None,
                  member: Annotated[str | None, Query(max_length=200, description="Only the words of the member "
                                                                                  "with this name (`David "
                                                                                  "Hanson`), when `person` is not "
                                                                                  "given.")] = None,
                  party: Annotated[str | None, Query(max_length=80, description="Only members of this party: a "
                                                                                "code or name (`Lab`, `Liberal "
                                                                                "Democrat`).")] = None,
                  department: DepartmentSlug = None,
                  kind: Annotated[list[KindParam] | None, Query(description="Only these kinds (repeat for "
                                                                            "several).")] = None,
                  since: DateFrom = None, until: DateTo = None,
                  sort: Annotated[Literal["relevance", "date"], Query(description="`relevance`, or `date` "
                                                                                  "(newest first).")] = "relevance",
                  group: Annotated[bool, Query(description="One result per debate (its best match).")] = False,
                  limit: Limit = 20,
                  offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0):
    """Speeches, written questions, answers and statements matching the query, each with a snippet,
    its speaker, debate and department. A query that cannot be read is a 400 with the reason."""
    person_id = None
    if person:
        found = (person_by_id(conn, int(person)) if person.isdigit() and len(person) < 10
                 else person_by_slug(conn, person))
        if not found:
            raise bad_request(f"no member {person!r}")
        person_id = found["id"]
    elif member and member.strip():
        choices = [p for p in search_people(conn, member.strip()) if p.full_match]
        if not choices:
            raise bad_request(f"no member is called {member!r}")
        person_id = choices[0].id
    try:
        results = search(conn, SearchQuery(text=q, person_id=person_id, party_codes=party_filter(conn, party),
                                           department_slug=department or None,
                                           kind=tuple(kind) if kind else None, date_from=since, date_to=until,
                                           sort=sort, limit=limit, offset=offset,
                                           group_by_debate=group, exact_total=False))
    except QueryError as exc:
        raise bad_request(str(exc)) from None
    items = []
    for h in named_hits(results.hits):
        q_ctx = h.question
        items.append({
            "id": h.id, "debate_id": h.debate_id, "heading_id": h.heading_id, "kind": h.kind,
            "chamber": h.chamber, "item_type": h.item_type, "date": h.date,
            "speaker": {"name": h.name, "display_name": h.display_name, "person_id": h.person_id,
                        "party": h.party, "constituency": h.constituency, "office": h.speaker_office,
                        "url": shape.api_path("members", h.person_id) if h.person_id is not None else None},
            "title": h.title, "heading": h.heading,
            "department": shape.department(h.department_slug, h.date, h.department),
            "snippet": str(h.snippet), "score": float(h.score),
            "question": {"id": q_ctx.id, "person_id": q_ctx.person_id, "name": q_ctx.name, "text": q_ctx.text}
            if q_ctx else None,
            "hits_in_debate": h.hits_in_debate, "url": shape.api_path("debates", h.debate_id),
            "web_url": speech_url(h.debate_id, h.id)})
    count = results.total_debates if group and results.total_debates is not None else results.total
    out = page(request, items, count, limit, offset)
    estimated = results.total_debates_is_estimate if group else results.total_is_estimate
    if estimated and len(items) == limit and out["next"] is None:     # an estimate may fall short: a full
        out["next"] = str(request.url.include_query_params(offset=offset + limit, limit=limit))   # page leads on
    if offset + limit > MAX_OFFSET:
        out["next"] = None
    out.update(total=results.total, understood_as=results.understood_as, notices=list(results.notices),
               total_debates=results.total_debates, total_is_estimate=results.total_is_estimate,
               total_debates_is_estimate=results.total_debates_is_estimate)
    return out


__all__ = ["router", "KINDS"]

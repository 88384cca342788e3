"""The MCP server: tools, resources and a prompt over the store.

Tools reuse the JSON API's handlers (``web/api/*``), which read through ``store/queries/*`` — so an
agent sees exactly the objects the API documents. Every tool result is ``{"data", "citations",
"page"}``: ``citations`` lists the gid and page address (absolute, from ``DESPATCHBOX_BASE_URL``)
of every record the answer rests on, with the official Hansard source URL where the record carries
one; long lists (a debate's contributions, a division's votes, search hits) are paged with
``offset``/``limit`` and ``page.next_offset`` says where the next page starts — nothing is cut
silently. Bad arguments raise a tool error whose message says what to send instead.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from typing import Any

from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from ..config import settings
from ..store.search import QueryError, SearchQuery, search, sort_order
from ..web.api import debates as api_debates
from ..web.api import departments as api_departments
from ..web.api import divisions as api_divisions
from ..web.api import members as api_members
from ..web.api import questions as api_questions
from ..web.api.common import ApiError
from ..web.quote_check import QuoteTooLarge, quote_check
from ..web.search_hits import named_hits, party_filter
from ..web.who_said import TextTooLarge, who_said

MAX_PAGE = 100

CONVENTIONS = """\
You are reading the UK Parliament's record (Hansard, as published by ParlParse) through despatchbox.

* An *item of business* is one heading of the record and everything under it: an oral question with
  its supplementaries, a statement, a debate on a bill. A *debate* id is the gid of the section's
  first heading (`uk.org.publicwhip/debate/2009-10-26b.1.4`); any gid inside it also resolves.
* Every contribution is attributed to a *person* (ParlParse person id) with the seat they held that
  day. A contribution is *unattributed* when the record names nobody resolvable ("Hon. Members",
  an unknown speaker id): then `person_id` is null and the name is as printed. Never guess one.
* A *department* is decided from the record itself, in order: the heading ("HOME DEPARTMENT"), the
  office printed beside the answering minister, then the posts the minister held that day
  (ministers.xml). `department_reason` says which evidence was used.
* Written questions are grouped under one heading with their answer; divisions list every vote.
* Cite what you use: every tool result has `citations` (gid, page URL, official source URL).
  Results are paged: when `page.next_offset` is not null, call again with that offset.
* Quote check verdicts: verbatim, abridged, altered, said_by_someone_else, widely_said (a stock
  phrase said by several people: never pin it on one), not_found. A wrong verdict is worse than
  not_found.
"""


class Citation(BaseModel):
    gid: str = Field(description="The record's id (ParlParse gid).")
    url: str = Field(description="The page showing it, with its anchor.")
    source_url: str | None = Field(None, description="The official Hansard source URL the record carries.")


class PageInfo(BaseModel):
    offset: int
    limit: int
    total: int
    next_offset: int | None = Field(description="Call again with this offset for more; null on the last page.")


class Result(BaseModel):
    data: dict[str, Any] = Field(description="The object, as the JSON API documents it (/api/v1/docs).")
    citations: list[Citation]
    page: PageInfo | None = None


def _base() -> str:
    return settings().base_url


def _cite(gid: str | None, web_url: str | None, source_url: str | None = None) -> Citation | None:
    if not gid or not web_url:
        return None
    url = web_url if web_url.startswith("http") else _base() + web_url
    return Citation(gid=gid, url=url, source_url=source_url or None)


def _jsonable(obj):
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


def _page(items: list, offset: int, limit: int) -> tuple[list, PageInfo]:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ToolError(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}; got offset={offset}, limit={limit}")
    part = items[offset:offset + limit]
    nxt = offset + limit if offset + limit < len(items) else None
    return part, PageInfo(offset=offset, limit=limit, total=len(items), next_offset=nxt)


def _speech_url(debate_id: str, gid: str) -> str:
    from ..web.pages.common import debate_url
    return debate_url(debate_id, at=gid)


@contextmanager
def _root_logging_untouched():
    """FastMCP() calls logging.basicConfig (a Rich handler at INFO on the root logger): every library's
    INFO lines — httpx's, one per request — would then reach the server's log and the tests' output.
    How the process logs is the application's choice (`despatchbox serve`), not a library's."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def build_server(engine: Engine, *, streamable_http_path: str = "/") -> FastMCP:
    """The MCP server over ``engine``'s store."""
    with _root_logging_untouched():
        server = FastMCP("despatchbox", instructions=CONVENTIONS, streamable_http_path=streamable_http_path,
                         stateless_http=True, json_response=True)

    def run(fn: Callable, *args, **kwargs):
        with engine.connect() as conn:
            try:
                return _jsonable(fn(conn, *args, **kwargs))
            except ApiError as exc:
                raise ToolError(exc.message) from None

    def speech_cites(speeches: list[dict]) -> list[Citation]:
        return [c for s in speeches if (c := _cite(s["id"], _speech_url(s["debate_id"], s["id"]),
                                                     s.get("source_url")))]

    @server.tool()
    def search_record(query: str, person_id: int | None = None, party: str | None = None,
                      department: str | None = None, kind: str | None = None, date_from: date | None = None,
                      date_to: date | None = None, sort: str = "relevance", offset: int = 0,
                      limit: int = 20) -> Result:
        """Search the record with the search page's syntax: words (stemmed), "exact phrases", AND / OR /
        NOT / -word, prefix*; filters: person_id, party ("Labour"), department slug ("home-office"), kind
        (debates, westminhall, lordspages, wms, lordswms, wrans, lordswrans, standing), dates, sort
        (relevance|date). Paged."""
        if not 1 <= limit <= MAX_PAGE:
            raise ToolError(f"limit must be between 1 and {MAX_PAGE}")
        with engine.connect() as conn:
            try:
                found = search(conn, SearchQuery(query, person_id=person_id, party_codes=party_filter(conn, party),
                                                 department_slug=department,
                                                 kind=kind, date_from=date_from, date_to=date_to, sort=sort_order(sort),
                                                 limit=limit, offset=offset))
            except QueryError as exc:
                raise ToolError(str(exc)) from None
        named = named_hits(found.hits)
        nxt = offset + limit if offset + limit < found.total else None
        return Result(data={"understood_as": found.understood_as, "notices": list(found.notices),
                            "hits": [h.as_dict() for h in named]},
                      citations=[c for h in named if (c := _cite(h.id, h.url))],
                      page=PageInfo(offset=offset, limit=limit, total=found.total, next_offset=nxt))

    @server.tool()
    def member(person_id: int, offset: int = 0, limit: int = 10) -> Result:
        """A member: every seat (party and constituency over time), every post, the departments they
        debated with, counts, and their recent contributions (paged)."""
        from ..store.queries.people import recent_contributions
        data = run(api_members.get_member, person_id)
        with engine.connect() as conn:
            recent = recent_contributions(conn, person_id, limit=limit + 1, offset=offset)
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise ToolError(f"limit must be between 1 and {MAX_PAGE} and offset ≥ 0")
        more = len(recent) > limit
        recent = _jsonable(recent[:limit])
        data["recent_contributions"] = recent
        total = data.get("counts", {}).get("speeches", offset + len(recent) + (1 if more else 0))
        cites = [_cite(f"person/{person_id}", _base() + (data.get("web_url") or ""))] + speech_cites(recent)
        return Result(data=data, citations=[c for c in cites if c],
                      page=PageInfo(offset=offset, limit=limit, total=total,
                                    next_offset=offset + limit if more else None))

    @server.tool()
    def member_contributions(person_id: int, debate_id: str) -> Result:
        """What one member said in one debate (item of business), with each exchange they spoke in, whole."""
        data = run(api_members.member_contributions, person_id, debate_id)
        return Result(data=data, citations=speech_cites(data["contributions"]))

    @server.tool()
    def debate(debate_id: str, offset: int = 0, limit: int = 50) -> Result:
        """An item of business / debate in full: headings, every contribution in order (paged), divisions."""
        data = run(api_debates.get_debate, debate_id)
        part, info = _page(data["contributions"], offset, limit)
        data["contributions"] = part
        cites = [_cite(data["id"], data.get("web_url"), data.get("source_url"))] + speech_cites(part)
        return Result(data=data, citations=[c for c in cites if c], page=info)

    @server.tool()
    def department(slug: str, on: date | None = None, recent: int = 10) -> Result:
        """A department: its name and ministers on a date (default: the latest sitting day), and its
        most recent items of business."""
        data = run(api_departments.get_department, slug, on)
        from ..store.queries.api import find_debates
        from ..web.api import shape
        if not 1 <= recent <= MAX_PAGE:
            raise ToolError(f"recent must be between 1 and {MAX_PAGE}")
        total, rows = run(lambda conn: find_debates(conn, department_slug=slug, limit=recent, offset=0))
        found = [_jsonable(shape.debate_summary(r)) for r in rows]
        data["recent_items"] = found
        data["items_total"] = total
        cites = [_cite(r["id"], r.get("web_url")) for r in found]
        return Result(data=data, citations=[c for c in cites if c])

    @server.tool()
    def written_question(question_id: str) -> Result:
        """A written question with its answer (the group's heading gid, or the gid of a question or answer)."""
        data = run(api_questions.get_question, question_id)
        cites = [_cite(data["id"], data["web_url"], data.get("source_url"))]
        return Result(data=data, citations=[c for c in cites if c])

    @server.tool()
    def division(division_id: str, offset: int = 0, limit: int = 100) -> Result:
        """A division: tallies, votes counted by party, and every vote (paged)."""
        data = run(api_divisions.get_division, division_id)
        part, info = _page(data["votes"], offset, limit)
        data["votes"] = part
        return Result(data=data, citations=[c for c in [_cite(data["id"], data.get("web_url"))] if c], page=info)

    @server.tool()
    def who_said_this(text: str) -> Result:
        """Who said this? Text copied from a page of the record (one paragraph per line) → the speech
        each line comes from; lines not found are null, never forced."""
        try:
            data = run(who_said, text)
        except TextTooLarge as exc:
            raise ToolError(str(exc)) from None
        cites = [_cite(p["match"]["speech_id"], p["match"]["web_url"]) for p in data["paragraphs"] if p["match"]]
        return Result(data=data, citations=[c for c in cites if c])

    @server.tool()
    def check_quote(text: str, speaker: str | None = None, date_from: date | None = None,
                    date_to: date | None = None) -> Result:
        """Quote check: for each sentence of a published quote, verbatim / abridged / altered /
        said_by_someone_else / widely_said / not_found, with the official wording and a citation."""
        try:
            data = run(lambda conn: quote_check(conn, text, speaker=speaker, since=date_from, until=date_to))
        except (QuoteTooLarge, ValueError) as exc:
            raise ToolError(str(exc)) from None
        cites = []
        for s in data["sentences"]:
            for m in ([s["match"]] if s["match"] else []) + s["others"]:
                c = m["citation"]
                cites.append(_cite(c["speech_id"], c["web_url"], c["source_url"]))
        return Result(data=data, citations=[c for c in cites if c])

    @server.resource("despatchbox://member/{person_id}", mime_type="application/json")
    def member_resource(person_id: str) -> str:
        """A member, as the member tool returns it."""
        import json
        if not person_id.isdigit():
            raise ValueError("a member resource is despatchbox://member/{person_id}, e.g. despatchbox://member/10259")
        return json.dumps(run(api_members.get_member, int(person_id)))

    @server.resource("despatchbox://debate/{debate_id}", mime_type="application/json")
    def debate_resource(debate_id: str) -> str:
        """A debate in full (the gid with its slashes as %2F, or its last part: debate/2009-10-26b.1.4)."""
        import json
        from urllib.parse import unquote
        gid = unquote(debate_id)
        if not gid.startswith("uk.org.publicwhip/"):
            gid = "uk.org.publicwhip/" + gid
        return json.dumps(run(api_debates.get_debate, gid))

    @server.resource("despatchbox://department/{slug}", mime_type="application/json")
    def department_resource(slug: str) -> str:
        """A department and its ministers on the latest sitting day."""
        import json
        return json.dumps(run(api_departments.get_department, slug, None))

    @server.prompt()
    def record_conventions() -> str:
        """How the record is organised: items of business, attribution, departments, "unattributed"."""
        return CONVENTIONS

    return server

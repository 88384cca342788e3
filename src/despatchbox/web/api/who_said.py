"""POST /who-said: name the speaker of every paragraph of pasted, unattributed text.

The same object as ``despatchbox who-said --json`` (see :mod:`despatchbox.web.who_said`).
A request body over the size limit is refused (413) before it is read whole.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import Field

from ..who_said import MAX_CHARS, MAX_PARAGRAPHS, TextTooLarge, who_said
from .common import ApiError, Conn, error_body
from .models import ErrorResponse, Model

#: JSON bodies over this many bytes are refused unread (a character may take 6 bytes: "\\u2019")
MAX_BODY_BYTES = MAX_CHARS * 6 + 1024
_TOO_LARGE = (f"the text is too long: at most {MAX_CHARS:,} characters and {MAX_PARAGRAPHS:,} non-blank lines "
              "can be attributed in one request")


class _CappedBody(APIRoute):
    """Refuses (413) a request body over :data:`MAX_BODY_BYTES` before FastAPI reads and parses it."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def capped(request: Request):
            declared = request.headers.get("content-length", "")
            too_large = JSONResponse(error_body("too_large", _TOO_LARGE), status_code=413)
            if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                return too_large
            body = bytearray()
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > MAX_BODY_BYTES:
                    return too_large
            request._body = bytes(body)          # what FastAPI parses the JSON from
            return await handler(request)

        return capped


router = APIRouter(tags=["who said this?"], route_class=_CappedBody)


class WhoSaidRequest(Model):
    text: str = Field(description="Text copied from a page of the record: one paragraph per line. Page furniture "
                                  f"(dates, venue labels, bylines) is recognised and skipped. At most {MAX_CHARS:,} "
                                  f"characters and {MAX_PARAGRAPHS:,} non-blank lines.")


class Department(Model):
    slug: str = Field(description="Stable identifier, e.g. `home-office`.")
    name: str = Field(description="The department's name on the date.")


class Covered(Model):
    start: int = Field(description="Where the part of the speech this line covers starts (a character offset "
                                   "into the speech's plain text, paragraphs separated by newlines).")
    end: int = Field(description="Where it ends (exclusive).")
    text: str = Field(description="That part of the speech, as the record has it.")


class Match(Model):
    speech_id: str = Field(description="The speech (gid), e.g. `uk.org.publicwhip/debate/2009-10-26b.3.5`.")
    debate_id: str = Field(description="Its debate (gid of the debate's heading).")
    person_id: int | None = Field(description="The speaker's ParlParse person id; null if the record names "
                                              "nobody resolvable (e.g. `Hon. Members`).")
    name: str | None = Field(description="The speaker's name, e.g. `David Hanson`.")
    confidence: float = Field(description="Share of the line's words found, in order, in the speech (0–1).")
    display_name: str | None = Field(description="Name with party and seat on the day, as the pages show it: "
                                                 "`David Hanson (Labour - Delyn)`.")
    party: str | None = Field(description="Party on the day.")
    constituency: str | None = Field(description="Constituency on the day (Commons).")
    office: str | None = Field(description="The office the speaker spoke in, as printed, else the government "
                                           "posts they held that day.")
    house: Literal["commons", "lords"] | None = Field(description="The speaker's house.")
    person_slug: str | None = Field(description="The speaker's slug, used in page addresses.")
    date: dt.date = Field(description="The sitting day.")
    kind: str = Field(description="Kind of record: `debates`, `lordspages`, `westminhall`, `wrans`, …")
    chamber: str = Field(description="`Commons Chamber`, `Lords Chamber`, `Westminster Hall`, …")
    debate_title: str | None = Field(description="The debate's title.")
    department: Department | None = Field(description="The government department the debate is attributed to.")
    covered: Covered = Field(description="The part of the speech this line covers.")
    web_url: str = Field(description="The speech in its debate's page.")
    member_url: str | None = Field(description="The speaker's page.")


class Paragraph(Model):
    line: int = Field(description="Line number in the text sent (1-based).")
    text: str = Field(description="The line as sent (surrounding whitespace removed).")
    furniture: bool = Field(description="True for page furniture (a date, `Commons Chamber`, `Read Full debate`…).")
    match: Match | None = Field(description="The speech this line comes from; null for furniture and for text "
                                            "not found in the record held (never forced onto a speech).")


class Debate(Model):
    id: str = Field(description="The debate (gid).")
    title: str | None
    date: dt.date | None
    kind: str | None
    chamber: str | None
    department: Department | None
    lines: list[int] = Field(description="The lines of the text attributed to this debate.")
    web_url: str = Field(description="The debate's page.")


class WhoSaidResponse(Model):
    paragraphs: list[Paragraph] = Field(description="One entry per non-blank line of the text, in order.")
    debates: list[Debate] = Field(description="The debates the text came from, first seen first.")


_EXAMPLE = {"text": "Commons Chamber\nThe hon. Gentleman will know that Tasers have been used 4,818 times up to "
                    "March 2009, and in none of those instances were serious injuries or deaths reported"}


@router.post("/who-said", response_model=WhoSaidResponse, summary="Who said this? Attribute pasted text",
             responses={413: {"model": ErrorResponse, "description": "The text is over the size limit."},
                        422: {"model": ErrorResponse, "description": "The body is not `{\"text\": …}`."}},
             openapi_extra={"requestBody": {"content": {"application/json": {"example": _EXAMPLE}}}})
def post_who_said(body: WhoSaidRequest, conn: Conn):
    """Give text copied from a page of the record (a member's page, a news site, a newsletter) back its
    speakers: for every non-blank line, the speech it comes from, with the speaker, the debate, the part of
    the speech it covers and a confidence. Furniture and text not found in the record are `match: null`."""
    try:
        return who_said(conn, body.text)
    except TextTooLarge as exc:
        raise ApiError(413, "too_large", str(exc)) from None

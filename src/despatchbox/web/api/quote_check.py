"""POST /quote-check: did this person really say this, in these words?

The same object as ``despatchbox quote-check --json`` (see :mod:`despatchbox.web.quote_check`).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from ..quote_check import MAX_QUOTE_CHARS, QuoteTooLarge, quote_check
from .common import ApiError, Conn
from .models import ErrorResponse, Model

router = APIRouter(tags=["quote check"])

Verdict = Literal["verbatim", "abridged", "altered", "said_by_someone_else", "widely_said", "not_found"]
Wording = Literal["verbatim", "abridged", "altered"]


class QuoteCheckRequest(Model):
    text: str = Field(min_length=1, max_length=MAX_QUOTE_CHARS,
                      description="The quote as published (a newspaper line, a post, a press release). Words in "
                                  "quotation marks are checked alone; each sentence gets its own verdict.")
    speaker: str | None = Field(None, max_length=200, description="Who the quote is attributed to, e.g. "
                                                                  "`David Hanson`.")
    date_from: dt.date | None = Field(None, description="Only the record on or after this day.")
    date_to: dt.date | None = Field(None, description="Only the record on or before this day.")


class Citation(Model):
    speech_id: str = Field(description="The contribution's gid.")
    speaker: str | None = Field(description="The speaker as on the day: name with party and seat.")
    name: str | None
    office: str | None = Field(description="The office printed, else the government posts held that day.")
    person_id: int | None
    person_slug: str | None
    party: str | None
    constituency: str | None
    house: Literal["commons", "lords"] | None
    item: str | None = Field(description="The item of business (the heading the contribution sits under).")
    debate_title: str | None
    debate_id: str | None
    chamber: str | None
    date: dt.date | None
    column: str | None = Field(description="Hansard column.")
    time: str | None = Field(description="Time of day, when the record has it.")
    web_url: str | None = Field(description="The contribution on its page (anchor).")
    member_url: str | None
    source_url: str | None = Field(description="The official Hansard source URL the record carries.")


class Difference(Model):
    op: Literal["same", "omitted", "added", "changed"] = Field(
        description="`same`; `omitted`: in the record, left out of the quote; `added`: in the quote only; "
                    "`changed`: the record's words replaced by the quote's.")
    official: str = Field(description="The record's words.")
    quoted: str = Field(description="The quote's words.")


class Match(Model):
    wording: Wording
    matched_words: int = Field(description="Words of the quote found, in order, in the contribution.")
    quote_words: int
    official: str = Field(description="The official wording the quote covers.")
    differences: list[Difference] = Field(description="Word by word, in the record's order.")
    citation: Citation


class Other(Model):
    wording: Wording
    matched_words: int
    quote_words: int
    official: str
    citation: Citation


class SentenceVerdict(Model):
    text: str = Field(description="The sentence checked.")
    verdict: Verdict
    reason: str = Field(description="The verdict in one sentence, for people.")
    speakers: int = Field(description="Distinct speakers found saying these words.")
    more: int = Field(description="Further contributions the search found holding the words, not listed.")
    match: Match | None = Field(description="The contribution the verdict is about; null when not found or "
                                            "widely said.")
    others: list[Other] = Field(description="widely_said: every contribution holding the words; otherwise "
                                            "the same words elsewhere.")


class QuoteCheckResponse(Model):
    speaker: str | None
    date_from: dt.date | None
    date_to: dt.date | None
    sentences: list[SentenceVerdict]
    summary: dict[str, int] = Field(description="Sentences per verdict.")


@router.post("/quote-check", response_model=QuoteCheckResponse, summary="Check a quote against the record",
             responses={400: {"model": ErrorResponse}, 413: {"model": ErrorResponse},
                        422: {"model": ErrorResponse}})
def post_quote_check(body: QuoteCheckRequest, conn: Conn):
    """For each sentence of a published quote: verbatim, abridged, altered (with the words changed),
    said by someone else, widely said (listed, never pinned on one), or not found — with the official
    wording and a citation (speaker on the day, item of business, date, column, time, gid, links)."""
    try:
        return quote_check(conn, body.text, speaker=body.speaker, since=body.date_from, until=body.date_to)
    except QuoteTooLarge as exc:
        raise ApiError(413, "too_large", str(exc)) from None
    except ValueError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None

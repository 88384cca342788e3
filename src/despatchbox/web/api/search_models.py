"""The JSON API's search response: a page of results (:class:`SearchPage`), each a contribution with
its speaker, debate, department and snippet (the conventions of :mod:`.models`)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .models import DepartmentRef, Kind, Model, Page


class SearchSpeaker(Model):
    name: str | None = Field(description="The person's name, or the name as printed when unresolved.")
    display_name: str | None = Field(description="`David Hanson (Labour - Delyn)`.")
    person_id: int | None
    party: str | None
    constituency: str | None = Field(description="Constituency, or the kind of peerage for a Lord.")
    office: str | None = Field(description="The office as printed.")
    url: str | None = Field(description="The member in the API.")


class QuestionAsked(Model):
    id: str
    person_id: int | None
    name: str | None
    text: str


class SearchResult(Model):
    id: str = Field(description="The contribution's gid.")
    debate_id: str
    heading_id: str | None
    kind: Kind
    chamber: str
    item_type: Literal["speech", "question", "answer", "statement"]
    date: dt.date
    speaker: SearchSpeaker
    title: str = Field(description="The debate's title.")
    heading: str | None = Field(description="The minor heading, when it differs from the title.")
    department: DepartmentRef | None
    snippet: str = Field(description="Escaped text around the matched words, which are inside `<mark>`.")
    score: float = Field(description="Relevance: higher is better.")
    question: QuestionAsked | None = Field(description="For a written answer: the question it answers.")
    hits_in_debate: int | None = Field(description="With `group`: matching items in this debate.")
    url: str = Field(description="Its debate in the API.")
    web_url: str = Field(description="The contribution in its debate's page.")


class SearchPage(Page[SearchResult]):
    understood_as: str = Field(description="The query as it was read, in the query language.")
    notices: list[str] = Field(description="How a mistyped query was read.")
    total_debates: int | None = Field(description="With `group`: matching debates.")
    total_is_estimate: bool = Field(False, description="`total` is an estimate (about so many: from a sample of "
                                                       "sitting days or a HyperLogLog), not a count; paging by "
                                                       "`next` stays exact.")
    total_debates_is_estimate: bool = Field(False, description="`total_debates` is an estimate, not a count.")

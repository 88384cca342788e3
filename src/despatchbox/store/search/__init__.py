"""Search over the whole record, behind one small interface, on tantivy beside SQLite or PostgreSQL.

    from despatchbox.store.search import SearchQuery, QueryError, search, search_people

    with engine.connect() as conn:
        try:
            results = search(conn, SearchQuery("\"organised crime\" -scotland", party_codes=("Lab",),
                                               date_from=date(2009, 10, 1), sort="date"))
        except QueryError as exc:           # str(exc) is a message for the user
            ...
        results.total, results.hits[0].snippet, results.hits[0].membership
        search_people(conn, "lord bach")    # [PersonHit(name='Lord Bach', …)]

Hits are facts (kind keys, party codes, department slugs, a Membership); the surfaces name them
with ``despatchbox.web.search_hits`` (``named_hit``), which also turns a party's name into the
codes ``party_codes`` wants (``party_filter``).

The query language (words stemmed, "exact phrases", AND / OR / NOT / -, prefix*) is in
:mod:`.query_language`; filters are typed fields of :class:`SearchQuery`, never parsed out of the
text. The index is tantivy on both databases, outside the database (:mod:`.tantivy_index`): beside a
SQLite file (``<db>.search/``), under ``DESPATCHBOX_SEARCH_DIR`` for PostgreSQL (:mod:`.index_marks`).
Either way ingest, re-ingest, superseded file versions, edits and deletions need nothing from the
caller: what should be indexed is listed by triggers in the database, and the tantivy index
catches up with it on the next ingest or search (``sync_index``), crash or not.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .model import (KINDS, MAX_LIMIT, FilterOptions, PersonHit, QuestionContext, SearchHit, SearchQuery,
                    SearchResults, SortOrder, sort_order)
from .query_language import MAX_QUERY_CHARS, ParsedQuery, QueryError, parse

if TYPE_CHECKING:
    from .budget import OverBudget
    from .people import person_by_id, person_by_slug, search_people
    from .service import check_index, filter_options, index_status, rebuild_index, search, sync_index

#: what is loaded on first use (the engine, the database's queries: SQLAlchemy and tantivy, ~0.3 s),
#: so that a process that only reads the model and its limits — a command's ``--help`` — does not
#: load them: name → its module
_LOADED_ON_USE = {"OverBudget": "budget", "person_by_id": "people", "person_by_slug": "people",
                  "search_people": "people", "check_index": "service", "filter_options": "service",
                  "index_status": "service", "rebuild_index": "service", "search": "service",
                  "sync_index": "service"}


def __getattr__(name: str) -> Any:
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["SearchQuery", "SearchResults", "SearchHit", "QuestionContext", "PersonHit", "FilterOptions", "QueryError",
           "OverBudget", "ParsedQuery", "search", "search_people", "filter_options", "parse", "person_by_slug",
           "person_by_id", "index_status", "check_index", "rebuild_index", "sync_index", "KINDS", "MAX_LIMIT",
           "MAX_QUERY_CHARS", "SortOrder", "sort_order"]

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

from .model import (KINDS, MAX_LIMIT, FilterOptions, PersonHit, QuestionContext, SearchHit, SearchQuery,
                    SearchResults, SortOrder, sort_order)
from .budget import OverBudget
from .people import person_by_id, person_by_slug, search_people
from .query_language import MAX_QUERY_CHARS, ParsedQuery, QueryError, parse
from .service import check_index, filter_options, index_status, rebuild_index, search, sync_index

__all__ = ["SearchQuery", "SearchResults", "SearchHit", "QuestionContext", "PersonHit", "FilterOptions", "QueryError",
           "OverBudget", "ParsedQuery", "search", "search_people", "filter_options", "parse", "person_by_slug",
           "person_by_id", "index_status", "check_index", "rebuild_index", "sync_index", "KINDS", "MAX_LIMIT",
           "MAX_QUERY_CHARS", "SortOrder", "sort_order"]

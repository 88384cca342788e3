"""What an alert matches within a scope (new ingest batches, or the last week held).

* a **member**: their speeches, questions and answers (with the rest of each written
  question group, so a question shows its answer), and the divisions they voted in;
* a **department**: every speech of the debates, statements and answers attributed to it,
  and the divisions in its debates;
* a **saved search**: what ``store.search`` finds for the query and its filters.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from sqlalchemy import Connection

from ..store.queries import alerts as aq
from .model import DEPARTMENT, PERSON, QUERY, Alert

#: at most this many search hits make one digest (the digest then links to the search)
MAX_QUERY_HITS = 1000
_PAGE = 100


class SelectionError(ValueError):
    """The alert cannot be evaluated (its member or department is gone, its query no longer parses)."""


@dataclass
class Selection:
    speeches: list[Mapping] = field(default_factory=list)   # the items
    context: list[Mapping] = field(default_factory=list)    # question-group rows shown beside them
    divisions: list[Mapping] = field(default_factory=list)
    truncated: bool = False                                  # a search had more hits than MAX_QUERY_HITS
    terms: list[str] = field(default_factory=list)           # query words, for excerpts


def _search_api():
    from ..store.search.model import SearchQuery
    from ..store.search.query_language import QueryError
    from ..store.search.service import search
    return search, SearchQuery, QueryError


def _party_filter(conn: Connection, party: str | None):
    from ..web.search_hits import party_filter      # a party's name read as the search page reads it
    return party_filter(conn, party)


def search_query(conn: Connection, q: str, filters: Mapping, **extra):
    """The store's SearchQuery for an alert's text and filters (raises QueryError for bad ones)."""
    _search, SearchQuery, QueryError = _search_api()
    person_id = None
    if filters.get("person"):
        person = aq.person_by_slug(conn, filters["person"])
        if person is None:
            raise QueryError(f"No member {filters['person']!r}.")
        person_id = person["id"]
    kind = filters.get("kind")
    if isinstance(kind, str) and "," in kind:
        kind = tuple(k.strip() for k in kind.split(",") if k.strip())
    try:
        date_from = date.fromisoformat(filters["date_from"]) if filters.get("date_from") else None
        date_to = date.fromisoformat(filters["date_to"]) if filters.get("date_to") else None
    except ValueError:
        raise QueryError("Dates are written YYYY-MM-DD.") from None
    return SearchQuery(text=q, person_id=person_id, party_codes=_party_filter(conn, filters.get("party")),
                       department_slug=filters.get("department") or None, kind=kind or None,
                       date_from=date_from, date_to=date_to, **extra)


def validate_query(conn: Connection, q: str, filters: Mapping) -> None:
    """Raise QueryError (a message for the user) when a saved search could not run."""
    search, _SearchQuery, _QueryError = _search_api()
    search(conn, search_query(conn, q, filters, limit=1))


def _query_ids(conn: Connection, alert: Alert, scope: aq.Scope) -> tuple[list[str], bool]:
    search, _SearchQuery, QueryError = _search_api()
    extra: dict = {"sort": "date", "limit": _PAGE}
    filters = dict(alert.filters)
    if isinstance(scope, aq.BatchScope):
        extra["since_batch"] = scope.after
    else:
        # the sample week: narrow the saved search's own dates to it
        start = max(scope.start, date.fromisoformat(filters["date_from"])) if filters.get("date_from") \
            else scope.start
        end = min(scope.end, date.fromisoformat(filters["date_to"])) if filters.get("date_to") else scope.end
        if start > end:
            return [], False
        filters["date_from"], filters["date_to"] = start.isoformat(), end.isoformat()
    ids: list[str] = []
    offset = 0
    try:
        while True:
            results = search(conn, search_query(conn, alert.target, filters, offset=offset, **extra))
            ids.extend(h.id for h in results.hits)
            offset += _PAGE
            if len(ids) >= MAX_QUERY_HITS:
                return ids[:MAX_QUERY_HITS], results.total > MAX_QUERY_HITS
            if offset >= results.total or not results.hits:
                return ids, False
    except QueryError as exc:
        raise SelectionError(str(exc)) from exc


def _with_question_groups(conn: Connection, rows: list[Mapping]) -> tuple[list[Mapping], list[Mapping]]:
    """Written questions and answers come as whole groups: the matched rows are items, and the rest of
    each group is context."""
    group_ids = {r["heading_id"] for r in rows if r["kind"] in aq.WRANS_KINDS and r["heading_id"]}
    if not group_ids:
        return rows, []
    have = {r["id"] for r in rows}
    context = [r for r in aq.question_groups(conn, group_ids) if r["id"] not in have]
    return rows, context


def select_items(conn: Connection, alert: Alert, scope: aq.Scope) -> Selection:
    if alert.kind == PERSON:
        person = aq.person_by_slug(conn, alert.target)
        if person is None:
            raise SelectionError(f"no member {alert.target!r}")
        rows, context = _with_question_groups(conn, aq.speeches_by_person(conn, person["id"], scope))
        return Selection(rows, context, aq.divisions_by_person(conn, person["id"], scope))
    if alert.kind == DEPARTMENT:
        if aq.department_by_slug(conn, alert.target) is None:
            raise SelectionError(f"no department {alert.target!r}")
        rows = aq.speeches_by_department(conn, alert.target, scope)
        return Selection(rows, [], aq.divisions_by_department(conn, alert.target, scope))
    if alert.kind == QUERY:
        from .digest import query_terms
        ids, truncated = _query_ids(conn, alert, scope)
        rows, context = _with_question_groups(conn, aq.speeches_by_ids(conn, ids, scope))
        return Selection(rows, context, [], truncated=truncated, terms=query_terms(alert.target))
    raise SelectionError(f"unknown alert kind {alert.kind!r}")

"""Searching the tantivy index (both databases): the query language as tantivy queries,
filters applied inside the query (before ranking), pages of results by relevance or by date (a
written question and its answer are one result: the index's ``result`` field), one hit per
debate with its number of matching results (where stemmed words match, for snippets:
:mod:`.stemmed_words`).

Relevance is BM25 with block-max pruning: a page by relevance looks only at documents that can
still reach it (and a few more: a result's other items), so its cost does not grow with the
number of matches. Totals count results, exactly (without scoring; estimated only above
``tantivy_totals.EXACT_RESULT_COUNT`` matching written questions and answers: :mod:`.tantivy_totals`) — or, when the query allows it
(``SearchQuery.exact_total`` False: the search page and the API), estimated wherever collapsing
question groups (or counting debates) exactly would cost more than the page (from a sample of
sitting days, :mod:`.day_sample`, or by HyperLogLog): the results say so (``Totals``), and the
surfaces show "about N". ``hits`` rows are dicts of doc (search_items.id),
score, in_debate and group (the items of a written question's or answer's question group).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple

import tantivy
from sqlalchemy import Connection

from . import budget, query_language as ql, tantivy_totals as tally
from .stemmed_phrase import stemmed_phrase
from .tantivy_index import EXACT_ANALYZER, SCHEMA, SearchIndex, current, exact_of, stem_of
from .model import SearchQuery

Q, Occur = tantivy.Query, tantivy.Occur
FIELDS = {ql.STEMMED: "stem", ql.EXACT: "exact"}
#: hits looked at per round when grouping by debate (doubled until a page of debates is found)
GROUP_WINDOW = 400


# --- the query language → tantivy -------------------------------------------------------------

def _words(leaf_words, stemmed: bool) -> list[str]:
    out: list[str] = []
    for w in leaf_words:
        out.extend(stem_of(w) if stemmed else exact_of(w))
    return out


def _empty() -> tantivy.Query:
    return Q.empty_query()


def to_query(node: ql.Node, searcher: tantivy.Searcher) -> tantivy.Query:
    """A tantivy query for an AST node (each leaf on its own field: words on ``stem``, phrases and
    prefixes on ``exact``; a stemmed phrase on ``exact``'s positions, :func:`stemmed_phrase`)."""
    if isinstance(node, ql.Term):
        if node.prefix:
            folded = "".join(EXACT_ANALYZER.analyze(node.word))
            return Q.regex_query(SCHEMA, "exact", re.escape(folded) + ".*") if folded else _empty()
        return _sequence("stem", _words([node.word], True))
    if isinstance(node, ql.Phrase):
        words = _words(node.words, not node.exact)
        if node.exact or len(words) < 2:
            return _sequence(FIELDS[node.index], words)
        return stemmed_phrase(searcher, words)
    if isinstance(node, ql.Or):
        return Q.boolean_query([(Occur.Should, to_query(i, searcher)) for i in node.items])
    if isinstance(node, ql.Not):                     # only inside an AND (the parser checks)
        return Q.boolean_query([(Occur.MustNot, to_query(node.item, searcher))])
    clauses = [(Occur.MustNot, to_query(i.item, searcher)) if isinstance(i, ql.Not)
               else (Occur.Must, to_query(i, searcher)) for i in node.items]
    return Q.boolean_query(clauses)


def _sequence(field: str, words: list[str]) -> tantivy.Query:
    if not words:
        return _empty()
    if len(words) == 1:
        return Q.term_query(SCHEMA, field, words[0])
    phrase: list[str | tuple[int, str]] = list(words)
    return Q.phrase_query(SCHEMA, field, phrase)


def any_of(field: str, values) -> tantivy.Query:
    """Documents with one of these values: a boolean query of term queries (tantivy's term set
    query costs ~0.2 ms whatever it matches; this, microseconds)."""
    return Q.boolean_query([(Occur.Should, Q.term_query(SCHEMA, field, v)) for v in values])


def values_held(searcher: tantivy.Searcher, field: str, values) -> list[str]:
    """Those of ``values`` that some document not deleted holds in ``field`` (a raw term). A term's
    document frequency counts deleted documents too (until their segment merges), so a term that has
    one is searched for a live document: a top-1 query that reads every posting of the term (8 ms
    for the commonest party at 3M contributions)."""
    return [v for v in values
            if searcher.doc_freq(field, v) and searcher.search(Q.term_query(SCHEMA, field, v), 1, count=False).hits]


def documents_with(searcher: tantivy.Searcher, field: str, value) -> int:
    """How many documents (deleted ones aside) hold ``value`` in ``field``: the term's postings
    counted, not scored."""
    found = searcher.search(Q.term_query(SCHEMA, field, value), 1, count=True)
    return int(found.count)  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count


def _all_hits(searcher: tantivy.Searcher, q: tantivy.Query, expected: int) -> list:
    """Every hit of a query expected to match about ``expected`` documents (searched again when more)."""
    found = searcher.search(q, max(expected, 1), count=True)
    n = found.count  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count
    return found.hits if n <= max(expected, 1) else searcher.search(q, n, count=False).hits


def filters(conn: Connection, query: SearchQuery) -> list[tuple]:
    """The typed filters as clauses that score nothing (raises QueryError for an unknown department)."""
    from .service import known_department

    out = []
    if query.person_id is not None:
        out.append(tally.as_filter(Q.term_query(SCHEMA, "person", int(query.person_id))))
    if query.party_codes:
        out.append(tally.as_filter(any_of("party", query.party_codes)))
    if query.department_slug:
        known_department(query.department_slug)
        out.append(tally.as_filter(Q.term_query(SCHEMA, "department", query.department_slug)))
    if query.kinds:
        out.append(tally.as_filter(any_of("kind", query.kinds)))
    if query.date_from or query.date_to:
        out.append(tally.as_filter(Q.range_query(SCHEMA, "date", tantivy.FieldType.Integer,
                                         query.date_from.toordinal() if query.date_from else None,
                                         query.date_to.toordinal() if query.date_to else None)))
    if query.since_batch is not None:
        out.append(tally.as_filter(Q.range_query(SCHEMA, "batch", tantivy.FieldType.Integer, int(query.since_batch), None,
                                         include_lower=False)))
    return out


def full_query(conn: Connection, parsed: ql.ParsedQuery, query: SearchQuery,
               searcher: tantivy.Searcher) -> tantivy.Query:
    """The query with its filters; without filters, the query itself (a boolean query of its one
    clause scores the same, but costs tantivy a third more a match: 1.03 against 0.65 ms for the
    top 50 of 'police', 121k matches, at 3M)."""
    extra = filters(conn, query)
    if not extra:
        return to_query(parsed.root, searcher)
    return Q.boolean_query([(Occur.Must, to_query(parsed.root, searcher))] + extra)


def _one_term(conn: Connection, parsed: ql.ParsedQuery, query: SearchQuery) -> str | None:
    """The stemmed term a query is, when it is one word and nothing else (no filter, no prefix):
    its matches are then the term's documents, counted by the index's term dictionary."""
    node = parsed.root
    if not isinstance(node, ql.Term) or node.prefix or filters(conn, query):
        return None
    words = stem_of(node.word)
    return words[0] if len(words) == 1 else None


def day_span(conn: Connection, query: SearchQuery) -> tuple[int, int] | None:
    """The first and last day (ordinals) a query's matches can lie on: the record's first and last
    speech (two index lookups), narrowed by the query's dates; None when there are none."""
    first, last = conn.exec_driver_sql("SELECT (SELECT min(date) FROM speeches), (SELECT max(date) FROM speeches)").one()
    if first is None or last is None:
        return None
    lo, hi = _ordinal(first), _ordinal(last)
    if query.date_from:
        lo = max(lo, query.date_from.toordinal())
    if query.date_to:
        hi = min(hi, query.date_to.toordinal())
    return (lo, hi) if lo <= hi else None


def _ordinal(value) -> int:
    return (value if isinstance(value, date) else date.fromisoformat(str(value)[:10])).toordinal()


def _window(searcher: tantivy.Searcher, q: tantivy.Query, window: int, term: str | None,
            order: dict) -> tuple[list, int]:
    """The first ``window`` hits and the number of matches: for one term in an index without
    deleted items, its document frequency (no walk of its matches); else counted in the same walk
    as the hits (a phrase's positions are read once, not once to count and once to rank)."""
    if term is not None and tally.without_deletions(searcher):
        return searcher.search(q, window, count=False, **order).hits, searcher.doc_freq("stem", term)
    found = searcher.search(q, window, count=True, **order)
    return found.hits, int(found.count)  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count


# --- running it -------------------------------------------------------------------------------

def _rows(conn: Connection, searcher: tantivy.Searcher, hits, score_of=None) -> list[dict]:
    """The page's hits as rows: the item (``doc``), its score and, for a written question or answer,
    the items of its question group (``group``: the index's ``result`` key is the group's, so one
    lookup in the index finds them). The index holds item ids only; the database gives their
    speeches, all in one statement (an item removed since the index was read has none: its row is
    dropped then)."""
    addresses = [a for _k, a in hits]
    if not addresses:
        return []
    written = tally.int_values(searcher, "question_group", addresses)
    keys = [key for key, w in zip(tally.result_keys(searcher, hits), written) if w]
    found = _all_hits(searcher, any_of("result", keys), 8 * len(keys)) if keys else []
    # the items of the page and of its question groups in one read of the column (opening ``item``
    # costs ~0.12 ms a read at 3M, whatever it reads)
    both = [int(i) for i in tally.int_values(searcher, "item", addresses + [a for _s, a in found])]
    items, grouped = both[:len(addresses)], both[len(addresses):]
    group_of: dict[int, list[int]] = {key: [] for key in keys}
    for key, item in zip(tally.result_keys(searcher, found), grouped):
        group_of[key].append(item)
    keyed = iter(keys)
    return [{"doc": item, "score": float(key) if score_of is None else score_of, "in_debate": None,
             "group": group_of[next(keyed)] if w else [], "_address": address}
            for (key, address), item, w in zip(hits, items, written)]


def check_prefixes(searcher: tantivy.Searcher, parsed: ql.ParsedQuery) -> None:
    """Raise QueryError for a prefix that stands for more than ``MAX_PREFIX_WORDS`` words of the
    index (counted in its term dictionary: cheap, and what the prefix will cost)."""
    for leaf in parsed.leaves():
        if isinstance(leaf, ql.Term) and leaf.prefix:
            folded = "".join(EXACT_ANALYZER.analyze(leaf.word))
            n = len(searcher.terms_with_prefix("exact", folded)) if folded else 0
            if n > ql.MAX_PREFIX_WORDS:
                raise ql.QueryError(f"{leaf.word}* stands for {n:,} different words here; a prefix may stand "
                                    f"for at most {ql.MAX_PREFIX_WORDS:,}. Type more letters before the *.")


class Totals(NamedTuple):
    """A search's counts: matching results, matching debates (when grouped by debate), and
    whether each is an estimate (a day sample or HyperLogLog) rather than counted."""
    results: int
    debates: int | None = None
    results_estimated: bool = False
    debates_estimated: bool = False


def search(conn: Connection, parsed: ql.ParsedQuery, query: SearchQuery,
           index: SearchIndex | None = None) -> tuple[list[dict], Totals]:
    """(rows of the page, its totals). A result is an item, or a written question with its answer
    (the index's ``result``): one row each, its best hit. Between steps it looks at the time budget
    (budget.check): tantivy's own work cannot be interrupted."""
    index = index or current(conn)
    searcher = index.searcher()
    check_prefixes(searcher, parsed)
    q = full_query(conn, parsed, query, searcher)
    order: dict[str, Any] = {"order_by_field": "date"} if query.sort == "date" else {}
    wanted = query.offset + query.limit
    # the page's first window of hits and the number of matches
    window = _group_window(wanted) if query.group_by_debate else _first_window(wanted)
    hits, items = _window(searcher, q, window, _one_term(conn, parsed, query), order)
    budget.check()
    total, estimated = tally.total_of(searcher, q, items, hits, exact=query.exact_total,
                                      days=lambda: day_span(conn, query))
    if query.group_by_debate:
        return _grouped(conn, searcher, q, query, items, Totals(total, None, estimated), hits)
    if query.offset >= (items if estimated else total):     # an estimate may fall short: look
        return [], Totals(total, None, estimated)
    firsts = _first_per_result(searcher, q, wanted, items, order, hits)[query.offset:]
    if query.sort == "date":
        best = _best_scores(searcher, q, [key for key, _hit in firsts])
        rows = _rows(conn, searcher, [hit for _key, hit in firsts], score_of=0.0)
        for row, (key, _hit) in zip(rows, firsts):
            row["score"] = best.get(key, 0.0)
    else:
        rows = _rows(conn, searcher, [hit for _key, hit in firsts])
    return rows, Totals(total, None, estimated)


def _first_window(wanted: int) -> int:
    return 2 * wanted + 10


def _first_per_result(searcher: tantivy.Searcher, q: tantivy.Query, wanted: int, items: int,
                      order: dict, first: list | None = None) -> list[tuple[int, tuple]]:
    """The first ``wanted`` results met walking the hits in order (by relevance: each at its best
    hit), as (result key, hit). A result holds at most a few items, so a window a little larger
    than ``wanted`` usually holds them; it grows fourfold until it does (``first``: the first
    window's hits, when they have been read)."""
    window = min(items, _first_window(wanted))
    while True:
        if first is not None:
            hits, first = first, None
        else:
            hits = searcher.search(q, window, count=False, **order).hits if window else []
        seen: dict[int, tuple] = {}
        for hit, key in zip(hits, tally.result_keys(searcher, hits)):
            seen.setdefault(key, hit)
        if len(seen) >= wanted or len(hits) >= items:
            return list(seen.items())[:wanted]
        budget.check()
        window = min(items, window * 4)


def _in_results(keys: list[int]) -> tuple:
    return (Occur.Must, Q.const_score_query(any_of("result", keys), 0.0))


def _best_scores(searcher: tantivy.Searcher, q: tantivy.Query, keys: list[int]) -> dict[int, float]:
    """The relevance of some results: their best-scoring matching item's (a page by date shows it too)."""
    if not keys:
        return {}
    within = Q.boolean_query([(Occur.Must, q), _in_results(keys)])
    found = _all_hits(searcher, within, 4 * len(keys))
    best: dict[int, float] = {}
    for (score, _a), key in zip(found, tally.result_keys(searcher, found)):
        best.setdefault(key, float(score))
    return best


def _debate_of(searcher: tantivy.Searcher, hits) -> list[int]:
    return tally.int_values(searcher, "debate_key", [a for _k, a in hits]) if hits else []


def _group_window(wanted: int) -> int:
    return max(GROUP_WINDOW, wanted * 4)


def _grouped(conn: Connection, searcher: tantivy.Searcher, q: tantivy.Query, query: SearchQuery,
             items: int, totals: Totals, first: list | None) -> tuple[list[dict], Totals]:
    """One hit per debate — its best — with the number of matching results in each debate.

    Debates are ranked by their best hit (by date: by their date), so the first debates are the
    first met walking the hits in that order: the walk stops as soon as it has a page of them.
    Counts per debate come from one aggregation over the page's debates (a question group lies
    within one debate: its written questions and answers count once)."""
    wanted = query.offset + query.limit
    window = _group_window(wanted)
    order: dict[str, Any] = {"order_by_field": "date"} if query.sort == "date" else {}
    debates_total = None
    while True:
        if first is not None:
            hits, first = first, None
        else:
            hits = searcher.search(q, min(window, items), count=False, **order).hits if items else []
        seen: dict[int, tuple] = {}
        for hit, debate in zip(hits, _debate_of(searcher, hits)):
            seen.setdefault(debate, hit)
        if len(hits) >= items and debates_total is None:     # every match in hand: their debates counted
            debates_total = len(seen)
        if len(seen) >= wanted or len(hits) >= items:
            break
        budget.check()
        window *= 4
    if debates_total is None:
        debates_total, debates_estimated = tally.debate_count(searcher, q, items, exact=query.exact_total)
    else:
        debates_estimated = False
    totals = totals._replace(debates=debates_total, debates_estimated=debates_estimated)
    page_keys = list(seen)[query.offset:wanted]
    if not page_keys:
        return [], totals
    budget.check()
    in_page = Q.boolean_query([(Occur.Must, q),
                               (Occur.Must, Q.const_score_query(any_of("debate_key", page_keys), 0.0))])
    counts = _results_per_debate(searcher, in_page, len(page_keys))
    if query.sort == "date":
        best_hits = searcher.search(in_page, tally.count(searcher, in_page), count=False).hits
        best: dict[int, tuple] = {}
        for hit, key in zip(best_hits, _debate_of(searcher, best_hits)):
            best.setdefault(key, hit)
    else:
        best = seen
    rows = _rows(conn, searcher, [best[key] for key in page_keys])
    for key, row in zip(page_keys, rows):
        row["in_debate"] = counts.get(key, 1)
    return rows, totals


def _results_per_debate(searcher: tantivy.Searcher, in_page: tantivy.Query, debates: int) -> dict[int, int]:
    """Matching results per debate (by ``debate_key``): its matching items, less the repeats within
    question groups."""
    counts = {int(b["key"]): int(b["doc_count"]) for b in searcher.aggregate(
        in_page, {"d": {"terms": {"field": "debate_key", "size": debates}}})["d"]["buckets"]}
    grouped = Q.boolean_query([(Occur.Must, in_page), tally.as_filter(Q.term_query(SCHEMA, "question_group", 1))])
    found = searcher.aggregate(grouped, {"d": {"terms": {"field": "debate_key", "size": debates},
                                               "aggs": {"r": {"terms": {"field": "result", "size": tally.AGG_BUCKETS}}}}})
    for b in found["d"]["buckets"]:
        counts[int(b["key"])] -= int(b["doc_count"]) - len(b["r"]["buckets"])
    return counts


def raw_top(conn: Connection, parsed: ql.ParsedQuery, limit: int = 20) -> list[int]:
    """The engine's own top-N for the query text alone (no filters, no count, no rows): the
    baseline bench/search.py compares a whole search with."""
    index = current(conn)
    searcher = index.searcher()
    found = searcher.search(to_query(parsed.root, searcher), limit, count=False).hits
    return tally.int_values(searcher, "item", [a for _s, a in found])

"""Counting what a search on the tantivy index matches (:mod:`.tantivy_search`): documents, the
results they make (a written question and its answer are one result: the index's ``result``
field) and the debates they lie in — exactly where that is cheap, by HyperLogLog where counting
would cost more than the page and the query allows an estimate (``SearchQuery.exact_total``
False), and always saying which. Where many documents match and an estimate is allowed, the
results are first estimated from a sample of sitting days (:mod:`.day_sample`: no walk of every
match), and by HyperLogLog only when that sample is too uncertain.
"""
from __future__ import annotations

from typing import Callable, cast

import tantivy

from . import budget, day_sample
from .tantivy_index import MARKER, SCHEMA

Q, Occur = tantivy.Query, tantivy.Occur


def as_filter(q: tantivy.Query) -> tuple:
    return (Occur.Must, Q.const_score_query(q, 0.0))


def int_values(searcher: tantivy.Searcher, field: str, addresses: list) -> list[int]:
    """An integer fast field's values (tantivy's stub types them as any fast field's: int, float, bool or None)."""
    return cast(list[int], searcher.fast_field_values(field, addresses))


def result_keys(searcher: tantivy.Searcher, hits) -> list[int]:
    return int_values(searcher, "result", [a for _k, a in hits]) if hits else []


def total_of(searcher: tantivy.Searcher, q: tantivy.Query, items: int, hits: list, exact: bool,
             days: Callable[[], tuple[int, int] | None] | None = None) -> tuple[int, bool]:
    """The results the ``items`` matches make (and whether that is an estimate), given some of
    the hits: when they are all of them, counted from their own keys; when an estimate is allowed
    and a sample of the sitting days (``days``: the first and last the query can match) is
    precise enough, estimated from it; else as :func:`result_count`."""
    if len(hits) >= items:
        written = int_values(searcher, "question_group", [a for _s, a in hits])
        grouped = {key for key, w in zip(result_keys(searcher, hits), written) if w}
        return items - sum(1 for w in written if w) + len(grouped), False
    if not exact and days is not None and items >= day_sample.SAMPLE_ABOVE:
        about = day_sample.sampled_result_count(searcher, q, items, days)
        if about is not None:
            return about, True
    return result_count(searcher, q, items, None, exact=exact)


def without_deletions(searcher: tantivy.Searcher) -> bool:
    """Whether the index's segments hold no deleted item (the term dictionary's document
    frequencies, which count deleted documents until their segment is merged, are then exact):
    the items' kinds' frequencies against the live documents (the marker's replacements, deleted
    at every sync, left out). A few terms read: microseconds."""
    held = sum(n for kind, n in searcher.terms_with_prefix("kind", "") if kind != MARKER)
    markers = searcher.search(Q.term_query(SCHEMA, "kind", MARKER), 1, count=True)
    return held == searcher.num_docs - int(markers.count)  # type: ignore[attr-defined]  # stub omits count


def count(searcher: tantivy.Searcher, q: tantivy.Query) -> int:
    """How many documents match, exactly (counted without scoring)."""
    result = searcher.aggregate(q, {"n": {"value_count": {"field": "item"}}})
    return int(result["n"]["value"])


#: buckets one terms aggregation is given (tantivy refuses more than 65,000): the question groups
#: of the matches are counted in slices of the key space expected to hold fewer, and a slice that
#: holds more is split in two
AGG_BUCKETS = 60_000
#: above this many matching written questions and answers the results they make are estimated
#: (HyperLogLog), not counted
EXACT_RESULT_COUNT = 1_200_000
_KEYS = 2 ** 63          # result keys are 63-bit hashes (tantivy_index.debate_key)
#: up to this many matching written questions and answers, their results are counted from the
#: hits' result keys (the hits as a list cost less than as many aggregation buckets)
DISTINCT_FROM_HITS = 5_000
#: when estimates are allowed (``SearchQuery.exact_total`` False), above this many matching written
#: questions and answers the results they make are estimated: HyperLogLog over their result keys is
#: one walk of a fast field, where collecting them costs ~5 times as much (0.45 ms for 1,548 at 100k)
ESTIMATE_GROUPED_ABOVE = 250


def counts(searcher: tantivy.Searcher, q: tantivy.Query) -> tuple[int, int]:
    """How many documents match, and how many of them are written questions and answers
    (``question_group``), exactly: one aggregation, without scoring."""
    found = searcher.aggregate(q, {"g": {"terms": {"field": "question_group", "size": 2}}})
    by_value = {int(b["key"]): int(b["doc_count"]) for b in found["g"]["buckets"]}
    return sum(by_value.values()), by_value.get(1, 0)


def result_count(searcher: tantivy.Searcher, q: tantivy.Query, items: int, grouped: int | None,
                 exact: bool = True) -> tuple[int, bool]:
    """How many results the ``items`` matching documents make — the items that are results of their
    own, plus the question groups of the ``grouped`` written questions and answers among them (None:
    not counted yet) — and whether that is an estimate (above ``EXACT_RESULT_COUNT``, or
    ``ESTIMATE_GROUPED_ABOVE`` when not ``exact``: the groups' number by HyperLogLog, kept between
    one and ``grouped``)."""
    if grouped is not None and grouped <= 1:
        return items, False
    grouped_q = Q.boolean_query([(Occur.Must, q), as_filter(Q.term_query(SCHEMA, "question_group", 1))])
    about = None
    if grouped is None:                              # counted, with their groups' estimate: one walk
        stats = searcher.aggregate(grouped_q, {"n": {"value_count": {"field": "result"}},
                                               "h": {"cardinality": {"field": "result"}}})
        grouped, about = int(stats["n"]["value"]), float(stats["h"]["value"])
        if grouped <= 1:
            return items, False
    if grouped > EXACT_RESULT_COUNT or (not exact and grouped > ESTIMATE_GROUPED_ABOVE):
        groups = int(round(searcher.cardinality(grouped_q, "result") if about is None else about))
        return items - grouped + max(1, min(grouped, groups)), True
    if grouped <= DISTINCT_FROM_HITS:                # the result keys of every hit: a third cheaper than
        found = searcher.search(grouped_q, grouped, count=False).hits    # a terms aggregation's buckets
        return items - grouped + len(set(result_keys(searcher, found))), False
    slices = -(-grouped // AGG_BUCKETS)
    step = -(-_KEYS // slices)
    groups = sum(_groups(searcher, grouped_q, n * step, min(_KEYS, (n + 1) * step) - 1) for n in range(slices))
    return items - grouped + groups, False


def _groups(searcher: tantivy.Searcher, grouped_q: tantivy.Query, low: int, high: int, field: str = "result") -> int:
    """The distinct keys (``result``, or ``debate_key``) from ``low`` to ``high`` among the matches: a
    terms aggregation of at most ``AGG_BUCKETS`` buckets, or, when it leaves some out, one for each
    half of the range."""
    budget.check()
    part = grouped_q if (low, high) == (0, _KEYS - 1) else Q.boolean_query([(Occur.Must, grouped_q), as_filter(
        Q.range_query(SCHEMA, field, tantivy.FieldType.Integer, low, high))])
    found = searcher.aggregate(part, {"r": {"terms": {"field": field, "size": AGG_BUCKETS}}})["r"]
    if not found.get("sum_other_doc_count"):
        return len(found["buckets"])
    middle = (low + high) // 2
    return (_groups(searcher, grouped_q, low, middle, field) + _groups(searcher, grouped_q, middle + 1, high, field))


#: above this many matches the number of debates is estimated (HyperLogLog), not counted
EXACT_DEBATE_COUNT = 200_000
#: when estimates are allowed (``SearchQuery.exact_total`` False), above this many matches
ESTIMATE_DEBATES_ABOVE = 2_500


def debate_count(searcher: tantivy.Searcher, q: tantivy.Query, total: int, exact: bool = True) -> tuple[int, bool]:
    """How many debates the ``total`` matching documents lie in, and whether that is an estimate."""
    if not total:
        return 0, False
    if total <= EXACT_DEBATE_COUNT and (exact or total <= ESTIMATE_DEBATES_ABOVE):
        # exact, in slices of the debate keys of at most AGG_BUCKETS buckets each (tantivy refuses more)
        slices = -(-total // AGG_BUCKETS)
        step = -(-_KEYS // slices)
        return sum(_groups(searcher, q, n * step, min(_KEYS, (n + 1) * step) - 1, "debate_key")
                   for n in range(slices)), False
    return max(1, min(total, int(round(searcher.cardinality(q, "debate_key"))))), True

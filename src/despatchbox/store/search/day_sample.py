"""Estimating the results a search's many matches make from a sample of sitting days, without
walking every match (:func:`sampled_result_count`, used by :mod:`.tantivy_totals` where the query
allows an estimate: ``SearchQuery.exact_total`` False).

The results are the matching items less those that repeat a question group already counted (a
written question and its answer are one result). The items are known exactly; the repeats are
what a HyperLogLog of the written matches' question groups would otherwise estimate, in a walk of
every one of them (2.8 ms for 'police' at 3M). Here they are counted exactly on every
``stride``-th calendar day — a question group lies within one day, so a sampled day holds its
groups whole — and their share of the sample's matches is applied to all the items. The sample is
the union of a few dozen ``date`` terms intersected with the query: its cost follows the number of
documents on the sampled days (one in ``stride`` of the index, the stride growing with the
matches), not the matches. The estimate comes with its own standard error, measured from how the
share varies from day to day; when that is too large the caller walks the matches instead. The
index needs nothing new: ``date`` has always been indexed.
"""
from __future__ import annotations

import math
from collections import Counter
from itertools import compress
from typing import Callable, NamedTuple

import tantivy

from .tantivy_index import SCHEMA

Q, Occur = tantivy.Query, tantivy.Occur


def _as_filter(q: tantivy.Query) -> tuple:
    return (Occur.Must, Q.const_score_query(q, 0.0))


def _int_values(searcher: tantivy.Searcher, field: str, addresses: list) -> list[int]:
    return searcher.fast_field_values(field, addresses)  # type: ignore[return-value]  # int fields


class Sample(NamedTuple):
    """What a day sample found: the share of its matches that repeat a question group already
    counted, that share's standard error, the sampled days that hold matches, and the written
    questions and answers among its matches."""
    share: float
    error: float
    days: int
    written: int


#: when estimates are allowed, from this many matching documents the results they make are first
#: estimated from a sample of sitting days (below it the sample would cost more than the walk)
SAMPLE_ABOVE = 20_000
#: matches a day sample is sized to hold (its stride: the largest power of two ≤ matches / this)
SAMPLE_MATCHES = 500
#: the most days a sample may name (each is a term looked up in every segment)
SAMPLE_MAX_DAYS = 256
#: sampled days with matches needed before the sample's own error is trusted
SAMPLE_MIN_DAYS = 12
#: the largest standard error (measured from the sample itself, relative to the estimate) with which
#: a sampled estimate is given; above it the matches are walked (HyperLogLog) instead
SAMPLE_MAX_ERROR = 0.01


def day_stride(documents: int, items: int, first: int, last: int) -> int | None:
    """The stride of the day sample for a query matching ``items`` of the index's ``documents`` on
    days ``first`` to ``last`` (ordinals), or None where no sample would cost less than walking the
    matches: the sample's union of days holds about one document in ``stride`` of the index, and is
    only worth it while that is at most half the matches (a walk of the matches reads only their
    written questions and answers: 'child poverty' at 3M, 58,961 matches, is walked in 0.52 ms, a
    sample of one day in 64 costs 0.81). It names at least 1.5 × ``SAMPLE_MIN_DAYS`` calendar
    days (not all of which are sitting days)."""
    stride = 1 << max(0, min(items // SAMPLE_MATCHES, (last - first + 1) * 2 // (3 * SAMPLE_MIN_DAYS)).bit_length() - 1)
    if stride < 2 or documents // stride > items // 2 or (last - first) // stride + 1 > SAMPLE_MAX_DAYS:
        return None
    return stride


def sampled_result_count(searcher: tantivy.Searcher, q: tantivy.Query, items: int,
                         days: Callable[[], tuple[int, int] | None]) -> int | None:
    """The results ``items`` matching documents make, estimated from the matches on every
    ``stride``-th calendar day (the days whose ordinal is a multiple of it: the same days for every
    query), or None when the sample is not precise enough (then the caller counts).

    A question group lies within one day, so a sampled day holds each of its groups whole: on it,
    the matches that repeat a group already counted (``repeats``) are counted exactly. The share of
    repeats among the sample's matches, applied to ``items`` (exact), is the estimate (a ratio
    estimator, the days as clusters); its standard error is measured from the days' spread. The
    cost is the union of the sampled days' postings walked against the query (about one document
    in ``stride`` of the index, not the matches) and a few hundred to a few thousand hits read."""
    span = days()
    if span is None:
        return None
    first, last = span
    stride = day_stride(searcher.num_docs, items, first, last)
    if stride is None:
        return None
    share, error, days_with_matches, written = sample_share(searcher, q, items, first, last, stride)
    if days_with_matches < SAMPLE_MIN_DAYS or not written:
        return None                   # (no written match seen: the walk may find none, and count exactly)
    estimate = items * (1 - share)
    if items * error > SAMPLE_MAX_ERROR * estimate:
        return None
    return max(1, round(estimate))


def sample_share(searcher: tantivy.Searcher, q: tantivy.Query, items: int, first: int, last: int,
                 stride: int) -> Sample:
    """The matches (``items`` in all) on every ``stride``-th day from ``first`` to ``last`` (the
    ordinals that are multiples of ``stride``): the share that repeat a question group already
    counted, that share's standard error (the days as clusters: nought when every day is sampled),
    the number of sampled days that hold matches, and of written questions and answers."""
    sampled_days = list(range(first + (-first) % stride, last + 1, stride))
    sample = Q.boolean_query([(Occur.Should, Q.term_query(SCHEMA, "date", d)) for d in sampled_days])
    within = Q.boolean_query([(Occur.Must, Q.const_score_query(q, 0.0)), _as_filter(sample)])
    expected = 2 * items // stride + 64
    found = searcher.search(within, expected, count=True)
    n = int(found.count)  # type: ignore[attr-defined]  # tantivy's stub omits SearchResult.count
    hits = found.hits if n <= expected else searcher.search(within, n, count=False).hits
    addresses = [a for _s, a in hits]
    day_of = _int_values(searcher, "date", addresses)
    flags = _int_values(searcher, "question_group", addresses)
    matches = Counter(day_of)                            # day → its matches
    written_days = list(compress(day_of, flags))
    groups = dict(zip(_int_values(searcher, "result", list(compress(addresses, flags))), written_days))
    repeats = Counter(written_days)                      # day → matches that repeat a group counted
    repeats.subtract(Counter(groups.values()))
    m = len(matches)
    if not n:
        return Sample(0.0, 0.0, 0, 0)
    share = sum(repeats.values()) / n
    spread = sum((repeats[day] - share * k) ** 2 for day, k in matches.items()) / max(1, m - 1)
    return Sample(share, math.sqrt((1 - 1 / stride) * spread / m) / (n / m), m, len(written_days))

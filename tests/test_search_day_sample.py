"""Totals estimated from a sample of sitting days (store/search/day_sample.py): where a query allows
an estimate and matches many items, the results they make (a written question and its answer are
one) are estimated from the matches on every ``stride``-th day instead of a walk of every match.

The sample week spans three days, too few for any stride to pay at its size: the tests call the
sample directly, or give the search a stride of 2, and compare with totals counted exactly.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from despatchbox.store.search import SearchQuery, parse, search
from despatchbox.store.search import day_sample, tantivy_index, tantivy_search, tantivy_totals

#: queries matching written questions whose answers match too (repeats), and others
TEXTS = ["minister", "answer", "department OR police", '"the minister"', '"identity cards"']


@pytest.fixture(scope="module")
def conn(sample_engine):
    with sample_engine.connect() as connection:
        yield connection


def _sampled(conn, text: str, stride: int) -> tuple[int, day_sample.Sample, tuple[int, int]]:
    query = SearchQuery(text)
    searcher = tantivy_index.current(conn).searcher()
    q = tantivy_search.full_query(conn, parse(text), query, searcher)
    items = tantivy_totals.count(searcher, q)
    span = tantivy_search.day_span(conn, query)
    assert span is not None
    return items, day_sample.sample_share(searcher, q, items, *span, stride), span


@pytest.mark.parametrize("text", TEXTS)
def test_a_sample_of_every_day_gives_the_counted_total(conn, text):
    """Every day sampled: the repeats are counted over all the matches, so the estimate is the
    exact total, with no error, and every day with a match is in it."""
    items, (share, error, days, _written), span = _sampled(conn, text, 1)
    assert round(items * (1 - share)) == search(conn, SearchQuery(text)).total
    assert error == 0.0
    on_days = [search(conn, SearchQuery(text, date_from=d, date_to=d, limit=1)).total
               for d in (date.fromordinal(o) for o in range(span[0], span[1] + 1))]
    assert days == sum(1 for n in on_days if n)


@pytest.mark.parametrize("text", TEXTS)
def test_a_sample_of_some_days_counts_their_repeats_exactly(conn, text):
    """Every second day (the even ordinals): the share of repeats is what counting those days'
    items and results one day at a time gives."""
    items, (share, _error, days, _written), span = _sampled(conn, text, 2)
    sampled = [date.fromordinal(o) for o in range(span[0], span[1] + 1) if o % 2 == 0]
    assert sampled
    on_day = []
    for day in sampled:
        query = SearchQuery(text, date_from=day, date_to=day)
        searcher = tantivy_index.current(conn).searcher()
        matched = tantivy_totals.count(searcher, tantivy_search.full_query(conn, parse(text), query, searcher))
        on_day.append((matched, search(conn, query).total))
    matched = sum(m for m, _r in on_day)
    assert days == sum(1 for m, _r in on_day if m)
    assert share == pytest.approx(sum(m - r for m, r in on_day) / matched if matched else 0.0)


def test_the_stride_grows_with_the_matches_and_is_refused_where_it_would_not_pay():
    """A power of two near matches / SAMPLE_MATCHES, only while the sampled days hold fewer documents
    than the query matches, and with enough days named."""
    first = date(2002, 7, 12).toordinal()
    last = date(2009, 10, 23).toordinal()
    assert day_sample.day_stride(3_001_184, 121_045, first, last) == 128      # 'police' at 3M
    assert day_sample.day_stride(3_001_184, 90_001, first, last) == 128
    assert day_sample.day_stride(3_001_184, 20_000, first, last) is None      # 1 in 32: 94k > 20k
    assert day_sample.day_stride(1_000_000, 40_000, first, last) == 64
    assert day_sample.day_stride(1_000_000, 900, first, last) is None
    assert day_sample.day_stride(3_001_184, 121_045, first, first + 20) is None   # too few days to sample
    long_record = date(1919, 1, 1).toordinal(), date(2026, 12, 1).toordinal()
    assert day_sample.day_stride(12_000_000, 100_000, *long_record) is None   # 1 in 128 would name 300 days
    assert day_sample.day_stride(12_000_000, 500_000, *long_record) == 512


@pytest.fixture
def stride_of_two(monkeypatch):
    """The search samples every second day of the sample week, and accepts the sample's error."""
    monkeypatch.setattr(day_sample, "SAMPLE_ABOVE", 0)
    monkeypatch.setattr(day_sample, "SAMPLE_MIN_DAYS", 1)
    monkeypatch.setattr(day_sample, "SAMPLE_MAX_ERROR", 1.0)
    monkeypatch.setattr(day_sample, "day_stride", lambda *_a: 2)
    monkeypatch.setattr(tantivy_search, "GROUP_WINDOW", 0)


@pytest.mark.parametrize("group", [False, True])
def test_a_sampled_total_says_it_is_an_estimate_and_leaves_the_page_as_it_was(conn, stride_of_two, group):
    """With ``exact_total=False`` the total is the sample's estimate, said to be one; the page is
    the exact search's, hit for hit; alerts, feeds and MCP (exact totals) never sample."""
    for text in ("minister", "answer", "department OR police"):
        counted = search(conn, SearchQuery(text, group_by_debate=group, limit=2))
        assert not counted.total_is_estimate
        about = search(conn, SearchQuery(text, group_by_debate=group, limit=2, exact_total=False))
        items, (share, _error, _days, _written), _span = _sampled(conn, text, 2)
        assert about.total_is_estimate and about.total == max(1, round(items * (1 - share)))
        assert [(h.id, h.score, h.hits_in_debate) for h in about.hits] == \
            [(h.id, h.score, h.hits_in_debate) for h in counted.hits]
        assert abs(about.total - counted.total) <= max(2, counted.total // 10)


def test_a_sample_too_uncertain_leaves_the_total_to_the_walk(conn, stride_of_two, monkeypatch):
    """A sample whose own standard error is above SAMPLE_MAX_ERROR is not used: the total is the
    one the HyperLogLog over every written match gives."""
    monkeypatch.setattr(day_sample, "SAMPLE_MAX_ERROR", -1.0)
    monkeypatch.setattr(tantivy_totals, "ESTIMATE_GROUPED_ABOVE", 0)
    query = SearchQuery("minister", limit=2, exact_total=False)
    walked = search(conn, query)
    monkeypatch.setattr(day_sample, "SAMPLE_ABOVE", 10 ** 9)
    assert search(conn, query).total == walked.total and walked.total_is_estimate


def test_a_sample_without_written_items_leaves_the_total_to_the_walk(conn, stride_of_two):
    """No written question or answer among the sample's matches: the walk counts (exactly when
    there are none at all), as a walk of the matches would without the sample."""
    query = SearchQuery("Gentleman", limit=2, exact_total=False)      # said in debates only
    items, sample, _span = _sampled(conn, "Gentleman", 2)
    assert sample.days and not sample.written
    found = search(conn, query)
    assert found.total == items and not found.total_is_estimate


def test_a_date_filter_narrows_the_days_sampled(conn):
    """The days a query can match: the record's first and last, narrowed by its dates."""
    first, last = tantivy_search.day_span(conn, SearchQuery("minister"))
    assert first < last
    inside = date.fromordinal(first) + timedelta(days=1)
    assert tantivy_search.day_span(conn, SearchQuery("minister", date_from=inside)) == (inside.toordinal(), last)
    assert tantivy_search.day_span(conn, SearchQuery("minister", date_to=date.fromordinal(first - 1))) is None

# ruff: noqa
"""CPU medians (40 runs) of one search for police and hedgerows, whole, without its total, and in parts.

    PYTHONPATH=<tree>/src python parts.py sqlite:///<db>
"""
import sys, time, statistics
from despatchbox.store.database import engine_for
from despatchbox.store.search import SearchQuery, search, parse
from despatchbox.store.search import tantivy_search as ts, tantivy_totals as tally, tantivy_index as ti, service
eng = engine_for(sys.argv[1], ensure_schema=False)
def med(f, n=40):
    ts_ = []
    for _ in range(n):
        t = time.process_time(); f(); ts_.append(time.process_time() - t)
    return statistics.median(ts_) * 1000
real_total = tally.total_of
with eng.connect() as conn:
    search(conn, SearchQuery("crime"))
    for w in ("police", "hedgerows"):
        sq = SearchQuery(w, exact_total=False)
        parsed = parse(w)
        idx = ti.current(conn)
        print(w, "whole %.2f" % med(lambda: search(conn, sq)))
        ts.tally.total_of = lambda *a, **k: (100000, True)
        print(w, "no total %.2f" % med(lambda: search(conn, sq)))
        print(w, "ts.search no total %.2f" % med(lambda: ts.search(conn, parsed, sq, idx)))
        rows, tot = ts.search(conn, parsed, sq, idx)
        print(w, "hydrate %.2f" % med(lambda: service._hydrate(conn, parsed, rows)))
        print(w, "parse %.3f" % med(lambda: parse(w)))
        ts.tally.total_of = real_total
        print(w, "first-per-result+rows(nohits) %.2f" % med(lambda: ts._rows(conn, idx.searcher(), [h for _k, h in ts._first_per_result(idx.searcher(), ts.full_query(conn, parsed, sq, idx.searcher()), 20, 100000, {}, None)])))
        print(w, "groups on page", sum(len(r["group"]) for r in rows), [r["group"] for r in rows][:5])

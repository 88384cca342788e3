"""The day sample's estimates for the bench mix (store/search/day_sample.py) against the exact
totals and the HyperLogLog it stands in for, on one database (read only: nothing is written).

    PYTHONPATH=src python docs/benchmarks/2026-12-06/search-days/estimates.py sqlite:///<db> [offsets]

Per query of bench/search.py's mix with >= SAMPLE_ABOVE matches: the stride, the days sampled that
hold matches, the sample's own standard error (relative), the estimate and its error, the
HyperLogLog's, their CPU times (medians of 15), and — over ``offsets`` other choices of the sampled
days (ordinals = j mod stride, j = 1 … offsets) — the largest and the root-mean-square error.
"""
import statistics
import sys
import time
from pathlib import Path

from despatchbox.store.database import engine_for
from despatchbox.store.search import SearchQuery, day_sample, parse, search
from despatchbox.store.search import tantivy_index as ti, tantivy_search as ts, tantivy_totals as tally

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "bench"))
from search import QUERIES  # noqa: E402


def med(f, n=15):
    times = []
    for _ in range(n):
        t = time.process_time()
        f()
        times.append(time.process_time() - t)
    return statistics.median(times) * 1000


url = sys.argv[1]
offsets = int(sys.argv[2]) if len(sys.argv) > 2 else 16
with engine_for(url, ensure_schema=False).connect() as conn:
    search(conn, SearchQuery("crime"))
    s = ti.current(conn).searcher()
    print(f"{'query':28} {'items':>7} {'exact':>7} stride days  se%   sample  err%   hll    err%  ms sample/hll"
          f"  offsets: max|err|% rms%")
    for name, (_g, text, filt) in QUERIES.items():
        sq = SearchQuery(text, **filt, exact_total=False)
        q = ts.full_query(conn, parse(text), sq, s)
        items = tally.count(s, q)
        if items < day_sample.SAMPLE_ABOVE:
            continue
        exact = search(conn, SearchQuery(text, **filt)).total
        first, last = ts.day_span(conn, sq)
        stride = day_sample.day_stride(s.num_docs, items, first, last)
        hll, _ = tally.result_count(s, q, items, None, exact=False)
        hll_ms = med(lambda: tally.result_count(s, q, items, None, exact=False))  # noqa: B023
        if stride is None:
            print(f"{name:28} {items:>7} {exact:>7}   —   (no stride pays)                    {hll:>7} "
                  f"{(hll - exact) / exact * 100:+5.2f}  — / {hll_ms:.2f}")
            continue
        share, error, days = day_sample.sample_share(s, q, items, first, last, stride)
        est = round(items * (1 - share))
        used = day_sample.sampled_result_count(s, q, items, lambda: (first, last))  # noqa: B023
        ms = med(lambda: day_sample.sampled_result_count(s, q, items, lambda: (first, last)))  # noqa: B023
        errs = []
        # other choices of the days: those whose ordinal ≡ j (mod stride), by shifting the date terms
        for j in range(1, min(offsets, stride - 1) + 1):
            orig = day_sample.Q.term_query

            def shifted(schema, field, value, _orig=orig, _j=j):
                return _orig(schema, field, value + _j if field == "date" else value)
            day_sample.Q.term_query = shifted          # type: ignore[method-assign]
            try:
                sh, _e, _d = day_sample.sample_share(s, q, items, first, last - j, stride)
            finally:
                day_sample.Q.term_query = orig         # type: ignore[method-assign]
            errs.append((items * (1 - sh) - exact) / exact * 100)
        rms = (sum(e * e for e in errs) / len(errs)) ** 0.5 if errs else 0.0
        mx = max(map(abs, errs)) if errs else 0.0
        print(f"{name:28} {items:>7} {exact:>7} {stride:>6} {days:>4} {items * error / max(est, 1) * 100:5.2f} "
              f"{est:>7} {(est - exact) / exact * 100:+5.2f} {hll:>7} {(hll - exact) / exact * 100:+5.2f}  "
              f"{ms:.2f} / {hll_ms:.2f} {'used' if used is not None else 'refused'}   {mx:5.2f} {rms:5.2f}")

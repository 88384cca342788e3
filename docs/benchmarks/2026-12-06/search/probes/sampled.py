"""The results' total of some words estimated from the index's sample (tantivy_totals.sampled_result_count)
against the HyperLogLog estimate and the exact count, with their CPU cost (an index of schema 4)."""
import sys
import time

from despatchbox.store.database import engine_for
from despatchbox.store.search import parse, tantivy_index, tantivy_search as ts, tantivy_totals as tally


def t(f, n=20):
    v = []
    for _ in range(n):
        t0 = time.process_time()
        f()
        v.append(time.process_time() - t0)
    v.sort()
    return round(v[len(v) // 2] * 1000, 3)


eng = engine_for(sys.argv[1], ensure_schema=False)
with eng.connect() as conn:
    s = tantivy_index.current(conn).searcher()
    for w in sys.argv[2:]:
        q = ts.to_query(parse(w).root, s)
        items = tally.count(s, q)
        exact, _ = tally.result_count(s, q, items, None, exact=True)
        saved = tally.SAMPLE_ABOVE
        tally.SAMPLE_ABOVE = 10 ** 12
        hll, _ = tally.result_count(s, q, items, None, exact=False)
        hll_ms = t(lambda: tally.result_count(s, q, items, None, exact=False))
        tally.SAMPLE_ABOVE = saved
        est = tally.sampled_result_count(s, q, items)
        rate = 1 << max(0, min(tantivy_index.SAMPLE_BITS, (items // tally.SAMPLE_ITEMS).bit_length() - 1))
        print(f"{w:<28} items {items:>8,} results {exact:>8,}  HLL {100 * (hll - exact) / exact:+6.2f} % {hll_ms:6.3f} ms"
              f"  sample 1/{rate:<4} {100 * (est - exact) / exact:+6.2f} % {t(lambda: tally.sampled_result_count(s, q, items)):6.3f} ms")

import sys, time
from despatchbox.store.database import engine_for
from despatchbox.store.search import SearchQuery, search, tantivy_totals as tally, tantivy_search as ts
def t(f, n=30):
    best = []
    for _ in range(n):
        t0 = time.process_time(); f(); best.append(time.process_time() - t0)
    best.sort(); return round(best[len(best)//2]*1000, 3)
eng = engine_for(sys.argv[1], ensure_schema=False)
orig = tally.total_of
with eng.connect() as conn:
    for w in sys.argv[2:]:
        q = SearchQuery(w, exact_total=False)
        a = t(lambda: search(conn, q))
        tally.total_of = lambda s, q_, items, hits, exact: (items, True)
        b = t(lambda: search(conn, q))
        tally.total_of = orig
        print(w, "whole", a, "without totals", b)

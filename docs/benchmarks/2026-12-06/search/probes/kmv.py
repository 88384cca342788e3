import sys, time
from despatchbox.store.database import engine_for
from despatchbox.store.search import tantivy_index, tantivy_totals as tally
from despatchbox.store.search.tantivy_index import SCHEMA
import tantivy
Q, Occur = tantivy.Query, tantivy.Occur
K = 2**63
def t(f, n=15):
    best = []
    for _ in range(n):
        t0 = time.process_time(); f(); best.append(time.process_time() - t0)
    best.sort(); return round(best[len(best)//2]*1000, 3)
eng = engine_for(sys.argv[1], ensure_schema=False)
with eng.connect() as conn:
    s = tantivy_index.current(conn).searcher()
    for w in sys.argv[2:]:
        q = Q.boolean_query([(Occur.Must, Q.term_query(SCHEMA, "stem", tantivy_index.stem_of(w)[0]))])
        items = s.search(q, 1, count=True).count
        allhits = s.search(q, items, count=False).hits
        exact = len(set(tally.result_keys(s, allhits)))
        print(w, "items", items, "results exact", exact, "hll(all)", round(s.cardinality(q, "result")),
              "hll cost", t(lambda: s.cardinality(q, "result")), "count cost", t(lambda: s.search(q, 1, count=True)),
              "top50 cost", t(lambda: s.search(q, 50, count=False)))
        for k in (500, 1000, 2000, 4000):
            def run():
                hits = s.search(q, k, count=False, order_by_field="result").hits
                keys = sorted({h[0] for h in hits}, reverse=True)
                m = len(keys)
                if len(hits) < k: return m
                return round((m - 1) * K / (K - keys[-1]))
            print("  k=%d est %d (%.2f%%) cost %s ms" % (k, run(), 100*(run()-exact)/exact, t(run)))

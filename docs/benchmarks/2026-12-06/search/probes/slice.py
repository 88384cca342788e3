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
        gq = Q.boolean_query([(Occur.Must, q), tally.as_filter(Q.term_query(SCHEMA, "question_group", 1))])
        st = s.aggregate(gq, {"n": {"value_count": {"field": "result"}}, "h": {"cardinality": {"field": "result"}}})
        found = s.search(gq, 200000, count=False).hits
        exact_groups = len(set(tally.result_keys(s, found)))
        print(w, "written", st["n"]["value"], "hll", round(st["h"]["value"]), "exact groups", exact_groups, "full agg", t(lambda: s.aggregate(gq, {"n": {"value_count": {"field": "result"}}, "h": {"cardinality": {"field": "result"}}})))
        for k in (8, 32, 64):
            sq = Q.boolean_query([(Occur.Must, gq), tally.as_filter(Q.range_query(SCHEMA, "result", tantivy.FieldType.Integer, 0, K // k - 1))])
            def run():
                hits = s.search(sq, 100000, count=False).hits
                return len(hits), len(set(tally.result_keys(s, hits)))
            n, g = run()
            print("  1/%d slice: written %d groups %d → est written %d groups %d; cost %s ms; count only %s" % (k, n, g, n*k, g*k, t(run), t(lambda: s.search(sq, 1, count=True))))

import sys, time
sys.path.insert(0, "/work/wt/search/bench")
from search import QUERIES
from despatchbox.store.database import engine_for
from despatchbox.store.search import SearchQuery, tantivy_index, tantivy_totals as tally, tantivy_search as ts, query_language as ql
from despatchbox.store.search.tantivy_index import SCHEMA
import tantivy
Q, Occur = tantivy.Query, tantivy.Occur
eng = engine_for(sys.argv[1], ensure_schema=False)
def t(f, n=10):
    best = []
    for _ in range(n):
        t0 = time.process_time(); f(); best.append(time.process_time() - t0)
    best.sort(); return round(best[len(best)//2]*1000, 3)
with eng.connect() as conn:
    s = tantivy_index.current(conn).searcher()
    for name, (g, text, f) in QUERIES.items():
        f = {("kinds" if k == "kind" else k): ((v,) if k == "kind" else v) for k, v in f.items()}
        query = SearchQuery(text, **f)
        q = ts.full_query(conn, ql.parse(text), query, s)
        found = s.search(q, 1, count=True); items = found.count
        if items == 0: continue
        exact, _ = tally.result_count(s, q, items, None, exact=True)
        hll, _ = tally.result_count(s, q, items, None, exact=False)
        out = [name, items, exact, "hll %+.2f%%" % (100*(hll-exact)/exact)]
        for n in (50, 200):
            def est():
                hits = s.search(q, n, count=False).hits
                written = tally.int_values(s, "question_group", [a for _s, a in hits])
                keys = [k for k, w in zip(tally.result_keys(s, hits), written) if w]
                if not keys: return items
                within = Q.boolean_query([(Occur.Must, q), (Occur.Must, Q.const_score_query(ts.any_of("result", sorted(set(keys))), 0.0))])
                m = tally.int_values(s, "result", [a for _s, a in s.search(within, 10 * len(keys), count=False).hits])
                per = {}
                for k in m: per[k] = per.get(k, 0) + 1
                inv = (len(hits) - len(keys) + sum(1 / per[k] for k in keys)) / len(hits)
                return round(items * inv)
            e = est()
            out.append("w%d %+.2f%% (%s ms)" % (n, 100*(e-exact)/exact, t(est)))
        print(*out)

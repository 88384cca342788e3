import sys, time
from despatchbox.store.database import engine_for
from despatchbox.store.search import tantivy_index, tantivy_search as ts, query_language as ql
def t(f, n=50):
    v = []
    for _ in range(n):
        t0 = time.process_time(); f(); v.append(time.process_time() - t0)
    v.sort(); return round(v[len(v)//2]*1000, 4)
eng = engine_for(sys.argv[1], ensure_schema=False)
with eng.connect() as conn:
    s = tantivy_index.current(conn).searcher()
    q = ts.to_query(ql.parse("police").root, s)
    hits = s.search(q, 400, count=False).hits
    addrs = [a for _s, a in hits]
    print("segments of hits", len({a.segment_ord for a in addrs}))
    for n in (1, 5, 20, 100, 400):
        for f in ("item", "result", "question_group", "debate_key"):
            print(n, f, t(lambda: s.fast_field_values(f, addrs[:n])))
    same = [a for a in addrs if a.segment_ord == addrs[0].segment_ord][:20]
    print("20 in one segment", t(lambda: s.fast_field_values("result", same)))

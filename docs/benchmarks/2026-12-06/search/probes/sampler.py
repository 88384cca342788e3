import sys, time
from despatchbox.store.database import engine_for
from despatchbox.store.search import tantivy_index, tantivy_totals as tally
from despatchbox.store.search.tantivy_index import SCHEMA
import tantivy
Q, Occur = tantivy.Query, tantivy.Occur
def t(f, n=20):
    v = []
    for _ in range(n):
        t0 = time.process_time(); f(); v.append(time.process_time() - t0)
    v.sort(); return round(v[len(v)//2]*1000, 3)
eng = engine_for(sys.argv[1], ensure_schema=False)
with eng.connect() as conn:
    s = tantivy_index.current(conn).searcher()
    deps = s.terms_with_prefix("department", "")
    print(s.num_docs, deps[:12])
    police = Q.term_query(SCHEMA, "stem", "polic")
    for name, n in deps:
        if n < 20000: continue
        d = Q.term_query(SCHEMA, "department", name)
        gq = Q.boolean_query([(Occur.Must, police), tally.as_filter(Q.term_query(SCHEMA, "question_group", 1)), tally.as_filter(d)])
        st = s.aggregate(gq, {"n": {"value_count": {"field": "result"}}, "h": {"cardinality": {"field": "result"}}})
        print(name, n, "sampled written", st["n"]["value"], "agg cost", t(lambda: s.aggregate(gq, {"n": {"value_count": {"field": "result"}}, "h": {"cardinality": {"field": "result"}}})))

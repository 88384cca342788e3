import sys, time
from despatchbox.store.database import engine_for
from despatchbox.store.search import tantivy_index, tantivy_totals as tally
from despatchbox.store.search.tantivy_index import SCHEMA
import tantivy
Q, Occur = tantivy.Query, tantivy.Occur
def t(f, n=20):
    best = []
    for _ in range(n):
        t0 = time.process_time(); f(); best.append(time.process_time() - t0)
    best.sort(); return round(best[len(best)//2]*1000, 3)
eng = engine_for(sys.argv[1], ensure_schema=False)
with eng.connect() as conn:
    s = tantivy_index.current(conn).searcher()
    for w in sys.argv[2:]:
        tq = Q.term_query(SCHEMA, "stem", tantivy_index.stem_of(w)[0])
        q = Q.boolean_query([(Occur.Must, tq)])
        gq = Q.boolean_query([(Occur.Must, q), tally.as_filter(Q.term_query(SCHEMA, "question_group", 1))])
        print(w)
        print("  kind counts", s.terms_with_prefix("kind", "", filter_query=q), t(lambda: s.terms_with_prefix("kind", "", filter_query=q)))
        print("  qg counts", tally.counts(s, q), t(lambda: tally.counts(s, q)))
        print("  written count", t(lambda: s.search(gq, 1, count=True)))
        print("  hll written", t(lambda: s.cardinality(gq, "result")))
        print("  agg both", t(lambda: s.aggregate(gq, {"n": {"value_count": {"field": "result"}}, "h": {"cardinality": {"field": "result"}}})))
        print("  doc_freq", t(lambda: s.doc_freq("stem", tantivy_index.stem_of(w)[0])))
        print("  top50 count / no", t(lambda: s.search(q, 50, count=True)), t(lambda: s.search(q, 50, count=False)))
        print("  bare term top50 count / no", t(lambda: s.search(tq, 50, count=True)), t(lambda: s.search(tq, 50, count=False)))

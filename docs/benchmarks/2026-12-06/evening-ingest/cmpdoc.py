import sys, time, importlib.util
from despatchbox.store.database import engine_for
from despatchbox.store.search import tantivy_index as T
from sqlalchemy import text
spec = importlib.util.spec_from_file_location("base_ti", "/work/wt/ingest3-base/src/despatchbox/store/search/tantivy_index.py", submodule_search_locations=None)
# the base module uses relative imports: load it under the package
import despatchbox.store.search as pkg
spec = importlib.util.spec_from_file_location("despatchbox.store.search.base_ti", "/work/wt/ingest3-base/src/despatchbox/store/search/tantivy_index.py")
B = importlib.util.module_from_spec(spec); spec.loader.exec_module(B)
engine = engine_for("sqlite:///" + sys.argv[1])
with engine.connect() as conn:
    rows = conn.execute(text(T._items_sql(conn)), {"after": 0, "upto": 10**9, "chunk": 10**9}).all()
def norm(d): return {k: v for k, v in sorted(d.to_dict().items())}
bad = sum(norm(T._document(r)) != norm(B._document(r)) for r in rows)
print(len(rows), "rows, differing:", bad)
for f in (B._document, T._document, B._document, T._document):
    t = time.process_time(); [f(r) for r in rows]; print(f.__module__, round(time.process_time() - t, 3))

# as run on 6 December 2026 (docs/benchmarks.md, late-morning RSS section)
import sys, tantivy
import despatchbox.store.search.tantivy_index as ti
from despatchbox.store.database import engine_for
from sqlalchemy import text
db, idxdir, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
with engine_for(f"sqlite:///{db}").connect() as c:
    top = c.execute(text("select max(id) from search_items")).scalar()
idx = tantivy.Index(ti.SCHEMA, path=idxdir, reuse=True)
w = idx.writer(heap_size=64_000_000, num_threads=1)
w.delete_documents_by_query(tantivy.Query.range_query(ti.SCHEMA, "item", tantivy.FieldType.Integer, top - N + 1, top))
w.commit(); w.wait_merging_threads()
idx.reload(); print("docs", idx.searcher().num_docs, "segments", idx.searcher().num_segments)

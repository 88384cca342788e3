import sys, time, shutil, os, tempfile
import tantivy
from despatchbox.store.database import engine_for
from despatchbox.store.search import tantivy_index as T
from sqlalchemy import text
engine = engine_for("sqlite:///" + sys.argv[1])
mode = sys.argv[2]
with engine.connect() as conn:
    rows = conn.execute(text(T._items_sql(conn)), {"after": 0, "upto": 10**9, "chunk": 10**9}).all()
t = time.process_time(); tt = time.thread_time()
docs = [T._document(r) for r in rows]
print(len(rows), "docs built", round(time.process_time() - t, 2))
bodies = [T._body_text(r.body) for r in rows]
print("chars", sum(map(len, bodies)))
def schema(mode):
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("item", indexed=True, fast=True)
    if mode in ("both", "stem"): sb.add_text_field("stem", tokenizer_name=T.STEM, index_option="freq")
    if mode in ("both", "exact"): sb.add_text_field("exact", tokenizer_name=T.EXACT, index_option="position")
    if mode == "plain": sb.add_text_field("exact", tokenizer_name="default", index_option="position")
    if mode == "simplepos": sb.add_text_field("exact", tokenizer_name="simple1", index_option="position")
    if mode == "simplefreq": sb.add_text_field("exact", tokenizer_name="simple1", index_option="freq")
    return sb.build()
d = tempfile.mkdtemp(dir="/work/wt-bench/ingest3/prof")
if mode == "full":
    idx = tantivy.Index(T.SCHEMA, path=d)
else:
    idx = tantivy.Index(schema(mode), path=d)
idx.register_tokenizer(T.STEM, T.analyzer(True)); idx.register_tokenizer(T.EXACT, T.analyzer(False))
idx.register_tokenizer("simple1", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build())
if mode != "full":
    docs = []
    for i, b in enumerate(bodies):
        kw = {"item": i}
        if mode in ("both", "stem"): kw["stem"] = b
        if mode in ("both", "exact", "plain", "simplepos", "simplefreq"): kw["exact"] = b
        docs.append(tantivy.Document(**kw))
t = time.process_time(); tt = time.thread_time(); w = time.perf_counter()
wr = idx.writer(heap_size=T.WRITER_HEAP, num_threads=1)
for doc in docs: wr.add_document(doc)
a = time.process_time(); at = time.thread_time()
wr.commit(); wr.wait_merging_threads()
print(mode, "index proc", round(time.process_time()-t, 2), "py thread", round(time.thread_time()-tt, 2), "commit proc", round(time.process_time()-a,2), "wall", round(time.perf_counter()-w,2))
shutil.rmtree(d)

# as run on 6 December 2026 (docs/benchmarks.md, late-morning RSS section)
"""usage: onefeed.py DB INDEXDIR N [pager]: in a fresh process, feed the last N items of DB into the index at INDEXDIR (they were deleted from it first by prep); peak RSS"""
import os, sys, time, json, threading, ctypes, contextlib
from pathlib import Path
db, idxdir, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
PAGER = len(sys.argv) > 4 and sys.argv[4] == "pager"
import tantivy
import despatchbox.store.search.tantivy_index as ti
from despatchbox.pipeline.upkeep import PagedOut
from despatchbox.store.database import engine_for, unmapped
from sqlalchemy import text
def rss():
    d = {}
    for line in open("/proc/self/status"):
        k, v = line.split(":", 1)
        if k in ("RssAnon", "RssFile"): d[k] = int(v.split()[0]) // 1024
    return d
engine = engine_for(f"sqlite:///{db}")
with engine.connect() as c:
    top = c.execute(text("select max(id) from search_items")).scalar()
base = rss(); peak = {"RssAnon": 0, "RssFile": 0, "sum": 0}; stop = False
def sample():
    while not stop:
        r = rss()
        peak["RssAnon"] = max(peak["RssAnon"], r["RssAnon"]); peak["RssFile"] = max(peak["RssFile"], r["RssFile"])
        peak["sum"] = max(peak["sum"], r["RssAnon"] + r["RssFile"])
        time.sleep(0.01)
th = threading.Thread(target=sample, daemon=True); th.start()
t0 = time.perf_counter(); c0 = time.process_time()
idx = ti.SearchIndex(Path(idxdir))
with unmapped(engine), (PagedOut(Path(idxdir)) if PAGER else contextlib.nullcontext()):
    w = idx.index.writer(heap_size=ti.WRITER_HEAP, num_threads=1)
    with engine.connect() as conn:
        idx._add(conn, w, top - N, top)
    w.commit(); w.wait_merging_threads()
stop = True; th.join()
print(json.dumps({"pager": PAGER, "base": base, "peak": peak, "wall": round(time.perf_counter() - t0, 1), "cpu": round(time.process_time() - c0, 1), "segments": idx.index.searcher().num_segments}))

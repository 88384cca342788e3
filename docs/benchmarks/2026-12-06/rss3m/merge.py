"""merge.py IDX N [arena=K] [trim] [heap=BYTES]: open IDX, add the last N items of the 3M db (read-only, immutable), commit, wait merges; peak heap"""
import os, sys, time, json, threading, ctypes
from pathlib import Path
idx, N = sys.argv[1], int(sys.argv[2])
opts = dict(a.split("=") if "=" in a else (a, "1") for a in sys.argv[3:])
libc = ctypes.CDLL("libc.so.6")
if "arena" in opts:
    print("mallopt", libc.mallopt(-8, int(opts["arena"])), file=sys.stderr)
import tantivy
import despatchbox.store.search.tantivy_index as ti
from sqlalchemy import create_engine, text
def rss():
    d = {}
    for line in open("/proc/self/status"):
        k, v = line.split(":", 1)
        if k in ("RssAnon", "RssFile"): d[k] = int(v.split()[0]) // 1024
    return d
peak = {"RssAnon": 0, "RssFile": 0}; stop = False; marks = []
def sample():
    while not stop:
        r = rss()
        for k in peak: peak[k] = max(peak[k], r[k])
        time.sleep(0.005)
engine = create_engine("sqlite:///file:/work/b3m/w3m/despatchbox.db?mode=ro&immutable=1&uri=true")
base = rss()
th = threading.Thread(target=sample, daemon=True); th.start()
trims = [0, 0.0, []]; T00 = time.perf_counter()
def trimmer():
    while not stop:
        t = time.perf_counter(); libc.malloc_trim(0); d = time.perf_counter() - t
        trims[0] += 1; trims[1] += d; trims[2].append(round(time.perf_counter() - T00, 1))
        time.sleep(0.2)
if "bgtrim" in opts:
    th2 = threading.Thread(target=trimmer, daemon=True); th2.start()
t0 = time.perf_counter(); c0 = time.process_time()
index = tantivy.Index(ti.SCHEMA, path=idx, reuse=True)
index.register_tokenizer(ti.STEM, ti.analyzer(True)); index.register_tokenizer(ti.EXACT, ti.analyzer(False))
w = index.writer(heap_size=int(opts.get("heap", ti.WRITER_HEAP)), num_threads=int(opts.get("threads", 1)))
with engine.connect() as conn:
    top = conn.execute(text("select max(id) from search_items")).scalar()
    if "pace" in opts:
        class MI2(ctypes.Structure): _fields_=[(n,ctypes.c_size_t) for n in 'arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost'.split()]
        mi = libc.mallinfo2; mi.restype = MI2
        def used():
            m = mi(); return m.uordblks + m.hblkhd
        limit = used() + int(float(opts["pace"]) * 1e6); waits = 0; waited = 0.0
        after = top - N; step = int(opts.get("step", 100))
        while True:
            rows = conn.execute(text(ti._items_sql(conn)), {"after": after, "upto": top, "chunk": 1000}).all()
            if not rows: break
            for i, r in enumerate(rows):
                if i % step == 0:
                    last = used(); t = time.perf_counter(); stall = t
                    while last > limit and time.perf_counter() - stall < 0.1:
                        time.sleep(0.002); waits += 1
                        now = used()
                        if now < last: stall = time.perf_counter()
                        last = now
                    waited += time.perf_counter() - t
                w.add_document(ti._document(r))
            after = rows[-1].item
            if "ptrim" in opts: libc.malloc_trim(0)
            m = mi(); print("trace", round(m.uordblks/1e6), round(m.hblkhd/1e6), round(m.arena/1e6), round(m.fordblks/1e6), rss()["RssAnon"], round(limit/1e6), file=sys.stderr)
        print("waits", waits, round(waited, 2), file=sys.stderr)
    elif "slow" in opts:
        after = top - N; sl = float(opts["slow"])
        while True:
            rows = conn.execute(text(ti._items_sql(conn)), {"after": after, "upto": top, "chunk": 1000}).all()
            if not rows: break
            for r in rows: w.add_document(ti._document(r))
            after = rows[-1].item; time.sleep(sl)
    else:
        if "off" in opts:
            class Off:
                def __init__(self, a): pass
                def step(self): pass
            ti.Paced = Off
        if "heap" in opts: ti.QUEUE_ALLOWANCE = int(opts["heap"])
        if "allow" in opts: ti.QUEUE_ALLOWANCE = int(float(opts["allow"]) * 1e6)
        if "stall" in opts:
            import despatchbox.allocator as al; al.STALL = float(opts["stall"])
        ti.SearchIndex._add(None, conn, w, top - N, top)
marks.append(("added", dict(peak), rss()))
w.commit()
marks.append(("committed", dict(peak), rss()))
w.wait_merging_threads()
marks.append(("merged", dict(peak), rss()))
if "trim" in opts: libc.malloc_trim(0)
stop = True; th.join()
index.reload()
print("trims", trims[0], round(trims[1], 3), trims[2][-10:], file=sys.stderr)
print(json.dumps({"opts": opts, "base": base, "peak": peak, "end": rss(), "marks": marks, "wall": round(time.perf_counter() - t0, 1),
                  "cpu": round(time.process_time() - c0, 1), "segments": index.searcher().num_segments}))

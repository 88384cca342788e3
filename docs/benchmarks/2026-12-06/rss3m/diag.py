# as run on 6 December 2026 (docs/benchmarks.md, late-morning RSS section)
"""usage: diag.py TREE DB CORPUS : ingest with RSS sampled (main + workers), feeds marked; summary JSON on stdout"""
import os, sys, subprocess, time, json, threading
tree, db = sys.argv[1], sys.argv[2]
child = r'''
import sys, time, os, json
from pathlib import Path
from despatchbox.store.database import engine_for
import despatchbox.pipeline.run as run
T0 = time.perf_counter()
def rss():
    d = {}
    for line in open("/proc/self/status"):
        k, v = line.split(":", 1)
        if k in ("RssAnon", "RssFile"): d[k] = int(v.split()[0]) // 1024
    return d
orig = run._feed_search_index
import ctypes
class MI2(ctypes.Structure): _fields_=[(n,ctypes.c_size_t) for n in 'arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost'.split()]
_mi = ctypes.CDLL("libc.so.6").mallinfo2; _mi.restype = MI2
def feed(engine):
    a = rss(); t = time.perf_counter(); m = _mi()
    import gc, collections, io, contextlib
    if not hasattr(feed, "n"): feed.n = 0
    feed.n += 1
    if False:
        objs = gc.get_objects(); c = collections.Counter(type(o).__name__ for o in objs)
        print(json.dumps({"ev": "census", "n": len(objs), "top": c.most_common(15)}), file=sys.stderr, flush=True)
        sys._debugmallocstats()
    a.update(inuse=round((m.uordblks + m.hblkhd) / 1e6), free=round(m.fordblks / 1e6), pool=engine.pool.status())
    print(json.dumps({"ev": "feed_start", "t": round(t - T0, 2), **a}), file=sys.stderr, flush=True)
    orig(engine); b = rss()
    print(json.dumps({"ev": "feed_end", "t": round(time.perf_counter() - T0, 2), "took": round(time.perf_counter() - t, 2), **b}), file=sys.stderr, flush=True)
run._feed_search_index = feed
engine = engine_for(sys.argv[1])
report = run.ingest(engine, [Path(p) for p in sys.argv[2:]])
import resource
r = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"ev": "done", "records": report.records, "seconds": round(time.perf_counter() - T0, 1), "cpu_main": round(r.ru_utime + r.ru_stime, 1), "cpu_children": round(c.ru_utime + c.ru_stime, 1)}), file=sys.stderr, flush=True)
'''
env = dict(os.environ, PYTHONPATH=tree + "/src")
log = open(db + ".events", "w")
p = subprocess.Popen([sys.executable, "-c", child, f"sqlite:///{db}", *sys.argv[3:]], env=env, cwd=tree, stderr=log)
t0 = time.time()
def fields(path, keys):
    d = {}
    try:
        for line in open(path):
            k = line.split(":", 1)[0]
            if k in keys: d[k] = int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return d
def desc(pid):
    par = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            try: par[int(e)] = int(open(f"/proc/{e}/stat").read().rsplit(")", 1)[1].split()[1])
            except Exception: pass
    out, fr = [], [pid]
    while fr:
        fr = [q for q, pp in par.items() if pp in fr]; out += fr
    return out
timeline = []; n = 0
peak = {"main": 0, "main_at": None, "sum_rss": 0, "sum_pss": 0, "kid": 0}
while p.poll() is None:
    m = fields(f"/proc/{p.pid}/status", ("VmRSS", "RssAnon", "RssFile"))
    ks = desc(p.pid)
    kr = [fields(f"/proc/{k}/status", ("VmRSS",)).get("VmRSS", 0) for k in ks]
    tot = m.get("VmRSS", 0) + sum(kr)
    if m.get("VmRSS", 0) > peak["main"]: peak.update(main=m["VmRSS"], main_at=[round(time.time() - t0, 1), m.get("RssAnon"), m.get("RssFile")])
    peak["sum_rss"] = max(peak["sum_rss"], tot); peak["kid"] = max([peak["kid"]] + kr)
    if n % 3 == 0:
        pss = sum(fields(f"/proc/{q}/smaps_rollup", ("Pss",)).get("Pss", 0) for q in [p.pid] + ks)
        peak["sum_pss"] = max(peak["sum_pss"], pss)
    timeline.append((round(time.time() - t0, 1), m.get("RssAnon"), m.get("RssFile"), kr))
    n += 1
    time.sleep(0.1)
log.close()
json.dump(timeline, open(db + ".timeline.json", "w"))
events = [json.loads(l) for l in open(db + ".events") if l.startswith("{")]
done = [e for e in events if e["ev"] == "done"]
starts = [e for e in events if e["ev"] == "feed_start"]
print(json.dumps({"peak": peak, "done": done[-1] if done else None, "feeds": len(starts),
                  "heap_before_feeds": [e["RssAnon"] for e in starts]}))

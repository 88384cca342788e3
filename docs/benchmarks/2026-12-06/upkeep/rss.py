# as run on 6 December 2026 (docs/benchmarks.md, morning section)
"""usage: rss.py TREE DB CORPUS... : ingest with the process tree's RSS sampled; prints peaks and feed timings"""
import os, sys, subprocess, time, json
tree, db = sys.argv[1], sys.argv[2]
child = r'''
import sys, time, os, json
from pathlib import Path
from despatchbox.store.database import engine_for
import despatchbox.pipeline.run as run
import despatchbox.store.search.tantivy_index as ti
if os.environ.get('WRITER_HEAP'): ti.WRITER_HEAP = int(os.environ['WRITER_HEAP'])
orig = run._feed_search_index
T0 = time.perf_counter()
def rss():
    d = {}
    for line in open("/proc/self/status"):
        k, v = line.split(":", 1)
        if k in ("RssAnon", "RssFile"): d[k] = int(v.split()[0]) // 1024
    return d
def feed(engine):
    a = rss(); t = time.perf_counter(); orig(engine); b = rss()
    print(json.dumps({"feed_at": round(t - T0, 1), "took": round(time.perf_counter() - t, 2), "before": a, "after": b}), file=sys.stderr, flush=True)
run._feed_search_index = feed
engine = engine_for(sys.argv[1])
report = run.ingest(engine, [Path(p) for p in sys.argv[2:]])
import resource
r = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"records": report.records, "seconds": round(time.perf_counter() - T0, 1), "cpu_main": round(r.ru_utime + r.ru_stime, 1), "cpu_children": round(c.ru_utime + c.ru_stime, 1)}), file=sys.stderr)
'''
env = dict(os.environ, PYTHONPATH=tree + "/src")
p = subprocess.Popen([sys.executable, "-c", child, f"sqlite:///{db}", *sys.argv[3:]], env=env, cwd=tree)
def status(pid):
    d = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            k, v = line.split(":", 1)
            if k in ("RssAnon", "RssFile", "VmRSS"): d[k] = int(v.split()[0]) // 1024
    except OSError:
        pass
    return d
def kids(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            out += [int(x) for x in open(f"/proc/{pid}/task/{t}/children").read().split()]
    except OSError:
        pass
    return out
peak_main = {}; peak_sum = 0; peak_kid = 0; t0 = time.time(); timeline = []
while p.poll() is None:
    m = status(p.pid)
    ks = [status(k) for k in kids(p.pid)]
    tot = m.get("VmRSS", 0) + sum(k.get("VmRSS", 0) for k in ks)
    if m.get("VmRSS", 0) > peak_main.get("VmRSS", 0): peak_main = dict(m, at=round(time.time() - t0, 1))
    peak_sum = max(peak_sum, tot); peak_kid = max([peak_kid] + [k.get("VmRSS", 0) for k in ks])
    timeline.append((round(time.time() - t0, 1), m.get("RssAnon"), m.get("RssFile"), [k.get("VmRSS") for k in ks]))
    time.sleep(0.1)
json.dump(timeline, open(db + ".timeline.json", "w"))
print(json.dumps({"peak_main": peak_main, "peak_worker": peak_kid, "peak_tree_sum": peak_sum}))

"""Each HTTP round's pages and bare-route req/s with the less busy worker's share of the two
workers' CPU (read from /proc): python worker_share.py MODULE (bench/loadgen.py, or a copy of it
named MODULE beside it). A measurement script, not part of the product."""
import os, sys, time, importlib
sys.path[:0] = ["/work/main/bench", "/work/main/src"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
mod = sys.argv[1]
loadgen = importlib.import_module(mod)
import pages, trivial_app
url = "sqlite:////work/wt-bench/s31/despatchbox.db"
paths = list(pages.page_paths(url).values())
def worker_cpu(pgid):
    out = {}
    for e in os.listdir("/proc"):
        if not e.isdigit(): continue
        try: f = open(f"/proc/{e}/stat","rb").read().rsplit(b")",1)[1].split()
        except OSError: continue
        if int(f[2]) == pgid: out[int(e)] = (int(f[11])+int(f[12]))/os.sysconf("SC_CLK_TCK")
    return out
def share(a,b):
    d=sorted((b[k]-a.get(k,0) for k in b), reverse=True)[:2]
    return round(d[1]/sum(d),2) if sum(d) else None
with loadgen.Server(url, 2) as s, loadgen.TrivialServer(url, 2) as t:
    for p in paths: loadgen._probe(s.port, p)
    loadgen._probe(t.port, "/")
    for r in range(6):
        a = worker_cpu(s.proc.pid); out = loadgen.load(s.base, paths, 2.5, 8, 1.0); b = worker_cpu(s.proc.pid)
        a2 = worker_cpu(t.proc.pid); o2 = loadgen.load(t.base, ["/"], 2.5, 8, 1.0); b2 = worker_cpu(t.proc.pid)
        print(r, out["rps"], share(a,b), o2["rps"], share(a2,b2), round(out["rps"]/o2["rps"],3))

import os, sys, json
tree = sys.argv[1]; db = sys.argv[2]; secs = float(sys.argv[3])
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import loadgen, pages
url = f"sqlite:///{db}"
paths = list(pages.page_sets(url, 1)[0].values())
if len(sys.argv) > 4: paths = [paths[int(i)] for i in sys.argv[4].split(",")]
def tasks(pid):
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        st = open(f"/proc/{pid}/task/{t}/status").read()
        f = dict(l.split(":\t", 1) for l in st.splitlines() if ":\t" in l)
        out[t] = (f["Name"].strip(), int(f["voluntary_ctxt_switches"]), int(f["nonvoluntary_ctxt_switches"]))
    return out
with loadgen.Server(url, 1) as server:
    loadgen.load(server.base, paths, 2, 8)
    kids = [int(p) for p in os.listdir("/proc") if p.isdigit() and open(f"/proc/{p}/stat").read().rsplit(")",1)[1].split()[1] == str(server.proc.pid)]
    pid = kids[0] if kids else server.proc.pid
    t0 = tasks(pid)
    r = loadgen.load(server.base, paths, secs, 8)
    t1 = tasks(pid)
    n = r["requests"] / r["window_s"] * (secs + loadgen.WARMUP_SECONDS)
    print(json.dumps({t: (t1[t][0], round((t1[t][1]-t0.get(t,(0,0,0))[1])/n, 1), round((t1[t][2]-t0.get(t,(0,0,0))[2])/n, 1)) for t in t1}))

import os, sys, json
tree = sys.argv[1]; db = sys.argv[2]; secs = float(sys.argv[3]) if len(sys.argv) > 3 else 10
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import loadgen, pages
url = f"sqlite:///{db}"
paths = list(pages.page_sets(url, 1)[0].values())
if len(sys.argv) > 4: paths = [paths[int(i)] for i in sys.argv[4].split(",")]
def tasks(pid):
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        f = open(f"/proc/{pid}/task/{t}/stat").read().rsplit(")", 1)
        name = open(f"/proc/{pid}/task/{t}/comm").read().strip()
        fields = f[1].split()
        out[t] = (name, int(fields[11]) + int(fields[12]))
    return out
with loadgen.Server(url, 1) as server:
    loadgen.load(server.base, paths, 2, 8)
    kids = [int(p) for p in os.listdir("/proc") if p.isdigit() and open(f"/proc/{p}/stat").read().rsplit(")",1)[1].split()[1] == str(server.proc.pid)]
    pid = kids[0] if kids else server.proc.pid
    t0 = tasks(pid)
    r = loadgen.load(server.base, paths, secs, 8)
    t1 = tasks(pid)
    n = r["requests"] / r["window_s"] * (secs + loadgen.WARMUP_SECONDS)
    tick = os.sysconf("SC_CLK_TCK")
    per = {t: round((t1[t][1] - t0.get(t, (0, 0))[1]) / tick * 1000 / n, 3) for t in t1}
    print(json.dumps({"rps": r["rps"], "total": round(sum(per.values()), 3), "threads": {k: v for k, v in per.items() if v > 0.005}}))

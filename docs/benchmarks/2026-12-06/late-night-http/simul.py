# Two trees served side by side (despatchbox serve --workers 1 each, page cache off) under the same load at
# the same time: server CPU per request of each, so that other work on the machine falls on both alike.
# usage: simul.py TREE_A TREE_B DB SECONDS [ROUNDS]
import os, sys, json, time, asyncio, subprocess, socket, signal, tempfile
a, b, db, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
sys.path[:0] = [b + "/bench", b + "/src"]
import loadgen, pages
url = f"sqlite:///{db}"
paths = list(pages.page_sets(url, 1)[0].values())
def start(tree):
    port = loadgen.free_port()
    env = dict(os.environ, DESPATCHBOX_DATABASE_URL=url, DESPATCHBOX_PAGE_CACHE_MB="0", PYTHONPATH=tree + "/src")
    p = subprocess.Popen([sys.executable, "-c", "from despatchbox.cli import main; main()", "serve", "--host", "127.0.0.1",
                          "--port", str(port), "--workers", "1"], env=env, stdout=tempfile.TemporaryFile(),
                         stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1): break
        except OSError: time.sleep(0.2)
    return p, port
def cpu(pid):
    tick = os.sysconf("SC_CLK_TCK"); total = 0
    for e in os.listdir("/proc"):
        if not e.isdigit(): continue
        try:
            f = open(f"/proc/{e}/stat").read().rsplit(")", 1)[1].split()
        except OSError: continue
        if int(f[2]) == pid or int(e) == pid:     # the process group
            total += int(f[11]) + int(f[12])
    return total / tick
async def both(pa, pb, s):
    return await asyncio.gather(loadgen._load(f"http://127.0.0.1:{pa}", paths, s, 4),
                                loadgen._load(f"http://127.0.0.1:{pb}", paths, s, 4))
servers = [start(a), start(b)]
try:
    asyncio.run(both(servers[0][1], servers[1][1], 2))
    out = {"a": [], "b": []}
    for r in range(rounds):
        c0 = [cpu(p.pid) for p, _ in servers]
        ra, rb = asyncio.run(both(servers[0][1], servers[1][1], secs))
        c1 = [cpu(p.pid) for p, _ in servers]
        for key, res, i in (("a", ra, 0), ("b", rb, 1)):
            n = res["requests"] / res["window_s"] * (secs + loadgen.WARMUP_SECONDS)
            out[key].append(round((c1[i] - c0[i]) * 1000 / n, 3))
    import statistics
    print(json.dumps({"a": a, "b": b, "ms_per_request_a": out["a"], "ms_per_request_b": out["b"],
                      "median_a": statistics.median(out["a"]), "median_b": statistics.median(out["b"]),
                      "b_vs_a": round(statistics.median(out["b"]) / statistics.median(out["a"]) - 1, 3)}))
finally:
    for p, _ in servers:
        os.killpg(p.pid, signal.SIGTERM); p.wait()

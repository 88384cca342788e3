# in-process CPU per page through the ASGI app directly (no test client), page cache off.
# usage: asgi_cpu.py DBURL rounds per_round [profile-out] [pages]
import asyncio, sys, time, statistics
sys.path[:0] = ["bench"]
from pages import page_paths
from despatchbox.web.app import create_app
from despatchbox.web.page_cache import page_cache_of

url = sys.argv[1]; rounds = int(sys.argv[2]); n = int(sys.argv[3])
prof = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
which = sys.argv[5].split(",") if len(sys.argv) > 5 else ["member", "seed", "debate", "department"]
paths = page_paths(url)
app = create_app(url)
page_cache_of(app).resize(0)

async def get(path):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"localhost"), (b"accept-encoding", b"gzip")],
             "client": ("127.0.0.1", 1), "server": ("localhost", 80)}
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(m):
        sent.append(m)
    await app(scope, receive, send)
    assert sent[0]["status"] == 200, (path, sent[0]["status"])

async def main():
    for p in paths.values():
        await get(p)
    res = {k: [] for k in which}
    from despatchbox.web.page_threads import page_executor
    ex0 = page_executor(); pth = {k: [] for k in which}
    pr = None
    if prof:
        import cProfile
        pr = cProfile.Profile()
        from despatchbox.web.page_threads import page_executor
        ex = page_executor()
    for _ in range(rounds):
        for k in which:
            if pr: ex.submit(pr.enable).result()
            t = time.process_time(); t0 = ex0.submit(time.thread_time).result()
            for _ in range(n):
                await get(paths[k])
            pth[k].append((ex0.submit(time.thread_time).result() - t0) / n * 1000)
            res[k].append((time.process_time() - t) / n * 1000)
            if pr: ex.submit(pr.disable).result()
    meds = {k: round(statistics.median(v), 3) for k, v in res.items()}
    print(meds, "mean", round(sum(meds.values()) / len(meds), 3))
    pm = {k: round(statistics.median(v), 3) for k, v in pth.items()}
    print("page thread", pm, "mean", round(sum(pm.values()) / len(pm), 3))
    if pr:
        pr.dump_stats(prof)
asyncio.run(main())

# the event loop's side of a page, ASGI in-process: thread CPU of the loop thread per request, and cProfile of it.
import os, sys, time, asyncio, cProfile, pstats, io
tree, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
which = sys.argv[4:] or ["member", "seed", "debate", "department"]
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import pages
url = f"sqlite:///{db}"
paths = pages.page_sets(url, 1)[0]
paths["redirect"] = paths["debate"].replace("/debate/debate", "/debates/debate")
paths["static"] = "/static/style.css"
from despatchbox.web.app import create_app
app = create_app(url)
from despatchbox.web.page_cache import page_cache_of
page_cache_of(app).resize(0)
async def one(path):
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip, deflate"), (b"accept", b"*/*"),
                         (b"user-agent", b"loadgen")], "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 8000),
             "state": {}}
    got = []
    async def receive(): return {"type": "http.request", "body": b"", "more_body": False}
    async def send(m): got.append(m)
    await app(scope, receive, send)
    return got
async def main():
    # lifespan
    for name in which:
        path = paths[name]
        for _ in range(20): await one(path)
        best = None
        for r in range(5):
            t = time.thread_time()
            for _ in range(n): await one(path)
            v = (time.thread_time() - t) / n * 1000
            best = v if best is None else min(best, v)
        print(f"{name:10s} loop thread {best:.3f} ms/request  status {(await one(path))[0]['status']}")
        if os.environ.get("PROF"):
            p = cProfile.Profile(); p.enable()
            for _ in range(n): await one(path)
            p.disable(); s = io.StringIO(); pstats.Stats(p, stream=s).sort_stats(os.environ["PROF"]).print_stats(40); print(s.getvalue()[-8000:])
asyncio.run(main())

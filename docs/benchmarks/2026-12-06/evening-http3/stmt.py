import sys, time, collections, asyncio
sys.path[:0] = ["bench"]
from pages import page_paths
from despatchbox.web.app import create_app
from despatchbox.web.page_cache import page_cache_of
from despatchbox.store.queries import direct
import traceback
url = sys.argv[1]
paths = page_paths(url)
app = create_app(url); page_cache_of(app).resize(0)
acc = collections.defaultdict(float); cnt = collections.Counter()
orig = direct._fast
cur = [None]
def fast(conn, statement, params):
    t = time.thread_time()
    r = orig(conn, statement, params)
    f = sys._getframe(2)
    key = (cur[0], f.f_code.co_name if f.f_code.co_name not in ("first","dicts","rows") else sys._getframe(3).f_code.co_name)
    acc[key] += time.thread_time() - t; cnt[key] += 1
    return r
direct._fast = fast
async def get(path):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"localhost"), (b"accept-encoding", b"gzip")], "client": ("127.0.0.1", 1), "server": ("localhost", 80)}
    async def receive(): return {"type": "http.request", "body": b"", "more_body": False}
    async def send(m): pass
    await app(scope, receive, send)
async def main():
    N = 200
    for k, p in paths.items():
        cur[0] = None
        await get(p)
        cur[0] = k
        for _ in range(N): await get(p)
    for (k, f), v in sorted(acc.items(), key=lambda kv: (str(kv[0][0]), -kv[1])):
        if k: print(f"{k:11s} {f:35s} {v/N*1000:7.3f} ms  x{cnt[(k,f)]//N}")
asyncio.run(main())

# cProfile of the page thread, each of the bench's four pages. usage: prof.py TREE DB N [page...]
import os, sys, cProfile, pstats, time, io
tree, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
which = sys.argv[4:] or ["member", "seed", "debate", "department"]
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import pages
from concurrent.futures import ThreadPoolExecutor
import despatchbox.web.page_threads as pt
url = f"sqlite:///{db}"
paths = pages.page_sets(url, 1)[0]
app, client = pages._app(url)
from despatchbox.web.page_cache import page_cache_of
page_cache_of(app).resize(0)
state = {"prof": None, "cpu": 0.0}
class Ex(ThreadPoolExecutor):
    def submit(self, fn, *a, **k):
        def wrapped():
            p = state["prof"]
            t = time.thread_time()
            if p: p.enable()
            try:
                return fn(*a, **k)
            finally:
                if p: p.disable()
                state["cpu"] += time.thread_time() - t
        return super().submit(wrapped)
ex = Ex(max_workers=1)
pt.page_executor = lambda: ex
for name in which:
    path = paths[name]
    for _ in range(30): client.get(path)
    state["cpu"] = 0.0
    for _ in range(n): client.get(path)
    plain = state["cpu"] / n * 1000
    state["prof"] = cProfile.Profile()
    for _ in range(n): client.get(path)
    p = state["prof"]; state["prof"] = None
    print(f"==== {name} {path}: page thread {plain:.3f} ms/page (unprofiled)")
    s = io.StringIO(); st = pstats.Stats(p, stream=s); st.sort_stats("tottime").print_stats(30); print(s.getvalue()[-9000:])
    if os.environ.get("CUM"):
        s = io.StringIO(); st = pstats.Stats(p, stream=s); st.sort_stats("cumulative").print_stats(45); print(s.getvalue()[-10000:])

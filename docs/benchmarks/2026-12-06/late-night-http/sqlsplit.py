import os, sys, time, collections
tree, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import pages
from despatchbox.store.queries import direct
url = f"sqlite:///{db}"
paths = pages.page_sets(url, 1)[0]
app, client = pages._app(url)
acc = collections.Counter()
orig_fast, orig_dicts, orig_rows = direct._fast, direct.dicts, direct.rows
def fast(*a, **k):
    t = time.thread_time()
    try: return orig_fast(*a, **k)
    finally: acc["sql"] += time.thread_time() - t; acc["stmts"] += 1
def dicts(*a, **k):
    t = time.thread_time()
    try: return orig_dicts(*a, **k)
    finally: acc["dicts"] += time.thread_time() - t
def rows(*a, **k):
    t = time.thread_time()
    try: return orig_rows(*a, **k)
    finally: acc["dicts"] += time.thread_time() - t
direct._fast, direct.dicts, direct.rows = fast, dicts, rows
from concurrent.futures import ThreadPoolExecutor
import despatchbox.web.page_threads as pt
class Ex(ThreadPoolExecutor):
    def submit(self, fn, *a, **k):
        def wrapped():
            t = time.thread_time()
            try: return fn(*a, **k)
            finally: acc["page"] += time.thread_time() - t
        return super().submit(wrapped)
ex = Ex(max_workers=1)
pt.page_executor = lambda: ex
from despatchbox.web.page_cache import page_cache_of
page_cache_of(app).resize(0)
for name, path in paths.items():
    for _ in range(20): client.get(path)
    acc.clear()
    for _ in range(n): client.get(path)
    print(f"{name:11s} statements {acc['stmts']/n:.0f}, driver (execute+fetch) {acc['sql']/n*1000:.3f} ms, rows made {(acc['dicts']-acc['sql'])/n*1000:.3f} ms, page thread {acc['page']/n*1000:.3f} ms")

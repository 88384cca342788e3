# page thread CPU per page split: template render vs the rest. usage: split.py TREE DB N
import os, sys, time
tree, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import pages
from concurrent.futures import ThreadPoolExecutor
import despatchbox.web.page_threads as pt
from despatchbox.web.templating import templates
url = f"sqlite:///{db}"
paths = pages.page_sets(url, 1)[0]
app, client = pages._app(url)
from despatchbox.web.page_cache import page_cache_of
page_cache_of(app).resize(0)
acc = {"page": 0.0, "render": 0.0}
orig = templates.TemplateResponse
def tr(*a, **k):
    t = time.thread_time()
    try: return orig(*a, **k)
    finally: acc["render"] += time.thread_time() - t
templates.TemplateResponse = tr
class Ex(ThreadPoolExecutor):
    def submit(self, fn, *a, **k):
        def wrapped():
            t = time.thread_time()
            try: return fn(*a, **k)
            finally: acc["page"] += time.thread_time() - t
        return super().submit(wrapped)
ex = Ex(max_workers=1)
pt.page_executor = lambda: ex
tot = 0
for name, path in paths.items():
    for _ in range(30): client.get(path)
    best = None
    for rnd in range(int(os.environ.get("ROUNDS", 5))):
        acc["page"] = acc["render"] = 0.0
        for _ in range(n): client.get(path)
        r = (acc["page"] / n * 1000, acc["render"] / n * 1000)
        best = r if best is None or r[0] < best[0] else best
    tot += best[0]
    print(f"{name:11s} page thread {best[0]:.3f} ms, of which template {best[1]:.3f} ms (best of 5 rounds of {n})")
print(f"mean {tot/4:.3f}")

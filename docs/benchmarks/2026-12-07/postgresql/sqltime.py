"""Each page's statements timed as the pages run them (store/queries/direct._fast wrapped): python sqltime.py URL.
A measurement script, not part of the product."""
import os, sys, time, collections
sys.path[:0] = ["/work/main/bench", "/work/main/src"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:////work/wt-bench/s31/despatchbox.db"
os.environ["DESPATCHBOX_DATABASE_URL"] = url
import pages
from despatchbox.store.queries import direct
paths = pages.page_paths(url)
from despatchbox.web.app import create_app
from starlette.testclient import TestClient
app = create_app(url); c = TestClient(app)
tot = collections.Counter(); cnt = collections.Counter(); rows = collections.Counter()
orig = direct._fast
def timed(conn, statement, params):
    t = time.perf_counter(); r = orig(conn, statement, params); d = time.perf_counter() - t
    key = str(statement)[:160].replace("\n", " ")
    tot[key] += d; cnt[key] += 1; rows[key] += len(r[1]) if r else 0
    return r
direct._fast = timed
for kind, p in paths.items():
    for _ in range(3): c.get(p)
tot.clear(); cnt.clear(); rows.clear()
N = 50
page_t = {}
for kind, p in paths.items():
    t = time.perf_counter()
    for _ in range(N): c.get(p, headers={"accept-encoding": "gzip"})
    page_t[kind] = (time.perf_counter() - t) / N * 1000
print({k: round(v, 2) for k, v in page_t.items()})
print("sql ms per page-set:", round(sum(tot.values()) / N * 1000, 2))
for key, v in tot.most_common(25):
    print(f"{v/N*1000:6.3f} ms  x{cnt[key]/N:.0f} rows {rows[key]/cnt[key]:.0f}  {key}")

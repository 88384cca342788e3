import os, sys, time, collections
tree, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3]); which = sys.argv[4:]
sys.path[:0] = [tree + "/src", tree + "/bench"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import pages
from despatchbox.store.queries import direct
url = f"sqlite:///{db}"
paths = pages.page_sets(url, 1)[0]
app, client = pages._app(url)
acc = collections.Counter(); rowsn = collections.Counter(); sqls = {}
orig = direct._fast
import inspect
def fast(conn, statement, params):
    t = time.thread_time()
    r = orig(conn, statement, params)
    dt = time.thread_time() - t
    caller = inspect.stack()[2]
    key = f"{caller.function}@{os.path.basename(caller.filename)}"
    acc[key] += dt; rowsn[key] += len(r[1]) if r else 0
    return r
direct._fast = fast
for name in which:
    path = paths[name]
    for _ in range(10): client.get(path)
    acc.clear(); rowsn.clear()
    for _ in range(n): client.get(path)
    print("==", name)
    for k, v in acc.most_common(): print(f"   {v/n*1000:.3f} ms  rows {rowsn[k]/n:.0f}  {k}")

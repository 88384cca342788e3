# Run from a tree (bench/ on the path): in-process CPU per page, the page cache off.
import sys, time
sys.path[:0] = ["bench"]
from pages import _app, page_paths
url = sys.argv[1]; which = sys.argv[2].split(","); n = int(sys.argv[3])
paths = page_paths(url)
app, client = _app(url)
from despatchbox.web.page_cache import page_cache_of
page_cache_of(app).resize(0)
for name in which:
    client.get(paths[name])
for name in which:
    t = time.process_time()
    for _ in range(n):
        r = client.get(paths[name]); assert r.status_code == 200
    print(name, paths[name], round((time.process_time() - t) / n * 1000, 2), "ms CPU")

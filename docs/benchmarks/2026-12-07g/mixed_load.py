"""Static file latency while the four pages load the server: head-of-line cost of pages on the event loop."""
import sys, os, json, threading
tree = sys.argv[1]   # a checkout of despatchbox (its bench/ and src/)
sys.path[:0] = [tree + "/bench", tree + "/src"]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
import loadgen, pages
url = "sqlite:////work/b20k/despatchbox.db"
paths = list(pages.page_paths(url).values())
out = {}
with loadgen.Server(url, 2) as server:
    loadgen.load(server.base, paths, 2, 8)
    t = threading.Thread(target=lambda: out.__setitem__("pages", loadgen.load(server.base, paths, 12, 8)))
    t.start()
    import time; time.sleep(1)
    out["static"] = loadgen.load(server.base, ["/static/style.css"], 10, 1)
    t.join()
print(json.dumps({k: {x: v[x] for x in ("rps", "p50_ms", "p95_ms", "p99_ms")} for k, v in out.items()}))

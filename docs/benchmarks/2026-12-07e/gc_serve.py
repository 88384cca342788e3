"""Serve a database in-process with uvicorn (one process, the app's lifespan run), record every
garbage collection's pause, and load it on 8 connections: the four bench pages and the seven search
pages cycled (MIX=pages: the four alone).

    SRC=<a tree's src> python gc_serve.py none|freeze|freeze-thr SECONDS [DB_URL]

"none" leaves the collector as the code under SRC sets it; "freeze" and "freeze-thr" were the
experiments before web/collector.py (gc.freeze() after start; and the youngest threshold 7,000)."""
import sys, time, gc, threading, asyncio, os, json
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path[:0] = [os.path.join(ROOT, "bench"), os.environ.get("SRC", os.path.join(ROOT, "src"))]
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
mode = sys.argv[1]
freeze = mode.startswith("freeze")
import uvicorn
from despatchbox.web.app import create_app
import pages as P, loadgen
url = sys.argv[3] if len(sys.argv) > 3 else "sqlite:///despatchbox.db"
app = create_app(url)
pauses = []; st = {}
def cb(phase, info):
    if phase == "start": st["t"] = time.perf_counter()
    else: pauses.append((info["generation"], (time.perf_counter() - st["t"]) * 1000))
gc.callbacks.append(cb)
config = uvicorn.Config(app, host="127.0.0.1", port=8793, log_level="warning", access_log=False)
server = uvicorn.Server(config)
th = threading.Thread(target=server.run, daemon=True); th.start()
while not server.started: time.sleep(0.05)
if freeze:
    gc.freeze()
if mode == "freeze-thr":
    gc.set_threshold(7000, 10, 10)
paths = list(P.page_paths(url).values()) + (list(P.SEARCH_PAGES.values()) if os.environ.get("MIX") != "pages" else [])
out = loadgen.load("http://127.0.0.1:8793", paths, float(sys.argv[2]), 8, 1)
server.should_exit = True; th.join()
g2 = [p for g, p in pauses if g == 2]; g1 = [p for g, p in pauses if g == 1]
print(json.dumps({"mode": sys.argv[1], "rps": out["rps"], "p50": out["p50_ms"], "p95": out["p95_ms"], "p99": out["p99_ms"],
                  "gen2": [round(p, 1) for p in g2], "gen1_max": round(max(g1 or [0]), 1), "gen0": sum(1 for g, _ in pauses if g == 0), "pause_ms_per_1000": round(sum(p for _, p in pauses) * 1000 / (out["rps"] * float(sys.argv[2])), 1), "max_ms": round(max(p for _, p in pauses), 1),
                  "tracked": len(gc.get_objects()), "frozen": gc.get_freeze_count()}))

import os, sys, time, collections
os.environ["DESPATCHBOX_PAGE_CACHE_MB"] = "0"
sys.path.insert(0, "/work/main/bench"); sys.path.insert(0, "/work/main/src")
import pages
from sqlalchemy import event
from sqlalchemy.engine import Engine
url = "sqlite:////work/b3m/w3m/despatchbox.db"
app, client = pages._app(url)
stats = collections.defaultdict(lambda: [0, 0.0])
@event.listens_for(Engine, "before_cursor_execute")
def b(conn, cur, stmt, params, ctx, many): conn.info["t0"] = time.perf_counter()
@event.listens_for(Engine, "after_cursor_execute")
def a(conn, cur, stmt, params, ctx, many):
    s = stats[stmt]; s[0] += 1; s[1] += time.perf_counter() - conn.info["t0"]
for path in sys.argv[1:]:
    for _ in range(3): client.get(path)
    stats.clear()
    for _ in range(5): client.get(path)
    tot = sum(v[1] for v in stats.values())/5
    print(f"== {path}: SQL {tot*1000:.2f} ms/page, {sum(v[0] for v in stats.values())/5:.0f} statements")
    for stmt, (n, t) in sorted(stats.items(), key=lambda kv: -kv[1][1])[:6]:
        print(f"  {t/5*1000:7.2f} ms  x{n/5:.0f}  {' '.join(stmt.split())[:600]}")

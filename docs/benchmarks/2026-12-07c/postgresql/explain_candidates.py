import sys
sys.path[:0] = [sys.argv[1] + "/src", sys.argv[1] + "/bench"]
from who_said import paste
from despatchbox.quotes import fingerprints
from despatchbox.store.database import engine_for
from despatchbox.store.queries import quotes
e = engine_for(f"postgresql+psycopg://postgres@127.0.0.1:55490/{sys.argv[2]}")
para = paste().split("\n")[6]
hs = sorted(set(fingerprints(para)))
with e.connect() as c:
    packed = quotes.in_blocks(c) if hasattr(quotes, "in_blocks") and sys.argv[2] == "pg1m_b" else False
    q = quotes._candidates_sql(len(hs), "%s", packed) if packed else quotes._candidates_sql(len(hs), "%s")
    for r in c.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + q, (*hs, 2000, 12)): print(r[0])

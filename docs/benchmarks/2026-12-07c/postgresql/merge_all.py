import sys, time
sys.path.insert(0, sys.argv[1] + "/src")
from despatchbox.store.database import engine_for
from despatchbox.store.queries.fingerprint_levels import settle_fingerprints, fingerprint_stats
e = engine_for(f"postgresql+psycopg://postgres@127.0.0.1:55490/{sys.argv[2]}")
with e.connect() as c: before = fingerprint_stats(c)
t = time.perf_counter()
with e.begin() as c: print("merged", settle_fingerprints(c, shares=(0.0, 0.0, 0.0)))
print("seconds", round(time.perf_counter() - t, 1))
with e.connect() as c: print(before, fingerprint_stats(c))

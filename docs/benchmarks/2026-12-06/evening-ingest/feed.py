import sys, time, shutil, os
db = sys.argv[1]
shutil.rmtree(db + ".search", ignore_errors=True)
from despatchbox.store.database import engine_for
from despatchbox.store.search import sync_index
engine = engine_for("sqlite:///" + db)
t = time.process_time(); tt = time.thread_time(); w = time.perf_counter()
sync_index(engine)
print("feed proc", round(time.process_time()-t, 2), "thread", round(time.thread_time()-tt, 2), "wall", round(time.perf_counter()-w, 2))
os.system(f"ls -la {db}.search | head -30")

import sys, time, shutil, os, resource
db = sys.argv[1]; mode = sys.argv[2]
shutil.rmtree(db + ".search", ignore_errors=True)
from despatchbox.store.database import engine_for
from despatchbox.pipeline import run as R
import despatchbox.allocator as A
if mode == "notrim":
    A.release_free = lambda: None
    A.Releasing.tick = lambda self: True
engine = engine_for("sqlite:///" + db)
r0 = resource.getrusage(resource.RUSAGE_SELF)
R._feed_search_index(engine, large=True)
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(mode, "user", round(r1.ru_utime - r0.ru_utime, 2), "sys", round(r1.ru_stime - r0.ru_stime, 2), "minflt", r1.ru_minflt - r0.ru_minflt, "maxrss", r1.ru_maxrss // 1024)

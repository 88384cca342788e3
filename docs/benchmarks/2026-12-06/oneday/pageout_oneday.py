import sys, os, time, shutil, resource
sys.path.insert(0, "/work/wt/oneday/bench")
from pathlib import Path
from one_day import copy_database, day_files
w = Path("/work/wt-data/oneday-you")
import despatchbox.pipeline.upkeep as upkeep
seen = []
_orig = upkeep.PagedOut.resident_kb
def _rk(self):
    v = _orig(self); seen.append(v); return v
upkeep.PagedOut.resident_kb = _rk
if sys.argv[1] == "off":
    upkeep.PAGE_OUT_EVERY = 1e9
from despatchbox.store.database import engine_for
from despatchbox.pipeline.run import ingest
tgt = w / "prof" / "po-run.db"
for suffix in ("", "-wal", "-shm"): Path(f"{tgt}{suffix}").unlink(missing_ok=True)
shutil.rmtree(f"{tgt}.search", ignore_errors=True)
copy_database(w / "base.db", tgt)
engine = engine_for(f"sqlite:///{tgt}")
r0 = resource.getrusage(resource.RUSAGE_SELF); w0 = time.perf_counter()
ingest(engine, day_files())
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(sys.argv[1], "wall", round(time.perf_counter() - w0, 2), "user", round(r1.ru_utime - r0.ru_utime, 2), "sys", round(r1.ru_stime - r0.ru_stime, 2), "minflt", r1.ru_minflt - r0.ru_minflt, "majflt", r1.ru_majflt - r0.ru_majflt)
print("resident kb seen", seen)
engine.dispose()
for suffix in ("", "-wal", "-shm"): Path(f"{tgt}{suffix}").unlink(missing_ok=True)
shutil.rmtree(f"{tgt}.search", ignore_errors=True)

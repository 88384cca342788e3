import sys, time, resource, os, collections, functools, shutil
from pathlib import Path
db = sys.argv[1]
for suf in ("", "-wal", "-shm"):
    if os.path.exists(db+suf): os.remove(db+suf)
shutil.rmtree(db + ".search", ignore_errors=True)
t0 = time.process_time()
from despatchbox.store.database import engine_for
from despatchbox.pipeline import run as R, batch as B, upkeep as U
from despatchbox.ingest.discover import discover
imp = time.process_time() - t0
acc = collections.Counter()
def wrap(mod, name, label):
    f = getattr(mod, name)
    @functools.wraps(f)
    def g(*a, **k):
        t = time.process_time(); tt = time.thread_time()
        try: return f(*a, **k)
        finally:
            acc[label + " (proc)"] += time.process_time() - t
            acc[label + " (thread)"] += time.thread_time() - tt
    setattr(mod, name, g)
wrap(R, "_feed_search_index", "search feed")
import despatchbox.allocator as A, despatchbox.pipeline.upkeep as UP, despatchbox.periodic as PER
cnt = collections.Counter()
def wrapc(mod, name, label):
    f = getattr(mod, name)
    def g(*a, **k):
        t = time.thread_time(); cnt[label] += 1
        try: return f(*a, **k)
        finally: acc[label + " (thread)"] += time.thread_time() - t
    setattr(mod, name, g)
wrapc(A, "in_use", "in_use")
wrapc(A, "release_free", "release_free")
wrapc(UP.PagedOut, "tick", "pagedout tick")

wrap(R, "_ingest_members_file", "members files")
wrap(R, "_write_file", "write_file")
wrap(R, "derive_members", "derive")
wrap(R, "reresolve_held", "reresolve")
wrap(R, "finish_members", "finish_members")
wrap(R, "_build_resolver", "build_resolver")
wrap(U.TouchedFiles, "refresh", "refresh")
import despatchbox.store.database as D
_f = discover([Path(sys.argv[2])]); files = _f.members + _f.transcripts
engine = engine_for("sqlite:///" + db)
t = time.perf_counter(); c0 = time.process_time()
r = R.ingest(engine, files)
s = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)
print("imports", round(imp, 2), "ingest proc", round(time.process_time()-c0, 2))
print("wall", round(time.perf_counter()-t,2), "self", round(s.ru_utime+s.ru_stime,2), "children", round(c.ru_utime+c.ru_stime,2), "records", r.records)
print(cnt)
for k, v in sorted(acc.items()): print(f"  {k:30s} {v:6.2f}")

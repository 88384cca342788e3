import cProfile, sys, time, os, shutil
from pathlib import Path
tag = sys.argv[1]
db = Path(f"/work/wt-data/oneday-you/p20k-{tag}.db")
for s in ("", "-wal", "-shm"): Path(f"{db}{s}").unlink(missing_ok=True)
shutil.rmtree(f"{db}.search", ignore_errors=True)
from despatchbox.store.database import engine_for
from despatchbox.pipeline.run import ingest
engine = engine_for(f"sqlite:///{db}")
prof = cProfile.Profile(time.process_time)
t0 = time.process_time()
prof.enable(); r = ingest(engine, [Path("/tmp/oneday-20k/corpus")]); prof.disable()
print(tag, "cpu", round(time.process_time() - t0, 2), r.records)
prof.dump_stats(f"/work/wt-data/oneday-you/prof/p20k-{tag}.prof")
st = prof.getstats()
import pstats
s = pstats.Stats(f"/work/wt-data/oneday-you/prof/p20k-{tag}.prof")
for k, v in s.stats.items():
    if k[2] in ("refresh_files", "_apply_department_changes", "sync", "held_items", "_refresh_person_days", "settle_fingerprints", "_write"):
        print("  ", k[2], k[0].split("/")[-1], round(v[3], 3))
for s in ("", "-wal", "-shm"): Path(f"{db}{s}").unlink(missing_ok=True)
shutil.rmtree(f"{db}.search", ignore_errors=True)

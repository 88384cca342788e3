import cProfile, pstats, sys, time
sys.path.insert(0, "/work/wt/trial/bench")
from pathlib import Path
from one_day import copy_database, day_files, SAMPLE
from ingest import run_ingest
w = Path("/work/wt-data/oneday/prof")
copy = w / "copy.db"; empty = w / "empty.db"
if not copy.exists():
    copy_database(Path("/work/b3m/w3m/despatchbox.db"), copy)
if not empty.exists():
    run_ingest(sorted((SAMPLE / "members").glob("*.xml")), f"sqlite:///{empty}")
import shutil
for name, db in (("empty", empty), ("large", copy)):
    # a fresh copy each: the day is new to both
    tgt = w / f"{name}-run.db"
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{tgt}{suffix}"); p.unlink(missing_ok=True)
    shutil.rmtree(f"{tgt}.search", ignore_errors=True)
    copy_database(db, tgt)
    from despatchbox.store.database import engine_for
    from despatchbox.pipeline.run import ingest
    engine = engine_for(f"sqlite:///{tgt}")
    prof = cProfile.Profile()
    t0 = time.process_time()
    prof.enable(); ingest(engine, day_files()); prof.disable()
    print(name, "cpu", round(time.process_time() - t0, 2))
    prof.dump_stats(str(w / f"{name}.prof"))
    engine.dispose()

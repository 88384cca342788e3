"""cProfile of the day into a fresh copy of the 3M db and into an empty db. argv: tag [large|empty|both]"""
import cProfile, sys, time, shutil, os
sys.path.insert(0, os.environ["PYTHONPATH"].replace("/src", "/bench"))
from pathlib import Path
from one_day import copy_database, day_files, SAMPLE
from ingest import run_ingest
w = Path("/work/wt-data/oneday-you")
tag = sys.argv[1]; which = sys.argv[2] if len(sys.argv) > 2 else "both"
base = w / "base.db"; empty = w / "empty.db"
if not empty.exists():
    run_ingest(sorted((SAMPLE / "members").glob("*.xml")), f"sqlite:///{empty}")
from despatchbox.store.database import engine_for
from despatchbox.pipeline.run import ingest
for name, db in (("empty", empty), ("large", base)):
    if which not in ("both", name): continue
    tgt = w / "prof" / f"{name}-run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tgt}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{tgt}.search", ignore_errors=True)
    copy_database(db, tgt)
    engine = engine_for(f"sqlite:///{tgt}")
    prof = cProfile.Profile(time.process_time) if os.environ.get("CPU") else cProfile.Profile()
    t0 = time.process_time(); w0 = time.perf_counter()
    prof.enable(); ingest(engine, day_files()); prof.disable()
    print(name, "cpu", round(time.process_time() - t0, 3), "wall", round(time.perf_counter() - w0, 3), flush=True)
    prof.dump_stats(str(w / "prof" / f"{tag}-{name}.prof"))
    engine.dispose()

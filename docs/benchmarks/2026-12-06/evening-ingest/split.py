import sys, time, resource, os
from pathlib import Path
from despatchbox.store.database import engine_for
from despatchbox.pipeline.run import ingest
db = sys.argv[1]
if os.path.exists(db):
    for suf in ("", "-wal", "-shm"):
        if os.path.exists(db+suf): os.remove(db+suf)
import shutil; shutil.rmtree(db + ".search", ignore_errors=True)
from despatchbox.ingest.discover import discover
_f = discover([Path(sys.argv[2])]); files = _f.members + _f.transcripts
import despatchbox; print(despatchbox.__file__)
engine = engine_for("sqlite:///" + db)
t = time.perf_counter()
r = ingest(engine, files)
s = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)
print("wall", round(time.perf_counter()-t,2), "self", round(s.ru_utime+s.ru_stime,2), "children", round(c.ru_utime+c.ru_stime,2), "records", r.records)

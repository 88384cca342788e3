import json, sys, time, resource, os
from pathlib import Path
from despatchbox.store.database import engine_for
import despatchbox.pipeline.run as run
from despatchbox.pipeline.run import ingest
ab = os.environ.get("ABLATE", "")
import despatchbox.store.database as dbm
if os.environ.get("CACHEKB"): dbm.SQLITE_CACHE_KB = int(os.environ["CACHEKB"])
if "fp" in ab:
    import despatchbox.pipeline.prepare as p
    from despatchbox.pipeline.quotes_index import FileWriter
    run.FILE_WRITERS = p.FILE_WRITERS = tuple([FileWriter(prepare=w.prepare, write=lambda *a: 0) for w in p.FILE_WRITERS])
if "sync" in ab:
    run._feed_search_index = lambda engine: None
engine = engine_for(sys.argv[1])
started = time.perf_counter()
report = ingest(engine, [Path(p) for p in sys.argv[2:]])
elapsed = time.perf_counter() - started
r=resource.getrusage(resource.RUSAGE_SELF); c=resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": round(elapsed,2), "records": report.records, "cpu": round(r.ru_utime+r.ru_stime+c.ru_utime+c.ru_stime,2), "user": round(r.ru_utime,2), "sys": round(r.ru_stime,2), "child": round(c.ru_utime+c.ru_stime,2), "files": len(report.loaded), "errors": len(report.errors)}))

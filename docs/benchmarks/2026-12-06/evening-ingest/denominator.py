"""What bench/run.py's raw_cpu_s holds: the parent's CPU across bench/ingest.measure, split into lxml's
parse alone and the rest (the RSS sampler's thread while the ingest runs in its child)."""
import sys, time, resource, json
sys.path.insert(0, "bench")
import ingest as B
from pathlib import Path
src = Path(sys.argv[1]); url = sys.argv[2]
files = B.source_files(src)
def cpu(): r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
a = cpu(); raw = B.raw_parse(files); b = cpu()
ing = B.run_ingest([src], url); c = cpu()
print(json.dumps({"lxml_parse_cpu_s": round(b - a, 2), "lxml_parse_wall_s": round(raw["seconds"], 2),
                  "parent_cpu_during_ingest_s": round(c - b, 2), "ingest_cpu_s": round(ing["cpu_s"], 2),
                  "ingest_wall_s": round(ing["seconds"], 2)}))

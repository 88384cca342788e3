import sys, time
from pathlib import Path
from collections import defaultdict
from despatchbox.store.database import engine_for
from despatchbox.pipeline.run import _build_resolver
from despatchbox.pipeline.transcripts import build_rows
from despatchbox.pipeline.quotes_index import fingerprint_file
from despatchbox.store.packing.columns import pack_speech_rows
from despatchbox.ingest.parlparse.transcripts import parse_transcript
from despatchbox.pipeline.prepare import plan_files
from despatchbox.ingest.discover import discover
e = engine_for("sqlite:///" + sys.argv[1])
with e.connect() as c:
    resolver, posts = _build_resolver(c)
files = discover([Path("/work/wt-bench/ingest3/corpus")]).transcripts
from despatchbox.pipeline.prepare import identify_known
series = defaultdict(list)
for p in files: series[identify_known(p)[1]].append(p)
newest = [max(v, key=lambda p: p.name) for v in series.values()]
acc = defaultdict(lambda: 9e9)
for rnd in range(int(sys.argv[2])):
    s = defaultdict(float)
    for f in newest:
        t = time.process_time(); tf = parse_transcript(f); s["parse"] += time.process_time() - t
        t = time.process_time(); rows = build_rows(tf, None, resolver, posts); s["build_rows"] += time.process_time() - t
        t = time.process_time(); fp = fingerprint_file(rows); s["fingerprints"] += time.process_time() - t
        t = time.process_time(); pack_speech_rows(rows.speech_rows); s["pack"] += time.process_time() - t
    for k, v in s.items(): acc[k] = min(acc[k], v)
print(len(newest), {k: round(v, 3) for k, v in acc.items()}, "sum", round(sum(acc.values()), 2))

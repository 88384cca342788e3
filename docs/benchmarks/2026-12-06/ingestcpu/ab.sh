#!/bin/sh
# A/B: before (150af96) and after (this worktree), alternated, same corpus and workdir
out=${1:-/tmp/ingestcpu-ab.out}
pairs=${2:-3}
: > $out
for i in $(seq 1 $pairs); do
  for side in before after; do
    if [ $side = before ]; then tree=/tmp/ingestcpu-before; pp=/tmp/ingestcpu-before/src
    else tree=/work/wt/ingestcpu; pp=/work/wt/ingestcpu/src:/tmp/ingestcpu-site; fi
    cd $tree && PYTHONPATH=$pp /work/main/.venv/bin/python bench/run.py --speeches 20000 --workdir /tmp/ingestcpu-20k --only ingest --reingest --json 2>/dev/null \
      | /work/main/.venv/bin/python -c "import json,sys; d=json.load(sys.stdin); i=d['ingest']; print('$side', json.dumps({k:i.get(k) for k in ('ingest_cpu_s','raw_cpu_s','cpu_ratio','seconds','peak_rss_mb','bulk_ratio')}), d['machine']['load_avg'], d['code'])" >> $out
  done
done

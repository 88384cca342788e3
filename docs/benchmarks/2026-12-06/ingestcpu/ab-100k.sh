#!/bin/sh
out=/tmp/ingestcpu-100k.out
: > $out
for side in ${SIDES:-after before}; do
  if [ $side = before ]; then tree=/tmp/ingestcpu-before; pp=/tmp/ingestcpu-before/src
  else tree=/work/wt/ingestcpu; pp=/work/wt/ingestcpu/src:/tmp/ingestcpu-site; fi
  cd $tree && PYTHONPATH=$pp /work/main/.venv/bin/python bench/run.py --speeches 100000 --workdir /tmp/ingestcpu-100k --only ingest --reingest --json 2>/tmp/ingestcpu-100k-$side.err > /tmp/ingestcpu-100k-$side.json
  /work/main/.venv/bin/python -c "import json,sys; d=json.load(open('/tmp/ingestcpu-100k-$side.json')); i=d['ingest']; print('$side', json.dumps({k:i.get(k) for k in ('ingest_cpu_s','raw_cpu_s','cpu_ratio','seconds','peak_rss_mb','bulk_ratio','records')}), d['machine']['load_avg'], d['code'])" >> $out
done

#!/bin/bash
out=/work/wt-data/oneday-you/ab20k; mkdir -p $out
for i in ${RUNS:-1 2}; do
  for side in ${ORDER:-before after}; do
    if [ $side = before ]; then tree=/tmp/oneday-before; else tree=/work/wt/oneday; fi
    echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) $side $i" >> $out/log
    (cd $tree && PYTHONPATH=$tree/src /work/main/.venv/bin/python bench/run.py --speeches 20000 --workdir /tmp/oneday-20k --only ${ONLY:-ingest,one_day} --reingest --json) > $out/$side-$i.json 2>> $out/err
    /work/main/.venv/bin/python -c "
import json,sys; r=json.load(open('$out/$side-$i.json')); i=r['ingest']; d=r.get('one_day') or {}
print('  ingest s', i['seconds'], 'cpu', i.get('ingest_cpu_s'), 'cpu_ratio', i.get('cpu_ratio'), 'rss', i['peak_rss_mb'], '| one_day', d.get('ratio'), d.get('cpu_ratio'), d.get('large_cpu_s'), d.get('empty_cpu_s'))" >> $out/log
  done
done

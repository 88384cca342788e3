#!/bin/sh
# alternated before/after runs of bench/search.py on one database: $1 = db url, $2 = rounds, $3 = pairs, $4 = out prefix
for i in $(seq 1 $3); do
  for side in before after; do
    if [ $side = before ]; then tree=/tmp/search-before; else tree=/work/wt/search; fi
    (cd $tree && PYTHONPATH=$tree/src /work/main/.venv/bin/python bench/search.py --db $1 --rounds $2 --json --cpu > $4-$side-$i.json)
    /work/main/.venv/bin/python -c "
import json,sys; r=json.load(open('$4-$side-$i.json')); g=r['common_vs_rare']
print('$side $i', 'p95', r['p95_ms'], 'ratio', r['ratio'], 'police', g['common_p95_ms'], 'hedgerows', g['rare_p95_ms'], 'common/rare', g['ratio'], 'load', open('/proc/loadavg').read().split()[0])"
  done
done

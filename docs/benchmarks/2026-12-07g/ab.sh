#!/bin/bash
# alternate: base (threads) vs main (inline), --only http
for i in 1 2 3; do
  for t in base main; do
    d=/work/wt/base; [ $t = main ] && d=/work/main
    cd $d && /work/main/.venv/bin/python bench/run.py --speeches 20000 --workdir /work/b20k --only http --json > /tmp/ab-$t-$i.json 2>/dev/null
    python3 -c "
import json; h=json.load(open('/tmp/ab-$t-$i.json'))['http']; print('$t $i', {k:h[k] for k in ['rps','baseline_rps','ratio','ratio_rounds','cpu_ms_per_request','baseline_cpu_ms_per_request','cpu_ratio']})"
  done
done

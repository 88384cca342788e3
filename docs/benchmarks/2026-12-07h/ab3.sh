#!/bin/bash
# alternate: b402444 on the format-2 database (/work/b20k) vs HEAD on a format-3 one (/work/b20k3)
for i in $(seq $1 $2); do
  for t in old new; do
    if [ $t = old ]; then D=/work/wt/base; W=/work/b20k; else D=/work/main; W=/work/b20k3; fi
    cd $D && /work/main/.venv/bin/python bench/run.py --speeches 20000 --workdir $W --corpus /work/b20k/corpus --only http --json > /tmp/ab3-$t-$i.json 2>/tmp/ab3-$t-$i.err
    python3 -c "
import json; d=json.load(open('/tmp/ab3-$t-$i.json')); h=d['http']; print('$t $i', {k:h[k] for k in ['rps','baseline_rps','ratio','ratio_rounds','cpu_ms_per_request','baseline_cpu_ms_per_request','cpu_ratio']})"
  done
done

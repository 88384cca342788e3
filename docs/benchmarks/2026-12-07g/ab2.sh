#!/bin/bash
# alternate in one checkout: the page thread (86dd100's web/page_threads.py put in place of web/page_routes.py) vs the event loop (HEAD)
F=/work/main/src/despatchbox/web/page_routes.py
for i in 4 5 6; do
  for t in thread loop; do
    if [ $t = thread ]; then cp /tmp/old_page_threads.py $F; fi
    cd /work/main && .venv/bin/python bench/run.py --speeches 20000 --workdir /work/b20k --only http --json > /tmp/ab-$t-$i.json 2>/dev/null
    git -C /work/main checkout -q src/despatchbox/web/page_routes.py
    python3 -c "
import json; d=json.load(open('/tmp/ab-$t-$i.json')); h=d['http']; print('$t $i', d['notes'], {k:h[k] for k in ['rps','baseline_rps','ratio','ratio_rounds','cpu_ms_per_request','baseline_cpu_ms_per_request','cpu_ratio']})"
  done
done

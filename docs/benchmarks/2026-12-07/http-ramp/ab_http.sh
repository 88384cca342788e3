#!/bin/bash
# alternate: before (39d612b) and after (connections ramped, balance reported), 3 pairs, http section only
for i in 1 2 3; do
  for tree in /tmp/oldhttp2 /work/main; do
    out=$(cd $tree && PYTHONPATH=$tree/src timeout 600 /work/wt/trial/.venv/bin/python bench/run.py --speeches 20000 --corpus /work/wt-bench/main20k/corpus --workdir /work/wt-bench/s31 --only http --json 2>/dev/null)
    echo "$tree $out" | python3 -c "
import json,sys; line=sys.stdin.read(); tree,js=line.split(' ',1); h=json.loads(js)['http']
print(tree, {k:h.get(k) for k in ('ratio','ratio_rounds','balance_rounds','baseline_balance_rounds','rps','baseline_rps','cpu_ms_per_request','baseline_cpu_ms_per_request')})"
  done
done

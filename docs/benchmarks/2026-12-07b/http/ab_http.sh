#!/bin/bash
# SQLite at 20k, the HTTP section only (bench/run.py --only http), alternated x3:
#   before: 6f4c7c1 on the 20k bench database at 0028 (s31)
#   after:  HEAD on a copy of it upgraded to 0029 and compacted (s33: fellow speakers kept)
for i in 1 2 3; do
  for pair in "/tmp/pgbefore s31" "/work/main s33"; do
    set -- $pair
    out=$(cd $1 && PYTHONPATH=$1/src timeout 600 /work/wt/trial/.venv/bin/python bench/run.py --speeches 20000 --corpus /work/wt-bench/main20k/corpus --workdir /work/wt-bench/$2 --only http --json 2>/dev/null)
    echo "$1 $out" | python3 -c "
import json,sys; line=sys.stdin.read(); tree,js=line.split(' ',1); h=json.loads(js)['http']
print(tree, {k:h.get(k) for k in ('ratio','ratio_rounds','balance_rounds','rps','baseline_rps','cpu_ms_per_request','baseline_cpu_ms_per_request')})"
  done
done

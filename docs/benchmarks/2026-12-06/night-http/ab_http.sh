#!/bin/bash
# alternate: old (single pair) and new (alternated rounds), 3 pairs, http section only, page cache off figures
for i in 1 2 3; do
  for tree in /tmp/oldhttp /work/main; do
    out=$(cd $tree && PYTHONPATH=$tree/src timeout 600 /work/wt/trial/.venv/bin/python bench/run.py --speeches 20000 --corpus /work/wt-bench/main20k/corpus --workdir /work/wt-bench/s31 --only http --json 2>/dev/null)
    echo "$tree $out" | python3 -c "
import json,sys; line=sys.stdin.read(); tree,js=line.split(' ',1); h=json.loads(js)['http']
print(tree, {k:h.get(k) for k in ('ratio','ratio_rounds','rps','baseline_rps','cpu_ms_per_request')})"
  done
done

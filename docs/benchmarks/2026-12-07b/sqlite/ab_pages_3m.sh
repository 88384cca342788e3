#!/bin/bash
# SQLite at 3M, pages only (in-process, page cache off: bench/pages.py --rounds 30), alternated x3:
#   before 6f4c7c1 on a copy of the 3M database at 0028; kept: HEAD on the database at 0029, compacted
run() {  # tree url label
  out=$(cd $1 && PYTHONPATH=$1/src /work/wt/trial/.venv/bin/python bench/pages.py --db-url $2 --rounds 30 --cold 0 --http-seconds 0 --json 2>/dev/null)
  echo "$3 $out" | python3 -c "
import json,sys; line=sys.stdin.read(); label,js=line.split(' ',1); d=json.loads(js); p=d['pages']
print(f'{label:8}', {'p50':p['p50_ms'],'p95':p['p95_ms'],'cpu_ms':p['cpu_ms']['mean'],'baseline_cpu':p['cpu_ms']['baseline']}, {k:(v['p95_ms'],v['cpu_ms']) for k,v in p['by_page'].items()})"
}
for i in 1 2 3; do
  run /tmp/pgbefore sqlite:////work/b3m/f3m0028/despatchbox.db before
  run /work/main sqlite:////work/b3m/f3m/despatchbox.db kept
done

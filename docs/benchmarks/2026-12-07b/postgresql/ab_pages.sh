#!/bin/bash
# PostgreSQL at 1M, pages only (in-process, page cache off: bench/pages.py --rounds 30), alternated x3:
#   before  6f4c7c1  (a page's read ended with ROLLBACK; LIMIT/OFFSET bound)         on pg1m_0028 (a copy at 0028)
#   reading b688c3e  (reads end with COMMIT; LIMIT/OFFSET written into the SQL)     on pg1m_0028
#   kept    HEAD     (and fellow speakers kept per person, migration 0029)          on pg1m (0029, compacted)
run() {  # tree database label
  out=$(cd $1 && DESPATCHBOX_SEARCH_DIR=/work/pgb/w1m/search PYTHONPATH=$1/src /work/wt/trial/.venv/bin/python bench/pages.py --db-url postgresql+psycopg://postgres@127.0.0.1:55490/$2 --rounds 30 --cold 0 --http-seconds 0 --json 2>/dev/null)
  echo "$3 $out" | python3 -c "
import json,sys; line=sys.stdin.read(); label,js=line.split(' ',1); d=json.loads(js); p=d['pages']
print(f'{label:8}', {'p50':p['p50_ms'],'p95':p['p95_ms'],'cpu_ms':p['cpu_ms']['mean'],'baseline_cpu':p['cpu_ms']['baseline']}, {k:(v['p95_ms'],v['cpu_ms']) for k,v in p['by_page'].items()})"
}
for i in 1 2 3; do
  run /tmp/pgbefore pg1m_0028 before
  run /tmp/pgmid pg1m_0028 reading
  run /work/main pg1m kept
done

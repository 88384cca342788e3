#!/bin/bash
# PostgreSQL at 1M, pages only (in-process, page cache off, bench/pages.py), alternated x3:
# before (6f4c7c1: a page's read ended with ROLLBACK, LIMIT/OFFSET bound) and after (reads end with
# COMMIT through store.database.reading; LIMIT/OFFSET written into the SQL by store/queries/direct)
for i in 1 2 3; do
  for tree in /tmp/pgbefore /work/main; do
    out=$(cd $tree && DESPATCHBOX_SEARCH_DIR=/work/pgb/w1m/search PYTHONPATH=$tree/src /work/wt/trial/.venv/bin/python bench/pages.py --db-url postgresql+psycopg://postgres@127.0.0.1:55490/pg1m --rounds 30 --cold 0 --http-seconds 0 --json 2>/dev/null)
    echo "$tree $out" | python3 -c "
import json,sys; line=sys.stdin.read(); tree,js=line.split(' ',1); d=json.loads(js); p=d['pages']
print(tree, {'p50':p['p50_ms'],'p95':p['p95_ms'],'cpu_ms':p['cpu_ms']['mean'],'baseline_cpu':p['cpu_ms']['baseline']}, {k:(v['p95_ms'],v['cpu_ms']) for k,v in p['by_page'].items()})"
  done
done

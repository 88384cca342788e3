#!/bin/bash
# PostgreSQL at 1M, this round's code only, five more runs (bench/pages.py --rounds 30, page cache off)
for i in 1 2 3 4 5; do
  out=$(DESPATCHBOX_SEARCH_DIR=/work/pgb/w1m/search PYTHONPATH=/work/main/src /work/wt/trial/.venv/bin/python bench/pages.py --db-url postgresql+psycopg://postgres@127.0.0.1:55490/pg1m --rounds 30 --cold 0 --http-seconds 0 --json 2>/dev/null)
  echo "$out" | python3 -c "
import json,sys; d=json.load(sys.stdin); p=d['pages']
print({'p50':p['p50_ms'],'p95':p['p95_ms'],'cpu_ms':p['cpu_ms']['mean'],'baseline_cpu':p['cpu_ms']['baseline']}, {k:(v['p95_ms'],v['cpu_ms']) for k,v in p['by_page'].items()})"
done

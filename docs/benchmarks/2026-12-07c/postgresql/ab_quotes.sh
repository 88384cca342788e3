#!/bin/bash
# PostgreSQL at 1M: who-said (30 paragraphs) and quote check (300 words), alternated x3:
#   before  8e33e14 on pg1m   (0029: the big level a row per posting)
#   after   HEAD    on pg1m_b (a copy of pg1m upgraded to 0030: the big level in blocks)
run() {  # tree database label
  for b in who_said quote_check; do
    out=$(cd $1 && PYTHONPATH=$1/src /work/wt/trial/.venv/bin/python bench/$b.py --db-url postgresql+psycopg://postgres@127.0.0.1:55490/$2 --runs 30 --json 2>/dev/null)
    echo "$3 $b $out" | python3 -c "
import json,sys; line=sys.stdin.read(); label,b,js=line.split(' ',2); d=json.loads(js)
print(f'{label:7} {b:12}', {k: d.get(k) for k in ('p50_ms','p95_ms','baseline_p95_ms','baseline_ms','ratio')})"
  done
}
for i in 1 2 3; do
  run /tmp/base pg1m before
  run /work/main pg1m_b after
done

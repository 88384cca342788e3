#!/bin/bash
# PostgreSQL at 1M, --only http: pool (as committed) vs loop (configure patched to put pages on the loop everywhere)
F=/work/main/src/despatchbox/web/page_routes.py
ORIG='    _on_loop = engine is not None and engine.dialect.name == "sqlite"'
LOOP='    _on_loop = engine is not None'
for i in 1 2; do
  for t in pool loop; do
    if [ $t = loop ]; then sed -i "s/^$ORIG\$/$LOOP/" $F; fi
    grep -n "_on_loop = engine" $F
    cd /work/main && .venv/bin/python bench/run.py --speeches 1000000 --corpus /work/pgb/c1m/corpus --workdir /work/pgb/w1mg \
      --db-url postgresql+psycopg://postgres@127.0.0.1:55490/pg1m_g --only http --json > /tmp/abpg-$t-$i.json 2>/tmp/abpg-$t-$i.err
    git -C /work/main checkout -q src/despatchbox/web/page_routes.py
    python3 -c "
import json; d=json.load(open('/tmp/abpg-$t-$i.json')); h=d['http']; print('$t $i', d.get('notes'), {k:h[k] for k in ['rps','baseline_rps','ratio','ratio_rounds','cpu_ms_per_request','baseline_cpu_ms_per_request','cpu_ratio','workers']})"
  done
done

#!/bin/bash
# PostgreSQL at 20k, pages only (in-process, page cache off), on the databases ab_pg.sh made (pair 2), alternated x3
for i in 1 2 3; do
  for tree in /tmp/oldhttp2 /work/main; do
    name=$(basename $tree); work=/work/pgb/ab-$name-2
    out=$(cd $tree && DESPATCHBOX_SEARCH_DIR=$work/search PYTHONPATH=$tree/src /work/wt/trial/.venv/bin/python bench/run.py --speeches 20000 --corpus /work/wt-bench/main20k/corpus --workdir $work --db-url postgresql+psycopg://postgres@127.0.0.1:55490/pgab_${name}_2 --only pages,search --json 2>/dev/null)
    echo "$tree $out" | python3 -c "
import json,sys; line=sys.stdin.read(); tree,js=line.split(' ',1); d=json.loads(js); p=d['pages']; q=d['search']
print(tree, {'pages_p50':p['p50_ms'],'pages_p95':p['p95_ms'],'search_p95':q['p95_ms'],'search_ratio':q['ratio']}, {k:v.get('p95_ms') for k,v in (p.get('by_kind') or {}).items()})"
  done
done

#!/bin/bash
# PostgreSQL 15 at 20k: before (39d612b, plain html and text) and after (0028, packed), alternated, two pairs.
# Each run: a new database, bench/run.py --only ingest,storage,search,pages; then VACUUM FULL and the
# database's size per contribution.
PG="-h 127.0.0.1 -p 55490 -U postgres"
for i in 1 2; do
  for tree in /tmp/oldhttp2 /work/main; do
    name=$(basename $tree); db=pgab_${name}_$i; work=/work/pgb/ab-$name-$i
    rm -rf $work; mkdir -p $work
    runuser -u postgres -- /usr/lib/postgresql/15/bin/dropdb $PG --if-exists $db
    runuser -u postgres -- /usr/lib/postgresql/15/bin/createdb $PG $db
    out=$(cd $tree && DESPATCHBOX_SEARCH_DIR=$work/search PYTHONPATH=$tree/src timeout 900 /work/wt/trial/.venv/bin/python bench/run.py --speeches 20000 --corpus /work/wt-bench/main20k/corpus --workdir $work --db-url postgresql+psycopg://postgres@127.0.0.1:55490/$db --only ingest,storage,search,pages --json 2>$work/err)
    psql $PG $db -qc "VACUUM FULL"
    vac=$(psql $PG $db -Atc "select round(sum(pg_total_relation_size(c.oid))/20639.0) from pg_class c join pg_namespace n on n.oid=c.relnamespace where n.nspname='public' and relkind='r'")
    echo "$tree $vac $out" | python3 -c "
import json,sys; line=sys.stdin.read(); tree,vac,js=line.split(' ',2); d=json.loads(js)
i,s,q,p=d['ingest'],d['storage'],d['search'],d['pages']
print(tree, {'ingest_cpu_s':i.get('ingest_cpu_s'),'cpu_ratio':i.get('cpu_ratio'),'seconds':round(i.get('seconds'),1),'peak_rss_mb':i.get('peak_rss_mb'),
 'kb_per_contribution':s.get('kb_per_contribution'),'database_mb':s.get('database_mb'),'vacuumed_b_per':int(vac),
 'search_p95':q.get('p95_ms'),'search_ratio':q.get('ratio'),'common_vs_rare':q.get('common_vs_rare_ratio'),'pages_p95':p.get('p95_ms'),'pages_p50':p.get('p50_ms')})"
  done
done

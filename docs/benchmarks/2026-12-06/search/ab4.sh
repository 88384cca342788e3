#!/bin/sh
# usage: ab4.sh NAME URL ROUNDS — PostgreSQL: before (97d0a11) with its index in pg-index (schema 3), after
# (this branch) with its own in pg-index-after (schema 4); B A B A
name=$1; url=$2; rounds=$3; out=/work/wt-data/search/ab
for i in 1 2; do
  (cd /tmp/search-before && DESPATCHBOX_SEARCH_DIR=/work/wt-data/search/pg-index PYTHONPATH=/tmp/search-before/src /work/main/.venv/bin/python bench/search.py --db "$url" --rounds $rounds --json --cpu > $out/$name-before-$i.json)
  (cd /tmp/search-after2 && DESPATCHBOX_SEARCH_DIR=/work/wt-data/search/pg-index-after PYTHONPATH=/tmp/search-after2/src /work/main/.venv/bin/python bench/search.py --db "$url" --rounds $rounds --json --cpu > $out/$name-after-$i.json)
done

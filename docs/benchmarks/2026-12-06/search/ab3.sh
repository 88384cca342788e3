#!/bin/sh
# usage: ab3.sh NAME BEFORE_URL AFTER_URL ROUNDS — before (97d0a11) on the database with its schema-3 index,
# after (this branch) on a copy of it whose index was rebuilt with the sample field (schema 4); B A B A
name=$1; before=$2; after=$3; rounds=$4; out=/work/wt-data/search/ab
for i in 1 2; do
  (cd /tmp/search-before && PYTHONPATH=/tmp/search-before/src /work/main/.venv/bin/python bench/search.py --db "$before" --rounds $rounds --json --cpu > $out/$name-before-$i.json)
  (cd /tmp/search-after2 && PYTHONPATH=/tmp/search-after2/src /work/main/.venv/bin/python bench/search.py --db "$after" --rounds $rounds --json --cpu > $out/$name-after-$i.json)
done

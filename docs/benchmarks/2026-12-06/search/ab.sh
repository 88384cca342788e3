#!/bin/sh
# usage: ab.sh NAME URL ROUNDS  — bench/search.py --cpu, before (97d0a11) and after (this branch) alternated B A B A
name=$1; url=$2; rounds=$3; out=/work/wt-data/search/ab
for i in 1 2; do
  (cd /tmp/search-before && PYTHONPATH=/tmp/search-before/src /work/main/.venv/bin/python bench/search.py --db "$url" --rounds $rounds --json --cpu > $out/$name-before-$i.json)
  (cd /tmp/search-after && PYTHONPATH=/tmp/search-after/src /work/main/.venv/bin/python bench/search.py --db "$url" --rounds $rounds --json --cpu > $out/$name-after-$i.json)
done

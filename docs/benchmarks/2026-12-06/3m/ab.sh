#!/bin/bash
# search at 3M by CPU, before (15cd544) and after (main) alternated; then one new day into 3M, alternated
DB=sqlite:////work/b3m/w3m/despatchbox.db
out=/work/b3m/ab; mkdir -p $out
for i in 1 2; do
  (cd /work/b3m/tree && PYTHONPATH=/work/b3m/tree/src .venv/bin/python bench/search.py --db $DB --rounds 5 --json --cpu > $out/search-before-$i.json 2>$out/search-before-$i.err)
  (cd /work/main && PYTHONPATH=/work/main/src .venv/bin/python bench/search.py --db $DB --rounds 5 --json --cpu > $out/search-after-$i.json 2>$out/search-after-$i.err)
done
for i in 1 2; do
  (cd /work/b3m/tree && PYTHONPATH=/work/b3m/tree/src .venv/bin/python bench/one_day.py --db-url $DB --json > $out/oneday-before-$i.json 2>$out/oneday-before-$i.err)
  (cd /work/main && PYTHONPATH=/work/main/src .venv/bin/python bench/one_day.py --db-url $DB --json > $out/oneday-after-$i.json 2>$out/oneday-after-$i.err)
done
echo done > $out/DONE

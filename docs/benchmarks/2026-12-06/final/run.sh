#!/bin/sh
cd /work/wt/trial
export PYTHONPATH=/work/wt/trial/src
PY=/work/main/.venv/bin/python
L() { echo "$1 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"; }
for i in 1 2; do
L "pages-1m-$i"; $PY bench/pages.py --db-url sqlite:////work/wt-data/pages/1m/despatchbox.db --rounds 15 --cold 5 --http-seconds 0 --json > /work/final/pages-1m-$i.json 2>/work/final/pages-1m-$i.err
L "pages-3m-$i"; $PY bench/pages.py --db-url sqlite:////work/b3m/w3m/despatchbox.db --rounds 15 --cold 5 --http-seconds 0 --json > /work/final/pages-3m-$i.json 2>/work/final/pages-3m-$i.err
done
L "search-1m"; $PY bench/search.py --db sqlite:////work/wt-data/pages/1m/despatchbox.db --rounds 10 --json --cpu > /work/final/search-1m.json 2>/work/final/search-1m.err
L "search-3m"; $PY bench/search.py --db sqlite:////work/b3m/w3m/despatchbox.db --rounds 5 --json --cpu > /work/final/search-3m.json 2>/work/final/search-3m.err
for i in 1 2; do L "oneday-3m-$i"; $PY bench/one_day.py --db-url sqlite:////work/b3m/w3m/despatchbox.db --workdir /work/wt-data/oneday --json > /work/final/oneday-3m-$i.json 2>/work/final/oneday-3m-$i.err; done
L "run-20k"; $PY bench/run.py --speeches 20000 --workdir /work/final/w20k --json > /work/final/run-20k.json 2>/work/final/run-20k.err
L done

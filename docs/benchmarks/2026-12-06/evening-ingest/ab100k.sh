#!/bin/sh
PY=/work/wt/trial/.venv/bin/python
OUT=/work/wt-bench/ingest3/out
for t in ingest3 ingest3-base ingest3-base ingest3; do
  i=$(ls $OUT | grep -c "ingest100k-$t-.*json")
  rm -rf /work/wt-bench/ingest3-100k/db.sqlite*
  cd /work/wt/$t && PYTHONPATH=src $PY bench/ingest.py --source /work/wt-bench/ingest3-100k/corpus --db sqlite:////work/wt-bench/ingest3-100k/db.sqlite --no-bulk --json > $OUT/ingest100k-$t-$i.json 2>$OUT/ingest100k-$t-$i.err
  echo "$t $i $(date +%T) $(uptime | sed 's/.*average: //')" >> $OUT/ab100k.log
done

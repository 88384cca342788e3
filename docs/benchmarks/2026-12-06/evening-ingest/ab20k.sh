#!/bin/sh
# alternated A/B of bench/run.py at 20k: base (3d01053) and ingest3, each tree its own bench and code
PY=/work/wt/trial/.venv/bin/python
OUT=/work/wt-bench/ingest3/out
for i in 1 2 3; do
  for t in ingest3-base ingest3; do
    cd /work/wt/$t && PYTHONPATH=src $PY bench/run.py --speeches 20000 --workdir /work/wt-bench/ingest3 --only ingest --reingest --json > $OUT/run20k-$t-$i.json 2>/dev/null
    echo "$t $i $(date +%T) $(uptime | sed 's/.*average: //')" >> $OUT/ab20k.log
  done
done

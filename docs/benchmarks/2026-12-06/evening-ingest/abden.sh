#!/bin/sh
# alternated pairs: lxml's parse alone, the bench process's CPU during the ingest, the ingest's CPU (denominator.py)
PY=/work/wt/trial/.venv/bin/python
OUT=/work/wt-bench/ingest3/out
for i in 1 2 3; do
  for t in ingest3-base ingest3; do
    rm -rf /work/wt-bench/ingest3/prof/d.db*
    cd /work/wt/$t && echo "$t $i $(date +%T) load $(cut -d' ' -f1 /proc/loadavg) $(PYTHONPATH=src $PY /work/wt-bench/ingest3/prof/denominator.py /work/wt-bench/ingest3/corpus sqlite:////work/wt-bench/ingest3/prof/d.db)" >> $OUT/abden.log
  done
done

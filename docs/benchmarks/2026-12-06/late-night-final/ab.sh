#!/bin/bash
for i in 3 4; do
 for t in base main; do
  if [ $t = base ]; then tree=/tmp/http4-base; else tree=/work/main; fi
  (cd $tree && PYTHONPATH=$tree/src /work/wt/trial/.venv/bin/python bench/run.py --speeches 20000 --workdir /work/wt-bench/http4 --only pages,http --json > /work/b3m/httpq/run-$t-$i.json 2> /work/b3m/httpq/run-$t-$i.err)
  echo "$t $i $(date) $(uptime)"
 done
done

#!/bin/bash
# A/B alternated one_day runs: before (150af96) and after (this worktree)
out=/work/wt-data/oneday-you/ab/$1; mkdir -p $out
for i in $(seq 1 ${2:-2}); do
  for side in ${ORDER:-before after}; do
    if [ $side = before ]; then tree=/tmp/oneday-before; else tree=/work/wt/oneday; fi
    echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) $side $i" >> $out/log
    (cd $tree && PYTHONPATH=$tree/src /work/main/.venv/bin/python bench/one_day.py --db-url sqlite:////work/b3m/w3m/despatchbox.db --workdir /work/wt-data/oneday-you/ab --json) > $out/$side-$i.json 2>> $out/log
    cat $out/$side-$i.json >> $out/log
  done
done

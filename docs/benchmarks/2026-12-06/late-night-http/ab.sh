#!/bin/bash
# before/after, alternated: bench/run.py pages,http at 20k on the same database (page cache off in the figures used)
OUT=/work/wt/http4/docs/benchmarks/2026-12-06/late-night-http
for i in 1 2 3; do
  for side in base new; do
    if [ $side = base ]; then T=/tmp/http4-base; else T=/work/wt/http4; fi
    echo "$(date -u +%H:%M:%S) $side $i start $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/ab-log.txt
    (cd $T && PYTHONPATH=$T/src /work/wt/trial/.venv/bin/python bench/run.py --speeches 20000 --workdir /work/wt-bench/http4 --only pages,http --json > $OUT/run-$side-$i.json 2> /tmp/h4/run-$side-$i.err)
    echo "$(date -u +%H:%M:%S) $side $i done rc=$? $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/ab-log.txt
  done
done
for i in 1 2 3; do
  for T in /tmp/http4-base /work/wt/http4; do
    echo "$T $(cd /tmp && /work/wt/trial/.venv/bin/python /work/wt/http4/docs/benchmarks/2026-12-06/evening-http3/threads.py $T /work/wt-bench/http4/despatchbox.db 8 2>/dev/null | tail -1)" >> $OUT/threads-ab.txt
  done
done
cd /tmp
/work/wt/trial/.venv/bin/python /tmp/h4/simul.py /tmp/http4-base /work/wt/http4 /work/wt-bench/http4/despatchbox.db 6 3 >> $OUT/side-by-side.txt 2>&1
/work/wt/trial/.venv/bin/python /tmp/h4/simul.py /work/wt/http4 /tmp/http4-base /work/wt-bench/http4/despatchbox.db 6 3 >> $OUT/side-by-side.txt 2>&1
echo "$(date -u +%H:%M:%S) all done" >> $OUT/ab-log.txt

#!/bin/bash
for i in $(seq $1 $2); do
  for t in old new; do
    if [ $t = old ]; then D=/work/wt/base; W=/work/b20k; else D=/work/main; W=/work/b20k3; fi
    cd $D && /work/main/.venv/bin/python bench/run.py --speeches 20000 --workdir $W --corpus /work/b20k/corpus --only ingest,storage --reingest --json > /tmp/ab4-$t-$i.json 2>/tmp/ab4-$t-$i.err
    python3 -c "
import json; d=json.load(open('/tmp/ab4-$t-$i.json')); i=d['ingest']; s=d['storage']; print('$t $i', {k:i.get(k) for k in ['cpu_ratio','ingest_cpu_s','raw_parse_cpu_s','seconds','bulk_ratio','peak_rss_mb']}, s['kb_per_contribution'], s['by_table_bytes_per_contribution']['speeches'])"
  done
done

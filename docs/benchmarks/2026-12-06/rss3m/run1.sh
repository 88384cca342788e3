# run1.sh TREE NAME: fresh copy of the 1M db + index, ingest the 2006 Jan-Feb slice of the 3M corpus with diag.py
set -e
W=/work/wt-data/rss3m/w-$2; rm -rf $W; mkdir -p $W
cp /work/wt-data/pages/1m/despatchbox.db $W/; cp -r /work/wt-data/pages/1m/despatchbox.db.search $W/
sync $W/despatchbox.db
/work/main/.venv/bin/python /work/wt-data/rss3m/scripts/diag.py $1 $W/despatchbox.db /work/wt-data/rss3m/slice > $W/summary.json
cat $W/summary.json; grep feed_ $W/despatchbox.db.events

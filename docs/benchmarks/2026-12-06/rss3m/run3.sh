# run3.sh TREE NAME: fresh copy of the 3M bench database + index, ingest the real sample week (not in it) with diag.py
set -e
W=/work/wt-data/rss3m/w3-$2; rm -rf $W; mkdir -p $W
cp /work/b3m/w3m/despatchbox.db $W/; cp -r /work/b3m/w3m/despatchbox.db.search $W/
sync $W/despatchbox.db
/work/main/.venv/bin/python /work/wt-data/rss3m/scripts/diag.py $1 $W/despatchbox.db /work/wt/rss/sample/parlparse-2009-10 > $W/summary.json
cat $W/summary.json; grep feed_ $W/despatchbox.db.events | cut -c1-120
rm -f $W/despatchbox.db $W/despatchbox.db-wal $W/despatchbox.db-shm; rm -rf $W/despatchbox.db.search

#!/bin/bash
# as run on 6 December 2026 (docs/benchmarks.md, morning section): base.db was bench/one_day.copy_database of
# /work/b1m/w1m-final/despatchbox.db, empty-base.db a new database with the sample members files ingested;
# child.py is the ingest timed (ABLATE=fp / sync switches parts off, CACHEKB sets the page cache)
# usage: trial.sh TREE LABEL [profile]
TREE=$1; LABEL=$2; PROF=$3
D=/work/upkeep-tmp/$LABEL
rm -rf $D; mkdir -p $D
cp /work/upkeep-tmp/base.db $D/big.db; cp -al /work/upkeep-tmp/base.db.search $D/big.db.search
cp /work/upkeep-tmp/empty-base.db $D/empty.db; cp -r /work/upkeep-tmp/empty-base.db.search $D/empty.db.search
FILES=$(ls /work/wt/upkeep/sample/parlparse-2009-10/scrapedxml/*/*2009-10-26*.xml)
cd $TREE
export PYTHONPATH=$TREE/src
for db in empty big; do
  if [ -n "$PROF" ]; then
    /work/main/.venv/bin/py-spy record -r 250 --subprocesses -f raw -o $D/$db.prof -- /work/main/.venv/bin/python /work/upkeep-tmp/child.py sqlite:///$D/$db.db $FILES 2>/dev/null >$D/$db.out; tail -1 $D/$db.out | sed "s/^/$LABEL $db /"
  else
    /work/main/.venv/bin/python /work/upkeep-tmp/child.py sqlite:///$D/$db.db $FILES | tail -1 | sed "s/^/$LABEL $db /"
  fi
done

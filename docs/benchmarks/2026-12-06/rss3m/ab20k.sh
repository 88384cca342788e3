# ab20k.sh: bench/run.py --speeches 20000 --only ingest, before (150af96) and after (this branch), alternated
for i in 1 2; do
  for t in before after; do
    T=/work/wt/rss; [ $t = before ] && T=/tmp/rss-before
    cd $T && PYTHONPATH=$T/src nice -n 10 /work/main/.venv/bin/python bench/run.py --speeches 20000 --workdir /tmp/rss-20k --only ingest --json > /work/wt-data/rss3m/ab-$t-$i.json 2> /work/wt-data/rss3m/ab-$t-$i.err
    echo "$t $i $(date -u +%T)"
  done
done

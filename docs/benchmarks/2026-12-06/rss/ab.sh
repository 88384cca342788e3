#!/bin/sh
# as run on 6 December 2026 (docs/benchmarks.md, late-morning RSS section)
# B A B A at 100k: before (97d0a11 with the measuring bench/ingest.py) and after (this branch)
for round in 1 2; do
  for side in before after; do
    if [ $side = before ]; then tree=/tmp/rss-before; else tree=/work/wt/rss; fi
    rm -rf /work/wt-data/rss/ab.db*
    echo "$side $(cd $tree && /work/main/.venv/bin/python bench/ingest.py --source /work/wt-data/rss/c100k --db sqlite:////work/wt-data/rss/ab.db --no-bulk --json)"
  done
done

#!/bin/bash
# alternate split.py on base and new, 3 times; print per-page minimum for each
for i in 1 2 3; do
  for t in /tmp/http4-base /work/wt/http4; do
    /work/wt/trial/.venv/bin/python /tmp/h4/split.py $t /work/wt-bench/http4/despatchbox.db ${N:-60} | sed "s|^|$t |"
  done
done | python3 -c "
import sys, collections
best = collections.defaultdict(dict)
for line in sys.stdin:
    parts = line.split()
    if parts[1] == 'mean': continue
    tree, page, ms = parts[0], parts[1], float(parts[4])
    best[page][tree] = min(best[page].get(tree, 1e9), ms)
tot = collections.Counter()
for page, d in best.items():
    b, n = d['/tmp/http4-base'], d['/work/wt/http4']; tot['b'] += b/4; tot['n'] += n/4
    print(f'{page:11s} base {b:.3f}  new {n:.3f}  {100*(n-b)/b:+.1f}%')
print(f'mean        base {tot[\"b\"]:.3f}  new {tot[\"n\"]:.3f}  {100*(tot[\"n\"]-tot[\"b\"])/tot[\"b\"]:+.1f}%')
"

#!/usr/bin/env bash
# Over HTTP, the four pages rendered every time (page cache off): the code before the collector was
# tuned for serving (BASE, a checkout of 355c88b) and after (this tree), alternated.
#   ab_http_gc.sh BASE_TREE DB_URL PAIRS
set -euo pipefail
here="$(cd "$(dirname "$0")/../../.." && pwd)"
for i in $(seq 1 "${3:-3}"); do
  for tree in "$1" "$here"; do
    (cd "$tree" && "$here/.venv/bin/python" bench/pages.py --db-url "$2" --rounds 3 --cold 0 --http-seconds 2.5 \
        --http-page-cache off --json) \
      | python3 -c "import json,sys; h=json.load(sys.stdin)['http']; print('$tree', 'ratio', h['ratio'], h['ratio_rounds'], 'rps', h['rps'], 'p95', h['p95_ms'], 'p99', h.get('p99_ms'), 'cpu/req', h.get('cpu_ms_per_request'), 'bare', h.get('baseline_rps'), h.get('baseline_cpu_ms_per_request'))"
  done
done

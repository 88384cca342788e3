#!/usr/bin/env bash
# The in-process pages measured through one test client kept open (now) and through a new client
# for every request (before, --client-per-request), alternated, on the same code and database.
#   ab_harness.sh DB_URL ROUNDS_OF_PAIRS
set -euo pipefail
cd "$(dirname "$0")/../../.."
for i in $(seq 1 "${2:-3}"); do
  for mode in per-request one; do
    flag=""; [ "$mode" = per-request ] && flag="--client-per-request"
    .venv/bin/python bench/pages.py --db-url "$1" --rounds 30 --cold 0 --http-seconds 0 $flag --json \
      | python3 -c "import json,sys; d=json.load(sys.stdin)['pages']; print('$mode', 'p50', d['p50_ms'], 'p95', d['p95_ms'], 'trivial p50', d['baseline_p50_ms'], {k: (v['p95_ms'], v['cpu_ms']) for k, v in d['by_page'].items()})"
  done
done

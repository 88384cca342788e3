#!/bin/bash
# search at 1M on PostgreSQL: 51e20c2 (0030, search_items a table) on pg1m_base against HEAD (0031, a
# view of the speeches) on pg1m_s36; the same database compacted (VACUUM FULL speeches) each side, alternated
export DESPATCHBOX_SEARCH_DIR=/work/pgb/w1m/search
PY=/work/wt/trial/.venv/bin/python
for round in 1 2 3; do
  for side in "before /work/wt/suite pg1m_base" "after /work/main pg1m_s36"; do
    set -- $side
    echo "== $1 round $round"
    (cd $2 && PYTHONPATH=src $PY bench/search.py --db postgresql+psycopg://postgres@127.0.0.1:55490/$3 --json)
  done
done

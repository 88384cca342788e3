#!/bin/bash
# PostgreSQL's own time per page at 1M, by phase (parse, bind: planning included, execute, plain
# statements: BEGIN/COMMIT/ROLLBACK and the pool's ping), summed from the server's log over 20
# renders of each page; run from a tree: server_time.sh TREE DATABASE
TREE=$1; DBNAME=$2; LOG=/work/pgb/server.log
psql() { runuser -u postgres -- /usr/bin/psql -h 127.0.0.1 -p 55490 -d $DBNAME -qAt -c "$1"; }
psql "ALTER SYSTEM SET log_min_duration_statement=0"; psql "select pg_reload_conf()" >/dev/null
for k in member seed debate department; do
  L=$(wc -l < $LOG)
  (cd $TREE && DESPATCHBOX_SEARCH_DIR=/work/pgb/w1m/search PYTHONPATH=$TREE/src /work/wt/trial/.venv/bin/python \
     /work/main/docs/benchmarks/2026-12-07b/postgresql/page_statements.py postgresql+psycopg://postgres@127.0.0.1:55490/$DBNAME $k)
  tail -n +$L $LOG | sed -n '/MARKER/,/ENDMARK/p' | grep -o "duration: [0-9.]* ms  [a-z]*" | awk -v m="$k" \
    '{s[$4]+=$2; t+=$2; n[$4]++} END {printf "%-10s %.2f ms a page:", m, t/20; for (k in s) printf "  %s %.2f ms (%d)", k, s[k]/20, n[k]/20; print ""}'
done
psql "ALTER SYSTEM RESET log_min_duration_statement"; psql "select pg_reload_conf()" >/dev/null

#!/bin/bash
# Start-up cost of commands, before (BASE checkout) and after (NEW checkout), alternated ROUNDS times.
# CPU seconds (user+sys) of the whole process, from /usr/bin/time. Usage:
#   startup_ab.sh BASE_DIR NEW_DIR DB_URL CORPUS [ROUNDS]
BASE=$1 NEW=$2 DB=$3 CORPUS=$4 ROUNDS=${5:-5}
PY=/work/main/.venv/bin/python
run() {  # dir, label, command...
  local dir=$1 label=$2; shift 2
  ( cd "$dir" && DESPATCHBOX_DATABASE_URL=$DB PYTHONPATH=src /usr/bin/time -f "%U %S" "$@" >/dev/null 2>/tmp/startup.err ) 2>/dev/null
  tail -1 /tmp/startup.err | awk -v l="$label" '{printf "%s %.2f\n", l, $1 + $2}'
}
for r in $(seq "$ROUNDS"); do
  for side in base new; do
    dir=$BASE; [ $side = new ] && dir=$NEW
    run "$dir" "$side help" $PY -c "from despatchbox.cli import main; main()" --help
    run "$dir" "$side stats" $PY -c "from despatchbox.cli import main; main()" stats --json
    run "$dir" "$side ingest-unchanged" $PY -c "from despatchbox.cli import main; main()" ingest -q "$CORPUS"
  done
done | awk '{k=$1" "$2; s[k]+=$3; n[k]++; v[k]=v[k]" "$3} END {for (k in s) printf "%-24s mean %.2f s CPU  (%s)\n", k, s[k]/n[k], v[k]}' | sort -k2,2 -k1,1
# (run separately) a web worker's start: the app made for the database, as uvicorn's factory does
#   for r in 1 2 3 4 5; do for d in BASE NEW; do (cd $d && PYTHONPATH=src /usr/bin/time -f "$d %U %S" \
#     python -c "from despatchbox.web.app import create_app; create_app('$DB')"); done; done

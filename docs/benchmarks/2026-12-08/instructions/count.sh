#!/bin/bash
# Instructions of one round of the bench pages (valgrind's callgrind, Debian's `valgrind`):
#   count.sh TREE DATABASE_URL [PAGES]
# The same count twice in a row differs by < 0.01 %: a change's effect can be read from one run
# each, where wall-clock pairs on this machine move by ±10 %. Instructions are not time: SHA-256,
# for one, runs in software under valgrind (no SHA extensions), and a cache miss counts nothing.
HERE=$(dirname "$0"); T=$1; DB=$2; SEL=${3:-}
for n in 0 20; do
  PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/pages-cg.$$.$n python "$HERE/pages_rounds.py" "$T" "$DB" $n $SEL \
    2> /tmp/pages-cg.$$.$n.err
  grep -o "Collected : [0-9]*" /tmp/pages-cg.$$.$n.err | awk '{print $3}' > /tmp/pages-cg.$$.$n.ir
done
echo "$T ${SEL:-0,1,2,3}: $(( ($(cat /tmp/pages-cg.$$.20.ir) - $(cat /tmp/pages-cg.$$.0.ir)) / 20 )) instructions a round"
